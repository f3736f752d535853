"""Per-gate LSTM initialisation of Keras 1 (``consume_less='cpu'``, the default).

Keras 1.1.2's LSTM held one input matrix and one recurrent matrix *per gate* (W_i, W_f, W_c, W_o;
U_i, ...), each initialised on its own: Glorot uniform on (input_dim, units), so the limit is
sqrt(6 / (input_dim + units)), and orthogonal with gain 1.1 on (units, units). Keras 3 fuses the
four gates into one (input_dim, 4 units) kernel, whose Glorot limit is sqrt(6 / (input_dim + 4
units)) and whose orthogonal initialisation is orthogonal across the fused matrix. The gate order
of the fused kernel (i, f, c, o) is the same as Keras 1's, so initialising each quarter of the
last axis with the base initializer reproduces the original's distributions exactly.
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="PerGateInitializer")
class PerGateInitializer(keras.initializers.Initializer):
    """Split the last axis into ``blocks`` equal parts and initialise each with ``base``."""

    def __init__(self, base="glorot_uniform", blocks: int = 4, seed: int | None = None):
        self.base = keras.initializers.serialize(keras.initializers.get(base))
        self.blocks = int(blocks)
        self.seed = seed

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if shape[-1] % self.blocks:
            raise ValueError(f"last axis {shape[-1]} is not divisible into {self.blocks} gate blocks")
        part = shape[:-1] + (shape[-1] // self.blocks,)
        parts = []
        for i in range(self.blocks):
            config = dict(self.base)
            if self.seed is not None:
                config["config"] = {**config.get("config", {}), "seed": self.seed + i}
            parts.append(keras.initializers.deserialize(config)(part, dtype=dtype))
        return ops.concatenate(parts, axis=-1)

    def get_config(self):
        return {"base": self.base, "blocks": self.blocks, "seed": self.seed}


def keras1_lstm_initializers(seed: int | None = None) -> dict:
    """kernel/recurrent initializers of a Keras 1.1.2 LSTM (glorot_uniform, orthogonal scale 1.1)."""
    return {
        "kernel_initializer": PerGateInitializer(keras.initializers.GlorotUniform(), 4, seed),
        "recurrent_initializer": PerGateInitializer(
            keras.initializers.Orthogonal(gain=1.1), 4, None if seed is None else seed + 100
        ),
    }
