"""iDeepS (Pan et al. 2018) and its ablations: sequence + structure CNNs with a BiLSTM.

Its training protocol (last-epoch weights, evaluation) is :mod:`keras_motifs.papers.ideeps`.
"""

from ...registry import register_presets
from .encoding import LAYOUTS, encode_sequences, encode_structures
from .model import IDeepS, input_names
from .presets import MOTIF_PROTOCOL, PRESETS, STRUCTURE_MOTIF_PROTOCOL

register_presets(PRESETS, IDeepS, family="ideeps", label="iDeepS", motif_protocol=MOTIF_PROTOCOL)

__all__ = ["IDeepS", "input_names", "PRESETS", "MOTIF_PROTOCOL", "STRUCTURE_MOTIF_PROTOCOL", "encode_sequences", "encode_structures", "LAYOUTS"]
