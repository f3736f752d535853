"""File I/O helpers (atomic writes, portable dataset splits, HDF5 opening with clear errors)."""

from .atomic import atomic_open, atomic_path, save_model, write_json
from .hdf5 import open_hdf5
from .splits import load_splits, save_splits

__all__ = ["atomic_open", "atomic_path", "open_hdf5", "save_model", "write_json", "load_splits", "save_splits"]
