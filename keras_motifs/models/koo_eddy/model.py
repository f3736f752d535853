"""Koo & Eddy 2019 CNN-N family: two (or three) conv layers whose first-layer max-pool size decides
whether first-layer filters learn whole motifs (large pools) or partial motifs (small pools).

Layer order, sizes, initialisers and optimiser settings follow the released code
(p-koo/learning_sequence_motifs: ``code/models/<name>.py`` deepomics configs, built by
``code/deepomics/neuralbuild_scope.py``; ``code/deepomics/init.py``, ``layers/norm.py``,
``optimize.py``):

    Input (L, 4)  [A, C, G, T channels]; L = 200 (synthetic) or 1000 (in vivo)
    per conv block i (names conv{i}, conv{i}_bn, conv{i}_active, conv{i}_pool, conv{i}_dropout):
        Conv1D F x k, padding SAME (VALID where the code says so), no bias
        BatchNormalization (epsilon 1e-8, moving-average momentum 0.99)
        ReLU
        MaxPooling1D p, stride p (or the preset's stride), padding SAME   (absent when p is None)
        Dropout 0.1
    Flatten; Dense 512 (no bias) -> BN -> ReLU -> Dropout 0.5; Dense 12 + bias, sigmoid
    Loss: BCE on probabilities clipped to [1e-7, 1 - 1e-7], mean over targets and batch
          + 1e-6 * sum of squares of every conv/dense kernel and the output bias (BN excluded).
    CNN-2 (synthetic) = 160,048 trainable parameters, as in the code's results table.

The layer ``conv0_active`` is the code's ``conv1d_0_active``: the activations (after BN + ReLU,
before pooling) that the paper's motif-extraction rule aligns.

Initialisation: ``initializer="glorot"`` (the default) is the code's GlorotUniform on every conv and
dense kernel, and U(-0.93, 0.93) on the output bias (deepomics' Glorot on a 1-D shape); the
published Table 1/2 numbers were produced with it. ``initializer="he"`` is what the paper's Methods
state ("He initialization"; Keras ``he_normal``, bias zeros). We default to the code because the
reported results come from the code.

Optimiser (see :func:`training_config`): ``variant="paper"`` (default) is Adam lr 3e-4,
beta1 0.9 as the paper states; ``variant="code"`` is what the code actually ran: Adam lr 1e-3
(a typo in deepomics ignores the configured 3e-4) with beta1 0.95.

Differences from the original:
  * Conv layers are Keras ``Conv1D`` on (L, 4) instead of TF1 ``conv2d`` on (L, 1, 4) with (k, 1)
    kernels: the same computation, Glorot fans and parameter count.
  * Batch norm: Keras ``BatchNormalization`` (batch statistics in training, moving averages at
    inference) replaces deepomics' TF1 batch norm with the same epsilon and decay.
  * CNN-25(60/90/120) have 60/90/120 first-layer filters as in the paper; the released
    ``cnn_25_60/_90/_120.py`` are copies of ``cnn_25.py`` (30 filters).
  * The default optimiser is the paper's (lr 3e-4, beta1 0.9), not the code's effective one
    (lr 1e-3, beta1 0.95); pass ``variant="code"`` for the latter.
  * Numerics: TensorFlow 2 / Keras 3 float32 instead of TensorFlow 1.
  * Order of the training rows (training config ``shuffle: "full"``, which
    :func:`keras_motifs.papers.koo_eddy.train_and_test` passes to ``train``): every epoch a new
    permutation of all rows, as the code (``1_train_synthetic.py``: ``fit.train_minibatch(...,
    shuffle=True)``; ``deepomics/neuralnetwork.py`` ``BatchGenerator.generate_minibatches``:
    ``np.random.permutation(num_data)`` for every epoch), but drawn from ``(seed, epoch)`` rather
    than NumPy's unseeded global generator. One detail is not copied: when the rows are not a
    multiple of the batch size, the code's last batch is always the file's last ``N mod B`` rows
    (``range(num_batches * batch_size, num_data)``, not from the permutation) and the
    permutation's last ``N mod B`` rows are left out of that epoch; ours serves every row exactly
    once per epoch. The synthetic set (17,500 = 175 x 100 rows) has no remainder; in vivo (batch 32)
    it concerns fewer than 32 rows an epoch. (Before this change the rows went through a
    10,000-row shuffle buffer; an integer ``shuffle`` still selects such a buffer.)

Published trained weights: p-koo/learning_sequence_motifs committed the synthetic-data models'
TensorFlow 1 checkpoints (``results/synthetic/model_params/<model>_best.ckpt.{index,data-*,meta}``,
deepomics variable names; removed from the branch in 2019, still in its history):
:func:`keras_motifs.models.koo_eddy.load_original_weights` sets them into this model (where to get
them and the mapping: ``keras_motifs/models/koo_eddy/weights.py``).
"""

from __future__ import annotations

import keras
from keras import layers

from ...losses import ClippedBinaryCrossentropy
from ...registry import get_preset
from ..overrides import apply_overrides
from .presets import IN_VIVO_BATCH_SIZE, TRAINING, output_bias_limit


def KooEddyCNN(
    preset: str = "koo_eddy_cnn_25",
    *,
    sequence_length: int | None = None,
    num_targets: int | None = None,
    initializer: str = "glorot",
    name: str | None = None,
    **overrides,
) -> keras.Model:
    """Build an (uncompiled) Koo & Eddy CNN from a preset (see :data:`presets.PRESETS`).

    Args:
      preset: e.g. ``"koo_eddy_cnn_2"``, ``"koo_eddy_cnn9_25"``, ``"koo_eddy_cnn_1_3"``.
      sequence_length: input length (200 synthetic; 1000 for the in-vivo DeepSEA subset).
      num_targets: number of sigmoid outputs (12).
      initializer: ``"glorot"`` (the released code, default) or ``"he"`` (the paper's Methods).
      **overrides: other preset fields (``conv_blocks``, ``dense_units``, ``l2``, ...).
    """
    cfg = get_preset(preset, "koo_eddy")
    apply_overrides(cfg, overrides, "KooEddyCNN", protected=("table_name",))
    length = sequence_length or cfg["sequence_length"]
    n_out = num_targets or cfg["num_targets"]
    if initializer == "glorot":
        kernel_init = "glorot_uniform"
        limit = output_bias_limit(n_out)
        bias_init = keras.initializers.RandomUniform(-limit, limit)
    elif initializer == "he":
        kernel_init, bias_init = "he_normal", "zeros"
    else:
        raise ValueError(f"KooEddyCNN: initializer must be 'glorot' or 'he', got {initializer!r}")
    reg = keras.regularizers.L2(cfg["l2"])
    bn = dict(epsilon=cfg["batch_norm_epsilon"], momentum=cfg["batch_norm_momentum"])

    inputs = keras.Input(shape=(length, len(cfg["alphabet"])), name="sequence")
    x = inputs
    for i, block in enumerate(cfg["conv_blocks"]):
        x = layers.Conv1D(
            block["filters"],
            block["size"],
            padding=block["padding"],
            use_bias=False,
            kernel_initializer=kernel_init,
            kernel_regularizer=reg,
            name=f"conv{i}",
        )(x)
        x = layers.BatchNormalization(**bn, name=f"conv{i}_bn")(x)
        x = layers.Activation("relu", name=f"conv{i}_active")(x)
        if block["pool"]:
            x = layers.MaxPooling1D(
                block["pool"], strides=block["pool_stride"] or block["pool"], padding="same", name=f"conv{i}_pool"
            )(x)
        x = layers.Dropout(block["dropout"], name=f"conv{i}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(
        cfg["dense_units"], use_bias=False, kernel_initializer=kernel_init, kernel_regularizer=reg, name="dense"
    )(x)
    x = layers.BatchNormalization(**bn, name="dense_bn")(x)
    x = layers.Activation("relu", name="dense_active")(x)
    x = layers.Dropout(cfg["dense_dropout"], name="dense_dropout")(x)
    outputs = layers.Dense(
        n_out,
        activation="sigmoid",
        kernel_initializer=kernel_init,
        bias_initializer=bias_init,
        kernel_regularizer=reg,
        bias_regularizer=reg,
        name="targets",
    )(x)
    return keras.Model(inputs, outputs, name=name or preset)


def training_config(preset: str = "koo_eddy_cnn_25", variant: str = "paper", in_vivo: bool = False) -> dict:
    """Training settings: ``variant="paper"`` (Adam lr 3e-4) or ``"code"`` (lr 1e-3, beta1 0.95).

    ``in_vivo=True`` gives the code's in-vivo batch size (32).
    """
    get_preset(preset, "koo_eddy")  # validates the name
    if variant not in TRAINING:
        raise ValueError(f"variant must be one of {sorted(TRAINING)}, got {variant!r}")
    cfg = dict(TRAINING[variant])
    if in_vivo:
        cfg["batch_size"] = IN_VIVO_BATCH_SIZE
    return cfg


def compile_model(model: keras.Model, variant: str = "paper", **compile_kwargs) -> keras.Model:
    """Compile with the chosen Adam settings and the clipped BCE loss of the original."""
    cfg = TRAINING[variant] if variant in TRAINING else None
    if cfg is None:
        raise ValueError(f"variant must be one of {sorted(TRAINING)}, got {variant!r}")
    optimizer = keras.optimizers.Adam(
        learning_rate=cfg["learning_rate"], beta_1=cfg["beta_1"], beta_2=cfg["beta_2"], epsilon=cfg["epsilon"]
    )
    model.compile(optimizer=optimizer, loss=ClippedBinaryCrossentropy(), **compile_kwargs)
    return model


def trainable_parameter_count(model: keras.Model) -> int:
    """Trainable parameters (what the original code counted: BN moving statistics excluded)."""
    return int(sum(int(w.numpy().size) for w in model.trainable_weights))
