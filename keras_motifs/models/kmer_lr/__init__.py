"""The DanQ paper's k-mer logistic-regression baseline."""

from .model import KmerLogisticRegression, adapt_normalization, get_preset, training_config
from .presets import PRESETS

__all__ = ["KmerLogisticRegression", "adapt_normalization", "get_preset", "training_config", "PRESETS"]
