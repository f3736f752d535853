"""Alphabets (channel orders) used by the models of the package.

The channel order is data, not a convention to remember: DeepSEA/DanQ use A,G,C,T; DeepBind,
Koo & Eddy and Deepprune use A,C,G,T; iDeepS uses A,C,G,U for sequence and F,T,I,H,M,S for
RNA structure contexts.
"""

from __future__ import annotations

from dataclasses import dataclass

_COMPLEMENT = {"A": "T", "C": "G", "G": "C", "T": "A", "U": "A"}


@dataclass(frozen=True)
class Alphabet:
    """An ordered set of letters; ``letters[i]`` is channel ``i`` of the one-hot encoding."""

    name: str
    letters: str
    unknown: str | None = "N"  # the letter meaning "any" (encoded with the N value)
    nucleic: bool = True  # whether a reverse complement is defined

    def __post_init__(self):
        if len(set(self.letters)) != len(self.letters):
            raise ValueError(f"alphabet {self.name}: repeated letters in {self.letters!r}")

    def __len__(self) -> int:
        return len(self.letters)

    def index(self, letter: str) -> int:
        return self.letters.index(letter)

    def complement_permutation(self) -> list[int]:
        """perm such that ``x[..., perm]`` maps each channel to its complement's channel."""
        if not self.nucleic:
            raise ValueError(f"alphabet {self.name} ({self.letters}) has no complement")
        rna = "U" in self.letters
        perm = []
        for letter in self.letters:
            comp = _COMPLEMENT[letter]
            if rna and comp == "T":
                comp = "U"
            perm.append(self.letters.index(comp))
        return perm


DNA = Alphabet("DNA", "ACGT")
DNA_AGCT = Alphabet("DNA_AGCT", "AGCT")  # DeepSEA / DanQ channel order
RNA = Alphabet("RNA", "ACGU")
RNA_STRUCTURE = Alphabet("RNA_STRUCTURE", "FTIHMS", unknown=None, nucleic=False)  # iDeepS contexts

_BY_NAME = {a.name: a for a in (DNA, DNA_AGCT, RNA, RNA_STRUCTURE)}
_BY_LETTERS = {a.letters: a for a in (DNA, DNA_AGCT, RNA, RNA_STRUCTURE)}


def get_alphabet(alphabet: "str | Alphabet") -> Alphabet:
    """Accept an Alphabet, a name (``"DNA_AGCT"``) or the letters in order (``"AGCT"``)."""
    if isinstance(alphabet, Alphabet):
        return alphabet
    key = str(alphabet)
    if key in _BY_NAME:
        return _BY_NAME[key]
    if key.upper() in _BY_LETTERS:
        return _BY_LETTERS[key.upper()]
    letters = key.upper()
    if letters and set(letters) <= set("ACGTU") and len(set(letters)) == len(letters):
        return Alphabet(letters, letters)
    raise ValueError(
        f"unknown alphabet {alphabet!r}; use one of {sorted(_BY_NAME)} or a letter order such as 'ACGT'"
    )
