"""Deepprune (Luo, Chi & Deng 2019): a DeepBind-style CNN pruned iteratively to few kernels.

The pruning machinery (schedule, criteria, variants, export) is in :mod:`keras_motifs.pruning`.
"""

from .model import Deepprune, training_config
from .presets import PRESETS, get_preset

__all__ = ["Deepprune", "training_config", "PRESETS", "get_preset"]
