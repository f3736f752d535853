"""DeepSEA (Zhou & Troyanskaya 2015), the convolutional baseline of the DanQ paper.

Layer order as the original Torch7 code (``2_model.lua``)::

    Input (1000, 4) [A, G, C, T]
    Conv1D 320 x 8 valid -> threshold ReLU -> MaxPool 4/4 -> Dropout 0.2      (993 -> 248)
    Conv1D 480 x 8 valid -> threshold ReLU -> MaxPool 4/4 -> Dropout 0.2      (241 -> 60)
    Conv1D 960 x 8 valid -> threshold ReLU -> Dropout 0.5                     (53)
    Flatten (50,880) -> Dense 925 -> threshold ReLU -> Dense 919 -> [L1 activity penalty] -> sigmoid

Regularisation and training (``run.sh``, ``4_train.lua``): every conv/dense kernel renormed to
L2 norm <= 0.9 per output unit; L2 weight decay 1e-6 on the gradient (= 5e-7 ||w||^2, the paper's
lambda1); L1 penalty 1e-8 on the last layer's pre-sigmoid output (sum over batch and units);
Torch SGD with dampened momentum 0.9, learning rate 1 decayed as 1 / (1 + 8e-7 t), batch 16;
initialisation Torch's default, U(+-1/sqrt(fan_in)) for weights and biases.

Differences from the original:
  * Hidden layer: 925 units as the paper states (the released Torch code builds 919).
  * Threshold: Torch's ``Threshold(0, 1e-6)`` maps x <= 0 to 1e-6; we use the same function
    (registered ``keras_motifs>threshold_relu``), so no difference; noted because it is not ReLU.
  * Max-norm: Torch renormed the weights before each gradient step (inside the loss
    closure); Keras applies the constraint after each step. The constrained sets are the same.
  * Training length: the original ran 110,000-sample "epochs" until 300 evaluations passed
    without a better validation loss; our reproductions use whole epochs with early stopping.
  * Float32 TensorFlow instead of Torch7 on CUDA.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from ...layers.activations import threshold_relu
from ...layers.penalties import L1ActivityPenalty
from ...registry import get_preset
from ..overrides import apply_overrides


def _torch_init(fan_in: int):
    limit = 1.0 / math.sqrt(fan_in)
    return keras.initializers.RandomUniform(-limit, limit)


def DeepSEA(preset: str = "deepsea", *, sequence_length: int | None = None, num_targets: int | None = None,
            name: str | None = None, **overrides) -> keras.Model:
    """Build an (uncompiled) DeepSEA model; ``overrides`` change any preset field."""
    cfg = get_preset(preset, "deepsea")
    apply_overrides(cfg, overrides, "DeepSEA")
    length = sequence_length or cfg["sequence_length"]
    n_out = num_targets or cfg["num_targets"]
    width, pool = cfg["conv_width"], cfg["pool_size"]
    channels = len(cfg["alphabet"])
    maxnorm_conv = keras.constraints.MaxNorm(cfg["max_kernel_norm"], axis=[0, 1])
    maxnorm_dense = keras.constraints.MaxNorm(cfg["max_kernel_norm"], axis=0)

    inputs = keras.Input(shape=(length, channels), name="sequence")
    x = inputs
    in_ch = channels
    for i, (filters, rate) in enumerate(zip(cfg["conv_filters"], cfg["dropout"])):
        fan_in = width * in_ch
        x = layers.Conv1D(filters, width, padding="valid", activation=threshold_relu,
                          kernel_initializer=_torch_init(fan_in), bias_initializer=_torch_init(fan_in),
                          kernel_constraint=maxnorm_conv, name=f"conv{i + 1}")(x)
        if i < len(cfg["conv_filters"]) - 1:
            x = layers.MaxPooling1D(pool, strides=pool, name=f"pool{i + 1}")(x)
        x = layers.Dropout(rate, name=f"dropout{i + 1}")(x)
        in_ch = filters
    x = layers.Flatten(name="flatten")(x)
    fan_in = x.shape[-1]
    x = layers.Dense(cfg["dense_units"], activation=threshold_relu, kernel_initializer=_torch_init(fan_in),
                     bias_initializer=_torch_init(fan_in), kernel_constraint=maxnorm_dense, name="dense")(x)
    fan_in = cfg["dense_units"]
    x = layers.Dense(n_out, kernel_initializer=_torch_init(fan_in), bias_initializer=_torch_init(fan_in),
                     kernel_constraint=maxnorm_dense, name="logits")(x)
    if cfg["l1_output_activity"]:
        x = L1ActivityPenalty(cfg["l1_output_activity"], name="l1_penalty")(x)
    outputs = layers.Activation("sigmoid", name="targets")(x)
    return keras.Model(inputs, outputs, name=name or preset)
