"""FusedBidirectionalLSTM (DanQ's default) computes what keras.layers.Bidirectional of two Keras
LSTMs computes: same outputs and gradients (to float32 rounding) on the same weights, in eager
and graph mode, training and inference; same weights layout; saves and loads as .keras."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from model_harness import (
    outputs_of,
    run_fresh_process_loading_test,
    run_model_saving_test,
)

from keras_motifs.layers import (
    FusedBidirectionalLSTM,
    hard_sigmoid_keras2,
    old_keras_bidirectional_lstm,
)
from keras_motifs.models import DanQ

RTOL, ATOL = 1e-5, 1e-6


def _pair(units, return_sequences, gate, seed=3):
    ref = old_keras_bidirectional_lstm(units, return_sequences=return_sequences, recurrent_activation=gate, seed=seed)
    new = old_keras_bidirectional_lstm(units, return_sequences=return_sequences, recurrent_activation=gate, seed=seed,
                                       fused=True)
    assert type(ref) is keras.layers.Bidirectional and type(new) is FusedBidirectionalLSTM
    return ref, new


def _outputs_and_gradients(layer, x, w_out, training, graph):
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=training)
            loss = tf.reduce_sum(y * w_out)
        return y, tape.gradient(loss, [x] + layer.trainable_weights)

    y, grads = (tf.function(run) if graph else run)(x)
    return y.numpy(), [g.numpy() for g in grads]


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("gate", [hard_sigmoid_keras2, "sigmoid"], ids=["hard_sigmoid_keras2", "sigmoid"])
def test_outputs_and_gradients_equal_the_two_layer_bidirectional(return_sequences, gate):
    rng = np.random.default_rng(0)
    # 40 steps, inputs and weights large enough that gates saturate (the hard sigmoid's clipped parts)
    x = tf.constant(rng.normal(0, 2, (6, 40, 12)).astype(np.float32))
    ref, new = _pair(16, return_sequences, gate)
    ref(x)
    new(x)
    new.set_weights(ref.get_weights())
    assert [w.path.split("/", 1)[1] for w in new.weights] == [w.path.split("/", 1)[1] for w in ref.weights]
    w_out = tf.constant(rng.normal(size=ref(x).shape).astype(np.float32))
    for training in (True, False):
        for graph in (False, True):
            y_ref, g_ref = _outputs_and_gradients(ref, x, w_out, training, graph)
            y_new, g_new = _outputs_and_gradients(new, x, w_out, training, graph)
            np.testing.assert_allclose(y_new, y_ref, rtol=RTOL, atol=ATOL)
            names = ["input"] + [w.path for w in ref.trainable_weights]
            for name, a, b in zip(names, g_ref, g_new):
                scale = np.abs(a).max()
                np.testing.assert_allclose(b, a, rtol=RTOL, atol=RTOL * scale,
                                           err_msg=f"gradient of {name} (training={training}, graph={graph})")


def test_danq_fused_equals_two_layer_danq_outputs_and_gradients():
    """The whole (small) DanQ, dropout off: same predictions and same gradient of the clipped BCE."""
    from keras_motifs.losses import ClippedBinaryCrossentropy

    small = dict(conv_filters=8, conv_width=5, pool_size=4, lstm_units=8, dense_units=6, num_targets=3,
                 sequence_length=120, conv_dropout=0.0, lstm_dropout=0.0)
    keras.utils.set_random_seed(1)
    ref = DanQ(fused_lstm=False, **small)
    new = DanQ(**small)
    assert type(ref.get_layer("bilstm")) is keras.layers.Bidirectional
    assert type(new.get_layer("bilstm")) is FusedBidirectionalLSTM
    new.set_weights(ref.get_weights())
    rng = np.random.default_rng(2)
    x = tf.constant(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (5, 120))])
    y = tf.constant((rng.random((5, 3)) < 0.3).astype(np.float32))
    loss_fn = ClippedBinaryCrossentropy()
    results = []
    for model in (ref, new):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        results.append((model(x, training=False).numpy(), [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=RTOL, atol=ATOL)
    for w, a, b in zip(ref.trainable_weights, results[0][1], results[1][1]):
        np.testing.assert_allclose(b, a, rtol=RTOL, atol=RTOL * np.abs(a).max(), err_msg=w.path)


def test_unsupported_settings_fall_back_to_the_plain_wrapper():
    """merge_mode other than concat, or a mask: the plain Bidirectional path, same results."""
    x = tf.constant(np.random.default_rng(0).normal(size=(3, 7, 5)).astype(np.float32))
    for merge_mode in ("sum", "ave"):
        ref = old_keras_bidirectional_lstm(4, return_sequences=True, recurrent_activation="sigmoid", seed=1,
                                           merge_mode=merge_mode)
        new = old_keras_bidirectional_lstm(4, return_sequences=True, recurrent_activation="sigmoid", seed=1,
                                           merge_mode=merge_mode, fused=True)
        np.testing.assert_array_equal(new(x).numpy(), ref(x).numpy())
    mask = tf.constant(np.arange(7)[None, :] < np.array([[7], [5], [3]]))
    ref = old_keras_bidirectional_lstm(4, return_sequences=True, recurrent_activation="sigmoid", seed=1)
    new = old_keras_bidirectional_lstm(4, return_sequences=True, recurrent_activation="sigmoid", seed=1, fused=True)
    assert not new._can_fuse(mask, None) and new._can_fuse(None, None) is False  # not built yet
    np.testing.assert_array_equal(new(x, mask=mask).numpy(), ref(x, mask=mask).numpy())


def test_fused_danq_saves_loads_and_shares_weights_files(tmp_path):
    keras.utils.set_random_seed(4)
    model = DanQ(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 100))]
    loaded = run_model_saving_test(model, x, tmp_path)
    assert type(loaded.get_layer("bilstm")) is FusedBidirectionalLSTM
    before = outputs_of(model, x)
    run_fresh_process_loading_test([(tmp_path / f"{model.name}.keras", x, before)], tmp_path)
    # a weights file of one schedule loads into the other (same variables, same order)
    model.save_weights(tmp_path / "w.weights.h5")
    plain = DanQ(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100, fused_lstm=False)
    plain.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(outputs_of(plain, x), before, rtol=RTOL, atol=ATOL)


def test_fit_with_the_fused_layer_learns():
    """model.fit (graph mode, training=True: the hand-written backward pass) lowers the loss."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (64, 60))]
    y = x[:, :, :1].mean(1)  # fraction of A
    inp = keras.Input((60, 4))
    h = old_keras_bidirectional_lstm(8, return_sequences=False, recurrent_activation=hard_sigmoid_keras2, seed=0,
                                     fused=True)(inp)
    model = keras.Model(inp, keras.layers.Dense(1)(h))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.5 * first
