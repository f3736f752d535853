"""Load ``.npy`` object arrays (pickled, e.g. DanQ's JASPAR PWM file) without executing code.

``numpy.load(allow_pickle=True)`` runs arbitrary pickle opcodes; this reader uses an unpickler
that only resolves the handful of numpy callables needed to rebuild arrays, and refuses anything
else with a clear error.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from ..errors import DataFormatError

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def __init__(self, fh, path):
        super().__init__(fh, encoding="latin1")
        self._path = path

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise DataFormatError(f"file '{self._path}': refuses to load pickled object {module}.{name} (only numpy arrays are allowed)")


def load_npy(path: "str | Path") -> np.ndarray:
    """Read a ``.npy`` file; object arrays are unpickled with numpy classes only."""
    path = Path(path)
    with open(path, "rb") as fh:
        try:
            version = np.lib.format.read_magic(fh)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = reader(fh)
        except (ValueError, EOFError) as exc:
            raise DataFormatError(f"file '{path}': not a .npy file ({exc})") from None
        if not dtype.hasobject:
            fh.seek(0)
            try:
                return np.load(fh, allow_pickle=False)
            except (ValueError, OSError, EOFError) as exc:
                raise DataFormatError(f"file '{path}': cannot read the array ({exc}); the file is cut short or "
                                      "damaged") from None
        data = fh.read()
    try:
        arr = _NumpyOnlyUnpickler(io.BytesIO(data), path).load()
    except DataFormatError:
        raise
    except Exception as exc:
        raise DataFormatError(f"file '{path}': cannot read the pickled object array ({exc})") from None
    if not isinstance(arr, np.ndarray) or arr.shape != shape:
        raise DataFormatError(f"file '{path}': payload is not an array of shape {shape}")
    return arr
