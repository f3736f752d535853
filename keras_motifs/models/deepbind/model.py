"""DeepBind (Alipanahi et al. 2015), trainable: the supplementary code's ENCODE ChIP-seq models.

Layer order and sizes follow ``code/cfg/classification/M1.cfg`` / ``M2.cfg`` of jisraeli/DeepBind with
``code/deepbind_train_encode.py``'s override (motif length 24 for ENCODE)::

    Input (101, 4)  [A, C, G, T; N = 0.25]
    both strands: forward and reverse complement, shared weights
    pad 23 N's on each side ("full" convolution, as corr1ord's sequence_padding = len - 1)
    Conv1D 16 x 24, bias (threshold), ReLU          kernel N(0, conv_init_scale), L1 conv_weight_decay
    global max pooling (pooling="max") or [max, mean] (pooling="max_avg", the 'allpool' configs)
    dropout (same mask for both strands)
    Dense 1 [M1]  or  Dense 32 + ReLU + Dense 1 [M2]   kernels N(0, dense_init_scale), L1 decay
    max over the two strands, logistic output
    SGD with Nesterov momentum, batch 64; binary cross-entropy (NLL of the logistic output).

Differences from the original:
  * Dropout: Keras scales kept units by 1/(1-rate) during training; deepity multiplied by
    (1-rate) at test time instead (equivalent in expectation).
  * Strand choice: the original trained on the larger of the two strands' outputs using a mask;
    we take the max of the two logits, whose gradient flows only to the larger strand — the same.
  * Training: :func:`keras_motifs.papers.deepbind.fit_deepbind` reproduces deepity's
    objective — half the mean per-sequence NLL (deepity averaged over the 2B strand rows of a
    batch, the smaller strand of each pair masked out) plus the L1 terms ``decay * sum(|W|)``
    from step 100 on. Plain ``compile_model`` + ``model.fit`` instead minimises the full mean
    binary cross-entropy with the L1 active from the first step (twice the data gradient
    relative to the decay, and no 100-step grace period).
    ``fit_deepbind`` serves fixed batches of consecutive rows in the same order every epoch
    (deepity ``asbatches(reshuffle=False)``); ``model.fit`` reshuffles every epoch. The
    calibration and final-training protocol (folds, selection of setting and step) and its own
    differences are in :mod:`keras_motifs.papers.deepbind`.
  * Scores: the original predictor outputs the logit; this model outputs its sigmoid. With the
    paper's tiny initial weights (conv 1e-7..1e-3, dense 1e-5..1e-2) the sigmoid stays within
    float32 resolution of 0.5 for hundreds of steps, so rank (AUC) and evaluate on the logit
    (``training.predict_logits`` / ``training.logit_model``), not on ``model.predict``.
  * deepity reparameterised each filter column to mean zero when exporting; the trained function
    is the same.
"""

from __future__ import annotations

import keras
from keras import layers

from ...layers.strand import NPadding, ReverseComplement, StrandMax
from ...registry import get_preset


def DeepBind(
    preset: str = "deepbind_encode",
    *,
    sequence_length: int | None = None,
    name: str | None = None,
    **overrides,
) -> keras.Model:
    """Build an (uncompiled) DeepBind classifier from a preset, any field overridable.

    Args:
      preset: ``"deepbind_encode"`` (M1, no hidden layer) or ``"deepbind_encode_hidden"`` (M2).
      sequence_length: input length (default 101; ``None`` in the preset means any length).
      **overrides: preset fields (``num_detectors``, ``detector_len``, ``pooling``, ``dropout``,
        ``num_hidden``, ``conv_weight_decay``, ``conv_init_scale``, ``dense_weight_decay``,
        ``dense_init_scale``), e.g. from a calibration setting.
    Returns a model mapping one-hot (B, L, 4) to the bound probability (B, 1).
    """
    cfg = get_preset(preset, "deepbind")
    for key, value in overrides.items():
        if key not in cfg or key == "training":
            if key in cfg["training"]:
                continue  # training settings (learning rate...) are not model fields
            raise TypeError(f"DeepBind: unknown hyperparameter {key!r}")
        cfg[key] = value
    length = sequence_length if sequence_length is not None else cfg["sequence_length"]
    m = int(cfg["detector_len"])
    if cfg["pooling"] not in ("max", "max_avg"):
        raise ValueError(f"pooling must be 'max' or 'max_avg', got {cfg['pooling']!r}")

    conv = layers.Conv1D(
        int(cfg["num_detectors"]), m, padding="valid", activation="relu",
        kernel_initializer=keras.initializers.RandomNormal(stddev=float(cfg["conv_init_scale"])),
        bias_initializer="zeros",
        kernel_regularizer=keras.regularizers.L1(float(cfg["conv_weight_decay"])),
        name="motif_scan",
    )
    pad = NPadding(m - 1, name="n_padding")
    gmax = layers.GlobalMaxPooling1D(name="max_pool")
    gavg = layers.GlobalAveragePooling1D(name="avg_pool")

    inputs = keras.Input(shape=(length, 4), name="sequence")
    strands = [inputs, ReverseComplement(name="reverse_complement")(inputs)]
    pooled = []
    for s in strands:
        z = conv(pad(s))
        p = gmax(z)
        if cfg["pooling"] == "max_avg":
            p = layers.Concatenate()([p, gavg(z)])
        pooled.append(layers.Reshape((1, -1))(p))
    x = layers.Concatenate(axis=1, name="strands")(pooled)  # (B, 2, F)
    # noise_shape (None, 1, F): one dropout mask shared by both strands, as in the original
    x = layers.Dropout(float(cfg["dropout"]), noise_shape=(None, 1, x.shape[-1]), name="dropout")(x)
    dense_init = keras.initializers.RandomNormal(stddev=float(cfg["dense_init_scale"]))
    dense_reg = keras.regularizers.L1(float(cfg["dense_weight_decay"]))
    if int(cfg["num_hidden"]):
        x = layers.Dense(int(cfg["num_hidden"]), activation="relu", kernel_initializer=dense_init,
                         kernel_regularizer=dense_reg, name="hidden")(x)
    x = layers.Dense(1, kernel_initializer=dense_init, kernel_regularizer=dense_reg, name="logit")(x)
    x = StrandMax(name="strand_max")(x)
    outputs = layers.Activation("sigmoid", name="bound")(x)
    return keras.Model(inputs, outputs, name=name or preset)


def compile_model(model: keras.Model, learning_rate: float, momentum: float) -> keras.Model:
    """SGD with Nesterov momentum and binary cross-entropy, as the original trainer."""
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=True),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.AUC(name="auc")],
    )
    return model
