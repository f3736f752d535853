"""DeepSEA (Zhou & Troyanskaya 2015), the convolutional baseline of the DanQ paper.

Layer order as the original Torch7 code (``2_model.lua``)::

    Input (1000, 4) [A, G, C, T]
    Conv1D 320 x 8 valid -> threshold ReLU -> MaxPool 4/4 -> Dropout 0.2      (993 -> 248)
    Conv1D 480 x 8 valid -> threshold ReLU -> MaxPool 4/4 -> Dropout 0.2      (241 -> 60)
    Conv1D 960 x 8 valid -> threshold ReLU -> Dropout 0.5                     (53)
    Flatten (50,880) -> Dense 925 -> threshold ReLU -> Dense 919 [L1 penalty on its output] -> sigmoid

Regularisation and training (``run.sh``, ``3_loss.lua``, ``4_train.lua``): every conv/dense kernel
renormed to L2 norm <= 0.9 per output unit; L2 weight decay 1e-6 on the gradient
(= 5e-7 ||w||^2, the paper's lambda1); L1 penalty 1e-8 on the last layer's pre-sigmoid output
(``nn.L1Penalty(1e-8, false, false)``: summed over batch and units), whose gradient reaches only
that last layer's weight and bias (``4_train.lua``, ``feval``: ``l1 * sign(output)`` is passed to
``model:get(model:size()-1):backward(...)``, the backward pass of the last ``Linear`` alone; the
registered :class:`keras_motifs.layers.L1OutputDense` does the same; preset field
``l1_gradient``: ``"layer"``, or ``"network"`` for an activity penalty whose gradient reaches
every layer); Torch SGD with dampened momentum 0.9, learning rate 1 decayed as 1 / (1 + 8e-7 t),
batch 16; initialisation Torch's default, U(+-1/sqrt(fan_in)) for weights and biases (``run.sh``
passes ``-stdv 0.05``, but ``4_train.lua`` calls ``model:reset(stdv)`` with an undefined global, so
the default reset applies). Validation: the loss over the first 4,000 rows of ``valid.mat``
(``1_data.lua``: ``te_size = 4000``; ``4_train.lua``: ``for t = 1,4000``) — the first half of its
8,000, the forward strands (their reverse complements follow) — without the L1 term; training config ``validation_rows: 4000``, which
``keras_motifs.papers.danq.validation_split`` turns into the validation split of the DanQ
reproduction (the forward half of a smaller synthetic split).

Differences from the original:
  * Hidden layer: 925 units as the paper states (the released Torch training code builds 919; the
    released trained model, as Kipoi converted it, has 925: :func:`load_original_weights`).
  * Threshold: Torch's ``Threshold(0, 1e-6)`` maps x <= 0 to 1e-6; we use the same function
    (registered ``keras_motifs>threshold_relu``), so no difference; noted because it is not ReLU.
  * Max-norm: Torch renormed the weights before each gradient step (inside the loss
    closure); Keras applies the constraint after each step. The constrained sets are the same.
  * Training length and order: the original's "epoch" is 110,000 samples (``main.lua``
    ``-epochSize 110000``) taken at the running offset ``cumt`` of a new ``torch.randperm(4400000)``
    drawn for each such epoch (``4_train.lua``), so the rows seen are a random sample rather than
    a pass over the data, with a validation after each and training stopped after 300 of them
    without a better validation loss. Our reproductions train whole epochs, each a new
    permutation of all training rows (:class:`keras_motifs.training.FullShuffle`, seeded), with
    the preset's early stopping.
  * Float32 TensorFlow instead of Torch7 on CUDA.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from ...layers.activations import threshold_relu
from ...layers.penalties import L1OutputDense
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
    last = dict(kernel_initializer=_torch_init(fan_in), bias_initializer=_torch_init(fan_in),
                kernel_constraint=maxnorm_dense, name="logits")
    if cfg["l1_output_activity"]:  # the penalty's gradient: this layer's parameters only (or the network's)
        x = L1OutputDense(n_out, l1=cfg["l1_output_activity"], gradient=cfg["l1_gradient"], **last)(x)
    else:
        x = layers.Dense(n_out, **last)(x)
    outputs = layers.Activation("sigmoid", name="targets")(x)
    return keras.Model(inputs, outputs, name=name or preset)
