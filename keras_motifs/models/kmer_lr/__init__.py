"""The DanQ paper's k-mer logistic-regression baseline."""

from ...registry import register_presets
from .model import KmerLogisticRegression, adapt_normalization
from .presets import PRESETS

register_presets(PRESETS, KmerLogisticRegression, family="kmer_lr", label="k-mer LR")

__all__ = ["KmerLogisticRegression", "adapt_normalization", "PRESETS"]
