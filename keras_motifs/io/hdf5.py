"""Open HDF5 files (MATLAB v7.3 ``.mat``, ``.h5``) with a clear error for damaged files."""

from __future__ import annotations

from ..errors import DataFormatError


def open_hdf5(path):
    """``h5py.File(path, "r")``; h5py's OSError (truncated file, not HDF5) becomes DataFormatError."""
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise DataFormatError(
            f"file '{path}': not a readable HDF5 / MATLAB v7.3 file ({exc}); it is cut short (an interrupted "
            "download?) or damaged"
        ) from None
