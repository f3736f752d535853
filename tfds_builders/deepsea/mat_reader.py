"""Readers for the DeepSEA ``.mat`` files, streaming in chunks where the format allows it.

``train.mat`` is MATLAB v7.3 (HDF5): h5py sees ``trainxdata`` as (1000, 4, N) and ``traindata``
as (919, N) (MATLAB stores column-major, so axes appear reversed); it is read ``chunk`` samples
at a time, so memory does not grow with N. ``valid.mat``/``test.mat`` are MATLAB v5, read with
``scipy.io.loadmat`` (v5 files cannot be sliced; the 455k-sequence test set takes ~2.2 GB in
memory while it is converted). The format is detected from the file, not from its name.

Sequences come out as uint8 base indices in the file's channel order (A,G,C,T for DeepSEA):
channel c → index c, an all-zero column (N) → 4. Anything else (a column with two ones, values
other than 0/1, wrong dataset names or axis order) raises ``DataFormatError`` naming the file,
the record and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import h5py
import numpy as np

from keras_motifs.errors import DataFormatError
from keras_motifs.io import open_hdf5

SEQUENCE_LENGTH = 1000
N_CHANNELS = 4
N_TARGETS = 919


def onehot_to_indices(x: np.ndarray, path, first_record: int) -> np.ndarray:
    """(n, L, 4) 0/1 array → (n, L) uint8 indices, 4 where the column is all zero."""
    if x.dtype != np.uint8 and not np.isin(x, (0, 1)).all():
        bad = np.argwhere(~np.isin(x, (0, 1)))[0]
        raise DataFormatError(
            f"file '{path}', record {first_record + bad[0]}: position {bad[1]} has value "
            f"{x[tuple(bad)].item()!r}; one-hot values must be 0 or 1"
        )
    s = x.sum(axis=2, dtype=np.int16)
    if (s > 1).any() or (x > 1).any():
        rec, pos = np.argwhere((s > 1) | (x > 1).any(axis=2))[0]
        raise DataFormatError(
            f"file '{path}', record {first_record + rec}: position {pos} is not one-hot "
            f"(channels {x[rec, pos].tolist()})"
        )
    idx = x.argmax(axis=2).astype(np.uint8)
    idx[s == 0] = 4
    return idx


def _check_labels(y: np.ndarray, path, first_record: int) -> np.ndarray:
    if not np.isin(y, (0, 1)).all():
        rec, t = np.argwhere(~np.isin(y, (0, 1)))[0]
        raise DataFormatError(
            f"file '{path}', record {first_record + rec}: target {t} has label {y[rec, t].item()!r}; labels must be 0 or 1"
        )
    return y.astype(np.uint8)


class _HDF5Split:
    def __init__(self, path: Path, prefix: str, chunk: int):
        self.path, self.chunk = path, chunk
        self._f = open_hdf5(path)
        try:
            self._check(prefix)
        except BaseException:
            self._f.close()
            raise

    def _check(self, prefix: str) -> None:
        path = self.path
        xname, yname = f"{prefix}xdata", f"{prefix}data"
        missing = [n for n in (xname, yname) if n not in self._f]
        if missing:
            raise DataFormatError(
                f"file '{path}': dataset(s) {missing} not found (found {sorted(self._f.keys())}); "
                f"a DeepSEA {prefix} file holds '{xname}' and '{yname}'"
            )
        self.x, self.y = self._f[xname], self._f[yname]
        if self.x.ndim != 3 or self.x.shape[:2] != (SEQUENCE_LENGTH, N_CHANNELS):
            raise DataFormatError(
                f"file '{path}': '{xname}' has shape {self.x.shape}; expected (1000, 4, N) as h5py reads "
                "a MATLAB v7.3 file (axes reversed from MATLAB's N x 4 x 1000)"
            )
        n = self.x.shape[2]
        if self.y.shape != (N_TARGETS, n):
            raise DataFormatError(f"file '{path}': '{yname}' has shape {self.y.shape}; expected (919, {n})")
        self.num_examples = n

    def iter_chunks(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        try:
            for start in range(0, self.num_examples, self.chunk):
                stop = min(start + self.chunk, self.num_examples)
                try:
                    x = np.transpose(self.x[:, :, start:stop], (2, 0, 1))  # (n, 1000, 4)
                    y = np.transpose(self.y[:, start:stop])
                except OSError as exc:  # a damaged compressed chunk
                    raise DataFormatError(f"file '{self.path}', records {start}-{stop - 1}: cannot be read ({exc}); "
                                          "the file is damaged") from None
                yield start, onehot_to_indices(x, self.path, start), _check_labels(y, self.path, start)
        finally:
            self._f.close()


class _MatV5Split:
    def __init__(self, path: Path, prefix: str, chunk: int):
        import scipy.io

        self.path, self.chunk = path, chunk
        xname, yname = f"{prefix}xdata", f"{prefix}data"
        try:
            data = scipy.io.loadmat(str(path), variable_names=[xname, yname])
        except Exception as exc:  # scipy raises several types for corrupt files
            raise DataFormatError(f"file '{path}': not a readable MATLAB file ({exc})") from exc
        missing = [n for n in (xname, yname) if n not in data]
        if missing:
            found = [k for k in scipy.io.whosmat(str(path))]
            raise DataFormatError(
                f"file '{path}': variable(s) {missing} not found (found {[f[0] for f in found]}); "
                f"a DeepSEA {prefix} file holds '{xname}' and '{yname}'"
            )
        self.x, self.y = data[xname], data[yname]
        if self.x.ndim != 3 or self.x.shape[1:] != (N_CHANNELS, SEQUENCE_LENGTH):
            raise DataFormatError(f"file '{path}': '{xname}' has shape {self.x.shape}; expected (N, 4, 1000)")
        n = self.x.shape[0]
        if self.y.shape != (n, N_TARGETS):
            raise DataFormatError(f"file '{path}': '{yname}' has shape {self.y.shape}; expected ({n}, 919)")
        self.num_examples = n

    def iter_chunks(self):
        for start in range(0, self.num_examples, self.chunk):
            stop = min(start + self.chunk, self.num_examples)
            x = np.transpose(self.x[start:stop], (0, 2, 1))
            yield start, onehot_to_indices(x, self.path, start), _check_labels(self.y[start:stop], self.path, start)


def open_split(path: "str | Path", prefix: str, chunk: int = 2000):
    """Open a DeepSEA split file (``prefix`` is "train", "valid" or "test")."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"DeepSEA file '{path}' not found")
    if path.stat().st_size == 0:
        raise DataFormatError(f"file '{path}' is empty")
    if h5py.is_hdf5(path):
        return _HDF5Split(path, prefix, chunk)
    return _MatV5Split(path, prefix, chunk)


def read_example_h5(path: "str | Path") -> np.ndarray:
    """Read the DanQ repository's ``example.h5`` (``testxdata`` (N, 4, 1000)) → indices (N, 1000)."""
    path = Path(path)
    with open_hdf5(path) as f:
        if "testxdata" not in f:
            raise DataFormatError(f"file '{path}': dataset 'testxdata' not found (found {sorted(f.keys())})")
        x = f["testxdata"][:]
    if x.ndim != 3 or x.shape[1:] != (N_CHANNELS, SEQUENCE_LENGTH):
        raise DataFormatError(f"file '{path}': 'testxdata' has shape {x.shape}; expected (N, 4, 1000)")
    return onehot_to_indices(np.transpose(x, (0, 2, 1)), path, 0)
