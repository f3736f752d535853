"""Activity penalties with the original code's scaling."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="L1ActivityPenalty")
class L1ActivityPenalty(keras.layers.Layer):
    """Identity layer adding ``l1 * sum(|x|)`` (summed over the batch too) to the model's losses.

    This is Torch7's ``nn.L1Penalty(l1, sizeAverage=false)`` as DeepSEA used it. Keras's own
    ``activity_regularizer`` divides by the batch size, which would make the penalty 16x weaker
    at DeepSEA's batch size of 16.
    """

    def __init__(self, l1: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.l1 = float(l1)

    def call(self, inputs, training=None):
        if training:
            self.add_loss(self.l1 * ops.sum(ops.abs(inputs)))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1}
