"""Reader of DeepBind v0.1 parameter files (``db/params/DXXXXX.YYY.txt``).

A parameter file holds one trained DeepBind model (Alipanahi et al. 2015) as text::

    # deepbind 0.1
    reverse_complement = 1
    num_detectors = 16
    detector_len = 20
    has_avg_pooling = 0
    num_hidden = 32
    detectors = v,v,...        (num_detectors * detector_len * 4 values)
    thresholds = v,...         (num_detectors)
    weights1 = v,...           (H1 * H2, row-major; H1 = D or 2D, H2 = num_hidden or 1)
    biases1 = v,...            (H2)
    weights2 = v,...           (num_hidden, empty when num_hidden = 0)
    biases2 = v                (1, empty when num_hidden = 0)

The flat index of detector coefficient (detector k, position p, base b) is
``k + D * (b + 4 * p)`` (bases A, C, G, T/U = 0..3), so the values reshape in C order to a
``(detector_len, 4, D)`` array: the layout of a Keras ``Conv1D`` kernel. With average pooling the
pooled features are interleaved ``[max_0, mean_0, max_1, mean_1, ...]`` (the row order of
``weights1``). Facts from the original C predictor
(kundajelab/DeepBindToKeras ``modified_deepbind_src/osx/src/deepbind.c``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataFormatError

MODEL_ID_RE = re.compile(r"^D(\d{5})\.(\d{3})$")

MAX_FILE_BYTES = 4 * 1024 * 1024  # released files are < 100 kB; the largest accepted model needs < 2 MB
_INT_FIELDS = ("reverse_complement", "num_detectors", "detector_len", "has_avg_pooling", "num_hidden")
_ARRAY_FIELDS = ("detectors", "thresholds", "weights1", "biases1", "weights2", "biases2")


def check_model_id(model_id: str, where: str = "") -> str:
    """Validate a model ID of the form ``D#####.###`` (both numbers >= 1) and return it."""
    m = MODEL_ID_RE.match(model_id)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
        raise DataFormatError(
            f"{where}invalid model id {model_id!r}; should be of the form D#####.### "
            "(e.g. D00328.003) with both numbers >= 1"
        )
    return model_id


@dataclass
class DeepBindParams:
    """The parameters of one pretrained DeepBind model, as arrays in Keras layouts.

    Attributes:
      detectors: (detector_len, 4, num_detectors) float32, bases A, C, G, T.
      thresholds: (num_detectors,) — added to each detector's response before the ReLU.
      weights1: (H1, H2) with H1 = num_detectors (max pooling) or 2 * num_detectors (interleaved
        max/mean pooling) and H2 = num_hidden or 1; biases1: (H2,).
      weights2: (num_hidden,) and biases2: (1,) when num_hidden > 0, else None.
    """

    model_id: str
    reverse_complement: bool
    num_detectors: int
    detector_len: int
    has_avg_pooling: bool
    num_hidden: int
    detectors: np.ndarray
    thresholds: np.ndarray
    weights1: np.ndarray
    biases1: np.ndarray
    weights2: np.ndarray | None = None
    biases2: np.ndarray | None = None
    path: str | None = field(default=None, repr=False)

    @property
    def num_pooled(self) -> int:
        return self.num_detectors * (2 if self.has_avg_pooling else 1)

    @property
    def default_window_size(self) -> int:
        """The original's scanning window: ``(int)(detector_len * 1.5)``."""
        return int(self.detector_len * 1.5)

    @property
    def architecture(self) -> tuple:
        """Models with equal architecture keys can be stacked into one batched computation."""
        return (self.detector_len, self.num_detectors, self.has_avg_pooling, self.num_hidden, self.reverse_complement)


# A plain decimal number as C's scanf("%f") reads it: no nan/inf, no hex, no digit separators,
# no non-ASCII digits (Python's float() accepts all of those).
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?"
_NUMBER_LIST = re.compile(rf"\s*{_NUMBER}\s*(?:,\s*{_NUMBER}\s*)*", re.ASCII)
_NUMBER_ONE = re.compile(rf"\s*{_NUMBER}\s*", re.ASCII)
_INT = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
# Sizes well beyond every released model (max num_detectors 16, detector_len 36, num_hidden 32) and
# within what the scorer holds and computes in reasonable time: its default window (1.5 x 64 bases)
# with both strands needs about 0.1 M floats per call (``Scorer`` calls hold up to 16 M), and a
# 1 Mb sequence is scored in bounded memory (tests/test_deepbind_memory.py). Anything larger is a
# damaged or hostile file, refused before arrays are allocated.
MAX_SIZES = {"num_detectors": 64, "detector_len": 64, "num_hidden": 256}


def _short(text: str, n: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= n else text[:n] + "...")


def _first_bad_value(text: str) -> "tuple[int, str] | None":
    """Index and text of the first comma-separated value that is not a number (no list of them all)."""
    i, start = 0, 0
    while True:
        end = text.find(",", start)
        part = text[start:] if end < 0 else text[start:end]
        if not _NUMBER_ONE.fullmatch(part):
            return i, part
        if end < 0:
            return None
        start, i = end + 1, i + 1


def _parse_floats(text: str, path: str, lineno: int, name: str, expected: int, dims: str) -> np.ndarray:
    text = text.strip()
    if not text:
        given = 0
    elif not _NUMBER_LIST.fullmatch(text):
        bad = _first_bad_value(text)
        if bad is not None:
            raise DataFormatError(f"file '{path}', line {lineno}: value {bad[0]} of '{name}' is not a number: {_short(bad[1])}")
        raise DataFormatError(f"file '{path}', line {lineno}: '{name}' is not a comma-separated list of numbers")
    else:
        given = text.count(",") + 1
    if given != expected:  # counted before the values are split into strings
        raise DataFormatError(f"file '{path}', line {lineno}: '{name}' has {given} values, expected {expected} ({dims})")
    if not given:
        return np.zeros(0, dtype=np.float32)
    # float64 first, then one rounding to float32 (the C reader uses scanf("%f") into float).
    with np.errstate(over="ignore"):
        return np.asarray(text.split(","), dtype=np.float64).astype(np.float32)


def parse_params(text: str, model_id: str | None = None, path: str = "<string>") -> DeepBindParams:
    """Parse the text of a DeepBind v0.1 parameter file (see the module docstring)."""
    lines = text.splitlines()
    if not lines or not lines[0].strip().startswith("# deepbind"):
        raise DataFormatError(f"file '{path}', line 1: expected the header '# deepbind 0.1'")
    version = lines[0].strip()[len("# deepbind"):].strip()
    if version != "0.1":
        raise DataFormatError(f"file '{path}', line 1: parameter file is for deepbind {version or '?'}, not 0.1")
    values: dict[str, tuple[int, str]] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        if "=" not in line:
            raise DataFormatError(f"file '{path}', line {lineno}: expected 'name = values', got {line[:60]!r}")
        name, _, value = line.partition("=")
        name = name.strip()
        if name not in _INT_FIELDS + _ARRAY_FIELDS:
            raise DataFormatError(f"file '{path}', line {lineno}: unknown field {_short(name)}")
        if name in values:
            raise DataFormatError(f"file '{path}', line {lineno}: field {name!r} given twice")
        values[name] = (lineno, value)
    missing = [n for n in _INT_FIELDS + _ARRAY_FIELDS[:4] if n not in values]
    if missing:
        raise DataFormatError(f"file '{path}': missing field(s) {', '.join(missing)}")
    ints = {}
    for name in _INT_FIELDS:
        lineno, value = values[name]
        if not _INT.fullmatch(value):
            raise DataFormatError(f"file '{path}', line {lineno}: {name} must be an integer, got {_short(value)}")
        digits = value.strip().lstrip("+-").lstrip("0")
        if len(digits) > 9 or int(value.strip()) > MAX_SIZES.get(name, 1):
            shown = value.strip() if len(value.strip()) <= 20 else value.strip()[:20] + f"... ({len(digits)} digits)"
            raise DataFormatError(f"file '{path}', line {lineno}: {name} = {shown} is larger than any DeepBind "
                                  f"model ({MAX_SIZES.get(name, 1)} at most); the file is damaged")
        ints[name] = int(value.strip())
    d, m, h = ints["num_detectors"], ints["detector_len"], ints["num_hidden"]
    if d < 1 or m < 1 or h < 0 or ints["reverse_complement"] not in (0, 1) or ints["has_avg_pooling"] not in (0, 1):
        raise DataFormatError(f"file '{path}': invalid sizes or flags {ints}")
    h1 = d * (2 if ints["has_avg_pooling"] else 1)
    h2 = h if h else 1
    expected = {
        "detectors": d * m * 4,
        "thresholds": d,
        "weights1": h1 * h2,
        "biases1": h2,
        "weights2": h,
        "biases2": 1 if h else 0,
    }
    arrays = {}
    for name, n in expected.items():
        if name not in values:
            if n == 0:
                arrays[name] = np.zeros(0, dtype=np.float32)
                continue
            raise DataFormatError(f"file '{path}': missing field {name!r} ({n} values expected)")
        lineno, value = values[name]
        dims = f"num_detectors={d}, detector_len={m}, has_avg_pooling={ints['has_avg_pooling']}, num_hidden={h}"
        arr = _parse_floats(value, path, lineno, name, n, dims)
        if not np.isfinite(arr).all():
            raise DataFormatError(f"file '{path}', line {lineno}: '{name}' holds a non-finite value")
        arrays[name] = arr
    return DeepBindParams(
        model_id=model_id or Path(path).stem,
        reverse_complement=bool(ints["reverse_complement"]),
        num_detectors=d,
        detector_len=m,
        has_avg_pooling=bool(ints["has_avg_pooling"]),
        num_hidden=h,
        detectors=arrays["detectors"].reshape(m, 4, d),
        thresholds=arrays["thresholds"],
        weights1=arrays["weights1"].reshape(h1, h2),
        biases1=arrays["biases1"],
        weights2=arrays["weights2"] if h else None,
        biases2=arrays["biases2"] if h else None,
        path=path,
    )


def read_params(path: "str | os.PathLike", model_id: str | None = None) -> DeepBindParams:
    """Read one parameter file; ``model_id`` defaults to the file name without ``.txt``."""
    path = str(path)
    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise DataFormatError(f"file '{path}': {os.path.getsize(path)} bytes, larger than any DeepBind parameter "
                              f"file ({MAX_FILE_BYTES} bytes at most)")
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"file '{path}': not an ASCII DeepBind parameter file ({exc})") from None
    return parse_params(text, model_id=model_id, path=path)
