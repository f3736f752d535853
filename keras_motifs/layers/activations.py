"""Activations of the old Keras versions the original models ran on, as registered objects.

Keras <= 2.x defined ``hard_sigmoid(x) = clip(0.2 * x + 0.5, 0, 1)``; Keras 3's
``keras.activations.hard_sigmoid`` is ``relu6(x + 3) / 6`` (slope 1/6). DanQ and iDeepS used the
old one as the LSTM gate activation. It is registered so that ``Bidirectional`` (which re-creates
its inner layer from the config) and ``.keras`` loading find it by name.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="hard_sigmoid_keras2")
def hard_sigmoid_keras2(x):
    """``clip(0.2 * x + 0.5, 0, 1)``: the hard sigmoid of Keras 0.x-2.x (Theano/TF backends)."""
    return ops.clip(ops.add(ops.multiply(x, 0.2), 0.5), 0.0, 1.0)


@keras.saving.register_keras_serializable(package="keras_motifs", name="threshold_relu")
def threshold_relu(x):
    """Torch7 ``nn.Threshold(0, 1e-6)``: x if x > 0 else 1e-6."""
    return ops.where(ops.greater(x, 0.0), x, ops.full_like(x, 1e-6))
