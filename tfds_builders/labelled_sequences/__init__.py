"""labelled_sequences dataset (your own labelled sequences: FASTA per class, FASTA + labels, BED + genome)."""

from .labelled_sequences_dataset_builder import Builder, LabelledSequencesConfig, builder_for  # noqa: F401
