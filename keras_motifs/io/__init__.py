"""File I/O helpers (atomic writes, HDF5 opening with clear errors)."""

from .atomic import atomic_open, atomic_path, save_model, write_json
from .hdf5 import open_hdf5

__all__ = ["atomic_open", "atomic_path", "open_hdf5", "save_model", "write_json"]
