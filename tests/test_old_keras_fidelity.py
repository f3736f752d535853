"""Old-Keras arithmetic reproduced for the originals that ran Keras 0.2 / 1.1.2 (DanQ, iDeepS):
Keras 1 RMSprop, Keras 1 Convolution1D Glorot fans, Keras 1 clipped categorical cross-entropy,
the Keras 0.2 / 1.1.2 early-stopping rule (also across a resume), and iDeepS's Tomtom cut.

Each expected value is worked out by hand from keras-team/keras 1.1.2 (``keras/optimizers.py``,
``keras/initializations.py``, ``keras/layers/convolutional.py``, ``keras/objectives.py``,
``keras/callbacks.py``) and xypan1232/iDeepS ``ideeps.py``."""

import importlib
import math
from types import SimpleNamespace

import keras
import numpy as np
import pytest

from keras_motifs import models
from keras_motifs.interpret import MotifProtocol, analyse_filters, get_protocol
from tomtom_tables import tomtom_table
from keras_motifs.training import train
from keras_motifs.training.optimizers import make_optimizer

tomtom_module = importlib.import_module("keras_motifs.interpret.tomtom")


# --------------------------------------------------------------------------- RMSprop
def _keras1_rmsprop_numpy(p, grads, lr=1e-3, rho=0.9, eps=1e-8):
    """Keras 1.1.2 RMSprop.get_updates by hand: a starts at 0; a = rho a + (1 - rho) g^2;
    p = p - lr g / (sqrt(a) + eps)."""
    p = np.array(p, dtype=np.float64)
    a = np.zeros_like(p)
    for g in grads:
        a = rho * a + (1 - rho) * g ** 2
        p = p - lr * g / (np.sqrt(a) + eps)
    return p


# small gradients (a ~ eps) show the difference between sqrt(a) + eps and sqrt(a + eps)
GRADS = [np.array([1e-4, -2e-5, 3e-1, 0.0, 1e-8]), np.array([-1e-4, 5e-5, 1e-1, 0.0, 2e-8]),
         np.array([2e-4, 1e-6, -2e-1, 1e-7, -1e-8])]
P0 = np.array([0.5, -0.25, 1.0, 0.1, -0.3])


def _apply(opt, grads):
    var = keras.Variable(P0.astype("float32"))
    for g in grads:
        opt.apply_gradients([(keras.ops.convert_to_tensor(g.astype("float32")), var)])
    return np.asarray(var.numpy(), dtype=np.float64)


@pytest.mark.parametrize("steps", [1, 3])
def test_keras1_rmsprop_matches_the_keras_1_1_2_update(steps):
    from keras_motifs.optimizers import Keras1RMSprop

    want = _keras1_rmsprop_numpy(P0, GRADS[:steps])
    got = _apply(Keras1RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-8), GRADS[:steps])
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    # one step by hand: a = 0.1 g^2, step = lr g / (sqrt(0.1) |g| + eps) = lr / sqrt(0.1) for |g| >> eps
    if steps == 1:
        assert got[2] == pytest.approx(1.0 - 1e-3 / math.sqrt(0.1), rel=1e-6)
        assert got[4] == pytest.approx(-0.3 - 1e-3 * 1e-8 / (math.sqrt(0.1) * 1e-8 + 1e-8), rel=1e-6)
    # Keras 3's RMSprop (sqrt(a + eps)) takes different steps for the small gradients
    k3 = _apply(keras.optimizers.RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-8), GRADS[:steps])
    assert np.abs(k3 - want).max() > 1e-4


def test_keras1_rmsprop_by_name_and_round_trip():
    from keras_motifs.optimizers import Keras1RMSprop

    opt = make_optimizer({"optimizer": "keras1_rmsprop", "learning_rate": 0.01})
    assert isinstance(opt, Keras1RMSprop) and (opt.rho, opt.epsilon) == (0.9, 1e-8)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert isinstance(again, Keras1RMSprop) and again.get_config() == opt.get_config()


# ---------------------------------------------------------------------- conv initialiser
KERAS1_LIMIT = {"sequence": math.sqrt(6 / (11 * 4 * 16)), "structure": math.sqrt(6 / (11 * 6 * 16))}


def test_keras1_conv_initializer_fans_and_config():
    from keras_motifs.initializers import Keras1Conv1DGlorotUniform

    init = Keras1Conv1DGlorotUniform(seed=4)
    w = np.asarray(init((26, 4, 8)))
    assert np.abs(w).max() <= math.sqrt(6 / (27 * 4 * 8)) + 1e-7
    again = keras.initializers.deserialize(keras.initializers.serialize(init))
    np.testing.assert_array_equal(np.asarray(again((26, 4, 8))), w)
    assert np.abs(np.asarray(init((30, 20)))).max() <= math.sqrt(6 / 50) + 1e-7  # Dense: ordinary fans
    with pytest.raises(ValueError, match="Conv1D"):
        init((3, 3, 4, 8))


# ----------------------------------------------------------------------------- loss
def test_clipped_categorical_crossentropy_is_keras1s():
    from keras_motifs.losses import ClippedCategoricalCrossentropy

    logits = np.array([[2.0, -1.0], [40.0, 0.0], [0.0, 0.0]], dtype=np.float32)
    y = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.float32)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    # by hand: normalise, clip to [1e-7, 1 - 1e-7], -sum y log p, mean over the batch
    want = np.mean(-np.sum(y * np.log(np.clip(p / p.sum(1, keepdims=True), 1e-7, 1 - 1e-7)), 1))
    soft = keras.layers.Softmax()(keras.ops.convert_to_tensor(logits))
    got = float(ClippedCategoricalCrossentropy()(y, soft))
    assert got == pytest.approx(want, rel=1e-5)
    assert want == pytest.approx((-np.log(p[0, 0]) - np.log(1e-7) + np.log(2)) / 3, rel=1e-5)
    # Keras 3's loss on the same softmax output uses the logits: -log softmax = 40 for sample 2
    exact = float(keras.losses.CategoricalCrossentropy()(y, soft))
    assert abs(exact - got) > 5


# ---------------------------------------------------------------------- early stopping
def _drive(callback, values):
    """Epochs a callback lets run on a sequence of val_loss values (as Keras's fit loop does)."""
    model = SimpleNamespace(stop_training=False)
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, v in enumerate(values):
        callback.on_epoch_end(epoch, {"val_loss": v})
        if model.stop_training:
            return epoch + 1
    return len(values)


@pytest.mark.parametrize("values,patience,keras1_epochs,keras3_epochs", [
    # the best is epoch 1; Keras 1 then runs patience + 1 more epochs, Keras 3 patience
    ([1.0] + [2.0] * 20, 5, 1 + 6, 1 + 5),
    # an improvement (epoch 3) resets wait to 0; an equal value (epoch 6) is no improvement
    ([1.0, 1.1, 0.9, 1.0, 0.95, 0.9, 0.9, 0.9, 0.9], 2, 3 + 3, 3 + 2),
    # patience 0: both stop after the first epoch without improvement
    ([1.0, 0.9, 0.95, 0.8], 0, 3, 3),
])
def test_legacy_early_stopping_rule(values, patience, keras1_epochs, keras3_epochs):
    from keras_motifs.training.callbacks import LegacyEarlyStopping, make_early_stopping

    assert _drive(LegacyEarlyStopping(patience=patience), values) == keras1_epochs
    assert _drive(make_early_stopping("val_loss", patience, "keras1"), values) == keras1_epochs
    assert _drive(make_early_stopping("val_loss", patience, "keras3"), values) == keras3_epochs
    maximise = LegacyEarlyStopping(monitor="val_acc", patience=patience)  # Keras 1 'auto': 'acc' -> max
    model = SimpleNamespace(stop_training=False)
    maximise.set_model(model)
    maximise.on_train_begin()
    for epoch, v in enumerate(values):
        maximise.on_epoch_end(epoch, {"val_acc": -v})
        if model.stop_training:
            break
    assert epoch + 1 == keras1_epochs
    with pytest.raises(ValueError, match="early_stopping_rule"):
        make_early_stopping("val_loss", 5, "keras2")


TINY = dict(conv_filters=2, conv_width=5, pool_size=5, lstm_units=2, dense_units=4, num_targets=2, sequence_length=30)


def _tiny():
    return models.DanQ(**TINY)


def _data(n=32):
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, 30))]
    return x, rng.integers(0, 2, (n, 2)).astype(np.float32)


# learning rate 0: val_loss is the same every epoch, so it never improves after the first
FROZEN = {"optimizer": "rmsprop", "learning_rate": 0.0, "batch_size": 16, "epochs": 10, "early_stopping_patience": 2}


@pytest.mark.parametrize("rule,epochs", [("keras1", 1 + 3), ("keras3", 1 + 2)])
def test_train_stops_by_the_configured_rule(tmp_path, rule, epochs):
    x, y = _data()
    r = train(_tiny, (x, y), (x, y), output_dir=tmp_path, training=dict(FROZEN, early_stopping_rule=rule), seed=1,
              verbose=0, tensorboard=False, shuffle_buffer=None)
    assert len(set(r.history["val_loss"])) == 1
    assert r.epochs_run == epochs


class _Crash(Exception):
    pass


def test_legacy_early_stopping_state_survives_a_resume(tmp_path):
    class CrashAtEpoch3(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 3:
                raise _Crash()

    x, y = _data()
    cfg = dict(FROZEN, early_stopping_rule="keras1")
    with pytest.raises(_Crash):
        train(_tiny, (x, y), (x, y), output_dir=tmp_path, training=cfg, seed=1, verbose=0, tensorboard=False,
              shuffle_buffer=None, callbacks=[CrashAtEpoch3()])
    r = train(_tiny, (x, y), (x, y), output_dir=tmp_path, training=cfg, seed=1, verbose=0, tensorboard=False,
              shuffle_buffer=None)
    # wait = 2 and best were restored: epoch 4 is the (patience + 1)-th without improvement and the
    # last, as without the crash (a fresh callback would take epoch 4 as a new best and run to 7)
    assert r.epochs_run == 4 and len(r.history["loss"]) == 1  # epoch 3 only trained after the resume
    log = (tmp_path / "training_log.csv").read_text().splitlines()
    assert [int(line.split(",")[0]) for line in log if not line.startswith("epoch")] == [0, 1, 2, 3]


# ------------------------------------------------------------------- the presets use them
def test_ideeps_convolutions_use_keras1_glorot_fans():
    assert KERAS1_LIMIT["sequence"] == pytest.approx(0.0923, abs=1e-4)
    assert KERAS1_LIMIT["structure"] == pytest.approx(0.0754, abs=1e-4)
    keras.utils.set_random_seed(0)
    model = models.build("ideeps")
    for branch, limit in KERAS1_LIMIT.items():
        w = np.abs(model.get_layer(f"{branch}_conv").get_weights()[0])
        assert w.max() <= limit + 1e-7, branch
        assert w.max() > 0.95 * limit, branch  # 640 / 960 uniform draws reach near the limit
    keras.utils.set_random_seed(0)
    modern = models.build("ideeps", conv_initializer="glorot_uniform")  # Keras 3's fans: 0.173 / 0.165
    assert np.abs(modern.get_layer("sequence_conv").get_weights()[0]).max() > 0.15


def test_presets_use_the_old_keras_arithmetic():
    from keras_motifs.losses import ClippedCategoricalCrossentropy
    from keras_motifs.optimizers import Keras1RMSprop
    from keras_motifs.papers.ideeps import make_loss

    for preset in ("ideeps", "ideeps_cnn", "danq", "danq_jaspar"):
        assert models.training_config(preset)["early_stopping_rule"] == "keras1", preset
    assert isinstance(make_optimizer(models.training_config("ideeps")), Keras1RMSprop)
    # DanQ ran Keras 0.2.0, whose RMSprop divides by T.sqrt(new_a + epsilon): Keras 3's class
    assert type(make_optimizer(models.training_config("danq"))) is keras.optimizers.RMSprop
    assert isinstance(make_loss(models.training_config("ideeps")["loss"]), ClippedCategoricalCrossentropy)


# ------------------------------------------------------------------ iDeepS Tomtom cut
# filter0 passes p and q; filter1 passes p < 0.05 but not q < 0.05; filter2 passes neither
PAIRS = tomtom_table([
    ("filter0", "M1", "HuR", 0, 7, "+", 1e-4, 0.01, 0.01),
    ("filter1", "M2", "PUM2", 2, 3, "+", 0.01, 1.0, 0.2),
    ("filter2", "M3", "QKI", 0, 5, "+", 0.2, 20.0, 0.6),
])


def test_ideeps_protocol_cuts_on_q_value_with_meme_min_overlap(tmp_path, monkeypatch):
    """xypan1232/iDeepS ideeps.py get_motif_fig: ``tomtom -dist pearson -thresh 0.05 -eps`` — no
    ``-evalue`` (so MEME Tomtom thresholds the q-value) and no ``-min-overlap`` (MEME's default 1)."""
    protocol = get_protocol("ideeps")
    assert (protocol.threshold_on, protocol.threshold, protocol.min_overlap) == ("q_value", 0.05, 1)
    seen = {}

    def fake_tomtom(queries, targets, **kwargs):
        seen.update(kwargs)
        return PAIRS.copy()

    monkeypatch.setattr(tomtom_module, "tomtom", fake_tomtom)
    ppms = np.full((3, 10, 4), 0.25)
    res = analyse_filters(None, None, protocol, tmp_path, motifs=ppms, targets=[object()])
    assert seen["min_overlap"] == 1 and seen["distance"] == "pearson"
    assert list(res.hits["query"]) == ["filter0"]
    # the paper's text (p < 0.05) would also keep filter1
    by_p = analyse_filters(None, None, protocol.replace(threshold_on="p_value"), None, motifs=ppms, targets=[object()])
    assert list(by_p.hits["query"]) == ["filter0", "filter1"]
    assert isinstance(protocol, MotifProtocol)
