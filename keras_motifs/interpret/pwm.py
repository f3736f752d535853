"""Position matrices: counts → probabilities, information content, trimming, reverse complement,
channel reordering.

Conventions (every function of :mod:`keras_motifs.interpret`):

* a matrix is a numpy array of shape ``(W, A)``: one row per motif position, one column per letter
  of an alphabet (``keras_motifs.data`` alphabets: ``"ACGT"``, ``"AGCT"``, ``"ACGU"``, ``"FTIHMS"``);
  stacks of matrices are ``(F, W, A)``;
* a PFM holds counts (possibly weighted, possibly with a pseudocount), a PPM holds per-row
  probabilities summing to 1;
* motifs are written and compared in the *canonical* order of their alphabet
  (:func:`canonical_alphabet`): A,C,G,T for DNA whatever the model's channel order (DeepSEA/DanQ
  models read A,G,C,T), A,C,G,U for RNA, F,T,I,H,M,S for iDeepS structure contexts.
"""

from __future__ import annotations

import numpy as np

from ..data import Alphabet, get_alphabet


def canonical_alphabet(alphabet: "str | Alphabet") -> Alphabet:
    """The alphabet motifs are reported in: ``ACGT`` for any DNA order, ``ACGU`` for any RNA
    order, otherwise the alphabet itself (structure contexts ``FTIHMS``)."""
    alpha = get_alphabet(alphabet)
    letters = set(alpha.letters)
    if letters == set("ACGT"):
        return get_alphabet("ACGT")
    if letters == set("ACGU"):
        return get_alphabet("ACGU")
    return alpha


def reorder(matrix: np.ndarray, from_alphabet: "str | Alphabet", to_alphabet: "str | Alphabet") -> np.ndarray:
    """Permute the last axis of ``matrix`` (…, A) from one letter order to another (same letters);
    the result has the same shape.

    ``reorder(m, "AGCT", "ACGT")`` turns a DeepSEA/DanQ-ordered matrix into A,C,G,T columns.
    """
    src = get_alphabet(from_alphabet).letters
    dst = get_alphabet(to_alphabet).letters
    if sorted(src) != sorted(dst):
        raise ValueError(f"cannot reorder alphabet {src} into {dst}: different letters")
    matrix = np.asarray(matrix)
    if matrix.shape[-1] != len(src):
        raise ValueError(f"matrix has {matrix.shape[-1]} columns, alphabet {src} has {len(src)} letters")
    return matrix[..., [src.index(letter) for letter in dst]]


def to_canonical(matrix: np.ndarray, alphabet: "str | Alphabet") -> tuple[np.ndarray, Alphabet]:
    """``(matrix in canonical column order, canonical alphabet)`` for a matrix (…, A); see
    :func:`canonical_alphabet`."""
    canon = canonical_alphabet(alphabet)
    return reorder(matrix, alphabet, canon), canon


def counts_to_ppm(counts: np.ndarray, pseudocount: float = 0.0, empty: str = "uniform") -> np.ndarray:
    """PFM (…, W, A) → PPM: add ``pseudocount`` to every cell, divide each row by its sum.

    ``empty`` says what a row with no counts (sum 0) becomes: ``"uniform"`` (1/A each) or
    ``"zero"`` (all zeros, as Koo & Eddy's code does by turning NaN into 0).
    """
    counts = np.asarray(counts, dtype=np.float64) + pseudocount
    if (counts < 0).any():
        raise ValueError("counts must be non-negative")
    totals = counts.sum(-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppm = counts / totals
    bad = (totals == 0)[..., 0]
    if empty == "uniform":
        ppm[bad] = 1.0 / counts.shape[-1]
    elif empty == "zero":
        ppm[bad] = 0.0
    else:
        raise ValueError(f"empty must be 'uniform' or 'zero', not {empty!r}")
    return ppm


def _background(background, n: int) -> np.ndarray:
    if background is None:
        return np.full(n, 1.0 / n)
    bg = np.asarray(background, dtype=np.float64)
    if bg.shape != (n,) or not np.isclose(bg.sum(), 1.0) or (bg <= 0).any():
        raise ValueError(f"background must be {n} positive frequencies summing to 1, got {background!r}")
    return bg


def information_content(ppm: np.ndarray, background=None) -> np.ndarray:
    """Information content of each position in bits: ``Σ_a p_a log2(p_a / b_a)`` (0·log 0 = 0).

    With the uniform DNA background this is ``2 + Σ p log2 p`` (Koo & Eddy's formula, which adds
    1e-7 inside the log; the difference is below 1e-6 bits). Shape (…, W) for a (…, W, A) input.
    """
    ppm = np.asarray(ppm, dtype=np.float64)
    bg = _background(background, ppm.shape[-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(ppm > 0, ppm * np.log2(ppm / bg), 0.0)
    return terms.sum(-1)


def ic_heights(ppm: np.ndarray, background=None) -> np.ndarray:
    """Letter heights of an information-content logo: ``p_a × IC(position)``, shape (W, A)."""
    ppm = np.asarray(ppm, dtype=np.float64)
    return ppm * information_content(ppm, background)[..., None]


def trim(ppm: np.ndarray, threshold: float = 0.5, pad: int = 3, background=None) -> tuple[np.ndarray, int, int]:
    """Trim low-information flanks (Koo & Eddy's clipping) of a PPM (W, A).

    Keeps the positions from the first to the last whose information content exceeds
    ``threshold`` bits, extended by ``pad`` positions on each side (bounded by the motif). If no
    position passes, the whole motif is kept. Returns ``(trimmed ppm (end - start, A), start,
    end)`` with ``trimmed = ppm[start:end]``.
    """
    ppm = np.asarray(ppm)
    ic = information_content(ppm, background)
    keep = np.flatnonzero(ic > threshold)
    if keep.size == 0:
        return ppm.copy(), 0, len(ppm)
    start = max(0, int(keep[0]) - pad)
    end = min(len(ppm), int(keep[-1]) + 1 + pad)
    return ppm[start:end].copy(), start, end


def reverse_complement(matrix: np.ndarray, alphabet: "str | Alphabet" = "ACGT") -> np.ndarray:
    """Reverse complement of a (…, W, A) matrix in any nucleotide channel order."""
    alpha = get_alphabet(alphabet)
    matrix = np.asarray(matrix)
    if matrix.shape[-1] != len(alpha):
        raise ValueError(f"matrix has {matrix.shape[-1]} columns, alphabet {alpha.letters} has {len(alpha)}")
    return np.flip(matrix[..., alpha.complement_permutation()], axis=-2).copy()


def consensus(ppm: np.ndarray, alphabet: "str | Alphabet" = "ACGT", min_probability: float = 0.0) -> str:
    """Most probable letter at each position of a PPM (W, A): a string of length W (``N`` — or
    ``-`` for alphabets without N — where the best probability is at most ``min_probability`` or
    the row is empty)."""
    alpha = get_alphabet(alphabet)
    ppm = np.asarray(ppm)
    unknown = alpha.unknown or "-"
    out = []
    for row in ppm:
        best = int(np.argmax(row))
        out.append(alpha.letters[best] if row[best] > min_probability and row.sum() > 0 else unknown)
    return "".join(out)


def letter_frequencies(one_hot: np.ndarray, pseudocount: float = 0.0) -> np.ndarray:
    """Frequencies of each channel over one-hot data (N, L, A) (+ pseudocount per letter), e.g.
    the MEME background iDeepS wrote (letter frequencies with +1 pseudocounts)."""
    x = np.asarray(one_hot, dtype=np.float64)
    counts = x.reshape(-1, x.shape[-1]).sum(0) + pseudocount
    return counts / counts.sum()
