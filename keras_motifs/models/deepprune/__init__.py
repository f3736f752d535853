"""Deepprune (Luo, Chi & Deng 2019): a DeepBind-style CNN pruned iteratively to few kernels.

The pruning machinery (schedule, criteria, variants, export) is in :mod:`keras_motifs.pruning`.
"""

from ...registry import register_presets
from .model import Deepprune
from .presets import MOTIF_PROTOCOL, PRESETS

register_presets(PRESETS, Deepprune, family="deepprune", label="Deepprune", motif_protocol=MOTIF_PROTOCOL)

__all__ = ["Deepprune", "MOTIF_PROTOCOL", "PRESETS"]
