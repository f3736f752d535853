"""Strand layers of the trainable DeepBind model: reverse complement, N padding, max over strands
(registered, serialisable)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="DeepBindReverseComplement")
class ReverseComplement(keras.layers.Layer):
    """Reverse complement of one-hot DNA in A, C, G, T order: flip positions and channels."""

    def call(self, x):
        return ops.flip(ops.flip(x, axis=1), axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_motifs", name="DeepBindNPadding")
class NPadding(keras.layers.Layer):
    """Pad ``width`` positions of N (0.25 in every channel) on both ends: DeepBind's "full"
    convolution (the original pads by ``detector_len - 1``, code ``corr1ord._requirements``)."""

    def __init__(self, width: int, value: float = 0.25, **kwargs):
        super().__init__(**kwargs)
        self.width = int(width)
        self.value = float(value)

    def call(self, x):
        return ops.pad(x, [[0, 0], [self.width, self.width], [0, 0]], constant_values=self.value)

    def compute_output_shape(self, input_shape):
        length = None if input_shape[1] is None else input_shape[1] + 2 * self.width
        return (input_shape[0], length, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "width": self.width, "value": self.value}


@keras.saving.register_keras_serializable(package="keras_motifs", name="DeepBindStrandMax")
class StrandMax(keras.layers.Layer):
    """Max over the strand axis (B, 2, 1) -> (B, 1): the larger of the two strands' outputs."""

    def call(self, x):
        return ops.max(x, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])
