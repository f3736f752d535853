"""Predictions on arrays in memory, in order, without TensorFlow's tf.data error line of seeded runs.

``model.predict(x)`` (and ``evaluate``) on NumPy arrays runs Keras's array pipeline, a parallel
map that gathers each batch. Under op determinism (on in every seeded run:
:mod:`keras_motifs.training.determinism`) tf.data's ``make_deterministic`` rewrite makes that map
sequential and, in TensorFlow 2.21, logs ``E0000 ... node_def_util.cc:682] NodeDef mentions
attribute use_unbounded_threadpool which is not in the op definition ... MapDataset`` — at every
such predict or evaluate, at most once per 5 seconds (the line is ``LOG_EVERY_N_SEC(ERROR, 5)`` in
``tensorflow/core/framework/node_def_util.cc``), so a script that trains for minutes and then
predicts printed it again. :func:`predict_arrays` feeds the same batches, in the same order, as a
pipeline with no map to rewrite (``from_tensor_slices`` then ``batch``); the predictions are the
same. Like Keras's pipeline it holds one copy of the arrays as tensors.
"""

from __future__ import annotations

import numpy as np


def _length(x) -> int:
    parts = list(x.values()) if isinstance(x, dict) else list(x) if isinstance(x, (list, tuple)) else [x]
    if not parts:
        raise ValueError("predict_arrays: no input arrays")
    lengths = {len(p) for p in parts}
    if len(lengths) != 1:
        raise ValueError(f"predict_arrays: the input arrays have different numbers of rows: {sorted(lengths)}")
    return lengths.pop()


def predict_arrays(model, x, batch_size: int = 32, verbose=0):
    """``model.predict(x, batch_size=batch_size)`` for in-memory ``x`` (an array, or a list, tuple
    or dict of arrays with one row per example), returned as Keras returns it; under the
    TensorFlow backend fed as a ``tf.data`` pipeline of plain slices (see the module docstring)."""
    import keras

    if int(batch_size) < 1:
        raise ValueError(f"predict_arrays: batch_size must be at least 1, got {batch_size}")
    if keras.backend.backend() != "tensorflow":
        return model.predict(x, batch_size=int(batch_size), verbose=verbose)
    import tensorflow as tf

    if isinstance(x, dict):
        x = {k: np.asarray(v) for k, v in x.items()}
    elif isinstance(x, (list, tuple)):
        x = tuple(np.asarray(v) for v in x)
    else:
        x = np.asarray(x)
    if _length(x) == 0:  # Keras's own message for an empty input
        return model.predict(x, batch_size=int(batch_size), verbose=verbose)
    # elements are 1-tuples (x,): Keras reads a dataset's tuple elements as (x, y, sample_weight)
    ds = tf.data.Dataset.from_tensor_slices((x,)).batch(int(batch_size)).prefetch(tf.data.AUTOTUNE)
    return model.predict(ds, verbose=verbose)
