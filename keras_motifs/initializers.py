"""Per-gate LSTM initialisation of the old Keras versions (0.2.0, and 1.x with ``consume_less='cpu'``).

Keras 0.2.0's LSTM (keras-team/keras 0.2.0 ``keras/layers/recurrent.py``, ``LSTM.__init__`` and
``LSTM.build``, lines 366-405) and Keras 1.1.2's with its default ``consume_less='cpu'`` (1.1.2
``keras/layers/recurrent.py`` line 703 on) held one input matrix and one recurrent matrix *per gate*
(W_i, W_f, W_c, W_o; U_i, ...), each initialised on its own: ``glorot_uniform`` on (input_dim,
units), so the limit is sqrt(6 / (input_dim + units)), and ``orthogonal`` on (units, units), whose
default ``scale`` is 1.1 in both versions (``keras/initializations.py``: 0.2.0 line 60, 1.1.2 line
77); the forget-gate bias is ``one`` and the other biases zero. Keras 3 fuses the four gates into
one (input_dim, 4 units) kernel, whose Glorot limit is sqrt(6 / (input_dim + 4 units)) and whose
orthogonal initialisation (gain 1) is orthogonal across the fused matrix. The gate order of the
fused kernel (i, f, c, o) is the same as the old per-gate names', so initialising each quarter of
the last axis with the base initializer reproduces the original's distributions exactly.
"""

from __future__ import annotations

import copy

import keras
from keras import ops


def _without_sharing_marks(config):
    """``config`` without the ``shared_object_id`` keys Keras adds to objects it saw twice."""
    if isinstance(config, dict):
        return {k: _without_sharing_marks(v) for k, v in config.items() if k != "shared_object_id"}
    if isinstance(config, list):
        return [_without_sharing_marks(v) for v in config]
    return config


@keras.saving.register_keras_serializable(package="keras_motifs", name="PerGateInitializer")
class PerGateInitializer(keras.initializers.Initializer):
    """Split the last axis into ``blocks`` equal parts and initialise each with ``base``.

    With ``seed``, block i is drawn with seed ``seed + i``: distinct blocks, the same values on every
    call. Without, every block of every call draws a fresh seed from Keras's global generator
    (reproducible after ``keras.utils.set_random_seed``).
    """

    def __init__(self, base="glorot_uniform", blocks: int = 4, seed: int | None = None):
        # The base's config, as a private copy without Keras's object-sharing marks: built while a
        # model is saved or loaded (inside keras's ObjectSharingScope), serialising a temporary
        # initializer records its id(); a later temporary at the same address was then taken for
        # the same object, and "shared_object_id" written into this dict (and the saved config).
        config = base if isinstance(base, dict) else keras.initializers.serialize(keras.initializers.get(base))
        self.base = _without_sharing_marks(copy.deepcopy(config))
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
    """kernel/recurrent initializers of a Keras 0.2.0 / 1.1.2 LSTM (per gate: glorot_uniform, orthogonal scale 1.1).

    With a ``seed`` the values are fixed: every call of the returned initializers gives the same
    matrices, so two LSTMs built from the same seed are identical; a bidirectional LSTM gives its
    backward layer another seed (:func:`keras_motifs.layers.recurrent.old_keras_bidirectional_lstm`).
    """
    return {
        "kernel_initializer": PerGateInitializer(keras.initializers.GlorotUniform(), 4, seed),
        "recurrent_initializer": PerGateInitializer(
            keras.initializers.Orthogonal(gain=1.1), 4, None if seed is None else seed + 100
        ),
    }


@keras.saving.register_keras_serializable(package="keras_motifs", name="Keras1Conv1DGlorotUniform")
class Keras1Conv1DGlorotUniform(keras.initializers.GlorotUniform):
    """Glorot uniform with the fans Keras 1.1.2 computed for a ``Convolution1D`` kernel.

    keras-team/keras 1.1.2 ``keras/layers/convolutional.py`` (class ``Convolution1D``) stores the
    kernel as ``(filter_length, 1, input_dim, nb_filter)`` and gets its initializer with
    ``dim_ordering='th'``; ``keras/initializations.py`` ``get_fans`` then reads that 4-D shape the
    Theano way, ``(depth, input_depth, rows, cols)``: receptive field = ``input_dim * nb_filter``,
    fan_in = 1 * receptive field, fan_out = filter_length * receptive field. The uniform limit is
    sqrt(6 / (fan_in + fan_out)) = sqrt(6 / ((1 + filter_length) * input_dim * nb_filter)):
    0.092 for iDeepS's 10 x 4 x 16 sequence kernel and 0.075 for its 10 x 6 x 16 structure kernel,
    where Keras 3's Glorot on the ``(filter_length, input_dim, nb_filter)`` kernel gives 0.173
    and 0.165. A 2-D shape (a Dense kernel) gets the ordinary fans, as in Keras 1.
    """

    def __init__(self, seed=None):
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = tuple(int(s) for s in shape)
        if len(shape) == 3:  # Keras 3 Conv1D kernel (width, in, filters) = Keras 1's (width, 1, in, filters)
            width, channels, filters = shape
            fan_in, fan_out = channels * filters, width * channels * filters
        elif len(shape) == 2:
            fan_in, fan_out = shape
        else:
            raise ValueError(f"Keras1Conv1DGlorotUniform: expected a Conv1D (3-D) or Dense (2-D) kernel, got {shape}")
        limit = (6.0 / (fan_in + fan_out)) ** 0.5
        return keras.random.uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self):
        return {"seed": keras.saving.serialize_keras_object(self._init_seed)}
