"""Bad input to Koo & Eddy's ``synthetic_dataset.h5`` read by
``koo_eddy_synthetic.read_original_h5``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, deepsea_v73, w


R_KOO = "Koo & Eddy `synthetic_dataset.h5` (`koo_eddy_synthetic.read_original_h5`)"


def _koo(tmp, mod=None, name="k.h5"):
    import h5py

    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    rng = np.random.default_rng(0)
    with h5py.File(tmp / name, "w") as f:
        for key in ("train", "valid", "test"):
            x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3, 200))].transpose(0, 2, 1)
            y, m = np.zeros((3, 12)), x.copy()
            if mod is not None and key == "valid":
                x, y, m = mod(x, y, m)
            f["X_" + key], f["Y_" + key], f["model_" + key] = x, y, m
    return read_original_h5(tmp / name)


@case("koo-truncated", R_KOO, "file cut short", DataFormatError, r"t\.h5': not a readable HDF5")
def _(tmp):
    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    _koo(tmp)
    data = (tmp / "k.h5").read_bytes()
    return read_original_h5(w(tmp, "t.h5", data[: len(data) // 2]))


@case("koo-wrong-names", R_KOO, "DeepSEA dataset names", DataFormatError, r"dataset 'X_train' is missing")
def _(tmp):
    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    return read_original_h5(deepsea_v73(tmp))


@case("koo-axis-order", R_KOO, "axes (N, L, 4)", DataFormatError, r"dataset 'X_valid' has shape \(3, 200, 4\), expected \(N, 4, L\)")
def _(tmp):
    return _koo(tmp, lambda x, y, m: (x.transpose(0, 2, 1), y, m.transpose(0, 2, 1)))


@case("koo-label-nan", R_KOO, "label NaN", DataFormatError, r"dataset 'Y_valid', record 1: labels must be 0 or 1")
def _(tmp):
    def mod(x, y, m):
        y[1, 2] = np.nan
        return x, y, m
    return _koo(tmp, mod)


@case("koo-not-one-hot", R_KOO, "an all-zero column", DataFormatError, r"dataset 'X_valid', record 0: position 5 is not one-hot")
def _(tmp):
    def mod(x, y, m):
        x = x.copy()
        x[0, :, 5] = 0
        return x, y, m
    return _koo(tmp, mod)


@case("koo-model-nan", R_KOO, "NaN in the generating model", DataFormatError,
      r"dataset 'model_valid', record 1: position 3 holds nan")
def _(tmp):
    def mod(x, y, m):
        m = m.copy()
        m[1, 2, 3] = np.nan
        return x, y, m
    return _koo(tmp, mod)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
