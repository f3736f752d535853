"""iDeepS input encodings: sequence and structure one-hot matrices with the original padding.

Both go through :func:`keras_motifs.data.one_hot` (alphabets ``"ACGU"`` and ``"FTIHMS"``).

Layouts (``layout=``), for a sequence of length L and ``flank`` f = 5 (motif_len 10 / 2):

``"centered"`` (default; the current original code, commit 699e90f, 2023-08-03 fix)
    rows 0..f-1 padding, rows f..f+L-1 the residues, rows f+L..L+2f-1 padding.
``"published"`` (the code the paper's results came from)
    the residue loop wrote residue i at row i + 2f - 1 (= i + 9) while only rows 0..f-1 and
    L+f..L+2f-1 were set to padding: rows 0-4 padding, rows 5-8 all zeros, rows 9..L+8 the
    residues (overwriting the first 4 end-padding rows), row L+9 padding (xypan1232/iDeepS
    ``ideeps.py`` ``get_RNA_seq_concolutional_array`` before commit 699e90f).

The paper's Eq. (2) places residue i-k+1 at row i, which is the published layout's shift; the
author later corrected the code to the centred layout. We default to the centred layout: it is
the maintainer's own fix, keeps the sequence symmetric in the receptive field, and needs no
all-zero rows that exist in no other model of the package. ``layout="published"`` reproduces the
2018 encoding for parity studies.

Padding and N rows hold ``n_value`` in every channel: 0.25 for sequence, 0.16 (not 1/6) for
structure, as the original.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ...data import one_hot

LAYOUTS = ("centered", "published")


def _place(encoded: np.ndarray, flank: int, pad_value: float, layout: str) -> np.ndarray:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown iDeepS encoding layout {layout!r}; choose from {LAYOUTS}")
    n, length, channels = encoded.shape
    if layout == "centered" or flank == 0:
        out = np.full((n, length + 2 * flank, channels), pad_value, dtype=encoded.dtype)
        out[:, flank : flank + length] = encoded
        return out
    out = np.zeros((n, length + 2 * flank, channels), dtype=encoded.dtype)
    out[:, :flank] = pad_value
    out[:, length + flank :] = pad_value
    start = 2 * flank - 1
    out[:, start : start + length] = encoded[:, : length + 2 * flank - start]
    return out


def encode_sequences(
    sequences: Sequence[str],
    length: int | None = None,
    flank: int = 5,
    n_value: float = 0.25,
    layout: str = "centered",
) -> np.ndarray:
    """DNA/RNA strings → (N, length + 2 flank, 4) float32, channels A, C, G, U.

    T is read as U. Sequences shorter than ``length`` are right-padded with ``n_value`` rows.
    """
    rna = [s.upper().replace("T", "U") for s in sequences]
    encoded = one_hot(rna, "ACGU", n_value=n_value, length=length)
    return _place(encoded, flank, n_value, layout)


def encode_structures(
    contexts: Sequence[str],
    length: int | None = None,
    flank: int = 5,
    n_value: float = 0.16,
    layout: str = "centered",
) -> np.ndarray:
    """F/T/I/H/M/S context strings → (N, length + 2 flank, 6) float32, channels F, T, I, H, M, S."""
    encoded = one_hot([c.upper() for c in contexts], "FTIHMS", n_value=n_value, length=length)
    return _place(encoded, flank, n_value, layout)
