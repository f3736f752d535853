"""k-mer logistic regression, the DanQ paper's baseline, as a Keras model on one-hot input.

    Input (1000, 4) one-hot -> KmerCounts (k = 1..5: 4 + 16 + 64 + 256 + 1024 = 1,364 counts)
    -> Normalization (zero mean, unit variance, fitted on the training set with ``adapt``)
    -> Dense 919 sigmoid with L2 1e-6 on the weights

Training it with binary cross-entropy over all 919 outputs is the same as fitting 919
independent L2-regularised logistic regressions (the outputs share no parameters). Taking the
one-hot sequence as input (features computed inside the model) lets the same evaluation code
(forward/RC averaging) serve all DanQ-paper models.

Differences from the original: the DanQ authors' LR code is not public; the features and
training settings follow the paper's description. Keras's L2 adds l2 * sum(w^2) to the loss
(the paper does not say whether its 1e-6 multiplied sum(w^2) or sum(w^2)/2).
"""

from __future__ import annotations


import keras
from keras import layers

from ...layers.kmer import KmerCounts
from ...registry import get_preset
from ..overrides import apply_overrides


def KmerLogisticRegression(preset: str = "kmer_lr", *, adapt_data=None, sequence_length: int | None = None,
                           num_targets: int | None = None, name: str | None = None, **overrides) -> keras.Model:
    """Build the model. ``adapt_data``: a dataset/array of one-hot training sequences (or of
    ``(x, y)`` pairs) used to fit the feature normalisation; without it the normalisation is the
    identity until :func:`adapt_normalization` is called."""
    cfg = get_preset(preset, "kmer_lr")
    apply_overrides(cfg, overrides, "KmerLogisticRegression")
    length = sequence_length or cfg["sequence_length"]
    inputs = keras.Input(shape=(length, len(cfg["alphabet"])), name="sequence")
    counts = KmerCounts(cfg["k_min"], cfg["k_max"], len(cfg["alphabet"]), name="kmer_counts")(inputs)
    norm = layers.Normalization(name="normalize")
    x = norm(counts)
    outputs = layers.Dense(num_targets or cfg["num_targets"], activation="sigmoid",
                           kernel_regularizer=keras.regularizers.L2(cfg["l2"]), name="targets")(x)
    model = keras.Model(inputs, outputs, name=name or preset)
    if adapt_data is not None:
        adapt_normalization(model, adapt_data)
    return model


def adapt_normalization(model: keras.Model, data, batch_size: int = 256) -> None:
    """Fit the k-mer feature normalisation (mean, variance) on training sequences."""
    import tensorflow as tf

    counter = model.get_layer("kmer_counts")
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        ds = data.map(lambda x, y: x) if isinstance(spec, tuple) else data
        feats = ds.batch(batch_size).map(counter)
    else:
        feats = tf.data.Dataset.from_tensor_slices(data).batch(batch_size).map(counter)
    model.get_layer("normalize").adapt(feats)
