"""Rows of a prepared ``deepsea`` split by index, for a full shuffle every epoch.

TFDS keeps the splits as compressed TFRecord files, which can only be read in order, and the
4.4M training rows of the ``full`` config do not fit in memory as one-hot (17.6 GB as float32).
DanQ's original shuffled all of them every epoch (uci-cbcl/DanQ ``DanQ_train.py``:
``model.fit(..., shuffle=True)`` on the whole array), which needs the rows by index:
:func:`random_access` exports a split once, in order, to two NumPy files beside the prepared
dataset and memory-maps them::

    <builder.data_dir>/random_access/<split>/sequence.npy    uint8 (N, 1000): base indices
                                                              (A,G,C,T = 0..3, N = 4), 1,000 B a row
    <builder.data_dir>/random_access/<split>/label_bits.npy  uint8 (N, 115): the 919 labels,
                                                              ``numpy.packbits`` along the row
    <builder.data_dir>/random_access/<split>/meta.json       written last: the export is complete

For ``full``'s training split that is 4.4 GB + 0.5 GB of disk; a row is then one read of 1,115
bytes (from the page cache once the file has been read). A later call with the same builder
version and split reuses the export; a re-prepared dataset (TFDS replaces the whole version
folder), an interrupted export (no ``meta.json``) and a damaged one are exported again. :class:`DeepSEARows` is the source a
:class:`keras_motifs.training.shuffle.FullShuffle` reads; each row comes out as the TFDS example's
``{"sequence", "label"}`` (uint8), so :func:`tfds_builders.deepsea.to_one_hot` maps it as it maps
``builder.as_dataset(...)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np

from keras_motifs.errors import DataFormatError
from keras_motifs.io import write_json

FORMAT = 1
SEQUENCE_FILE, LABEL_FILE, META_FILE = "sequence.npy", "label_bits.npy", "meta.json"


def _folder_name(split: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.%-]", "_", str(split))


class DeepSEARows:
    """Memory-mapped rows of an exported split: ``len()`` and ``read(indices)``."""

    def __init__(self, folder: "str | os.PathLike"):
        self.folder = Path(folder)
        again = "delete the folder to export the split again"
        path = self.folder / META_FILE
        try:
            meta = json.loads(path.read_text())
            n, length, self.n_targets = int(meta["rows"]), int(meta["sequence_length"]), int(meta["n_targets"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise DataFormatError(f"file '{path}': not a readable export description ({e}); {again}") from None
        self.meta = meta
        arrays = []
        for name, shape in ((SEQUENCE_FILE, (n, length)), (LABEL_FILE, (n, (self.n_targets + 7) // 8))):
            path = self.folder / name
            try:
                arr = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError, EOFError) as e:
                raise DataFormatError(f"file '{path}': cannot read the exported array ({e}); {again}") from None
            if arr.shape != shape or arr.dtype != np.uint8:
                raise DataFormatError(f"file '{path}': uint8 {shape} expected from {META_FILE}, found {arr.dtype} "
                                      f"{arr.shape}; {again}")
            arrays.append(arr)
        self.sequence, self.label_bits = arrays

    def __len__(self) -> int:
        return len(self.sequence)

    def fingerprint_parts(self) -> dict:
        """What identifies the data (keras_motifs.training.ownership): the exported arrays (sampled rows)."""
        return {"sequence": self.sequence, "label_bits": self.label_bits}

    def read(self, indices: np.ndarray) -> dict:
        """``{"sequence": uint8 (k, L), "label": uint8 (k, 919)}`` of rows ``indices``."""
        return {
            "sequence": np.asarray(self.sequence[indices]),
            "label": np.unpackbits(np.asarray(self.label_bits[indices]), axis=1, count=self.n_targets),
        }


def _meta(builder, split: str, n: int, length: int, n_targets: int) -> dict:
    return {"format": FORMAT, "dataset": builder.info.full_name, "split": str(split), "rows": int(n),
            "sequence_length": int(length), "n_targets": int(n_targets), "label_encoding": "numpy.packbits(axis=1)"}


def random_access(builder, split: str = "train", folder: "str | os.PathLike | None" = None,
                  batch_size: int = 10_000, verbose: bool = True) -> DeepSEARows:
    """Random access to ``split`` of a prepared deepsea ``builder`` (exported on the first call).

    ``folder``: where the export goes (default ``<builder.data_dir>/random_access/<split>``).
    Raises ``OSError`` when the disk lacks room for it (1,115 bytes a row).
    """
    import tensorflow_datasets as tfds

    folder = Path(folder) if folder is not None else Path(builder.data_dir) / "random_access" / _folder_name(split)
    features = builder.info.features
    length = int(features["sequence"].shape[0])
    n_targets = int(features["label"].shape[0])
    n = int(builder.info.splits[split].num_examples)
    want = _meta(builder, split, n, length, n_targets)
    meta_path = folder / META_FILE
    if meta_path.exists():
        try:
            if json.loads(meta_path.read_text()) == want:
                return DeepSEARows(folder)
        except (ValueError, OSError, DataFormatError):
            pass  # unreadable, damaged or of other data: export again
        meta_path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    need = n * (length + (n_targets + 7) // 8)
    free = shutil.disk_usage(folder).free
    if free < need * 1.02:
        raise OSError(f"folder '{folder}': exporting {split} of {builder.info.full_name} for random access needs "
                      f"{need / 1e9:.1f} GB, {free / 1e9:.1f} GB free; free space, pass another folder, or train "
                      "with a shuffle buffer instead")
    if verbose:
        print(f"exporting {builder.info.full_name} {split} ({n:,} rows, {need / 1e9:.2f} GB) for random access "
              f"to {folder} (once)", flush=True)
    tmp_seq, tmp_lab = folder / f".{SEQUENCE_FILE}.tmp", folder / f".{LABEL_FILE}.tmp"
    try:
        seq = np.lib.format.open_memmap(tmp_seq, mode="w+", dtype=np.uint8, shape=(n, length))
        lab = np.lib.format.open_memmap(tmp_lab, mode="w+", dtype=np.uint8, shape=(n, (n_targets + 7) // 8))
        start = 0
        for batch in tfds.as_numpy(builder.as_dataset(split=split, batch_size=batch_size, shuffle_files=False)):
            x, y = batch["sequence"], batch["label"]
            stop = start + len(x)
            if stop > n:
                raise DataFormatError(f"{builder.info.full_name} {split}: more than the {n} rows its info states")
            if y.size and y.max() > 1:
                row, target = np.argwhere(y > 1)[0]
                raise DataFormatError(f"{builder.info.full_name} {split}, record {start + row}: target {target} has "
                                      f"label {y[row, target]}; labels must be 0 or 1")
            seq[start:stop] = x
            lab[start:stop] = np.packbits(y.astype(np.uint8), axis=1)
            start = stop
        if start != n:
            raise DataFormatError(f"{builder.info.full_name} {split}: {start} rows read, its info states {n}")
        for arr in (seq, lab):
            arr.flush()
        del seq, lab
        for tmp in (tmp_seq, tmp_lab):
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp_seq, folder / SEQUENCE_FILE)
        os.replace(tmp_lab, folder / LABEL_FILE)
    except BaseException:
        for tmp in (tmp_seq, tmp_lab):
            tmp.unlink(missing_ok=True)
        raise
    write_json(meta_path, want)  # last: the export is complete
    return DeepSEARows(folder)
