"""DeepSEA (Zhou & Troyanskaya 2015), the DanQ paper's convolutional comparator."""

from ...registry import register_presets
from .model import DeepSEA
from .presets import PRESETS

register_presets(PRESETS, DeepSEA, family="deepsea", label="DeepSEA")

__all__ = ["DeepSEA", "PRESETS"]
