"""DeepBind's dinucleotide-preserving shuffles: the implementation moved to the ground floor
(:mod:`keras_motifs.data.shuffle`, shared with the labelled-sequences reader); this module keeps
the old import path."""

from ..data.shuffle import dinucleotide_counts, dinucleotide_shuffle, dinucleotide_shuffles  # noqa: F401

__all__ = ["dinucleotide_shuffle", "dinucleotide_shuffles", "dinucleotide_counts"]
