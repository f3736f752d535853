"""Atomic file writes: write to a temporary file in the same folder, then rename.

A crash mid-write leaves the old file (or nothing), never a truncated file that loads.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: "str | os.PathLike", suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is renamed onto ``path``.

    ``suffix`` (default: the target's own suffix) keeps libraries that check extensions happy
    (Keras requires ``.keras``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix if suffix is not None else path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the result a normal file's mode
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


@contextlib.contextmanager
def atomic_open(path: "str | os.PathLike", mode: str = "w", **kwargs):
    """Like ``open(path, mode)`` for writing, but the file appears only when the block succeeds."""
    if not any(m in mode for m in "wx"):
        raise ValueError("atomic_open is for writing ('w' or 'wb')")
    with atomic_path(path) as tmp:
        with open(tmp, mode, **kwargs) as fh:
            yield fh


def write_json(path: "str | os.PathLike", obj, **kwargs) -> None:
    """Write JSON atomically (NaN written as null so that other JSON readers accept the file)."""
    kwargs.setdefault("indent", 2)

    def _clean(o):
        if isinstance(o, float) and o != o:
            return None
        if isinstance(o, dict):
            return {k: _clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [_clean(v) for v in o]
        if hasattr(o, "tolist"):
            return _clean(o.tolist())
        return o

    with atomic_open(path, "w") as fh:
        json.dump(_clean(obj), fh, **kwargs)
        fh.write("\n")


def save_model(model, path: "str | os.PathLike") -> None:
    """``model.save(path)`` for a ``.keras`` file, atomically."""
    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)
