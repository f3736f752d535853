"""Sequence encodings: alphabets, one-hot encoding/decoding, reverse complements and dinucleotide
shuffles."""

from .alphabets import DNA, DNA_AGCT, RNA, RNA_STRUCTURE, Alphabet, get_alphabet
from .onehot import (
    N_INDEX,
    decode,
    encode_indices,
    indices_to_one_hot,
    one_hot,
    reverse_complement,
    reverse_complement_strings,
)
from .shuffle import (
    dinucleotide_counts,
    dinucleotide_counts_one_hot,
    dinucleotide_shuffle,
    dinucleotide_shuffle_one_hot,
    dinucleotide_shuffles,
    dinucleotide_shuffles_one_hot,
)

__all__ = [
    "Alphabet", "DNA", "DNA_AGCT", "RNA", "RNA_STRUCTURE", "get_alphabet", "N_INDEX", "decode",
    "encode_indices", "indices_to_one_hot", "one_hot", "reverse_complement",
    "reverse_complement_strings", "dinucleotide_counts", "dinucleotide_counts_one_hot", "dinucleotide_shuffle",
    "dinucleotide_shuffle_one_hot", "dinucleotide_shuffles", "dinucleotide_shuffles_one_hot",
]
