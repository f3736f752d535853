"""iDeepS (Pan et al. 2018): sequence + RNA-structure CNNs and a BiLSTM for RBP binding sites.

Layer order, sizes, initialisers and optimiser settings follow the original Keras 1.1.2 code
(xypan1232/iDeepS ``ideeps.py``: ``set_cnn_model``, ``get_cnn_network``, ``run_network``; Keras 1.1.2
defaults from keras-team/keras 1.1.2 ``keras/layers/convolutional.py``, ``keras/initializations.py``,
``keras/layers/recurrent.py``, ``keras/layers/wrappers.py``, ``keras/optimizers.py``,
``keras/objectives.py``, ``keras/callbacks.py``)::

    sequence (111, 4) [A,C,G,U]             structure (111, 6) [F,T,I,H,M,S]
    Conv1D 16 x 10 valid, ReLU              Conv1D 16 x 10 valid, ReLU            -> (102, 16)
      Keras 1 Glorot: U(-0.092, 0.092)        Keras 1 Glorot: U(-0.075, 0.075)
    MaxPooling1D 3 (stride 3)               MaxPooling1D 3                        -> (34, 16)
    Dropout 0.5                             Dropout 0.5
                 concatenate along the *time* axis                                -> (68, 16)
    Bidirectional LSTM 32 + 32 (last output, concat)                              -> 64
        gates: old hard sigmoid clip(0.2x + 0.5, 0, 1); tanh; per-gate Glorot uniform kernels,
        per-gate orthogonal (gain 1.1) recurrent kernels, forget-gate bias 1
    Dropout 0.1, Dense 32 ReLU, Dense 2 softmax
    = 16,322 parameters.
    Keras 1 RMSprop lr 1e-3, rho 0.9, eps 1e-8 (step g / (sqrt(a) + eps)); Keras 1 categorical
    cross-entropy (probabilities clipped to [1e-7, 1 - 1e-7]); batch 50; at most 30 epochs, Keras 1
    early stopping on val_loss with patience 5 (stops after 6 epochs without improvement); the last
    epoch's weights kept.

These Keras 1.1.2 behaviours are reproduced by default (preset fields, Keras 3's as options):
  * Convolution kernels (preset ``conv_initializer: "keras1_glorot_uniform"``,
    :class:`keras_motifs.initializers.Keras1Conv1DGlorotUniform`): Keras 1.1.2's
    ``Convolution1D`` stores its kernel as (10, 1, channels, 16) and ``get_fans`` reads it with
    ``dim_ordering='th'`` (keras/layers/convolutional.py ``Convolution1D.__init__``/``build``,
    keras/initializations.py ``get_fans``), so the Glorot limit is sqrt(6 / (11 * channels * 16)):
    0.092 (sequence) and 0.075 (structure). ``conv_initializer="glorot_uniform"`` gives Keras 3's
    fans (0.173 / 0.165).
  * RMSprop (training ``optimizer: "keras1_rmsprop"``, :class:`keras_motifs.optimizers.Keras1RMSprop`):
    Keras 1.1.2 (keras/optimizers.py ``RMSprop.get_updates``) divides by sqrt(a) + eps; Keras 3's
    ``"rmsprop"`` by sqrt(a + eps).
  * Loss (training ``loss: "clipped_categorical_crossentropy"``,
    :class:`keras_motifs.losses.ClippedCategoricalCrossentropy`): Keras 1.1.2 (keras/objectives.py,
    keras/backend/theano_backend.py ``categorical_crossentropy``) normalises and clips the softmax
    probabilities to [1e-7, 1 - 1e-7]; Keras 3's ``"categorical_crossentropy"`` uses the exact
    log-softmax of the logits.
  * Early stopping (training ``early_stopping_rule: "keras1"``,
    :class:`keras_motifs.training.callbacks.LegacyEarlyStopping`): Keras 1.1.2's ``EarlyStopping``
    (keras/callbacks.py) tests ``wait >= patience`` before incrementing ``wait``, so the original
    ran patience + 1 = 6 epochs past the best; Keras 3's rule (``"keras3"``) runs 5.

Presets (:mod:`keras_motifs.models.ideeps.presets`): ``ideeps``, and the paper's ablations
``ideeps_cnn`` (no BLSTM), ``ideeps_seq_blstm`` (sequence only) and ``ideeps_seq_cnn`` (the
sequence CNN baseline).

Differences from the original:
  * Structure: ViennaRNA MFE structures instead of RNAshapes' first shape representative (level 5,
    10 % energy range); contexts from forgi 2.x instead of EDeN's copy of old forgi (same rules).
    See :mod:`keras_motifs.structure`. Some sequences therefore get different contexts.
  * Encoding: by default the centred padding of the current original code; the paper's results
    came from the older shifted layout, available as ``layout="published"`` in
    :mod:`keras_motifs.models.ideeps.encoding` (which also explains the choice).
  * Sequence channels are named A, C, G, U (the original converted U to T and used A, C, G, T:
    the same columns).
  * Random numbers: the original seeded nothing (xypan1232/iDeepS ``ideeps.py``: Python
    ``random.shuffle`` in ``split_training_validation``, Keras 1 ``fit(shuffle=True)``); here every
    draw (initial weights, dropout, the order of the training examples each epoch) comes from the
    run's seed through TensorFlow's generators, so no run repeats one of the original's.
  * Keras 1's RMSprop ``decay`` (0 in the original) is not an argument of ``Keras1RMSprop``.
  * Numerics: TensorFlow instead of Theano (float32 in both: Keras 1's default floatx); the old
    hard sigmoid (slope 0.2) is the registered activation ``keras_motifs>hard_sigmoid_keras2``
    (Keras 3's has slope 1/6); ``modern=True`` uses the logistic sigmoid gates (cuDNN-eligible)
    instead.
  * Keras 1 ``Bidirectional`` and Keras 3 ``Bidirectional`` both run the backward LSTM on the
    time-reversed input and concatenate the two final outputs (keras-team/keras 1.1.2
    ``keras/layers/wrappers.py`` lines 198-203). Keras 1.1.2 made the backward LSTM with
    ``layer.__class__.from_config(config)`` (line 166), a separate layer drawing its own initial
    weights from NumPy's generator; we build it explicitly, seeded with
    :func:`keras_motifs.layers.recurrent.backward_seed` of ``seed``
    (:func:`keras_motifs.layers.recurrent.old_keras_bidirectional_lstm`), because Keras 3 would copy
    the forward layer's seeded initializers and give both directions identical weights.
  * LSTM initial values: the per-gate distributions are Keras 1.1.2's (``keras/layers/recurrent.py``
    lines 660-662 and 703 on, ``consume_less='cpu'`` by default, line 150; ``orthogonal`` scale 1.1,
    ``keras/initializations.py`` line 77), the values are not: the original drew from NumPy's global
    generator, we draw from ``seed`` (or Keras's global seed).
  * ``ideeps_cnn`` / ``ideeps_seq_cnn`` are rebuilt from the original's unused functions
    ``get_cnn_network_old`` / ``get_struct_network``; the paper does not print their code.
  * Motif report (``MOTIF_PROTOCOL``): the original's Tomtom call (``ideeps.py`` ``get_motif_fig``:
    ``tomtom -dist pearson -thresh 0.05``, no ``-evalue``, no ``-min-overlap``) keeps matches with
    q < 0.05 at MEME's minimum overlap 1, and so does the protocol; the search is
    :mod:`keras_motifs.interpret.tomtom`'s (memelite with MEME's pearson score and p-values), whose
    q-values are Benjamini–Hochberg's where MEME estimates pi0 (Storey), so they differ somewhat
    from MEME's. The paper's text says p < 0.05.
"""

from __future__ import annotations

import keras
from keras import layers

from ...layers.activations import hard_sigmoid_keras2
from ...initializers import Keras1Conv1DGlorotUniform
from ...layers.recurrent import old_keras_bidirectional_lstm
from ...registry import get_preset


def _conv_initializer(spec):
    # "keras1_glorot_uniform": Keras 1.1.2's Convolution1D fans (Keras1Conv1DGlorotUniform);
    # anything else is a Keras initializer identifier ("glorot_uniform": Keras 3's fans)
    if spec == "keras1_glorot_uniform":
        return Keras1Conv1DGlorotUniform()
    return keras.initializers.get(spec)


def _branch(inputs, name: str, cfg: dict, head: str):
    # the original's Convolution1D (linear) + Activation('relu'), fused: the same function, and
    # the layer's output is then the post-ReLU activation map the motif rule reads
    x = layers.Conv1D(
        cfg["conv_filters"], cfg["conv_width"], padding="valid", strides=1, activation="relu",
        kernel_initializer=_conv_initializer(cfg["conv_initializer"]), bias_initializer="zeros",
        name=f"{name}_conv",
    )(inputs)
    x = layers.MaxPooling1D(cfg["pool_size"], strides=cfg["pool_size"], padding="valid", name=f"{name}_pool")(x)
    x = layers.Dropout(cfg["conv_dropout"], name=f"{name}_dropout")(x)
    if head == "dense":
        x = layers.Flatten(name=f"{name}_flatten")(x)
        x = layers.Dense(cfg["branch_dense_units"], activation="relu", kernel_initializer="glorot_uniform",
                         name=f"{name}_dense")(x)
        x = layers.Dropout(cfg["branch_dense_dropout"], name=f"{name}_dense_dropout")(x)
    return x


def IDeepS(
    preset: str = "ideeps",
    *,
    modern: bool = False,
    sequence_length: int | None = None,
    seed: int | None = None,
    name: str | None = None,
    **overrides,
) -> keras.Model:
    """Build an (uncompiled) iDeepS model from a preset.

    Args:
      preset: ``"ideeps"``, ``"ideeps_cnn"``, ``"ideeps_seq_blstm"`` or ``"ideeps_seq_cnn"``.
      modern: logistic-sigmoid LSTM gates instead of the original hard sigmoid.
      sequence_length: length of the unpadded sequences (default 101); inputs have
        ``sequence_length + 2 * flank`` rows.
      seed: seed for the per-gate LSTM initializers (other layers use Keras's global seed).
      **overrides: any other preset field (``conv_filters``, ``lstm_units``, ...).
    Inputs are named ``"sequence"`` (L, 4) and, for two-branch presets, ``"structure"`` (L, 6);
    the output is the softmax over (unbound, bound).
    """
    cfg = get_preset(preset, "ideeps")
    for key, value in overrides.items():
        if key not in cfg or key == "training":
            raise TypeError(f"IDeepS: unknown hyperparameter {key!r}")
        cfg[key] = value
    if cfg["head"] not in ("blstm", "dense"):
        raise ValueError(f"IDeepS: head must be 'blstm' or 'dense', not {cfg['head']!r}")
    rows = (sequence_length or cfg["sequence_length"]) + 2 * cfg["flank"]
    channels = {"sequence": len(cfg["sequence_alphabet"]), "structure": len(cfg["structure_alphabet"])}
    inputs, features = [], []
    for branch in cfg["branches"]:
        if branch not in channels:
            raise ValueError(f"IDeepS: unknown branch {branch!r}; use 'sequence' and/or 'structure'")
        inp = keras.Input(shape=(rows, channels[branch]), name=branch)
        inputs.append(inp)
        features.append(_branch(inp, branch, cfg, cfg["head"]))

    if cfg["head"] == "blstm":
        # Keras 1 Merge(mode='concat', concat_axis=1): axis 1 of (batch, time, filters) = time
        x = layers.Concatenate(axis=1, name="concat_time")(features) if len(features) > 1 else features[0]
        x = old_keras_bidirectional_lstm(
            cfg["lstm_units"], return_sequences=False,
            recurrent_activation="sigmoid" if modern else hard_sigmoid_keras2, seed=seed, name="bilstm", lstm_name="lstm",
        )(x)
        x = layers.Dropout(cfg["lstm_dropout"], name="lstm_dropout")(x)
        x = layers.Dense(cfg["dense_units"], activation="relu", kernel_initializer="glorot_uniform", name="dense")(x)
    else:
        x = layers.Concatenate(axis=-1, name="concat_features")(features) if len(features) > 1 else features[0]
    outputs = layers.Dense(cfg["num_classes"], activation="softmax", kernel_initializer="glorot_uniform",
                           name="output")(x)
    return keras.Model(inputs, outputs, name=name or preset)


def input_names(preset: str = "ideeps") -> tuple[str, ...]:
    """The model inputs of a preset, in order (``("sequence", "structure")`` or ``("sequence",)``)."""
    return tuple(get_preset(preset, "ideeps")["branches"])
