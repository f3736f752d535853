"""DanQ architecture, original defaults and .keras round trip (full size; the small presets
go through ``test_model_presets.py``)."""

import keras
import numpy as np
import pytest

from keras_motifs.layers import hard_sigmoid_keras2
from keras_motifs.models import DanQ, available, build, training_config
from model_harness import run_model_saving_test


@pytest.fixture(scope="module")
def full_danq():
    """The full-size DanQ (47M parameters), built once for this module."""
    return DanQ()


def test_danq_parameter_count_is_the_originals(full_danq):
    m = full_danq
    assert m.count_params() == 46_926_479
    assert m.input_shape == (None, 1000, 4)
    assert m.output_shape == (None, 919)
    shapes = {l.name: l.output.shape for l in m.layers}
    assert tuple(shapes["conv"]) == (None, 975, 320)
    assert tuple(shapes["pool"]) == (None, 75, 320)
    assert tuple(shapes["bilstm"]) == (None, 75, 640)
    assert tuple(shapes["flatten"]) == (None, 48000)


def test_danq_jaspar_architecture():
    m = DanQ("danq_jaspar")
    # conv 1024*30*4+1024, BiLSTM 2*4*512*(1024+512+1), dense 65536*925+925, out 925*919+919
    assert m.count_params() == 123_904 + 6_295_552 + 60_621_725 + 850_994
    assert tuple(m.get_layer("pool").output.shape) == (None, 64, 1024)


def test_old_keras_defaults():
    m = DanQ(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100)
    conv = m.get_layer("conv")
    init = conv.kernel_initializer
    assert isinstance(init, keras.initializers.RandomUniform)
    assert (init.minval, init.maxval) == (-0.05, 0.05)
    w = keras.ops.convert_to_numpy(conv.kernel)
    assert np.abs(w).max() <= 0.05
    lstm = m.get_layer("bilstm").forward_layer
    assert lstm.recurrent_activation is hard_sigmoid_keras2
    assert lstm.activation is keras.activations.tanh
    assert lstm.unit_forget_bias
    bias = keras.ops.convert_to_numpy(lstm.cell.bias)
    np.testing.assert_array_equal(bias[4:8], 1.0)  # forget-gate bias 1 (gate order i, f, c, o)
    np.testing.assert_array_equal(bias[:4], 0.0)
    assert m.get_layer("bilstm").backward_layer.go_backwards
    cfg = training_config("danq")
    assert (cfg["optimizer"], cfg["learning_rate"], cfg["rho"], cfg["epsilon"], cfg["batch_size"]) == ("rmsprop", 1e-3, 0.9, 1e-6, 100)
    assert (cfg["epochs"], cfg["early_stopping_patience"]) == (60, 5)


def test_old_hard_sigmoid_slope_is_0_2():
    x = np.array([-5.0, -2.5, 0.0, 1.0, 2.5, 5.0], np.float32)
    y = keras.ops.convert_to_numpy(hard_sigmoid_keras2(x))
    np.testing.assert_allclose(y, [0.0, 0.0, 0.5, 0.7, 1.0, 1.0], atol=1e-7)
    # Keras 3's own hard_sigmoid differs (slope 1/6): the reason the registered one exists.
    assert float(keras.activations.hard_sigmoid(np.float32(1.0))) == pytest.approx(4 / 6)


def test_fused_bilstm_is_the_default_and_the_plain_wrapper_selectable():
    from keras_motifs.layers import FusedBidirectionalLSTM

    small = dict(conv_filters=4, lstm_units=2, dense_units=4, num_targets=2, sequence_length=60)
    assert type(DanQ(**small).get_layer("bilstm")) is FusedBidirectionalLSTM
    assert type(DanQ("danq_jaspar", jaspar_init=False, **small).get_layer("bilstm")) is FusedBidirectionalLSTM
    assert type(DanQ(fused_lstm=False, **small).get_layer("bilstm")) is keras.layers.Bidirectional


def test_modern_option_uses_sigmoid_gates():
    m = DanQ(modern=True, conv_filters=4, lstm_units=2, dense_units=4, num_targets=2, sequence_length=60)
    assert m.get_layer("bilstm").forward_layer.recurrent_activation is keras.activations.sigmoid


def test_unknown_override_is_an_error():
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        DanQ(conv_filter=3)
    with pytest.raises(KeyError, match="unknown DanQ preset"):
        DanQ("danq2")


def test_registry_builds_by_name():
    assert {"danq", "danq_jaspar"} <= set(available())
    m = build("danq", conv_filters=4, lstm_units=2, dense_units=4, num_targets=2, sequence_length=60)
    assert m.output_shape == (None, 2)


def test_full_danq_keras_round_trip_identical_predictions(full_danq, tmp_path):
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (2, 1000))]
    loaded = run_model_saving_test(full_danq, x, tmp_path)  # identical outputs, no temporary file left
    assert loaded.get_layer("bilstm").forward_layer.recurrent_activation.__name__ == "hard_sigmoid_keras2"


def _bilstm_weights(model):
    bi = model.get_layer("bilstm")
    return [{w.name: keras.ops.convert_to_numpy(w) for w in layer.cell.weights}
            for layer in (bi.forward_layer, bi.backward_layer)]


def test_lstm_init_is_keras_0_2_per_gate(full_danq):
    # keras-team/keras 0.2.0 recurrent.py LSTM.build: per gate W_* glorot_uniform on (320, 320),
    # U_* orthogonal (initializations.py: scale=1.1) on (320, 320), b_f one
    units, limit = 320, np.sqrt(6 / (320 + 320))
    for direction in _bilstm_weights(full_danq):
        kernel, recurrent, bias = direction["kernel"], direction["recurrent_kernel"], direction["bias"]
        assert kernel.shape == (320, 4 * units) and recurrent.shape == (units, 4 * units)
        for g in range(4):
            block = kernel[:, g * units : (g + 1) * units]
            assert 0.99 * limit < np.abs(block).max() <= limit * (1 + 1e-6)  # float32; fused: 0.63 x
            s = np.linalg.svd(recurrent[:, g * units : (g + 1) * units], compute_uv=False)
            np.testing.assert_allclose(s, 1.1, atol=1e-4)
        np.testing.assert_array_equal(bias[units : 2 * units], 1.0)
        np.testing.assert_array_equal(np.delete(bias, np.s_[units : 2 * units]), 0.0)


def test_forward_and_backward_lstm_draw_their_own_weights_reproducibly():
    small = dict(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100)
    keras.utils.set_random_seed(7)
    fwd, bwd = _bilstm_weights(DanQ(**small))
    for name in ("kernel", "recurrent_kernel"):
        assert not np.allclose(fwd[name], bwd[name])
        blocks = np.split(fwd[name], 4, axis=-1)  # each gate block its own draw
        assert not any(np.allclose(blocks[i], blocks[j]) for i in range(4) for j in range(i))
    keras.utils.set_random_seed(7)
    fwd2, bwd2 = _bilstm_weights(DanQ(**small))
    for a, b in ((fwd, fwd2), (bwd, bwd2)):
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
