"""Koo & Eddy 2019 CNN-N family (first-layer max-pooling vs. motif representations)."""

from ...registry import register_presets
from .model import KooEddyCNN, compile_model, trainable_parameter_count, training_config
from .presets import GROUND_TRUTH_IDS, MOTIF_PROTOCOL, PRESETS, TABLE1_MODELS
from .weights import (
    ORIGINAL_CHECKPOINTS,
    load_original_model,
    load_original_weights,
    preset_for_checkpoint,
)

register_presets(PRESETS, KooEddyCNN, family="koo_eddy", label="Koo & Eddy", training_config=training_config,
                 motif_protocol=MOTIF_PROTOCOL)

__all__ = [
    "GROUND_TRUTH_IDS",
    "MOTIF_PROTOCOL",
    "ORIGINAL_CHECKPOINTS",
    "PRESETS",
    "TABLE1_MODELS",
    "KooEddyCNN",
    "compile_model",
    "load_original_model",
    "load_original_weights",
    "preset_for_checkpoint",
    "trainable_parameter_count",
    "training_config",
]
