"""File I/O helpers (atomic writes, portable dataset splits)."""

from .atomic import atomic_open, atomic_path, save_model, write_json
from .splits import load_splits, save_splits

__all__ = ["atomic_open", "atomic_path", "save_model", "write_json", "load_splits", "save_splits"]
