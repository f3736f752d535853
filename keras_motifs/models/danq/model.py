"""DanQ (Quang & Xie 2016): convolution + bidirectional LSTM over 1,000-bp DNA, 919 targets.

Layer order, sizes, initialisers and optimiser settings follow the original Keras 0.2.0 code
(uci-cbcl/DanQ ``DanQ_train.py``; Keras 0.2.0 defaults from keras-team/keras 0.2.0
``keras/layers/recurrent.py``, ``keras/initializations.py``, ``keras/optimizers.py``):

    Input (1000, 4)  [A, G, C, T channels]
    Conv1D 320 x 26, valid, ReLU, kernel U(-0.05, 0.05), bias 0     -> (975, 320)
    MaxPooling1D 13, stride 13                                      -> (75, 320)
    Dropout 0.2
    Bidirectional LSTM 320 + 320, return sequences, concat          -> (75, 640)
        gates: hard sigmoid clip(0.2x + 0.5, 0, 1); cell/output tanh; per gate (i, f, c, o):
        input matrix Glorot uniform on (320, 320), recurrent matrix orthogonal x 1.1 on
        (320, 320); forget-gate bias 1, other biases 0; each direction its own draws
    Dropout 0.5, Flatten                                            -> 48000
    Dense 925 ReLU (Glorot uniform), Dense 919 sigmoid
    = 46,926,479 parameters.
    RMSprop lr 1e-3, rho 0.9, eps 1e-6, dividing by sqrt(a + eps) (Keras 0.2.0 keras/optimizers.py:
    the same arithmetic as Keras 3's RMSprop, which is used); binary cross-entropy on probabilities
    clipped at 1e-7; batch 100; up to 60 epochs, early stopping on val_loss with patience 5 under
    Keras 0.2.0's rule (keras/callbacks.py: stop after patience + 1 = 6 epochs without improvement;
    training config ``early_stopping_rule: "keras1"``), best checkpoint.

Differences from the original:
  * LSTM initialisation: the distributions are the original's, the values are not. Keras 0.2.0's
    LSTM (keras-team/keras 0.2.0 ``keras/layers/recurrent.py`` lines 366-405) draws per gate an
    input matrix ``glorot_uniform`` on (input_dim, units) and a recurrent matrix ``orthogonal`` on
    (units, units), whose default scale is 1.1 (``keras/initializations.py`` line 60), forget bias
    ``one``; we initialise each gate block of Keras 3's fused kernels the same way
    (:class:`keras_motifs.initializers.PerGateInitializer`), not with Keras 3's fused defaults
    (Glorot on (input_dim, 4 units), orthogonal gain 1 on (units, 4 units)). The original drew from
    NumPy's generator seeded 1337 (``DanQ_train.py`` line 4); we draw from Keras's global seed.
  * Backward LSTM, its weights: the original built two separate LSTMs (``DanQ_train.py`` lines
    27-29), each with its own draws; so do we
    (:func:`keras_motifs.layers.recurrent.old_keras_bidirectional_lstm`).
  * Backward LSTM, its direction: the original used a modified ``seya`` whose copy
    (``DanQ_seya.tar.gz`` in uci-cbcl/DanQ) we have not been able to read. Upstream seya's
    ``Bidirectional`` (EderSantana/seya ``seya/layers/recurrent.py``, ``_get_reversed_input`` and
    ``get_output``) reverses with ``[::-1]`` on axis 0 of the (samples, time, features) input, the
    *sample* axis, and reverses the output back the same way (Keras 0.2's LSTM moves time to axis 0
    only inside ``get_output``), so its "backward" LSTM may in fact have run forwards. We use
    Keras's ``Bidirectional`` with a truly time-reversed backward LSTM (outputs re-aligned in time
    and concatenated on features), which is what the paper describes.
  * Numerics: TensorFlow float32 on CPU/GPU instead of Theano; the old hard sigmoid (slope 0.2,
    Theano's ``hard_sigmoid``) is provided as the registered activation
    ``keras_motifs>hard_sigmoid_keras2`` (Keras 3's own ``hard_sigmoid`` has slope 1/6).
  * Schedule of the LSTM computation: by default the bidirectional LSTM is
    :class:`keras_motifs.layers.FusedBidirectionalLSTM`, Keras's ``Bidirectional`` of the same two
    LSTMs (same weights, same config, same arithmetic) with each direction's input projection
    hoisted out of its loop and a hand-written backward pass through time; outputs and gradients
    equal the plain wrapper's to float32 rounding (``tests/test_fused_bilstm.py``).
    ``fused_lstm=False`` gives the plain ``keras.layers.Bidirectional``.
  * ``modern=True`` (not the default) swaps the gate activation for the logistic sigmoid, which
    makes the LSTM eligible for cuDNN kernels on a GPU; results then differ from the original.
  * ``danq_jaspar``: filters 0..524 are initialised from JASPAR 2016 (see
    :mod:`keras_motifs.models.danq.jaspar`); the motifs come from ``pyjaspar`` rather than the
    original's ``.npy`` file (identical to 5e-7, its rounding) and are written unreversed,
    because Keras convolution does not flip kernels as Theano's did.
  * Loss: :class:`keras_motifs.losses.ClippedBinaryCrossentropy` reproduces Keras 0.2's clipped
    computation; Keras 3's built-in BCE would use the exact logit form instead.
  * Order of the training rows: the original shuffled all 4.4M rows every epoch
    (``DanQ_train.py`` line 66 ``model.fit(..., batch_size=100, shuffle=True)``; Keras 0.2.0
    ``keras/models.py`` ``Model._fit``: ``np.random.shuffle(index_array)`` at each epoch's start,
    then batches ``index_array[start:end]``, the last one shorter). ``reproductions/danq.py`` does
    the same (:func:`keras_motifs.papers.danq.full_shuffle`, the rows read by index from a NumPy
    export of the split, ``tfds_builders.deepsea.random_access``); the permutations are drawn from
    ``(seed, epoch)`` with NumPy's ``default_rng``, not from the legacy global generator seeded
    1337, so the orders are not the original's. ``--shuffle-buffer N`` (the script's earlier
    default, 200,000) instead streams the file, all forward strands before their reverse
    complements, through an N-row buffer: the first part of every epoch is then forward strands
    from the start of the file only.

Published trained weights: uci-cbcl/DanQ's README links ``DanQ_bestmodel.hdf5`` and
``DanQ-JASPAR_bestmodel.hdf5`` (cbcl.ics.uci.edu/public_data/DanQ/), written by Keras 0.2's
``save_weights``: groups ``layer_0`` ... with ``param_0`` ...; the convolution kernel as
(filters, 4, width, 1) for Theano's ``conv2d``, which flips kernels (ours would take it reversed
along the width), and the Bidirectional layer's parameters as the forward then the backward
LSTM's 12 arrays each (W, U, b per gate in the order i, c, f, o). The package has no loader for
them: the direction in which the original's "backward" LSTM ran depends on the modified seya copy
(see above) that we cannot read, and the two readings give different predictions from the same
weights, so a conversion could not be checked against the published model's outputs (those
outputs are not published either).
"""

from __future__ import annotations

import keras
from keras import layers

from ...layers.activations import hard_sigmoid_keras2
from ...layers.recurrent import old_keras_bidirectional_lstm
from ...registry import get_preset
from ..overrides import apply_overrides


def DanQ(
    preset: str = "danq",
    *,
    modern: bool = False,
    sequence_length: int | None = None,
    num_targets: int | None = None,
    name: str | None = None,
    jaspar_init: bool | None = None,
    jaspar_seed: int | None = None,
    fused_lstm: bool = True,
    **overrides,
) -> keras.Model:
    """Build an (uncompiled) DanQ model from a preset (``"danq"`` or ``"danq_jaspar"``).

    Args:
      preset: hyperparameter set from :mod:`keras_motifs.models.danq.presets`.
      modern: sigmoid LSTM gates instead of the original hard sigmoid (cuDNN-eligible on GPU).
      sequence_length, num_targets: override the input length and the number of outputs.
      jaspar_init: initialise the first filters from JASPAR 2016 (default: the preset's
        ``jaspar_init``, True for ``danq_jaspar``); ``jaspar_seed`` fixes the motif offsets.
      fused_lstm: the bidirectional LSTM as :class:`keras_motifs.layers.FusedBidirectionalLSTM`
        (the default: same weights and numbers to float32 rounding, a faster TensorFlow schedule;
        measured in ``benchmarks/README.md``); False gives the plain ``keras.layers.Bidirectional``
        of two Keras LSTMs.
      **overrides: any other preset field (``conv_filters``, ``lstm_units``, ...), for
        experiments and small test models.
    """
    cfg = get_preset(preset, "danq")
    apply_overrides(cfg, overrides, "DanQ")
    length = sequence_length or cfg["sequence_length"]
    n_out = num_targets or cfg["num_targets"]
    gate = "sigmoid" if modern else hard_sigmoid_keras2

    inputs = keras.Input(shape=(length, len(cfg["alphabet"])), name="sequence")
    x = layers.Conv1D(
        cfg["conv_filters"],
        cfg["conv_width"],
        padding="valid",
        activation="relu",
        kernel_initializer=keras.initializers.RandomUniform(-0.05, 0.05),
        bias_initializer="zeros",
        name="conv",
    )(inputs)
    x = layers.MaxPooling1D(cfg["pool_size"], strides=cfg["pool_size"], name="pool")(x)
    x = layers.Dropout(cfg["conv_dropout"], name="conv_dropout")(x)
    x = old_keras_bidirectional_lstm(
        cfg["lstm_units"], return_sequences=True, recurrent_activation=gate, name="bilstm", lstm_name="lstm",
        fused=fused_lstm,
    )(x)
    x = layers.Dropout(cfg["lstm_dropout"], name="lstm_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(cfg["dense_units"], activation="relu", kernel_initializer="glorot_uniform", name="dense")(x)
    outputs = layers.Dense(n_out, activation="sigmoid", kernel_initializer="glorot_uniform", name="targets")(x)
    model = keras.Model(inputs, outputs, name=name or preset)
    if cfg["jaspar_init"] if jaspar_init is None else jaspar_init:
        from .jaspar import apply_jaspar_init

        model.jaspar_filters = apply_jaspar_init(model, seed=jaspar_seed)
    return model
