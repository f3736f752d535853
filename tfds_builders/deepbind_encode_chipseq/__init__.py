"""deepbind_encode_chipseq dataset (DeepBind's ENCODE ChIP-seq sets)."""

from .deepbind_encode_chipseq_dataset_builder import Builder, builder_for, read_seq_file  # noqa: F401
