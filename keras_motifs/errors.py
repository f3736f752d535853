"""Error types of the package.

Every reader and trainer raises one of these, with a message that names the file, the record
(line or index) and the problem, so a user can find and fix the offending input.
"""

from __future__ import annotations


class KerasMotifsError(Exception):
    """Base class of all errors raised on purpose by keras_motifs."""


class InvalidSequenceError(KerasMotifsError, ValueError):
    """A sequence holds a letter outside the alphabet, or has the wrong length.

    Raised by the encoders (:func:`keras_motifs.data.encode_indices`) with ``index``, the position
    of the offending sequence in the input, and ``detail``, the message after "sequence <index>"
    (": letter 'X' at position 3 ..." or " has length ..."), so that a reader can name the record
    (file, record name, BED line) instead of the index without parsing the message."""

    def __init__(self, message: str = "", *, index: int | None = None, detail: str | None = None):
        super().__init__(message)
        self.index = index
        self.detail = detail


class DataFormatError(KerasMotifsError, ValueError):
    """A data file does not have the expected format (header, dataset names, shapes, labels)."""


class ModelInputError(KerasMotifsError, ValueError):
    """Data given to a model does not match the model's alphabet, length or shape."""


class FileAccessError(KerasMotifsError, OSError):
    """A path cannot be used as given: a folder, a named pipe (FIFO) or device where a regular file
    is needed, an unreadable file, a symbolic-link loop, a name too long, an output folder that
    cannot be written (:mod:`keras_motifs.io.files`). An ``OSError``, so code that catches
    ``OSError`` keeps working."""


class MissingFileError(FileAccessError, FileNotFoundError):
    """An input file does not exist (also a ``FileNotFoundError``)."""


class UsageError(KerasMotifsError, ValueError):
    """A command-line option or an argument of a function has a value it cannot take (a batch size
    of 0, an index past the data, two outputs on one path), found before any work is done."""


def where(path: str | None = None, record: str | int | None = None) -> str:
    """Format the location part of an error message: ``file 'x', record 3: ``."""
    parts = []
    if path is not None:
        parts.append(f"file '{path}'")
    if record is not None:
        parts.append(f"record {record}" if isinstance(record, int) else str(record))
    return (", ".join(parts) + ": ") if parts else ""


class OutputError(KerasMotifsError, OSError):
    """An output cannot be written: the output folder is not a folder, belongs to another run or is
    in use by one, or the disk is full. The message names the folder or file; ``errno`` is kept
    when the cause was an operating-system error (e.g. ``errno.ENOSPC``)."""

    def __init__(self, message: str, errno_: int | None = None):
        super().__init__(message)
        self.errno = errno_


class InUseError(OutputError):
    """An output is being written by another live process: it holds the lock file
    (:class:`keras_motifs.training.ownership.FolderLock`); ``holder`` is what that file says
    (``pid``, ``host``, ``since``)."""

    def __init__(self, message: str, holder: "dict | None" = None):
        super().__init__(message)
        self.holder = holder or {}
