"""File I/O helpers (atomic writes)."""

from .atomic import atomic_open, atomic_path, save_model, write_json

__all__ = ["atomic_open", "atomic_path", "save_model", "write_json"]
