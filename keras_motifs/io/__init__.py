"""File I/O helpers (atomic writes, checks of input and output paths, portable dataset splits,
HDF5 opening with clear errors)."""

from .atomic import atomic_open, atomic_path, save_model, write_json
from .files import check_distinct, check_input_file, check_output_dir, check_output_file
from .hdf5 import check_hdf5_contained, open_hdf5
from .splits import load_splits, save_splits

__all__ = ["atomic_open", "atomic_path", "open_hdf5", "check_hdf5_contained", "save_model", "write_json",
           "load_splits", "save_splits", "check_input_file", "check_output_file", "check_output_dir",
           "check_distinct"]
