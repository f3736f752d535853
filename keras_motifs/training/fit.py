"""One entry point to build and fit any model of the package under a ``tf.distribute`` strategy.

``train()`` does, in order: seed everything; choose the strategy; build the model and its
optimizer inside the strategy scope; check the data; take the output folder (below); fit with
early stopping, a best-weights ``.keras`` checkpoint, ``ResumableBackup`` (an interrupted run
started again with the same output folder resumes from its last backup, exactly, also
mid-epoch), ``TerminateOnNaN``, a CSV log (appended across resumes, cut back to the backup's
epochs on resume), TensorBoard logs and Keras's progress bar; then reload the best checkpoint.

Output folder layout::

    <output_dir>/OWNER.json      the run the folder belongs to: model config, data fingerprint, settings
    <output_dir>/LOCK            held while a run trains here (process id and host)
    <output_dir>/best.keras      best model by the monitored metric (written atomically)
    <output_dir>/backup/         resume state (deleted when training finishes)
    <output_dir>/training_log.csv
    <output_dir>/tensorboard/
    <output_dir>/DONE            written last: training finished (absent = incomplete run)

The folder is owned (:mod:`keras_motifs.training.ownership`): the same run started again resumes
(or, when it had finished, trains again from the start); another run (other model, data or
settings) is refused with an :class:`~keras_motifs.errors.OutputError` naming the folder and what
differs, unless ``fresh=True`` (it then deletes the old run's outputs, and only those); a second
run in the folder at the same time is refused. A write that finds the disk full stops training
with an ``OutputError`` naming the file; nothing half-written is left and the same run started
again (after freeing space) resumes from the last backup.

Backends: the package's default is TensorFlow (``tf.distribute``, ``tf.data``). Under another
Keras backend (``KERAS_BACKEND=jax`` or ``torch``, e.g. on a GPU machine without a TensorFlow GPU
build) ``train()`` runs on one device with no strategy: data must then be ``(x, y)`` arrays (or a
``tf.data.Dataset`` where TensorFlow is importable), shuffled every epoch by Keras from the seed.
"""


from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import contextlib

import keras
import numpy as np

from ..errors import ModelInputError, OutputError
from ..io.atomic import atomic_open
from ..losses import ClippedBinaryCrossentropy
from ..quiet_fit import SpendTfDataRewriteLine
from . import ownership
from .callbacks import AtomicBestCheckpoint, CSVLog, ResumableBackup, ThroughputLogger, make_early_stopping, output_error
from .checks import check_training_data
from .determinism import set_seed
from .devices import make_strategy
from .optimizers import make_optimizer
from .shuffle import FullShuffle
from .step_progress import StepProgress


@dataclass
class TrainResult:
    model: keras.Model
    history: dict  # this process's epochs (a resumed run's history starts at the resumed epoch)
    output_dir: Path
    best_model_path: Path
    epochs_run: int  # the run's epochs, those before a resume included
    seconds: float  # this process's training time
    train_samples_per_second: float
    strategy: str
    replicas: int
    extra: dict = field(default_factory=dict)
    run_history: dict = field(default_factory=dict)  # the run's epochs, those before a resume included


def _tensorflow_backend() -> bool:
    return keras.backend.backend() == "tensorflow"


class _NoStrategy:
    """Stands in for a ``tf.distribute`` strategy under a non-TensorFlow backend (one device)."""

    num_replicas_in_sync = 1

    def scope(self):
        return contextlib.nullcontext()


def _full_shuffle(data, shuffle_buffer, seed):
    """``data`` as a :class:`FullShuffle` when it is one or ``shuffle_buffer == "full"``, else None."""
    if isinstance(data, FullShuffle):
        return data
    if shuffle_buffer != "full":
        if isinstance(shuffle_buffer, str):
            raise ValueError(f"shuffle_buffer must be an integer, None or 'full', got {shuffle_buffer!r}")
        return None
    if isinstance(data, (tuple, list)) and len(data) == 2:
        if not _tensorflow_backend():
            return None  # Keras's fit(shuffle=True) on arrays: a full permutation every epoch, too
        return FullShuffle.from_arrays(data[0], data[1], seed=seed)
    raise TypeError(
        "shuffle_buffer='full' needs random access to the rows: pass (x, y) arrays (or memmaps) or a "
        "keras_motifs.training.shuffle.FullShuffle, not a tf.data.Dataset (which can only be read in order)"
    )


def _as_dataset(data, batch_size: int, shuffle_buffer: int | None, seed: int | None, drop_remainder=False):
    if data is None:
        return None
    import tensorflow as tf

    if isinstance(data, FullShuffle):
        batched = data.batched_dataset(batch_size, drop_remainder)  # arrays in memory: batches gathered in the graph
        if batched is not None:
            return batched.prefetch(tf.data.AUTOTUNE)
        ds, shuffle_buffer = data.dataset(), None  # its own order: a new permutation every epoch
    elif isinstance(data, tf.data.Dataset):
        ds = data
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        ds = tf.data.Dataset.from_tensor_slices((data[0], data[1]))
    else:
        raise TypeError("data must be a tf.data.Dataset of unbatched (x, y), a tuple (x, y) of arrays or a FullShuffle")
    if shuffle_buffer:
        ds = ds.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def _arrays_for_fit(train_data, validation_data, batch_size: int, shuffle_buffer, seed):
    """fit() arguments for a non-TensorFlow backend: arrays batched and shuffled by Keras."""

    def pair(data, what):
        if isinstance(data, (tuple, list)) and len(data) == 2:
            return np.asarray(data[0]), np.asarray(data[1])
        if type(data).__module__.startswith("tensorflow"):
            return data  # a tf.data.Dataset: Keras's other backends read it too
        raise TypeError(f"{what} must be a tuple (x, y) of arrays under the {keras.backend.backend()} backend")

    train = train_data if isinstance(train_data, FullShuffle) else pair(train_data, "train_data")
    if isinstance(train, tuple):
        kwargs = {"x": train[0], "y": train[1], "batch_size": batch_size, "shuffle": bool(shuffle_buffer)}
    else:
        # a tf.data pipeline (or a FullShuffle's), seeded like the TF path
        kwargs = {"x": _as_dataset(train, batch_size, shuffle_buffer, seed)}
    val = None
    if validation_data is not None:
        val = pair(validation_data, "validation_data")
        if not isinstance(val, tuple):
            val = _as_dataset(val, batch_size, None, None)
    return val, kwargs


def train(
    model: "str | Callable[[], keras.Model]",
    train_data,
    validation_data=None,
    *,
    output_dir: "str | os.PathLike",
    training: dict | None = None,
    model_kwargs: dict | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    loss=None,
    metrics=None,
    seed: int = 1337,
    deterministic: bool = True,
    strategy: "tf.distribute.Strategy | str | None" = "auto",
    num_devices: int | None = None,
    shuffle_buffer: "int | str | None" = 10_000,
    early_stopping_patience: int | None = None,
    monitor: str | None = None,
    backup_every_steps: int | None = None,
    tensorboard: bool = True,
    callbacks: list | None = None,
    verbose="auto",
    fresh: bool = False,
    steps_per_execution: int = 1,
) -> TrainResult:
    """Build and train a model.

    Args:
      model: a registered preset name (``"danq"``; see ``keras_motifs.models.available()``) or
        a zero-argument callable returning an uncompiled ``keras.Model``.
      train_data, validation_data: ``tf.data.Dataset`` of *unbatched* ``(x, y)`` elements, or
        ``(x, y)`` arrays; ``train_data`` may also be a
        :class:`~keras_motifs.training.shuffle.FullShuffle` (a random-access source served in a new
        permutation every epoch). They are shuffled (training only), batched with the global batch
        size and prefetched here.
      shuffle_buffer: how the training rows are shuffled. An integer: a ``tf.data`` shuffle buffer
        of that many rows, reshuffled every epoch (rows only mix within a window of the data's
        order unless the buffer holds all of them); ``"full"``: every epoch a new permutation of
        all rows drawn from ``(seed, epoch)``, as the old Keras ``fit(shuffle=True)`` (for
        arrays; see :mod:`keras_motifs.training.shuffle`; under a non-TensorFlow backend Keras's
        own per-epoch shuffle of the arrays, from its seeded generator); None or 0: the given
        order. Not used for a ``FullShuffle``, which is always served in its own per-epoch
        permutation.
      training: training settings (optimizer, learning_rate, batch_size, epochs,
        early_stopping_patience, early_stopping_rule ("keras3", the default, or "keras1": see
        :func:`keras_motifs.training.callbacks.make_early_stopping`), monitor, ...); default: the preset's.
      epochs, batch_size, learning_rate, early_stopping_patience, monitor: override ``training``.
      loss: default :class:`ClippedBinaryCrossentropy` (the old Keras computation).
      seed: seeds Python/NumPy/TF/Keras and the shuffle; with ``deterministic`` also
        ``tf.config.experimental.enable_op_determinism()``.
      strategy: a strategy object, or ``"auto"``/``"mirrored"``/``"multiworker"``/``"default"``
        (see :func:`keras_motifs.training.devices.make_strategy`).
      backup_every_steps: back up every N steps instead of every epoch (for long epochs).
      fresh: start afresh in an ``output_dir`` that holds another run's outputs (they are deleted;
        other files stay); without it such a folder is refused (see the module docstring).
      steps_per_execution: training steps per call of Keras's compiled function (``compile``'s):
        the same steps and updates, fewer returns to Python; per-batch callbacks then see every
        N-th batch. Not part of the settings (the arithmetic is the same).
    """
    from .. import registry

    if int(steps_per_execution) < 1:
        raise ValueError(f"steps_per_execution must be >= 1, got {steps_per_execution}")
    if backup_every_steps and int(steps_per_execution) > 1 and backup_every_steps % int(steps_per_execution):
        # per-batch callbacks (the mid-epoch backup and its replay on resume) see every N-th batch only
        raise ValueError(f"backup_every_steps ({backup_every_steps}) must be a multiple of steps_per_execution "
                         f"({steps_per_execution})")
    output_dir = Path(output_dir)
    ownership.check_folder(output_dir)
    cfg = dict(training or (registry.training_config(model) if isinstance(model, str) else {}))
    for key, value in (
        ("epochs", epochs), ("batch_size", batch_size), ("learning_rate", learning_rate),
        ("early_stopping_patience", early_stopping_patience), ("monitor", monitor),
    ):
        if value is not None:
            cfg[key] = value
    cfg.setdefault("batch_size", 100)
    cfg.setdefault("epochs", 1)
    cfg.setdefault("monitor", "val_loss" if validation_data is not None else "loss")

    full_shuffle = _full_shuffle(train_data, shuffle_buffer, seed)  # before anything is built
    if full_shuffle is not None:
        train_data, shuffle_buffer = full_shuffle, None

    set_seed(seed, deterministic_ops=deterministic)
    if _tensorflow_backend():
        import tensorflow as tf

        if not isinstance(strategy, tf.distribute.Strategy):
            strategy = make_strategy(num_devices, kind=strategy or "auto")
        multiworker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    else:
        if strategy not in ("auto", "default", None) or (num_devices or 1) > 1:
            raise ValueError(
                f"strategy {strategy!r} / num_devices {num_devices} need the TensorFlow backend; "
                f"KERAS_BACKEND is {keras.backend.backend()!r} (one device only)"
            )
        strategy, multiworker = _NoStrategy(), False

    with strategy.scope():
        net = registry.build(model, **(model_kwargs or {})) if isinstance(model, str) else model()
        net.compile(
            optimizer=make_optimizer(cfg),
            loss=loss if loss is not None else ClippedBinaryCrossentropy(),
            metrics=metrics if metrics is not None else ["binary_accuracy"],
            steps_per_execution=int(steps_per_execution),
        )
    if multiworker:
        from .keras_fixes import fix_keras_symbolic_build  # Keras 3.15 bug with >1 worker

        fix_keras_symbolic_build(net)

    check_training_data(net, train_data, validation_data, binary_labels=loss is None)
    if _tensorflow_backend():
        train_ds = _as_dataset(train_data, cfg["batch_size"], shuffle_buffer, seed)
        val_ds = _as_dataset(validation_data, cfg["batch_size"], None, None)
        fit_kwargs = {"x": train_ds, "shuffle": False}
    else:
        val_ds, fit_kwargs = _arrays_for_fit(train_data, validation_data, cfg["batch_size"], shuffle_buffer, seed)

    record = ownership.run_record(net, train_data, validation_data, {
        **cfg, "seed": seed, "deterministic": deterministic, "shuffle_buffer": shuffle_buffer,
        "loss": _describe(loss) if loss is not None else "ClippedBinaryCrossentropy (default)",
        "metrics": [_describe(m) for m in metrics] if metrics is not None else ["binary_accuracy (default)"],
        "strategy": type(strategy).__name__, "replicas": int(strategy.num_replicas_in_sync),
        "backend": keras.backend.backend(),
    })
    ownership.make_folder(output_dir)
    lock = ownership.FolderLock(output_dir)
    lock.acquire()
    try:
        _take_folder(output_dir, record, fresh)
        return _fit(net, strategy, output_dir, cfg, fit_kwargs, val_ds, backup_every_steps, tensorboard, callbacks,
                    verbose, seed, full_shuffle)
    finally:
        lock.release()


def _describe(obj):
    """A loss or metric as JSON: its name, or class and config."""
    if isinstance(obj, str):
        return obj
    config = getattr(obj, "get_config", None)
    if callable(config):
        try:
            return {"class": type(obj).__name__, "config": config()}
        except Exception:  # noqa: BLE001
            pass
    return getattr(obj, "__qualname__", None) or type(obj).__name__


def _take_folder(output_dir: Path, record: dict, fresh: bool) -> None:
    """Decide what the run does with the folder (see the module docstring); write ``OWNER.json``."""
    from ..io.atomic import write_json

    owner = ownership.read_owner(output_dir)
    present = [n for n in ownership.OUTPUTS if n != ownership.OWNER and (output_dir / n).exists()]
    if fresh:
        removed = ownership.clear_outputs(output_dir)
        if removed:
            ownership.LOG.warning("training folder '%s': fresh start, deleted the earlier run's %s", output_dir,
                                  ", ".join(removed))
    elif isinstance(owner, str) or (owner is None and present):
        why = owner if isinstance(owner, str) else (
            f"it holds training outputs ({', '.join(present)}) but no {ownership.OWNER}: they were written by "
            "another program or an older version of keras_motifs")
        raise OutputError(f"output folder '{output_dir}' belongs to another run: {why}; train into another "
                          "folder, or pass fresh=True (command line: --fresh) to delete those outputs and start again")
    elif owner is not None:
        diff = ownership.describe_difference(owner, record)
        if diff:
            raise OutputError(f"output folder '{output_dir}' belongs to another run: {diff}; train into another "
                              "folder, or pass fresh=True (command line: --fresh) to delete its outputs and start again")
        resume = ResumableBackup.resume_point(output_dir / "backup")
        if (output_dir / ownership.DONE).exists() or resume is None:
            # finished, or stopped before its first backup: train again from the start
            ownership.clear_outputs(output_dir)
        else:
            ownership.truncate_log(output_dir / ownership.LOG_FILE, resume[0])
    try:
        write_json(output_dir / ownership.OWNER, record)
    except OSError as exc:
        raise output_error(exc, output_dir / ownership.OWNER, "the run record") from exc


def run_history(log_path: Path, this_process: dict, initial_epoch: int) -> dict:
    """The whole run's history: a run resumed at epoch ``initial_epoch`` gets the earlier epochs'
    values from its CSV log (cut back to the resume point when it restarted) before this
    process's own (Keras's ``History`` holds only those), so that e.g. the best epoch is the run's."""
    if initial_epoch == 0:
        return this_process
    import csv

    try:
        with open(log_path, newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("epoch", "").strip().isdigit()
                    and int(r["epoch"]) < initial_epoch]
    except OSError as exc:
        ownership.LOG.warning("training log '%s' unreadable (%s): the result's history holds this process's epochs "
                              "only", log_path, exc)
        return this_process
    if len(rows) != initial_epoch:
        ownership.LOG.warning("training log '%s' holds %d of the %d epochs before the resume: the result's history "
                              "holds this process's epochs only", log_path, len(rows), initial_epoch)
        return this_process

    def value(text):
        try:
            return float(text)
        except (TypeError, ValueError):
            return float("nan")

    rows.sort(key=lambda r: int(r["epoch"]))
    return {key: [value(r.get(key)) for r in rows] + list(values) for key, values in this_process.items()}


def _fit(net, strategy, output_dir, cfg, fit_kwargs, val_ds, backup_every_steps, tensorboard, callbacks, verbose,
         seed, full_shuffle=None) -> TrainResult:
    best_path = output_dir / "best.keras"
    done_marker = output_dir / "DONE"
    cbs = [
        keras.callbacks.TerminateOnNaN(),
        *([full_shuffle.callback()] if full_shuffle is not None else []),  # tells it the epoch
        AtomicBestCheckpoint(best_path, monitor=cfg["monitor"]),
        CSVLog(str(output_dir / "training_log.csv"), append=True),
    ]
    throughput = ThroughputLogger(cfg["batch_size"])
    cbs.append(throughput)
    if verbose == 2:  # Keras prints one line per epoch: report progress inside the epoch too
        cbs.append(StepProgress(cfg["batch_size"]))
    patience = cfg.get("early_stopping_patience")
    if patience is not None:
        cbs.append(make_early_stopping(cfg["monitor"], int(patience), cfg.get("early_stopping_rule", "keras3")))
    if tensorboard:
        cbs.append(keras.callbacks.TensorBoard(str(output_dir / "tensorboard"), write_graph=False, profile_batch=0))
    # after the built-in callbacks (an epoch's backup follows its log row, checkpoint and early-stopping
    # update), before the caller's; saves and restores EarlyStopping's counters too
    backup = ResumableBackup(output_dir / "backup", save_freq=backup_every_steps or "epoch")
    backup.track(list(cbs))
    cbs.append(backup)
    cbs.extend(callbacks or [])
    cbs.append(SpendTfDataRewriteLine())  # last: TF's harmless tf.data line of seeded runs, in the scripts

    start = time.perf_counter()
    history = net.fit(**fit_kwargs, validation_data=val_ds, epochs=int(cfg["epochs"]), callbacks=cbs, verbose=verbose)
    seconds = time.perf_counter() - start
    if throughput.epochs_begun and throughput.batches == 0:
        raise ModelInputError("training data: the dataset gave no batches; there is nothing to train on")
    if np.isnan(history.history.get("loss", [0.0])[-1:] or [0.0]).any():
        raise FloatingPointError(
            f"training stopped: the loss became NaN; the last good model is {best_path}"
            if best_path.exists() else "training stopped: the loss became NaN before any checkpoint"
        )
    if best_path.exists():
        with strategy.scope():
            net = keras.models.load_model(best_path, safe_mode=True)
    try:
        with atomic_open(done_marker, "w") as fh:
            fh.write("finished\n")
    except OSError as exc:
        raise output_error(exc, done_marker, "the DONE marker") from exc
    return TrainResult(
        model=net,
        history=history.history,
        output_dir=output_dir,
        best_model_path=best_path,
        # the run's epochs, also those of the process(es) before a resume (the history holds this process's)
        epochs_run=backup.initial_epoch + len(history.history.get("loss", [])),
        seconds=seconds,
        train_samples_per_second=throughput.samples_per_second(),
        strategy=type(strategy).__name__,
        replicas=strategy.num_replicas_in_sync,
        extra={"training_config": cfg, "seed": seed},
        run_history=run_history(output_dir / "training_log.csv", history.history, backup.initial_epoch),
    )
