"""Bad input to the random-access export of a deepsea split (``tfds_builders.deepsea.random_access
.DeepSEARows``: ``meta.json``, ``sequence.npy``, ``label_bits.npy``), read when the DanQ
reproduction serves its training rows in a full shuffle. ``random_access()`` exports a split again
when its export is damaged (``tests/test_full_shuffle.py``); these are the errors of reading one
directly.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, w

READER = "deepsea random-access export (`deepsea.random_access.DeepSEARows`)"


def _export(folder, n=3, length=10, n_targets=919):
    folder.mkdir(exist_ok=True)
    np.save(folder / "sequence.npy", np.zeros((n, length), np.uint8))
    np.save(folder / "label_bits.npy", np.zeros((n, (n_targets + 7) // 8), np.uint8))
    (folder / "meta.json").write_text(json.dumps({"rows": n, "sequence_length": length, "n_targets": n_targets}))
    return folder


def _rows(folder):
    from tfds_builders.deepsea.random_access import DeepSEARows

    return DeepSEARows(folder)


@case("ra-no-description", READER, "`meta.json` missing (an interrupted export)", DataFormatError,
      r"meta\.json': not a readable export description .*delete the folder")
def _(tmp):
    folder = _export(tmp / "ex")
    (folder / "meta.json").unlink()
    return _rows(folder)


@case("ra-truncated", READER, "`sequence.npy` cut short", DataFormatError,
      r"sequence\.npy': cannot read the exported array .*delete the folder")
def _(tmp):
    folder = _export(tmp / "ex")
    w(folder, "sequence.npy", (folder / "sequence.npy").read_bytes()[:-7])
    return _rows(folder)


@case("ra-rows-differ", READER, "arrays of another size than `meta.json` states", DataFormatError,
      r"label_bits\.npy': uint8 \(3, 115\) expected from meta\.json, found uint8 \(2, 115\)")
def _(tmp):
    folder = _export(tmp / "ex")
    np.save(folder / "label_bits.npy", np.zeros((2, 115), np.uint8))
    return _rows(folder)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
