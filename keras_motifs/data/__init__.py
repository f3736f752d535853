"""Sequence encodings: alphabets, one-hot encoding/decoding and reverse complements."""

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

__all__ = [
    "Alphabet", "DNA", "DNA_AGCT", "RNA", "RNA_STRUCTURE", "get_alphabet", "N_INDEX", "decode",
    "encode_indices", "indices_to_one_hot", "one_hot", "reverse_complement",
    "reverse_complement_strings",
]
