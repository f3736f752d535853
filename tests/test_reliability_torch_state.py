"""Bad input to PyTorch state-dict files read by ``io.torch_state.read_torch_state_dict`` (the
original DeepSEA weights, ``models.deepsea.load_original_weights``). Built without PyTorch; the
cases with real PyTorch files (truncated zip and legacy files, a Selene-style batch-norm state
dict, shapes that do not fit) are in ``tests/test_deepsea_original_weights.py``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest
from reliability_cases import case, cases_in, check_bad_input, w

from keras_motifs.errors import DataFormatError, FileAccessError

R = "PyTorch state dict (`io.torch_state.read_torch_state_dict`, `models.deepsea.load_original_weights`)"
LEGACY_HEAD = b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))


def _read(path):
    from keras_motifs.io.torch_state import read_torch_state_dict

    return read_torch_state_dict(path)


def _zip(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@case("torch-empty", R, "empty file", DataFormatError, r"e\.pth': empty file; not a PyTorch state dict")
def _(tmp):
    return _read(w(tmp, "e.pth", b""))


@case("torch-text", R, "a text file", DataFormatError, r"t\.pth': neither a zip archive nor a pickle")
def _(tmp):
    return _read(w(tmp, "t.pth", "weights\n"))


@case("torch-t7", R, "a Torch7 `.t7` binary (not converted)", DataFormatError,
      r"m\.t7': neither a zip archive nor a pickle; .*Torch7 \.t7 model must be converted")
def _(tmp):
    return _read(w(tmp, "m.t7", b"\x04\x00\x00\x00\x01\x00\x00\x00" + bytes(64)))


@case("torch-zip-without-pickle", R, "a zip archive that is not a PyTorch file (a `.keras` file)", DataFormatError,
      r"k\.pth': a zip archive without one '<name>/data\.pkl'")
def _(tmp):
    return _read(w(tmp, "k.pth", _zip({"config.json": "{}", "model.weights.h5": b"x"})))


@case("torch-zip-truncated", R, "zip archive cut short", DataFormatError, r"c\.pth': a damaged zip archive")
def _(tmp):
    return _read(w(tmp, "c.pth", _zip({"c/data.pkl": pickle.dumps({}, protocol=2), "c/data/0": bytes(4000)})[:-30]))


@case("torch-not-a-dict", R, "a pickled list instead of a state dict", DataFormatError,
      r"l\.pth': holds a pickled list, not a state dict")
def _(tmp):
    return _read(w(tmp, "l.pth", _zip({"l/data.pkl": pickle.dumps([1, 2], protocol=2)})))


@case("torch-no-tensors", R, "a dict without tensors", DataFormatError, r"n\.pth': entry 'epoch' \(int\) is not a tensor")
def _(tmp):
    return _read(w(tmp, "n.pth", _zip({"n/data.pkl": pickle.dumps({"epoch": 3}, protocol=2)})))


@case("torch-legacy-bad-magic", R, "a pickle without PyTorch's magic number", DataFormatError,
      r"p\.pth': not a PyTorch file \(no zip archive, no legacy magic number\)")
def _(tmp):
    return _read(w(tmp, "p.pth", pickle.dumps(12345, protocol=2)))


@case("torch-legacy-truncated", R, "legacy file cut inside its pickle", DataFormatError,
      r"x\.pth': not a readable PyTorch state dict \(.*\); the file may be truncated")
def _(tmp):
    return _read(w(tmp, "x.pth", LEGACY_HEAD + pickle.dumps({"a": 1}, protocol=2)[:-4]))


@case("torch-folder", R, "a folder", FileAccessError, r"PyTorch weights file '.*d\.pth': is a folder")
def _(tmp):
    (tmp / "d.pth").mkdir()
    return _read(tmp / "d.pth")


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
