"""``koo_eddy_synthetic`` dataset: ``tfds.load('koo_eddy_synthetic')`` after ``import tfds_builders``."""

from .koo_eddy_synthetic_dataset_builder import Builder, read_original_h5
from .pipeline import supervised, to_one_hot

__all__ = ["Builder", "read_original_h5", "supervised", "to_one_hot"]
