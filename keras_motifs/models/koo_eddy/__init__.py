"""Koo & Eddy 2019 CNN-N family (first-layer max-pooling vs. motif representations)."""

from .model import KooEddyCNN, compile_model, trainable_parameter_count, training_config
from .presets import PRESETS, TABLE1_MODELS, get_preset

__all__ = [
    "KooEddyCNN", "compile_model", "trainable_parameter_count", "training_config", "PRESETS",
    "TABLE1_MODELS", "get_preset",
]
