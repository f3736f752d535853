"""Atomic file writes: write to a temporary file in the same folder, then rename.

A crash mid-write leaves the old file (or nothing), never a truncated file that loads.

What a replace keeps and refuses (:func:`atomic_path`; the checks are
:func:`keras_motifs.io.files.output_target`):

* the mode of the file it replaces (a ``chmod 600`` result stays 0600; as root, also its owner
  and group); a new file gets the usual ``0666 & ~umask``;
* a symbolic link: the result is written to the link's final target, the link stays;
* an existing target that is not a regular file (device, FIFO, socket, folder) is refused with
  :class:`~keras_motifs.errors.FileAccessError` before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterator

from .files import output_target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: "str | os.PathLike", suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is renamed onto ``path``.

    ``suffix`` (default: the suffix of ``path`` as given) keeps libraries that check extensions
    happy (Keras requires ``.keras``). ``path`` may be a symbolic link (its target is replaced);
    an existing non-regular file (device, FIFO, folder) is refused; the replaced file's mode is
    kept (see the module's docs).
    """
    given = Path(path)
    path = Path(output_target(given))  # a link's target; a device, FIFO or folder is refused
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = suffix if suffix is not None else given.suffix
    if len(suffix) > 32:  # not an extension; keep the temporary name short
        suffix = ""
    # a short prefix: the temporary name stays within NAME_MAX however long the target's name is
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            old = os.stat(path)
        except OSError:
            old = None
        # the replaced file's permissions (a chmod 600 result stays private; set-id bits are not
        # copied), else a new file's usual mode
        mode = old.st_mode & 0o777 if old is not None else 0o666 & ~_umask()
        os.chmod(tmp_path, mode | stat.S_IWUSR)  # writable by us while it is written
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp_path, mode)
        if old is not None and os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
            with contextlib.suppress(OSError):  # root rewriting a user's file: it stays the user's
                os.chown(tmp_path, old.st_uid, old.st_gid)
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
