"""``deepsea`` dataset: ``tfds.load('deepsea/synthetic')`` after ``import tfds_builders``."""

from .deepsea_dataset_builder import Builder
from .pipeline import supervised, to_one_hot

__all__ = ["Builder", "supervised", "to_one_hot"]
