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

:class:`FusedBidirectionalLSTM` is the same wrapper with a faster TensorFlow schedule (each
direction's input projection as one matmul, a hand-written backward pass through time); DanQ uses
it by default (``old_keras_bidirectional_lstm(..., fused=True)``).
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
    fused: bool = False,
) -> keras.layers.Bidirectional:
    """A ``keras.layers.Bidirectional`` of two old-Keras LSTMs with independent initial weights.

    Each direction: tanh cell/output activation, ``recurrent_activation`` gates, per-gate Glorot
    uniform input matrices, per-gate orthogonal (gain 1.1) recurrent matrices, forget-gate bias 1,
    other biases 0 (:func:`keras_motifs.initializers.keras1_lstm_initializers`). With ``seed`` the
    forward LSTM uses ``seed`` and the backward LSTM ``backward_seed(seed)``; without, both draw
    from Keras's global seed (``keras.utils.set_random_seed``). The layers are named
    ``forward_<lstm_name>`` and ``backward_<lstm_name>``. With ``fused`` the wrapper is a
    :class:`FusedBidirectionalLSTM` (the same weights and numbers, a faster TensorFlow schedule).
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
    wrapper = FusedBidirectionalLSTM if fused else keras.layers.Bidirectional
    return wrapper(forward, backward_layer=backward, merge_mode=merge_mode, name=name)


# --------------------------------------------------------------------------------------------
# The two directions in one recurrence, with a hand-written backward pass (TensorFlow backend)
# --------------------------------------------------------------------------------------------


def _tf_value_and_derivative(tf, fn, x):
    """``fn(x)`` and its elementwise derivative, as TensorFlow's autodiff computes it."""
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return y, tape.gradient(y, x)


def _dim(tf, x, axis):
    """A dimension of ``x``: the static one where known (keeps loop shapes fixed), else dynamic."""
    return x.shape[axis] if x.shape[axis] is not None else tf.shape(x)[axis]


def _tf_lstm_direction(tf, zx, u, reverse, activation, recurrent_activation, store):
    """One LSTM direction as a ``tf.while_loop``; ``zx`` (T, B, 4U) is x W + b for every step.

    ``reverse`` runs from the last step to the first (the backward LSTM). The hidden states
    (T, B, U) are returned in the original time order; with ``store`` also the cell states and the
    gate pre-activations (for the backward pass). Gate order (i, f, c, o) and arithmetic as
    Keras's ``LSTMCell`` (``c = f c' + i act(z_c)``, ``h = o act(c)``).
    """
    steps, batch, units = _dim(tf, zx, 0), _dim(tf, zx, 1), _dim(tf, u, 0)
    dtype = zx.dtype

    def ta():
        return tf.TensorArray(dtype, size=steps, element_shape=tf.TensorShape([zx.shape[1], None]))

    def body(s, h, c, hs, cs, zs):
        t = steps - 1 - s if reverse else s
        z = zx[t] + tf.matmul(h, u)
        zi, zf, zg, zo = tf.split(z, 4, axis=-1)
        c = recurrent_activation(zf) * c + recurrent_activation(zi) * activation(zg)
        h = recurrent_activation(zo) * activation(c)
        if store:
            cs, zs = cs.write(t, c), zs.write(t, z)
        return s + 1, h, c, hs.write(t, h), cs, zs

    zeros = tf.zeros(tf.stack([batch, units]), dtype)
    loop_vars = (tf.constant(0), zeros, zeros, ta(), ta() if store else (), ta() if store else ())
    _, _, _, hs, cs, zs = tf.while_loop(lambda s, *_: s < steps, body, loop_vars)
    if not store:
        return hs.stack()
    return hs.stack(), cs.stack(), zs.stack()


def _tf_lstm_direction_train(tf, zx, u, reverse, activation, recurrent_activation):
    """:func:`_tf_lstm_direction` with a hand-written backward pass through time.

    TensorFlow's own gradient of a ``while_loop`` does, per step, the matmuls for dh and for the
    recurrent kernel's gradient, and stacks every intermediate. Here the gates' derivatives are
    computed once for all steps (TensorFlow's gradients of the activations, so the same numbers),
    the loop carries only dh and dc with one matmul per step (dz U^T), and the recurrent kernel's
    gradient, sum over t of h_(t-1)^T dz_t, is one large matmul after the loop.
    """

    @tf.custom_gradient
    def recurrence(zx, u):
        h_all, c_all, z_all = _tf_lstm_direction(tf, zx, u, reverse, activation, recurrent_activation, True)

        def grad(dh_all):
            if dh_all is None:
                dh_all = tf.zeros_like(h_all)
            steps, batch, units = _dim(tf, zx, 0), _dim(tf, zx, 1), _dim(tf, u, 0)
            zero = tf.zeros(tf.stack([1, batch, units]), zx.dtype)

            def previous(a):  # the state before each step: t - 1 forwards, t + 1 backwards; zero first
                return tf.concat([a[1:], zero], 0) if reverse else tf.concat([zero, a[:-1]], 0)

            zi, zf, zg, zo = tf.split(z_all, 4, axis=-1)
            i, di = _tf_value_and_derivative(tf, recurrent_activation, zi)
            f, df = _tf_value_and_derivative(tf, recurrent_activation, zf)
            g, dg = _tf_value_and_derivative(tf, activation, zg)
            o, do = _tf_value_and_derivative(tf, recurrent_activation, zo)
            tc, dtc = _tf_value_and_derivative(tf, activation, c_all)
            # per step: dz = [dc, dc, dc, dh] * q (gate blocks i, f, c, o); dc = dc' + dh * o act'(c)
            q = tf.concat([g * di, previous(c_all) * df, i * dg, tc * do], axis=-1)  # (T, B, 4U)
            qc = o * dtc

            def body(k, dh_next, dc_next, dzs):
                t = k if reverse else steps - 1 - k  # the forward pass's steps, last first
                dh = dh_all[t] + dh_next
                dc = dc_next + dh * qc[t]
                dz = tf.concat([dc, dc, dc, dh], axis=-1) * q[t]
                return k + 1, tf.matmul(dz, u, transpose_b=True), dc * f[t], dzs.write(t, dz)

            zeros = tf.zeros(tf.stack([batch, units]), zx.dtype)
            dzs = tf.TensorArray(zx.dtype, size=steps, element_shape=tf.TensorShape([zx.shape[1], zx.shape[2]]))
            _, _, _, dzs = tf.while_loop(lambda k, *_: k < steps, body, (tf.constant(0), zeros, zeros, dzs))
            dz_all = dzs.stack()  # (T, B, 4U) = d(zx)
            du = tf.matmul(tf.reshape(previous(h_all), tf.stack([-1, units])),
                           tf.reshape(dz_all, tf.stack([-1, 4 * units])), transpose_a=True)
            return dz_all, du

        return h_all, grad

    return recurrence(zx, u)


@keras.saving.register_keras_serializable(package="keras_motifs", name="FusedBidirectionalLSTM")
class FusedBidirectionalLSTM(keras.layers.Bidirectional):
    """A ``keras.layers.Bidirectional`` of two LSTMs with a faster TensorFlow schedule.

    The weights (names, layout), the config and the arithmetic are those of the wrapped
    ``forward_layer`` and ``backward_layer`` (two ``keras.layers.LSTM``, the backward one with
    ``go_backwards=True``); only the schedule of the computation differs. Under the TensorFlow
    backend, for LSTMs without dropout, mask or initial state:

    * each direction's input projection (x W + b for every step) is one large matmul before its
      loop, instead of one small matmul per step;
    * each loop does one (B, U) x (U, 4U) matmul and the gate arithmetic per step; the two
      directions are independent loops, which TensorFlow's inter-op threads run side by side;
    * in training (``training=True``) the backward pass through time is hand-written
      (``tf.custom_gradient``): the gates' derivatives are computed for all steps at once, the
      loop carries only dh and dc with one dz U^T per step, and the kernels' gradients are large
      matmuls after the loop. The derivatives are TensorFlow's own (the activations are
      differentiated by ``tf.GradientTape``), so any elementwise gate activation (the Keras 0.2
      hard sigmoid, the logistic sigmoid) gets the gradients of the two-layer path.

    Outputs and gradients equal ``keras.layers.Bidirectional``'s up to float32 rounding (the bias
    is added to x W before h U is, rather than after; sums over steps are taken in another order);
    ``tests/test_fused_bilstm.py`` checks it. In any other case (other backends, masks, dropout
    inside the LSTMs, initial states, ``return_state``, a merge mode other than ``concat``) the
    layer is the plain ``Bidirectional``. Its weights file is interchangeable with the two-layer
    version's; a ``.keras`` file with it loads wherever :mod:`keras_motifs.layers` is imported
    (:func:`keras_motifs.serialization.load_model`).
    """

    def _can_fuse(self, mask, initial_state) -> bool:
        fwd, bwd = self.forward_layer, self.backward_layer
        return (
            keras.backend.backend() == "tensorflow"
            and mask is None and initial_state is None
            and not self.return_state and not self.stateful and self.merge_mode == "concat"
            and isinstance(fwd, keras.layers.LSTM) and isinstance(bwd, keras.layers.LSTM)
            and not fwd.go_backwards and bwd.go_backwards
            and fwd.return_sequences == bwd.return_sequences
            and fwd.cell.units == bwd.cell.units
            and fwd.cell.activation is bwd.cell.activation
            and fwd.cell.recurrent_activation is bwd.cell.recurrent_activation
            and fwd.cell.use_bias and bwd.cell.use_bias
            and not (fwd.cell.dropout or fwd.cell.recurrent_dropout or bwd.cell.dropout or bwd.cell.recurrent_dropout)
            and fwd.built and bwd.built
        )

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if not self._can_fuse(mask, initial_state):
            return super().call(sequences, initial_state=initial_state, mask=mask, training=training)
        import tensorflow as tf

        x = tf.convert_to_tensor(sequences)
        steps, batch, depth = _dim(tf, x, 1), _dim(tf, x, 0), _dim(tf, x, 2)
        xt = tf.reshape(tf.transpose(x, [1, 0, 2]), tf.stack([steps * batch, depth]))  # time-major rows
        outputs = []
        for layer, reverse in ((self.forward_layer, False), (self.backward_layer, True)):
            cell = layer.cell
            kernel, recurrent, bias = (tf.cast(w, x.dtype) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))
            zx = tf.reshape(tf.matmul(xt, kernel) + bias, tf.stack([steps, batch, 4 * cell.units]))  # all steps at once
            if training:
                h = _tf_lstm_direction_train(tf, zx, recurrent, reverse, cell.activation, cell.recurrent_activation)
            else:
                h = _tf_lstm_direction(tf, zx, recurrent, reverse, cell.activation, cell.recurrent_activation, False)
            # (T, B, U) in time order; without return_sequences the last step processed
            outputs.append(h if self.return_sequences else h[0 if reverse else -1])
        if self.return_sequences:  # (T, B, 2U) -> (B, T, 2U), forward then backward features
            out = tf.transpose(tf.concat(outputs, axis=-1), [1, 0, 2])
        else:
            out = tf.concat(outputs, axis=-1)
        return tf.cast(out, self.compute_dtype)


# Keras addresses a layer's variables in a weights file (``.weights.h5``, the training backups of
# keras_motifs.training) by the snake-cased name of its class (keras ``saving_lib``
# ``_save_container_state``). The fused wrapper keeps the plain wrapper's class name so that a
# weights file written with either schedule loads into the other; its config is found by its
# registered name, ``keras_motifs>FusedBidirectionalLSTM``.
FusedBidirectionalLSTM.__name__ = "Bidirectional"
