"""A Keras callback that keeps TensorFlow's tf.data error line of seeded runs out of the scripts' output.

Keras makes a fit's training iterator right after the first ``on_epoch_begin`` and its validation
iterator right after the first ``on_test_begin``; under op determinism each of those prints
TensorFlow 2.21's ``NodeDef mentions attribute use_unbounded_threadpool`` line unless one was
printed less than 5 seconds before (see :func:`keras_motifs.logs.spend_tf_data_rewrite_error`).
:class:`SpendTfDataRewriteLine`, placed last among a fit's callbacks, spends the line silently at
those two moments, so nothing but Keras's own bookkeeping runs between the spending and the
iterator. It does nothing outside a process that imported TensorFlow quietly (the scripts, the CLI).
"""

from __future__ import annotations

import keras

from .logs import spend_tf_data_rewrite_error


class SpendTfDataRewriteLine(keras.callbacks.Callback):
    """Spends the line before the fit's first epoch and its first validation (put it last)."""

    def __init__(self):
        super().__init__()
        self._training_spent = False
        self._validation_spent = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._training_spent:
            self._training_spent = True
            spend_tf_data_rewrite_error()

    def on_test_begin(self, logs=None):
        if not self._validation_spent:
            self._validation_spent = True
            spend_tf_data_rewrite_error()
