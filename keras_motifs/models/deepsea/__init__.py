"""DeepSEA (Zhou & Troyanskaya 2015), the DanQ paper's convolutional comparator."""

from .model import DeepSEA, get_preset, threshold_relu, training_config
from .presets import PRESETS

__all__ = ["DeepSEA", "get_preset", "threshold_relu", "training_config", "PRESETS"]
