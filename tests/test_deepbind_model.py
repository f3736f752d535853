"""The trainable DeepBind model: architecture, strands, dropout mask, presets, save/load."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot, reverse_complement
from keras_motifs.models import build, training_config
from keras_motifs.models import get_preset
from keras_motifs.models.deepbind import DeepBind, compile_model, sample_setting
from model_harness import run_model_saving_test


def _seqs(rng, n, length=101):
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


@pytest.mark.parametrize("preset, n_params", [("deepbind_encode", 16 * 24 * 4 + 16 + 16 + 1),
                                               ("deepbind_encode_hidden", 16 * 24 * 4 + 16 + 16 * 32 + 32 + 32 + 1)])
def test_architecture_and_registry(preset, n_params):
    model = build(preset)
    assert model.count_params() == n_params
    assert model.input_shape == (None, 101, 4) and model.output_shape == (None, 1)
    conv = model.get_layer("motif_scan")
    assert conv.kernel.shape == (24, 4, 16)
    assert training_config(preset)["nesterov"] and training_config(preset)["batch_size"] == 64


def test_strand_symmetry_and_full_convolution():
    model = DeepBind(conv_init_scale=0.5, dense_init_scale=0.5, dropout=0.0, sequence_length=30)
    rng = np.random.default_rng(0)
    x = one_hot(_seqs(rng, 8, 30), n_value=0.25)
    p = model.predict(x, verbose=0)
    p_rc = model.predict(reverse_complement(x), verbose=0)
    np.testing.assert_allclose(p, p_rc, rtol=1e-5)  # max over strands: RC-invariant
    # the padded "full" convolution sees a motif at the very edge of the sequence
    pad_out = model.get_layer("n_padding").output.shape
    assert pad_out[1] == 30 + 2 * 23


def test_max_over_strands_matches_manual():
    model = DeepBind(conv_init_scale=0.5, dense_init_scale=0.5, dropout=0.0, sequence_length=40, pooling="max_avg",
                     num_hidden=32)
    x = one_hot(_seqs(np.random.default_rng(1), 4, 40), n_value=0.25)
    conv = model.get_layer("motif_scan")
    w, b = [v.numpy() for v in conv.weights]
    hw, hb = [v.numpy() for v in model.get_layer("hidden").weights]
    ow, ob = [v.numpy() for v in model.get_layer("logit").weights]

    def logit(xx):
        padded = np.pad(xx, ((0, 0), (23, 23), (0, 0)), constant_values=0.25)
        win = np.lib.stride_tricks.sliding_window_view(padded, 24, axis=1)  # (B, P, 4, 24)
        z = np.maximum(np.einsum("bpcj,jcd->bpd", win, w) + b, 0)
        feat = np.concatenate([z.max(1), z.mean(1)], -1)
        return np.maximum(feat @ hw + hb, 0) @ ow + ob

    want = 1 / (1 + np.exp(-np.maximum(logit(x), logit(reverse_complement(x)))))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-4, atol=1e-6)


def test_dropout_mask_shared_between_strands():
    model = DeepBind(dropout=0.5, sequence_length=30)
    layer = model.get_layer("dropout")
    x = keras.ops.ones((64, 2, 16))
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    assert (y[:, 0] == y[:, 1]).all() and (y == 0).any()


def test_trains_and_roundtrips(tmp_path):
    rng = np.random.default_rng(2)
    pos = ["".join(rng.choice(list("ACGT"), 12)) + "GGGATTACAGGG" + "".join(rng.choice(list("ACGT"), 12))
           for _ in range(64)]
    neg = _seqs(rng, 64, 36)
    x = one_hot(pos + neg, n_value=0.25)
    y = np.array([1] * 64 + [0] * 64, dtype=np.float32)[:, None]
    model = DeepBind(sequence_length=36, detector_len=8, conv_init_scale=0.1, dense_init_scale=0.1, dropout=0.0)
    compile_model(model, learning_rate=0.05, momentum=0.9)
    hist = model.fit(x, y, batch_size=32, epochs=15, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.history["auc"][-1] > 0.9
    run_model_saving_test(model, x, tmp_path)


def test_presets_and_search_space():
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        DeepBind(num_filters=3)
    rng = np.random.default_rng(0)
    settings = [sample_setting(rng) for _ in range(200)]
    assert all(1e-15 <= s["conv_weight_decay"] <= 1e-3 for s in settings)
    assert all(0.95 <= s["momentum"] <= 0.99 for s in settings)
    assert all(0.0005 <= s["learning_rate"] <= 0.05 for s in settings)
    assert {s["dropout"] for s in settings} == {0.0, 0.25, 0.5}
    assert {s["num_hidden"] for s in settings} == {0, 32}
    assert get_preset("deepbind_encode")["detector_len"] == 24
