"""Determinism from one seed."""

from __future__ import annotations

import keras
import tensorflow as tf


def set_seed(seed: int, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy, TensorFlow and Keras, and make TF ops deterministic.

    ``keras.utils.set_random_seed`` seeds ``random``, ``numpy`` and the TF/Keras generators;
    ``enable_op_determinism`` makes kernels (and tf.data) run deterministically, at some cost in
    speed on GPUs. Call before building models and datasets.
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
