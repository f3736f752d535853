"""Dinucleotide-preserving shuffles (Altschul & Erickson 1985) for DeepBind's negatives.

The algorithm lives on the ground floor, :mod:`keras_motifs.data.shuffle` (also used for
attribution baselines); this module keeps the names DeepBind's code and datasets import.
"""

from ..data.shuffle import (
    dinucleotide_counts,
    dinucleotide_shuffle,
    dinucleotide_shuffles,
)

__all__ = ["dinucleotide_counts", "dinucleotide_shuffle", "dinucleotide_shuffles"]
