"""DeepBind (Alipanahi et al. 2015): the trainable ENCODE ChIP-seq classifier.

Its training loop (deepity's SGD) and calibration are the paper's protocol:
:mod:`keras_motifs.papers.deepbind`.
"""

from ...registry import register_presets
from .model import DeepBind, compile_model
from .presets import PRESETS, SEARCH_SPACE, sample_setting

register_presets(PRESETS, DeepBind, family="deepbind", label="DeepBind")

__all__ = ["DeepBind", "compile_model", "PRESETS", "SEARCH_SPACE", "sample_setting"]
