"""Bad input to arrays and ``tf.data`` datasets given to ``training.train`` (nothing may be
written before the error).

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import ModelInputError
from reliability_cases import case, cases_in, check_bad_input


R_TRAIN = "arrays given to `training.train`"
TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3, sequence_length=50)


def _train(tmp, x=None, y=None, data=None):
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    rng = np.random.default_rng(0)
    xx = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (32, 50))] if x is None else x
    yy = (rng.random((32, 3)) < 0.5).astype(np.float32) if y is None else y
    out = tmp / "run"
    try:
        return train(lambda: DanQ(**TINY), data if data is not None else (xx, yy), None, output_dir=out,
                     training={"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 1},
                     verbose=0, tensorboard=False)
    finally:
        written = [p.name for p in out.iterdir()] if out.exists() else []
        assert written == [], f"output written before the error: {written}"


def _xy():
    rng = np.random.default_rng(0)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, (32, 50))], (rng.random((32, 3)) < 0.5).astype(np.float32)


@case("train-x-nan", R_TRAIN, "NaN in x", ModelInputError, r"training data: x, record 3, position 4, channel 0: value nan")
def _(tmp):
    x, y = _xy()
    x[3, 4, 0] = np.nan
    return _train(tmp, x, y)


@case("train-y-inf", R_TRAIN, "inf label", ModelInputError, r"training data: record 2: label inf is not a finite number")
def _(tmp):
    x, y = _xy()
    y[2, 1] = np.inf
    return _train(tmp, x, y)


@case("train-y-not-01", R_TRAIN, "label 2", ModelInputError, r"record 2, target 1: label 2\.0; labels must be 0 or 1")
def _(tmp):
    x, y = _xy()
    y[2, 1] = 2
    return _train(tmp, x, y)


@case("train-wrong-length", R_TRAIN, "length 40 for a length-50 model", ModelInputError,
      r"x has shape \(32, 40, 4\), the model takes \(N, 50, 4\) \(sequence length 50, 4 channels\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x[:, :40], y)


@case("train-wrong-alphabet", R_TRAIN, "5 channels", ModelInputError, r"x has shape \(32, 50, 5\), the model takes \(N, 50, 4\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, np.concatenate([x, x[..., :1]], -1), y)


@case("train-wrong-targets", R_TRAIN, "2 label columns for 3 targets", ModelInputError,
      r"labels have shape \(32, 2\), the model predicts \(N, 3\) \(3 targets\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x, y[:, :2])


@case("train-row-mismatch", R_TRAIN, "32 inputs, 20 labels", ModelInputError, r"32 input rows but 20 label rows")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x, y[:20])


@case("train-dataset-shape", "`tf.data.Dataset` given to `training.train`", "elements of length 40", ModelInputError,
      r"dataset elements have shape \(40, 4\), the model takes \(50, 4\) per sequence")
def _(tmp):
    import tensorflow as tf

    x, y = _xy()
    return _train(tmp, data=tf.data.Dataset.from_tensor_slices((x[:, :40], y)))


@case("train-zero-rows", R_TRAIN, "0 training rows (before: trained nothing and wrote `DONE`)", ModelInputError,
      r"training data: no rows \(x has shape \(0, 50, 4\)\); there is nothing to train on")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x[:0], y[:0])


@case("train-zero-rows-dataset", "`tf.data.Dataset` given to `training.train`", "an empty dataset", ModelInputError,
      r"training data: the dataset has no elements \(cardinality 0\); there is nothing to train on")
def _(tmp):
    import tensorflow as tf

    x, y = _xy()
    return _train(tmp, data=tf.data.Dataset.from_tensor_slices((x[:0], y[:0])))


@case("train-zero-rows-unknown-size", "`tf.data.Dataset` given to `training.train`",
      "a dataset of unknown size that yields nothing", ModelInputError,
      r"training data: the dataset gave no batches; there is nothing to train on")
def _(tmp):
    import tensorflow as tf

    x, y = _xy()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).filter(lambda a, b: False)  # cardinality unknown
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    out = tmp / "run"
    try:
        return train(lambda: DanQ(**TINY), ds, None, output_dir=out, verbose=0, tensorboard=False,
                     training={"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 1})
    finally:
        assert not (out / "DONE").exists()


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
