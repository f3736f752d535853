"""Losses as the original (Theano-era Keras) code computed them."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="ClippedBinaryCrossentropy")
class ClippedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy on probabilities clipped to [eps, 1 - eps] (eps = 1e-7).

    This is the computation of the old Keras ``binary_crossentropy`` used by DanQ, iDeepS and
    Deepprune: the log is taken of the clipped probability. Keras 3's built-in loss instead
    recovers the logits from a sigmoid output and uses the exact logit formula, which differs
    from the original for saturated outputs. Mean over targets, then over the batch.
    """

    def __init__(self, epsilon: float = 1e-7, name: str = "clipped_binary_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.epsilon = float(epsilon)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        p = ops.clip(y_pred, self.epsilon, 1.0 - self.epsilon)
        bce = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
        return ops.mean(bce, axis=-1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="keras_motifs", name="ClippedCategoricalCrossentropy")
class ClippedCategoricalCrossentropy(keras.losses.Loss):
    """Categorical cross-entropy as Keras 1.1.2 computed it for a softmax output (iDeepS).

    keras-team/keras 1.1.2 ``keras/objectives.py`` ``categorical_crossentropy`` calls the backend's
    (``keras/backend/theano_backend.py``): the probabilities are divided by their sum over the
    classes, clipped to [eps, 1 - eps] (eps = 1e-7, ``keras/backend/common.py`` ``_EPSILON``), and
    the loss is ``-sum(y_true * log(p))``; the clip has zero gradient outside that range, so a
    sample predicted with probability < 1e-7 for its true class adds a constant 16.1 and no
    gradient. Keras 3's ``CategoricalCrossentropy`` on a softmax output uses the exact
    log-softmax of the logits instead (no clip). Mean over the batch.
    """

    def __init__(self, epsilon: float = 1e-7, name: str = "clipped_categorical_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.epsilon = float(epsilon)

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, y_pred.dtype)
        p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
        p = ops.clip(p, self.epsilon, 1.0 - self.epsilon)
        return -ops.sum(y_true * ops.log(p), axis=-1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
