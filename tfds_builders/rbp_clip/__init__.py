"""rbp_clip TFDS builder (iONMF / iDeepS RBP CLIP-seq sets with predicted structure)."""

from .rbp_clip_dataset_builder import (  # noqa: F401
    CONFIGS,
    EXPERIMENTS,
    Builder,
    config_for,
    experiments_in,
    read_ionmf_fasta,
    split_validation,
)
