"""Input-pipeline helpers: decode stored A,C,G,T base indices to one-hot inside tf.data."""

from __future__ import annotations

import tensorflow as tf


def to_one_hot(example: dict):
    """A koo_eddy_synthetic example → ``(one_hot float32 (200, 4) A,C,G,T, label float32 (12,))``."""
    x = tf.one_hot(tf.cast(example["sequence"], tf.int32), 4, dtype=tf.float32)
    return x, tf.cast(example["label"], tf.float32)


def supervised(ds: tf.data.Dataset) -> tf.data.Dataset:
    """Dataset of examples → dataset of ``(one_hot, label)`` pairs."""
    return ds.map(to_one_hot, num_parallel_calls=tf.data.AUTOTUNE)
