"""DanQ and DanQ-JASPAR (Quang & Xie 2016)."""

from .model import DanQ, training_config
from .presets import PRESETS, get_preset

__all__ = ["DanQ", "training_config", "PRESETS", "get_preset"]
