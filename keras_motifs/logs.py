"""Logging of the package and a quiet TensorFlow.

* :data:`LOGGER` — the ``keras_motifs`` logger; library code logs through children of it
  (``logging.getLogger("keras_motifs.<module>")``) and never configures handlers itself.
* :func:`configure` — what the CLI and the scripts call once: a stderr handler for the package's
  logger at the chosen verbosity (``-q`` warnings only, default info, ``-v`` debug).
* :func:`import_tensorflow_quietly` — imports TensorFlow without its C++ start-up lines
  (``oneDNN custom operations``, ``cudart_stub``, ``cuInit``; TF 2.21 prints them through absl
  before ``TF_CPP_MIN_LOG_LEVEL`` takes effect) by pointing file descriptor 2 at ``/dev/null``
  for the duration of the import and of the first device probe, and lowers absl's Python logging to errors. Python exceptions
  are not affected (they are raised after the descriptor is restored).
* :func:`spend_tf_data_rewrite_error` — in a process that imported TensorFlow quietly, spends
  TensorFlow's harmless tf.data error line of seeded runs (printed at most once every 5 s) just
  before a fit's pipelines print it (called by :class:`keras_motifs.quiet_fit.SpendTfDataRewriteLine`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

LOGGER = logging.getLogger("keras_motifs")
_QUIET = False  # TensorFlow was imported quietly (the scripts, the CLI): spend its known noise too

QUIET, NORMAL, VERBOSE = -1, 0, 1


def configure(verbosity: int = NORMAL, stream=None) -> logging.Logger:
    """Send the package's log records to ``stream`` (stderr) at ``verbosity`` (-1, 0, 1+)."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    for h in list(LOGGER.handlers):
        if getattr(h, "_keras_motifs", False):
            LOGGER.removeHandler(h)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s" if verbosity <= 0 else "%(levelname)s %(name)s: %(message)s"))
    handler._keras_motifs = True
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    return LOGGER


@contextlib.contextmanager
def _descriptor_2_silenced():
    """Point file descriptor 2 at ``/dev/null`` for the block (C++ logging writes there, past
    ``sys.stderr``); yields False, hiding nothing, where there is no real descriptor 2."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real descriptor 2 (embedded interpreters)
        yield False
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield True
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow_quietly(verbose: bool = False):
    """Import Keras (and TensorFlow, under the TensorFlow backend) with TensorFlow's C++ start-up
    logging hidden, unless ``verbose``. Returns the ``tensorflow`` module, or None when Keras runs
    on another backend or TensorFlow is not importable."""
    global _QUIET
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "2")
    wants_tf = os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"
    if verbose or "keras" in sys.modules:  # nothing to hide
        import keras  # noqa: F401

        return _tensorflow() if wants_tf else None
    with _descriptor_2_silenced() as silenced:
        tf = _tensorflow() if wants_tf else None
        import keras  # noqa: F401  (its backend start-up is part of the same noise)

        if not silenced:  # no way to hide it
            return tf
        _QUIET = True
        if tf is not None:
            tf.config.list_physical_devices()  # probes the devices now (the 'failed call to cuInit' line)
    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:  # absl comes with TensorFlow; absent on other backends
        pass
    return tf


def spend_tf_data_rewrite_error() -> None:
    """Trigger TensorFlow's harmless tf.data error line with descriptor 2 silenced.

    Under op determinism (on in every seeded run: :mod:`keras_motifs.training.determinism`)
    tf.data's ``make_deterministic`` rewrite turns a parallel map of a pipeline with a stateful
    function (Keras's pipeline over NumPy arrays is one) into a sequential ``MapDataset`` and, in
    TF 2.21, copies an attribute that op lacks, logging ``E0000 ... node_def_util.cc:682] NodeDef
    mentions attribute use_unbounded_threadpool which is not in the op definition`` when such a
    pipeline's iterator is made — at most once every 5 seconds (``LOG_EVERY_N_SEC(ERROR, 5)`` in
    ``tensorflow/core/framework/node_def_util.cc``), not once per process. A one-row pipeline that
    takes the same path spends the line here, silently, so that an iterator made within the next
    5 seconds prints nothing: :class:`keras_motifs.quiet_fit.SpendTfDataRewriteLine` calls this
    just before a fit's training and validation iterators are made; the package's predictions on
    arrays avoid the rewrite instead (:func:`keras_motifs.metrics.predict_arrays`). Only in a
    process that imported TensorFlow through :func:`import_tensorflow_quietly` (a library user's own
    stderr is left alone), only under op determinism, and only once TensorFlow's runtime has started
    (running a pipeline earlier would fix the devices before
    ``keras_motifs.training.devices.configure_logical_cpus`` can split them); otherwise nothing
    happens."""
    if not _QUIET or "tensorflow" not in sys.modules:
        return
    try:
        from tensorflow.python.eager import context
        from tensorflow.python.framework import config as tf_config

        if not tf_config.is_op_determinism_enabled() or context.context()._context_handle is None:
            return
    except (ImportError, AttributeError):  # another TensorFlow: nothing known to spend
        return
    tf = sys.modules["tensorflow"]
    with _descriptor_2_silenced():
        try:
            ds = tf.data.Dataset.range(1).map(lambda i: tf.numpy_function(lambda v: v, [i], tf.int64),
                                              num_parallel_calls=2)
            for _ in ds:
                pass
        except Exception:  # noqa: BLE001  (a cosmetic step must never stop the program)
            pass


def _tensorflow():
    try:
        import tensorflow as tf
    except ImportError:
        return None
    return tf


def quiet_progress(verbosity: int = NORMAL, stream=None) -> None:
    """Progress bars only where a person watches them: TensorFlow Datasets' bars (preparation,
    shuffling) are turned off when ``stream`` (default stderr) is not a terminal or with ``-q``
    (``verbosity < 0``), where they would fill a log file with carriage-return frames;
    ``-q`` also turns off :mod:`keras_motifs.progress` (``KERAS_MOTIFS_PROGRESS=0``). Elsewhere the
    package's own progress logs one line at most every 30 s."""
    stream = stream or sys.stderr
    if verbosity < 0:
        os.environ["KERAS_MOTIFS_PROGRESS"] = "0"
    if verbosity < 0 or not (hasattr(stream, "isatty") and stream.isatty()):
        import tensorflow_datasets as tfds

        tfds.disable_progress_bar()
