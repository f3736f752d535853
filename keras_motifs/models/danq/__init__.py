"""DanQ and DanQ-JASPAR (Quang & Xie 2016)."""

from ...registry import register_presets
from .model import DanQ
from .presets import MOTIF_PROTOCOL, PRESETS

register_presets(PRESETS, DanQ, family="danq", label="DanQ", motif_protocol=MOTIF_PROTOCOL)

__all__ = ["DanQ", "MOTIF_PROTOCOL", "PRESETS"]
