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
import pandas as pd
import pytest

from keras_motifs import models
from keras_motifs.interpret import MotifProtocol, analyse_filters, get_protocol
from keras_motifs.interpret.tomtom import COLUMNS
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


