"""DanQ and DanQ-JASPAR (Quang & Xie 2016)."""

from ...registry import register_presets
from .model import DanQ
from .presets import PRESETS

register_presets(PRESETS, DanQ, family="danq", label="DanQ")

__all__ = ["DanQ", "PRESETS"]
