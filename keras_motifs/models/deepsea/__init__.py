"""DeepSEA (Zhou & Troyanskaya 2015), the DanQ paper's convolutional comparator."""

from ...registry import register_presets
from .model import DeepSEA
from .presets import PRESETS
from .weights import load_original_weights

register_presets(PRESETS, DeepSEA, family="deepsea", label="DeepSEA")

__all__ = ["PRESETS", "DeepSEA", "load_original_weights"]
