"""Deepprune's base CNN (Luo, Chi & Deng 2019): the simplest DeepBind-style model plus a mask.

Layer order, sizes and initialisers follow the original Keras 2.1 code (klovbe/Deepprune
``prune_sim.py`` ``build_CNN`` and ``fit``; Keras 2.1 defaults for the rest):

    Input (101, 4)  [A, C, G, T channels; N = all zeros]
    Conv1D 256 x 24 ('same', stride 1, Glorot-uniform kernel, zero bias)   name 'conv'
    [BatchNormalization, only if batch_norm=True; off by default]
    relu_advanced: leaky ReLU, slope 0.5 below 0, capped at 10            name 'relu_advanced'
    GlobalMaxPooling1D                                                      name 'score'
    MaskLayer (0/1 per kernel, non-trainable)                               name 'mask'
    Dense 1 (Glorot uniform, zero bias)                                     name 'dense'
    sigmoid                                                                 name 'sigmoid'
    Adam lr 0.01 (beta 0.9/0.999, eps 1e-7); binary cross-entropy; batch 256; last 10 % of the
    training arrays as validation; early stopping on val_loss, patience 15; best weights reloaded.

The real-data preset ``deepprune_chipseq`` uses 15-long kernels. ``with_mask=False`` builds the
paper's baseline (the same network without the mask layer).

Differences from the original:
  * Mask layer instead of rebuilding: the original code has no mask layer; after each pruning
    step it builds a new, smaller model and copies the kept kernels' weights into it. We keep the
    full-size model and zero the pruned kernels with :class:`keras_motifs.layers.MaskLayer`
    (as the paper's Figure 1 describes). Predictions and gradients are the same (tested:
    tests/test_pruning.py); :func:`keras_motifs.pruning.export_pruned` produces the smaller
    plain model of the original.
  * Loss: :class:`keras_motifs.losses.ClippedBinaryCrossentropy` (the Keras 2 computation on
    clipped probabilities) is used by :mod:`keras_motifs.pruning`; Keras 3's built-in BCE would
    use the exact logit form.
  * Numerics: TensorFlow 2.21 float32, multi-threaded; the original ran TF 1.x with
    ``intra/inter_op_parallelism_threads=1``, so results are not bit-identical for a seed.
"""

from __future__ import annotations

import keras
from keras import layers

from ...layers.mask import MaskLayer
from ...registry import get_preset
from ..overrides import apply_overrides


def Deepprune(
    preset: str = "deepprune",
    *,
    with_mask: bool = True,
    sequence_length: int | None = None,
    name: str | None = None,
    **overrides,
) -> keras.Model:
    """Build an (uncompiled) Deepprune base CNN from a preset.

    Args:
      preset: ``"deepprune"`` (simulated data, 24-long kernels) or ``"deepprune_chipseq"``
        (ENCODE ChIP-seq, 15-long kernels).
      with_mask: include the ``MaskLayer`` (False gives the paper's baseline architecture).
      sequence_length: input length (default 101).
      **overrides: any preset field (``kernels``, ``kernel_length``, ``batch_norm``, ...).
    """
    cfg = get_preset(preset, "deepprune")
    apply_overrides(cfg, overrides, "Deepprune")
    length = sequence_length or cfg["sequence_length"]

    regularizer = None
    if cfg["dense_l1"] or cfg["dense_l2"]:
        regularizer = keras.regularizers.L1L2(l1=cfg["dense_l1"], l2=cfg["dense_l2"])

    inputs = keras.Input(shape=(length, len(cfg["alphabet"])), name="sequence")
    x = layers.Conv1D(
        cfg["kernels"],
        cfg["kernel_length"],
        padding="same",
        strides=1,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        name="conv",
    )(inputs)
    if cfg["batch_norm"]:
        x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(
        max_value=cfg["max_value"], negative_slope=cfg["negative_slope"], name="relu_advanced"
    )(x)
    x = layers.GlobalMaxPooling1D(name="score")(x)
    if with_mask:
        x = MaskLayer(cfg["kernels"], name="mask")(x)
    x = layers.Dense(
        1,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=regularizer,
        name="dense",
    )(x)
    outputs = layers.Activation("sigmoid", name="sigmoid")(x)
    return keras.Model(inputs, outputs, name=name or preset)
