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


@keras.saving.register_keras_serializable(package="keras_motifs", name="L1OutputDense")
class L1OutputDense(keras.layers.Dense):
    """A ``Dense`` layer adding ``l1 * sum(|output|)`` (summed over the batch too) to the losses
    in training, whose gradient reaches only this layer's own kernel and bias.

    This is how DeepSEA's training code applies its L1 penalty (jisraeli/DeepSEA ``3_loss.lua``:
    ``nn.L1Penalty(opt.L1Sparsity, false, false)``; ``4_train.lua``, ``feval``: the penalty's
    gradient ``l1 * sign(output)`` of the last ``Linear`` is passed to
    ``model:get(model:size()-1):backward(...)`` — the backward pass of that one module, which
    accumulates its weight and bias gradients — and is not propagated to the layers below; the
    cross-entropy then goes back through the whole model). The penalty is computed on the
    layer's output before its activation (DeepSEA's last Linear has none).

    ``gradient="network"`` instead lets the penalty's gradient flow back through the layer's
    input into every earlier layer, as an activity penalty
    (:class:`L1ActivityPenalty` after a plain ``Dense``) would.
    """

    GRADIENTS = ("layer", "network")

    def __init__(self, units, l1: float = 1e-8, gradient: str = "layer", **kwargs):
        super().__init__(units, **kwargs)
        if gradient not in self.GRADIENTS:
            raise ValueError(f"gradient must be one of {self.GRADIENTS}, got {gradient!r}")
        self.l1 = float(l1)
        self.gradient = gradient

    def _linear(self, inputs):
        x = ops.matmul(inputs, self.kernel)
        return x if self.bias is None else ops.add(x, self.bias)

    def call(self, inputs, training=None):
        z = self._linear(inputs)
        if training and self.l1:
            penalised = z if self.gradient == "network" else self._linear(ops.stop_gradient(inputs))
            self.add_loss(self.l1 * ops.sum(ops.abs(penalised)))
        return z if self.activation is None else self.activation(z)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "gradient": self.gradient}
