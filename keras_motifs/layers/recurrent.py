"""The bidirectional LSTM of the old Keras models (DanQ on Keras 0.2.0 + seya, iDeepS on Keras 1.1.2).

Both originals built two independent LSTMs, each drawing its own per-gate initial matrices from
NumPy's global generator when built: uci-cbcl/DanQ ``DanQ_train.py`` lines 27-29 construct
``forward_lstm`` and ``backward_lstm`` separately and hand both to seya's ``Bidirectional``
(EderSantana/seya ``seya/layers/recurrent.py``, ``Bidirectional.build`` calls ``forward.build()``
and ``backward.build()``); Keras 1.1.2's ``Bidirectional`` (``keras/layers/wrappers.py`` lines
164-166) makes the backward layer with ``layer.__class__.from_config(config)``, a new layer whose
``build`` draws new values.

Keras 3's ``Bidirectional`` also rebuilds the backward layer from the forward layer's config, but
a *seeded* Keras 3 initializer returns the same values on every call, so a seeded forward LSTM
would get an identical twin. :func:`old_keras_bidirectional_lstm` therefore builds the backward
LSTM itself, with a seed derived from the forward one (:func:`backward_seed`): distinct draws in
each direction and each gate block, and the same model again from the same seed. Both directions
are plain Keras LSTMs with the registered :class:`keras_motifs.initializers.PerGateInitializer`,
so the wrapper serialises like any ``keras.layers.Bidirectional`` (its config holds both layers).
"""

from __future__ import annotations

import keras
import numpy as np

from ..initializers import keras1_lstm_initializers


def backward_seed(seed: int) -> int:
    """The backward LSTM's initializer seed, derived from the forward one's (NumPy ``SeedSequence``).

    A hash rather than ``seed + k``, so that the backward draws of one seed are not the forward
    draws of another; kept below 2**31 - 1000 because the per-gate seeds add small offsets.
    """
    state = np.random.SeedSequence([int(seed), 0x0B1D]).generate_state(1, dtype=np.uint32)[0]
    return int(state) % (2**31 - 1000)


def old_keras_bidirectional_lstm(
    units: int,
    *,
    return_sequences: bool,
    recurrent_activation,
    seed: int | None = None,
    name: str = "bilstm",
    lstm_name: str = "lstm",
    merge_mode: str = "concat",
) -> keras.layers.Bidirectional:
    """A ``keras.layers.Bidirectional`` of two old-Keras LSTMs with independent initial weights.

    Each direction: tanh cell/output activation, ``recurrent_activation`` gates, per-gate Glorot
    uniform input matrices, per-gate orthogonal (gain 1.1) recurrent matrices, forget-gate bias 1,
    other biases 0 (:func:`keras_motifs.initializers.keras1_lstm_initializers`). With ``seed`` the
    forward LSTM uses ``seed`` and the backward LSTM ``backward_seed(seed)``; without, both draw
    from Keras's global seed (``keras.utils.set_random_seed``). The layers are named
    ``forward_<lstm_name>`` and ``backward_<lstm_name>``.
    """

    def lstm(layer_name: str, go_backwards: bool, layer_seed: int | None) -> keras.layers.LSTM:
        return keras.layers.LSTM(
            units,
            return_sequences=return_sequences,
            go_backwards=go_backwards,
            activation="tanh",
            recurrent_activation=recurrent_activation,
            unit_forget_bias=True,
            bias_initializer="zeros",
            name=layer_name,
            **keras1_lstm_initializers(layer_seed),
        )

    forward = lstm(lstm_name, False, seed)
    backward = lstm(f"backward_{lstm_name}", True, None if seed is None else backward_seed(seed))
    return keras.layers.Bidirectional(forward, backward_layer=backward, merge_mode=merge_mode, name=name)
