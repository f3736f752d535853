"""Checks of input and output paths before any work: one clear error naming the path and the
problem, never a blocked read or a traceback.

Inputs (:func:`check_input_file`) must be regular files that can be opened for reading: a folder,
a named pipe (FIFO), a device or a socket is refused before it is opened (reading a FIFO blocks
until another process writes to it; a device can be endless), as are a missing file, a symbolic
link loop, a name longer than the file system allows and a file that cannot be read.

Outputs (:func:`check_output_file`, :func:`check_output_dir`; :func:`keras_motifs.io.atomic_path`
applies the first to every write):

* a symbolic link is written **through**: the new file replaces the link's target, and the link
  stays (an output path that is a link into another folder keeps pointing at the result);
* an existing target that is not a regular file (a device such as ``/dev/stdout`` or
  ``/dev/null``, a FIFO, a socket, a folder) is **refused**: an atomic replace would swap the
  device or pipe for a regular file (as root, ``--out /dev/stdout`` replaced the device link);
  use ``-`` for standard output where a command offers it;
* the folder the file goes in must be writable; missing folders are created when the result is
  written, so the first existing folder on the way must be writable.

:func:`check_distinct` refuses two paths (inputs and outputs, or two outputs) that name the same
file, through links or relative spellings.
"""

from __future__ import annotations

import errno
import os
import stat

from ..errors import FileAccessError, MissingFileError, UsageError

__all__ = ["check_input_file", "check_output_file", "check_output_dir", "check_distinct", "same_file",
           "file_kind", "describe_os_error", "show_path"]

_MAX_SHOWN = 200  # characters of a path shown in a message


def show_path(path) -> str:
    """A path as messages show it: quoted, shortened when very long (a 5,000-character name is
    not one readable line), control characters escaped."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if len(text) > _MAX_SHOWN:
        text = f"{text[:80]}...{text[-40:]} ({len(text)} characters)"
    shown = repr(text)
    return shown if shown[0] == "'" else f"'{shown[1:-1]}'"


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` is, in words ("a regular file", "a folder", "a named pipe (FIFO)", ...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


_REASONS = {
    errno.ENOENT: "not found",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ELOOP: "a loop of symbolic links (too many levels of links)",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "is a folder, not a file",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENXIO: "no such device or address",
    errno.EIO: "input/output error",
    errno.EINVAL: "invalid path",
    errno.EMFILE: "too many open files",
    errno.EXDEV: "a link across file systems",
    errno.EBUSY: "the device or resource is busy",
    errno.ETXTBSY: "the file is busy",
}


def describe_os_error(exc: OSError) -> str:
    """The problem of an ``OSError`` in words, without the errno number."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc) or type(exc).__name__).lower()


def _error(exc: OSError, path, what: str) -> FileAccessError:
    cls = MissingFileError if exc.errno == errno.ENOENT else FileAccessError
    return cls(f"{what} {show_path(path)}: {describe_os_error(exc)}")


def _check_name(path, what: str) -> str:
    try:
        text = os.fspath(path)
    except TypeError:
        raise UsageError(f"{what}: {path!r} is not a path") from None
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if text == "":
        raise UsageError(f"{what}: the path is empty")
    if "\x00" in text:
        raise FileAccessError(f"{what} {show_path(text)}: the path holds a NUL character")
    return text


def check_input_file(path, what: str = "file") -> str:
    """``path`` as a string when it is a regular file that can be opened for reading; else
    :class:`~keras_motifs.errors.FileAccessError` (:class:`~keras_motifs.errors.MissingFileError`
    when it does not exist) naming ``what`` and the path. A FIFO or device is refused without
    being opened (opening a FIFO for reading blocks until a writer comes)."""
    text = _check_name(path, what)
    try:
        st = os.stat(text)  # follows links: a link loop fails here with ELOOP
    except OSError as exc:
        raise _error(exc, text, what) from None
    except ValueError as exc:  # e.g. an unencodable name
        raise FileAccessError(f"{what} {show_path(text)}: {exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = file_kind(st.st_mode)
        advice = ("; give a file inside it" if stat.S_ISDIR(st.st_mode) else
                  "; reading it could block or never end: save the data to a regular file first")
        raise FileAccessError(f"{what} {show_path(text)}: is {kind}, not a regular file{advice}")
    try:  # readable? (O_NONBLOCK: a FIFO swapped in since the check cannot block the open)
        fd = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _error(exc, text, what) from None
    os.close(fd)
    return text


def _first_existing(folder: str) -> str:
    folder = folder or "."
    while not os.path.lexists(folder):
        parent = os.path.dirname(folder)
        if parent == folder or not parent:
            return "."
        folder = parent
    return folder


def _check_writable_folder(folder: str, path: str, what: str) -> None:
    """The folder ``path`` goes in (``folder``, or its first existing ancestor) must be a folder we
    can write in."""
    existing = _first_existing(folder)
    try:
        st = os.stat(existing)
    except OSError as exc:
        raise FileAccessError(f"{what} {show_path(path)}: folder {show_path(existing)}: "
                              f"{describe_os_error(exc)}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise FileAccessError(f"{what} {show_path(path)}: {show_path(existing)} is {file_kind(st.st_mode)}, "
                              "not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise FileAccessError(f"{what} {show_path(path)}: cannot write in folder {show_path(existing)} "
                              "(permission denied or a read-only file system)")


def output_target(path, what: str = "output file") -> str:
    """Where a write to ``path`` lands: ``path`` itself, or the final target of a symbolic link;
    refuses an existing target that is not a regular file (see the module's docs)."""
    text = _check_name(path, what)
    try:
        st = os.stat(text)
    except FileNotFoundError:
        st = None  # a new file (or a dangling link: the file is created at its target)
    except OSError as exc:
        raise _error(exc, text, what) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = file_kind(st.st_mode)
        advice = "; use '-' for standard output where the command offers it" if stat.S_ISCHR(st.st_mode) else ""
        if stat.S_ISDIR(st.st_mode):
            advice = "; give a file name inside it"
        raise FileAccessError(f"{what} {show_path(text)}: is {kind}; results are written only to regular "
                              f"files (replacing it would destroy it){advice}")
    return os.path.realpath(text) if os.path.islink(text) else text


def check_output_file(path, what: str = "output file") -> str:
    """``path`` as a string when a result can be written there (a new or regular file, or a link
    to one, in a folder that exists or can be created and is writable); else
    :class:`~keras_motifs.errors.FileAccessError` naming ``what``, the path and the problem."""
    text = _check_name(path, what)
    target = output_target(text, what)
    _check_writable_folder(os.path.dirname(target), text, what)
    return text


def check_output_dir(path, what: str = "output folder") -> str:
    """``path`` as a string when it is a writable folder, or can be created as one."""
    text = _check_name(path, what)
    try:
        st = os.stat(text)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _error(exc, text, what) from None
    if st is None:
        _check_writable_folder(os.path.dirname(os.path.abspath(text)), text, what)
        return text
    if not stat.S_ISDIR(st.st_mode):
        raise FileAccessError(f"{what} {show_path(text)}: is {file_kind(st.st_mode)}, not a folder")
    if not os.access(text, os.W_OK | os.X_OK):
        raise FileAccessError(f"{what} {show_path(text)}: cannot write in it (permission denied or a "
                              "read-only file system)")
    return text


def same_file(a, b) -> bool:
    """True when the paths ``a`` and ``b`` name one file (the same spelling after resolving links
    and ``..``, or, when both exist, the same device and inode: hard links)."""
    a, b = os.fspath(a), os.fspath(b)
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def check_distinct(outputs: dict, inputs: dict | None = None) -> None:
    """Refuse (:class:`~keras_motifs.errors.UsageError`) an output that is one of the inputs or
    another output: ``outputs``/``inputs`` map a label (e.g. ``"--out"``, ``"the table beside
    --out"``) to a path; None paths and ``-`` (standard output) are skipped."""
    outs = [(k, v) for k, v in outputs.items() if v is not None and str(v) != "-"]
    ins = [(k, v) for k, v in (inputs or {}).items() if v is not None and str(v) != "-"]
    for i, (label, path) in enumerate(outs):
        for other, other_path in outs[:i]:
            if same_file(path, other_path):
                raise UsageError(f"{label} {show_path(path)} and {other} {show_path(other_path)} are the same "
                                 "file: one result would overwrite the other; give another name")
        for other, other_path in ins:
            if same_file(path, other_path):
                raise UsageError(f"{label} {show_path(path)} is the input {other}: writing it would destroy "
                                 "the input; give another output name")
