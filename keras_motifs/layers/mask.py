"""``MaskLayer``: a fixed 0/1 mask over the channels (kernels) of its input.

Deepprune (Luo et al. 2019, Figure 1) places a mask layer between the global max pooling and the
dense output layer: ``m_k = 0`` means the k-th kernel's score cannot pass. The mask is a
non-trainable variable, so it is saved with the model (``.keras`` and weight files) and an
optimizer never changes it. Multiplying by the mask zeroes the pruned kernel's contribution in the
forward pass and, by the chain rule, every gradient that flows through it in the backward pass:
the pruned kernel's convolution weights, its bias and its dense weight all get a zero gradient.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from ..errors import ModelInputError


@keras.saving.register_keras_serializable(package="keras_motifs", name="MaskLayer")
class MaskLayer(keras.layers.Layer):
    """Multiply the last axis of the input by a stored 0/1 mask (all ones when built).

    Args:
      units: number of channels of the input (optional; inferred when built).
    Use :meth:`set_mask` to prune and :meth:`get_mask` / :attr:`active` to read the mask.
    """

    def __init__(self, units: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.units = None if units is None else int(units)
        self.mask_weight = None

    def build(self, input_shape):
        channels = int(input_shape[-1])
        if self.units is not None and self.units != channels:
            raise ModelInputError(
                f"MaskLayer '{self.name}': built for {self.units} channels but the input has {channels}"
            )
        self.units = channels
        self.mask_weight = self.add_weight(
            name="kernel_mask",
            shape=(channels,),
            initializer="ones",
            trainable=False,
        )

    def call(self, inputs):
        return ops.multiply(inputs, ops.cast(self.mask_weight, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_mask(self) -> np.ndarray:
        """The mask as a boolean array (True = kernel kept)."""
        return ops.convert_to_numpy(self.mask_weight) > 0.5

    @property
    def active(self) -> np.ndarray:
        """Indices of the kept kernels."""
        return np.flatnonzero(self.get_mask())

    def set_mask(self, mask) -> None:
        """Set the mask from booleans or 0/1 values of length ``units``."""
        mask = np.asarray(mask)
        if mask.shape != (self.units,):
            raise ModelInputError(
                f"MaskLayer '{self.name}': mask has shape {mask.shape}, expected ({self.units},)"
            )
        if mask.dtype != bool and not np.isin(mask, [0, 1]).all():
            raise ModelInputError(f"MaskLayer '{self.name}': mask values must be 0 or 1")
        self.mask_weight.assign(mask.astype("float32"))

    def get_config(self):
        return {**super().get_config(), "units": self.units}
