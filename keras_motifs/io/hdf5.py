"""Open HDF5 files (MATLAB v7.3 ``.mat``, ``.h5``) with a clear error for damaged files, and only
files that hold their own data.

HDF5 lets a file reach outside itself: an **external link** (``h5py.ExternalLink``) opens another
HDF5 file by name, a dataset with **external raw storage** (``dataset.external``) reads its bytes
from any named local file, and a **virtual dataset** maps datasets of other files. A data file
given to a reader could so make it read ``/etc/shadow`` or another user's file and echo its bytes
in an error or a result. :func:`open_hdf5` refuses all three before any data is read
(:func:`check_hdf5_contained`); no reader of the package needs them.
"""

from __future__ import annotations

from ..errors import DataFormatError


def check_hdf5_contained(f, path) -> None:
    """Raise DataFormatError when the open ``h5py.File``/``Group`` ``f`` holds an external link,
    a dataset with external raw storage, or a virtual dataset (anywhere below it). Reads only the
    file's structure, never its data."""
    import h5py

    seen = set()

    def refuse(name, what):
        raise DataFormatError(f"file '{path}': '{name}' is {what}; HDF5 files that read other files are refused "
                              "(external links, external storage and virtual datasets could read any local file)")

    def walk(group, prefix):
        for key in group.keys():
            name = f"{prefix}/{key}"
            link = group.get(key, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                refuse(name, f"an external link to '{link.filename}'")
            if isinstance(link, h5py.SoftLink):
                continue  # a path inside this file: the object it names is visited through its hard link
            try:
                obj = group.get(key)
            except (KeyError, OSError, ValueError, RuntimeError) as exc:
                raise DataFormatError(f"file '{path}': cannot read '{name}' ({exc})") from None
            if obj is None or obj.id in seen:
                continue
            seen.add(obj.id)
            if isinstance(obj, h5py.Dataset):
                if obj.external:
                    refuse(name, f"a dataset stored in external file(s) {[e[0] for e in obj.external]}")
                if obj.is_virtual:
                    refuse(name, "a virtual dataset (its data lives in other files)")
            elif isinstance(obj, h5py.Group):
                walk(obj, name)

    walk(f, "")


def open_hdf5(path, check_file: bool = True):
    """``h5py.File(path, "r")``; h5py's OSError (truncated file, not HDF5) becomes DataFormatError;
    a path that is not a regular file (folder, FIFO, device) is refused before it is opened
    (``check_file=False``: ``path`` is a file object); a file with external links, external
    storage or virtual datasets is refused (:func:`check_hdf5_contained`)."""
    import h5py

    if check_file:
        from .files import check_input_file

        check_input_file(path, "HDF5 file")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise DataFormatError(
            f"file '{path}': not a readable HDF5 / MATLAB v7.3 file ({exc}); it is cut short (an interrupted "
            "download?) or damaged"
        ) from None
    try:
        check_hdf5_contained(f, path)
    except BaseException:
        f.close()
        raise
    return f
