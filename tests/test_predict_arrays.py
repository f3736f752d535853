"""keras_motifs.metrics.predict_arrays: Keras's predictions on arrays, in order, through a pipeline
that op determinism does not rewrite (tests/test_cli_process.py checks the quiet output)."""

import keras
import numpy as np
import pytest

from keras_motifs.metrics import predict_arrays


def _two_input_model():
    a = keras.Input((7, 4), name="sequence")
    b = keras.Input((3,), name="extra")
    h = keras.layers.Concatenate()([keras.layers.Flatten()(a), b])
    return keras.Model({"sequence": a, "extra": b}, keras.layers.Dense(2)(h)), keras.Model([a, b], keras.layers.Dense(2)(h))


@pytest.mark.parametrize("n, batch_size", [(50, 7), (50, 50), (3, 64), (1, 1)])
def test_the_same_predictions_as_keras_in_the_same_order(n, batch_size):
    keras.utils.set_random_seed(3)
    rng = np.random.default_rng(n)
    model = keras.Sequential([keras.Input((7, 4)), keras.layers.Conv1D(3, 3), keras.layers.GlobalMaxPooling1D(),
                              keras.layers.Dense(2)])
    x = rng.random((n, 7, 4), dtype=np.float32)
    ours = predict_arrays(model, x, batch_size)
    np.testing.assert_array_equal(ours, model.predict(x, batch_size=batch_size, verbose=0))
    assert ours.shape == (n, 2)
    np.testing.assert_allclose(ours[::-1], predict_arrays(model, x[::-1].copy(), batch_size), rtol=1e-6)  # row order kept


def test_dict_and_list_inputs_of_a_two_input_model():
    keras.utils.set_random_seed(4)
    by_name, by_position = _two_input_model()
    rng = np.random.default_rng(0)
    x = {"sequence": rng.random((20, 7, 4), dtype=np.float32), "extra": rng.random((20, 3), dtype=np.float32)}
    np.testing.assert_array_equal(predict_arrays(by_name, x, 6), by_name.predict(x, batch_size=6, verbose=0))
    pair = [x["sequence"], x["extra"]]  # two arrays are inputs, not (x, y)
    np.testing.assert_array_equal(predict_arrays(by_position, pair, 6), by_position.predict(pair, batch_size=6, verbose=0))
    np.testing.assert_array_equal(predict_arrays(by_position, tuple(pair), 6), predict_arrays(by_position, pair, 6))


def test_bad_inputs_name_the_problem():
    _, model = _two_input_model()
    with pytest.raises(ValueError, match=r"different numbers of rows: \[4, 5\]"):
        predict_arrays(model, [np.zeros((5, 7, 4), "float32"), np.zeros((4, 3), "float32")])
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        predict_arrays(model, [np.zeros((5, 7, 4), "float32"), np.zeros((5, 3), "float32")], batch_size=0)
