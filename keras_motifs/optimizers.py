"""Optimizers that reproduce the update rules of the original (Torch7 / old Keras) code."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="TorchSGD")
class TorchSGD(keras.optimizers.Optimizer):
    """SGD exactly as Torch7's ``optim.sgd`` (used by DeepSEA's training code).

    Per step t (counted from 0), for each parameter x with gradient g::

        g   <- g + weight_decay * x                  (L2 weight decay on the gradient)
        v   <- g                                     if t == 0
        v   <- momentum * v + (1 - dampening) * g    otherwise
        x   <- x - lr_t * v,   lr_t = learning_rate / (1 + t * learning_rate_decay)

    ``dampening`` defaults to ``momentum`` as in Torch (so with momentum 0.9 the velocity is an
    exponential average of gradients, unlike Keras's SGD whose velocity sums them).
    """

    def __init__(
        self,
        learning_rate: float = 1.0,
        momentum: float = 0.0,
        dampening: float | None = None,
        torch_weight_decay: float = 0.0,
        learning_rate_decay: float = 0.0,
        name: str = "torch_sgd",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.momentum = float(momentum)
        self.dampening = float(momentum if dampening is None else dampening)
        self.torch_weight_decay = float(torch_weight_decay)
        self.learning_rate_decay = float(learning_rate_decay)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.velocities = [self.add_variable_from_reference(v, "velocity") for v in variables] if self.momentum else []

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        t = ops.cast(self.iterations, variable.dtype)
        lr_t = lr / (1.0 + t * self.learning_rate_decay)
        g = ops.cast(gradient, variable.dtype)
        if self.torch_weight_decay:
            g = g + self.torch_weight_decay * variable
        if self.momentum:
            v = self.velocities[self._get_variable_index(variable)]
            new_v = ops.where(ops.equal(self.iterations, 0), g, self.momentum * v + (1.0 - self.dampening) * g)
            self.assign(v, new_v)
            g = new_v
        self.assign_sub(variable, lr_t * g)

    def get_config(self):
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "dampening": self.dampening,
            "torch_weight_decay": self.torch_weight_decay,
            "learning_rate_decay": self.learning_rate_decay,
        }


@keras.saving.register_keras_serializable(package="keras_motifs", name="Keras1RMSprop")
class Keras1RMSprop(keras.optimizers.Optimizer):
    """RMSprop with the arithmetic of Keras 1.1.2 (keras-team/keras 1.1.2 ``keras/optimizers.py``,
    class ``RMSprop``, the optimizer of ``optimizer='rmsprop'`` in iDeepS).

    Per step, for each parameter p with gradient g and accumulator a (zeros at the start)::

        a <- rho * a + (1 - rho) * g**2
        p <- p - learning_rate * g / (sqrt(a) + epsilon)

    Keras 3's ``keras.optimizers.RMSprop`` divides by ``sqrt(a + epsilon)`` instead (so does Keras
    0.2.0's, ``T.sqrt(new_a + self.epsilon)``: DanQ keeps Keras 3's class). The two differ where
    ``a`` is of the order of ``epsilon`` or smaller: there Keras 1 takes steps up to lr / epsilon
    times the gradient, Keras 3 at most lr / sqrt(epsilon). Keras 1's ``decay`` (0 in the
    originals) is not reproduced: use a learning-rate schedule.
    """

    def __init__(self, learning_rate: float = 1e-3, rho: float = 0.9, epsilon: float = 1e-8,
                 name: str = "keras1_rmsprop", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.accumulators = [self.add_variable_from_reference(v, "accumulator") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        a = self.accumulators[self._get_variable_index(variable)]
        new_a = self.rho * a + (1.0 - self.rho) * ops.square(g)
        self.assign(a, new_a)
        self.assign_sub(variable, lr * g / (ops.sqrt(new_a) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
