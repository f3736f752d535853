"""TFDS builder for the Zeng et al. 2016 ENCODE ChIP-seq motif-discovery sets (Deepprune's data)."""

from .zeng_chipseq_dataset_builder import Builder, ZengConfig, builder_for, read_data_file

__all__ = ["Builder", "ZengConfig", "builder_for", "read_data_file"]
