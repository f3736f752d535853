"""Input-pipeline helpers: decode stored base indices to one-hot inside tf.data."""

from __future__ import annotations

import tensorflow as tf


def to_one_hot(example: dict, n_value: float = 0.0, alphabet_size: int = 4):
    """Map a deepsea example to ``(one_hot float32 (L, 4), label float32 (919,))``.

    Index 4 (N) becomes a row of ``n_value`` (0 in the DeepSEA files). Also maps a batch of
    examples (a leading axis) to ``(B, L, 4)``, ``(B, 919)``.
    """
    idx = tf.cast(example["sequence"], tf.int32)
    x = tf.one_hot(idx, alphabet_size, dtype=tf.float32)
    if n_value:
        x = x + tf.cast(tf.equal(idx, alphabet_size), tf.float32)[..., None] * n_value
    return x, tf.cast(example["label"], tf.float32)


def supervised(ds: tf.data.Dataset, n_value: float = 0.0) -> tf.data.Dataset:
    """Dataset of deepsea examples → dataset of ``(one_hot, label)`` pairs (parallel map)."""
    return ds.map(lambda e: to_one_hot(e, n_value), num_parallel_calls=tf.data.AUTOTUNE)
