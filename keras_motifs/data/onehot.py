"""Vectorised one-hot encoding and decoding of sequences.

Encoding goes through a 256-entry lookup table from byte to channel index (no Python loop per
base): the sequences are joined into one byte buffer, mapped, and gathered from a small table
whose rows are the one-hot vectors, the N vector and the padding vector.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ..errors import InvalidSequenceError
from .alphabets import Alphabet, get_alphabet

N_INDEX = 4  # index code of the unknown letter (N) in index encodings of 4-letter alphabets
_INVALID = 255


def _lut(alpha: Alphabet) -> np.ndarray:
    lut = np.full(256, _INVALID, dtype=np.uint8)
    for i, letter in enumerate(alpha.letters):
        lut[ord(letter)] = i
        lut[ord(letter.lower())] = i
    if alpha.unknown is not None:
        lut[ord(alpha.unknown)] = len(alpha)
        lut[ord(alpha.unknown.lower())] = len(alpha)
    return lut


_LUT_CACHE: dict[str, np.ndarray] = {}


def _get_lut(alpha: Alphabet) -> np.ndarray:
    key = alpha.letters + (alpha.unknown or "")
    if key not in _LUT_CACHE:
        _LUT_CACHE[key] = _lut(alpha)
    return _LUT_CACHE[key]


_LUT_BYTES_CACHE: dict[str, bytes] = {}


def _get_lut_bytes(alpha: Alphabet, lut: np.ndarray) -> bytes:
    key = alpha.letters + (alpha.unknown or "")
    if key not in _LUT_BYTES_CACHE:
        _LUT_BYTES_CACHE[key] = lut.tobytes()
    return _LUT_BYTES_CACHE[key]


def _as_bytes_list(sequences) -> list[bytes]:
    if isinstance(sequences, (str, bytes)):
        sequences = [sequences]
    elif isinstance(sequences, np.ndarray):
        sequences = sequences.tolist()
    out = []
    for s in sequences:
        if isinstance(s, bytes):
            out.append(s)
        elif isinstance(s, str):
            try:
                out.append(s.encode("ascii"))
            except UnicodeEncodeError:
                bad = next(c for c in s if ord(c) > 127)
                _raise_at(len(out), f": letter {bad!r} at position {s.index(bad)} is not a nucleotide letter")
        else:
            raise TypeError(f"sequence {len(out)}: expected str or bytes, got {type(s).__name__}")
    return out


def _raise_at(index: int, detail: str):
    """Raise the encoders' error for sequence ``index``: "sequence <index><detail>", with the index
    and the detail as attributes for readers that name the record instead."""
    raise InvalidSequenceError(f"sequence {index}{detail}", index=int(index), detail=detail) from None


def _report_invalid(idx: np.ndarray, offsets: np.ndarray, seqs: list[bytes], alpha: Alphabet):
    flat_pos = int(np.flatnonzero(idx == _INVALID)[0])
    seq_i = int(np.searchsorted(offsets, flat_pos, side="right") - 1)
    pos = flat_pos - int(offsets[seq_i])
    letter = chr(seqs[seq_i][pos])
    allowed = alpha.letters + (f" or {alpha.unknown}" if alpha.unknown else "")
    hint = ""
    if letter.upper() == "U" and "T" in alpha.letters:
        hint = " (an RNA letter: use an RNA alphabet such as 'ACGU', or convert U to T)"
    elif letter.upper() == "T" and "U" in alpha.letters:
        hint = " (a DNA letter: use a DNA alphabet such as 'ACGT', or convert T to U)"
    _raise_at(seq_i, f": letter {letter!r} at position {pos} is not in alphabet {allowed}{hint}")


def encode_indices(
    sequences: "str | bytes | Iterable[str | bytes]",
    alphabet: "str | Alphabet" = "ACGT",
    length: int | None = None,
    pad_index: int | None = None,
) -> np.ndarray:
    """Sequences → uint8 channel indices, shape (N, L).

    Letters map to their channel in ``alphabet``; the unknown letter (N) maps to
    ``len(alphabet)``; positions past a sequence's end map to ``pad_index`` (default
    ``len(alphabet) + 1``). All sequences must have the same length unless ``length`` is given,
    in which case shorter ones are right-padded and longer ones are an error.
    """
    alpha = get_alphabet(alphabet)
    seqs = _as_bytes_list(sequences)
    lut = _get_lut(alpha)
    pad = len(alpha) + 1 if pad_index is None else pad_index
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    # bytes.translate maps every byte through the table in C (~1 GB/s, several times faster than a
    # NumPy gather); a bytearray keeps the result writable. Invalid letters map to 255, the maximum.
    idx = np.frombuffer(bytearray().join(seqs).translate(_get_lut_bytes(alpha, lut)), dtype=np.uint8)
    if idx.size and idx.max() == _INVALID:
        _report_invalid(idx, offsets, seqs, alpha)
    if len(seqs) == 0:
        return np.zeros((0, length or 0), dtype=np.uint8)
    uniform = lengths.min() == lengths.max()
    target = int(lengths.max()) if length is None else int(length)
    if length is None and not uniform:
        i = int(np.argmax(lengths != lengths[0]))
        _raise_at(i, f" has length {lengths[i]} but sequence 0 has length {lengths[0]}; "
                  "pass length= to pad to a fixed length")
    if lengths.max() > target:
        i = int(np.argmax(lengths > target))
        _raise_at(i, f" has length {lengths[i]}, longer than the required length {target}")
    if uniform and lengths[0] == target:
        return idx.reshape(len(seqs), target)
    out = np.full((len(seqs), target), pad, dtype=np.uint8)
    for i in range(len(seqs)):  # loop per sequence only for ragged input, never per base
        out[i, : lengths[i]] = idx[offsets[i] : offsets[i + 1]]
    return out


def indices_to_one_hot(
    indices: np.ndarray,
    alphabet_size: int = 4,
    n_value: float = 0.0,
    pad_value: float = 0.0,
    dtype=np.float32,
) -> np.ndarray:
    """uint8 indices (from :func:`encode_indices`) → one-hot (..., L, alphabet_size)."""
    table = np.zeros((256, alphabet_size), dtype=dtype)
    table[np.arange(alphabet_size), np.arange(alphabet_size)] = 1
    table[alphabet_size] = n_value
    table[alphabet_size + 1 :] = pad_value
    indices = np.asarray(indices)
    # Gather whole rows as single fixed-size items (one copy per base instead of one per channel).
    rows = np.ascontiguousarray(table).view(np.dtype((np.void, table.itemsize * alphabet_size))).ravel()
    return rows[indices.reshape(-1)].view(table.dtype).reshape(*indices.shape, alphabet_size)


def one_hot(
    sequences: "str | bytes | Iterable[str | bytes]",
    alphabet: "str | Alphabet" = "ACGT",
    n_value: float = 0.0,
    pad_value: float | None = None,
    length: int | None = None,
    flank: int = 0,
    dtype=np.float32,
) -> np.ndarray:
    """One-hot encode sequences → array (N, L, len(alphabet)); a single string gives (L, A).

    Args:
      alphabet: channel order, e.g. ``"ACGT"``, ``"AGCT"`` (DeepSEA), ``"ACGU"``, ``"FTIHMS"``.
      n_value: value written in every channel for the unknown letter N (0 or 0.25 are usual;
        iDeepS and DeepBind use 0.25).
      pad_value: value for padding positions (default: ``n_value``).
      length: pad every sequence on the right to this length (error if one is longer).
      flank: padding positions added on both sides (iDeepS pads 5 on each side).
    Lowercase letters are accepted; any other letter raises :class:`InvalidSequenceError`
    naming the sequence index, the position and the letter.
    """
    single = isinstance(sequences, (str, bytes))
    alpha = get_alphabet(alphabet)
    idx = encode_indices(sequences, alpha, length=length)
    if flank:
        pad = np.full((idx.shape[0], flank), len(alpha) + 1, dtype=np.uint8)
        idx = np.concatenate([pad, idx, pad], axis=1)
    out = indices_to_one_hot(
        idx, len(alpha), n_value, n_value if pad_value is None else pad_value, dtype
    )
    return out[0] if single else out


def decode(one_hot_array: np.ndarray, alphabet: "str | Alphabet" = "ACGT") -> "list[str] | str":
    """One-hot (N, L, A) or (L, A) → strings. Rows that are not a single hot channel decode to N."""
    alpha = get_alphabet(alphabet)
    x = np.asarray(one_hot_array)
    single = x.ndim == 2
    if single:
        x = x[None]
    if x.shape[-1] != len(alpha):
        raise ValueError(f"last axis has {x.shape[-1]} channels, alphabet {alpha.letters} has {len(alpha)}")
    unknown = alpha.unknown or "N"
    letters = np.frombuffer((alpha.letters + unknown).encode(), dtype=np.uint8)
    is_onehot = (x.max(-1) == 1) & ((x == 1).sum(-1) == 1) & (x.sum(-1) == 1)
    codes = np.where(is_onehot, x.argmax(-1), len(alpha))
    chars = letters[codes]
    out = [row.tobytes().decode() for row in chars]
    return out[0] if single else out


def reverse_complement(x: np.ndarray, alphabet: "str | Alphabet" = "ACGT", length_axis: int = -2) -> np.ndarray:
    """Reverse complement of one-hot arrays in any channel order (channels on the last axis).

    Works on (L, A), (N, L, A) or any array whose last axis is the alphabet and ``length_axis``
    the positions. N and padding rows (uniform values) stay N and padding.
    """
    alpha = get_alphabet(alphabet)
    x = np.asarray(x)
    if x.shape[-1] != len(alpha):
        raise ValueError(f"last axis has {x.shape[-1]} channels, alphabet {alpha.letters} has {len(alpha)}")
    perm = alpha.complement_permutation()
    return np.flip(x[..., perm], axis=length_axis)


def reverse_complement_strings(sequences: Sequence[str] | str) -> "list[str] | str":
    """Reverse complement of DNA/RNA strings (keeps case, U stays RNA, N stays N)."""
    table = str.maketrans("ACGTUNacgtun", "TGCAANtgcaan")
    if isinstance(sequences, str):
        rc = sequences.translate(table)[::-1]
        return rc.replace("T", "U").replace("t", "u") if ("U" in sequences or "u" in sequences) else rc
    return [reverse_complement_strings(s) for s in sequences]
