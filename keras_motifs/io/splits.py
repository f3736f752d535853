"""Dataset splits as one portable ``.npz`` file of index-encoded sequences and labels.

A prepared TFDS dataset needs TensorFlow to read. To train on a machine that has another Keras
backend but no TensorFlow (a GPU box with JAX or PyTorch), export the splits once with
:func:`save_splits` where TFDS works and read them there with :func:`load_splits`, which needs
NumPy alone and never unpickles anything (``allow_pickle=False``).

File layout: for each split ``s``, ``s/x`` (uint8 letter indices, (N, L), as
:func:`keras_motifs.data.encode_indices` makes them) and ``s/y`` (labels, (N, ...)); plus
``__meta__`` (a JSON string: free-form provenance such as dataset name, config and seed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ..errors import DataFormatError
from .atomic import atomic_path


def save_splits(path: "str | os.PathLike", splits: dict, meta: dict | None = None) -> Path:
    """Write ``{split: (indices, labels)}`` to ``path`` (compressed ``.npz``, written atomically)."""
    arrays = {"__meta__": np.asarray(json.dumps(meta or {}, sort_keys=True))}
    for name, (x, y) in splits.items():
        x, y = np.asarray(x), np.asarray(y)
        if x.dtype != np.uint8 or x.ndim != 2:
            raise DataFormatError(f"split {name!r}: sequences must be uint8 letter indices (N, L), got {x.dtype} {x.shape}")
        if len(y) != len(x):
            raise DataFormatError(f"split {name!r}: {len(x)} sequences but {len(y)} label rows")
        arrays[f"{name}/x"], arrays[f"{name}/y"] = x, y
    path = Path(path)
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)
    return path


def load_splits(path: "str | os.PathLike") -> tuple[dict, dict]:
    """Read a file written by :func:`save_splits`: ``({split: (indices, labels)}, meta)``."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            contents = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise
    except Exception as exc:  # OSError, ValueError, zipfile.BadZipFile, EOFError of a damaged archive
        raise DataFormatError(f"file '{path}': not a readable .npz splits file ({type(exc).__name__}: {exc})") from exc
    if "__meta__" not in contents:
        raise DataFormatError(f"file '{path}': no '__meta__' entry; not written by save_splits")
    meta = json.loads(str(contents.pop("__meta__")))
    names = sorted({k.split("/")[0] for k in contents})
    splits = {}
    for name in names:
        if f"{name}/x" not in contents or f"{name}/y" not in contents:
            raise DataFormatError(f"file '{path}': split {name!r} lacks its 'x' or 'y' array")
        x, y = contents[f"{name}/x"], contents[f"{name}/y"]
        if x.dtype != np.uint8 or x.ndim != 2 or len(y) != len(x):
            raise DataFormatError(
                f"file '{path}': split {name!r} has sequences {x.dtype} {x.shape} and labels {y.shape}; "
                "expected uint8 (N, L) and N label rows"
            )
        splits[name] = (x, y)
    return splits, meta
