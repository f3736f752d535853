"""Determinism from one seed."""

from __future__ import annotations

import keras


def set_seed(seed: int, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy, the backend and Keras, and make TF ops deterministic.

    ``keras.utils.set_random_seed`` seeds ``random``, ``numpy`` and the backend/Keras generators;
    under the TensorFlow backend ``enable_op_determinism`` also makes kernels (and tf.data) run
    deterministically, at some cost in speed on GPUs. Under JAX, deterministic GPU kernels are an
    XLA setting that must be made before JAX starts (``XLA_FLAGS=--xla_gpu_deterministic_ops=true``);
    this function cannot change it. Call before building models and datasets.
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic_ops and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
