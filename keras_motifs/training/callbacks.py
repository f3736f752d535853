"""Callbacks used by :func:`keras_motifs.training.train`."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import keras
import numpy as np

from ..errors import OutputError
from ..io.atomic import atomic_path, write_json

# errors of a write that found no room: disk full, quota, file-size limit
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def output_error(exc: OSError, path, what: str, after: str = "", kind: str = "file") -> OutputError:
    """An :class:`OutputError` naming ``path`` for an operating-system error while writing ``what``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = "; free some space (or write to another disk) and run again" if exc.errno in NO_ROOM else ""
    return OutputError(f"{kind} '{path}': cannot write {what} ({reason}){after}{hint}", exc.errno)


class AtomicBestCheckpoint(keras.callbacks.Callback):
    """Save the whole model (``.keras``) whenever the monitored value improves, atomically.

    Like ``ModelCheckpoint(save_best_only=True)``, but the file is written to a temporary name
    and renamed, so a crash never leaves a truncated checkpoint. The best value so far is kept
    in ``<path>.json``, so a resumed run does not overwrite a better checkpoint with a worse one:
    the model is written to its temporary name, then the JSON (atomically), then the model is
    renamed into place, so a failed write (e.g. a full disk: :class:`OutputError` naming the file)
    leaves the previous pair, and only a crash between the two renames can pair a new JSON with
    the previous model.
    """

    def __init__(self, path, monitor: str = "val_loss", mode: str = "min"):
        super().__init__()
        self.path = Path(path)
        self.state_path = self.path.with_suffix(self.path.suffix + ".json")
        self.monitor = monitor
        self.mode = mode
        self.best = np.inf if mode == "min" else -np.inf

    def on_train_begin(self, logs=None):
        if self.state_path.exists() and self.path.exists():
            state = json.loads(self.state_path.read_text())
            if state.get("monitor") == self.monitor:
                self.best = float(state["best"])

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None or not np.isfinite(value):
            return
        better = value < self.best if self.mode == "min" else value > self.best
        if better:
            try:
                with atomic_path(self.path, suffix=".keras") as tmp:
                    self.model.save(tmp)
                    write_json(self.state_path, {"monitor": self.monitor, "best": float(value), "epoch": epoch + 1})
            except OSError as exc:
                raise output_error(exc, self.path, "the best-model checkpoint",
                                   f"; the previous checkpoint '{self.path}' is kept" if self.path.exists() else "") from exc
            self.best = float(value)


class CSVLog(keras.callbacks.CSVLogger):
    """Keras's ``CSVLogger`` (appending), but a row that cannot be written (disk full) is cut off
    again (nothing half-written) and reported as an :class:`OutputError` naming the file."""

    def on_epoch_end(self, epoch, logs=None):
        size = os.path.getsize(self.filename) if os.path.exists(self.filename) else 0
        try:
            super().on_epoch_end(epoch, logs)
        except OSError as exc:
            with contextlib.suppress(Exception):
                self.csv_file.close()
            with contextlib.suppress(OSError):
                os.truncate(self.filename, size)
            raise output_error(exc, self.filename, f"the row of epoch {epoch} of the training log") from exc


class LegacyEarlyStopping(keras.callbacks.EarlyStopping):
    """Early stopping with the rule of Keras 0.2.0 and 1.1.2 (keras-team/keras ``keras/callbacks.py``,
    class ``EarlyStopping``; DanQ and iDeepS ran these).

    At the end of each epoch: if the monitored value improves on the best so far (by more than
    ``min_delta``; the first value always does), it becomes the best and ``wait`` is reset to 0;
    otherwise, *if* ``wait >= patience`` training stops, and then ``wait`` is incremented. The
    check comes before the increment, so training stops at the end of the (patience + 1)-th
    consecutive epoch without improvement. Keras 3's ``EarlyStopping`` increments first and stops
    after ``patience`` such epochs. ``mode="auto"`` is Keras 1's: maximise when the monitor's name
    contains "acc", else minimise. A missing monitor value is skipped with a warning (Keras 1
    compared None). A subclass of ``keras.callbacks.EarlyStopping``, so that
    :class:`ResumableBackup` saves and restores its ``wait`` and ``best``.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto"):
        super().__init__(monitor=monitor, min_delta=0.0, patience=patience, verbose=verbose, mode="min")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', not {mode!r}")
        self.legacy_mode = mode
        self.maximise = mode == "max" or (mode == "auto" and "acc" in monitor)
        self.min_delta = abs(float(min_delta))

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = -np.inf if self.maximise else np.inf
        self.best_epoch = 0

    def _improves(self, current) -> bool:
        if self.maximise:
            return bool(np.greater(current - self.min_delta, self.best))
        return bool(np.less(current + self.min_delta, self.best))

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            import warnings

            warnings.warn(f"LegacyEarlyStopping: no '{self.monitor}' in the logs of epoch {epoch}", RuntimeWarning)
            return
        current = float(current)
        if self._improves(current):
            self.best = current
            self.best_epoch = epoch
            self.wait = 0
        else:
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
            self.wait += 1

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping (Keras 1 rule, patience {self.patience})")


def make_early_stopping(monitor: str, patience: int, rule: str = "keras3") -> keras.callbacks.EarlyStopping:
    """The early-stopping callback of a training config's ``early_stopping_rule``: ``"keras3"``
    (Keras 3's ``EarlyStopping``: stop after ``patience`` epochs without improvement) or
    ``"keras1"`` (:class:`LegacyEarlyStopping`, Keras 0.2 / 1.1.2: after ``patience + 1``)."""
    if rule == "keras3":
        return keras.callbacks.EarlyStopping(monitor=monitor, patience=int(patience))
    if rule == "keras1":
        return LegacyEarlyStopping(monitor=monitor, patience=int(patience))
    raise ValueError(f"unknown early_stopping_rule {rule!r}; use 'keras1' or 'keras3'")


class ThroughputLogger(keras.callbacks.Callback):
    """Training samples per second, measured over the batches after the first ``warmup_batches``
    (tracing, first-call allocations); a run shorter than that is measured over its batches after
    the first, or over its only batch."""

    def __init__(self, batch_size: int, warmup_batches: int = 15):
        super().__init__()
        self.batch_size = batch_size
        self.warmup = warmup_batches
        self._seen = 0
        self._t0 = None
        self._timed_batches = 0
        self._timed_seconds = 0.0
        self._short = [0, 0.0, 0, 0.0]  # batches / seconds after the first batch; all batches / seconds
        self._epoch_start = None
        self.epochs_begun = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs_begun += 1

    def on_train_batch_begin(self, batch, logs=None):
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._seen += 1
        if self._t0 is None:
            return
        seconds = time.perf_counter() - self._t0
        if self._seen > self.warmup:
            self._timed_batches += 1
            self._timed_seconds += seconds
        if self._seen > 1:
            self._short[0] += 1
            self._short[1] += seconds
        self._short[2] += 1
        self._short[3] += seconds

    @property
    def batches(self) -> int:
        """Training batches run (replayed ones of a resume included)."""
        return self._seen

    def samples_per_second(self) -> float:
        for batches, seconds in ((self._timed_batches, self._timed_seconds), self._short[:2], self._short[2:]):
            if batches and seconds > 0:
                return batches * self.batch_size / seconds
        return float("nan")


def _write_npz(path: Path, arrays, names=None) -> None:
    """An ``.npz`` file (read by ``np.load``) written one array at a time (no copy of them all)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for i, a in enumerate(arrays):
            with zf.open(f"{names[i] if names else f'v{i}'}.npy", "w", force_zip64=True) as fh:
                a = np.asarray(a)  # (not np.ascontiguousarray: it makes a 0-d array 1-d)
                np.lib.format.write_array(fh, a if a.flags.c_contiguous else a.copy(order="C"), allow_pickle=False)


class ResumableBackup(keras.callbacks.Callback):
    """Back up the training state and resume from it exactly, also in the middle of an epoch.

    A replacement for ``keras.callbacks.BackupAndRestore`` (Keras 3.15), which on a mid-epoch
    backup records only the epoch: a resumed run restarts that epoch from its first batch on
    weights that have already seen the batches before the backup (they are trained on twice), and
    it does not save the random-number state of dropout layers (``SeedGenerator`` states are not
    part of ``save_weights``), the metric accumulators of the epoch, nor the state of
    ``EarlyStopping``. Here a backup holds:

    * the model weights and the optimizer state (``variables.npz``: every variable of the model and
      its optimizer, in order);
    * every ``SeedGenerator`` state and every metric accumulator (``state.npz``);
    * the epoch, the number of batches of that epoch already trained, and the counters of tracked
      callbacks (``EarlyStopping``, ``ReduceLROnPlateau``; see :meth:`track`).

    On resume the interrupted epoch is started again with the data in the same order; its first
    ``k`` batches (trained before the backup) are run and their effect undone (weights, optimizer,
    random and metric state are reset to the backup after each), so the run continues with batch
    ``k`` in exactly the state the interrupted run had. Data whose order depends on how many
    times it was iterated (``Dataset.shuffle(..., reshuffle_each_iteration=True)`` restarts its
    sequence of orders in a new process) cannot be resumed exactly: see docs/RELIABILITY.md; a
    :class:`~keras_motifs.training.shuffle.FullShuffle` (``train(..., shuffle_buffer="full")``),
    whose order is drawn from (seed, epoch), can.

    Each backup is written to a new folder that a small ``latest.json`` then points to (written
    atomically), so a crash at any moment leaves a complete backup (the previous one or the new
    one); a backup that cannot be written (disk full) is removed again and reported as an
    :class:`~keras_motifs.errors.OutputError` naming it, the previous one kept. Backups are taken
    at the end of every epoch and, with ``save_freq=N``, every N batches; put this callback
    after the callbacks whose epoch-end work (logs, checkpoints) must be part of an epoch's backup. The folder is deleted when training ends normally (``delete_checkpoint``).
    """

    POINTER = "latest.json"

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        super().__init__()
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"save_freq must be 'epoch' or a positive integer, got {save_freq!r}")
        self.dir = Path(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._tracked: list = []
        self._epoch = 0
        self._skip = 0
        self._snapshot = None
        self._pending_callbacks = None
        self._metric_values: list = []
        self.initial_epoch = 0  # the epoch a resumed run started at (0: a run from the start)

    def track(self, callbacks) -> None:
        """Save and restore the counters of these callbacks (a list; it may grow later)."""
        self._tracked = callbacks

    # ------------------------------------------------------------------ state
    def _rng_and_metric_vars(self):
        seeds = [v for v in self.model.variables if v.path.endswith("seed_generator_state")]
        return seeds, list(self.model.metrics_variables)

    def _all_vars(self):
        out, seen = [], set()
        for v in list(self.model.variables) + list(self.model.optimizer.variables):
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _callback_state(self) -> list:
        state = []
        for cb in self._tracked or []:
            if isinstance(cb, (keras.callbacks.EarlyStopping, keras.callbacks.ReduceLROnPlateau)):
                fields = {}
                for name in ("wait", "stopped_epoch", "best", "best_epoch", "cooldown_counter"):
                    value = getattr(cb, name, None)
                    if value is None or isinstance(value, (int, float, np.integer, np.floating)):
                        fields[name] = None if value is None else float(value) if isinstance(value, (float, np.floating)) else int(value)
                state.append({"class": type(cb).__name__, "fields": fields})
            else:
                state.append(None)
        return state

    def _restore_callback_state(self, state: list) -> None:
        for cb, entry in zip(self._tracked or [], state):
            if entry is not None and type(cb).__name__ == entry["class"]:
                for name, value in entry["fields"].items():
                    setattr(cb, name, value)

    def _save(self, epoch: int, batches_done: int) -> None:
        name = f"ckpt-e{epoch:05d}-b{batches_done:07d}"
        tmp = self.dir / f".tmp-{name}"
        final = self.dir / name
        pointed = False
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            variables = self._all_vars()
            # weights and optimizer state through Python's zipfile, not h5py: a write that fails
            # (disk full) raises a plain OSError; h5py left its file half-closed and the process
            # ended in a segmentation fault
            _write_npz(tmp / "variables.npz", (np.asarray(v.numpy()) for v in variables))
            seeds, metric_vars = self._rng_and_metric_vars()
            _write_npz(tmp / "state.npz", [np.asarray(v.numpy()) for v in seeds]
                       + [np.asarray(v.numpy()) for v in metric_vars],
                       names=[f"seed_{i}" for i in range(len(seeds))] + [f"metric_{i}" for i in range(len(metric_vars))])
            for f in tmp.iterdir():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            write_json(self.dir / self.POINTER, {
                "format": 2, "checkpoint": name, "epoch": int(epoch), "batches_done": int(batches_done),
                "n_variables": len(variables), "n_seed_states": len(seeds), "n_metric_states": len(metric_vars),
                "callbacks": self._callback_state(),
            })
            pointed = True
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if not pointed:
                shutil.rmtree(final, ignore_errors=True)
            previous = self.resume_point(self.dir)
            kept = (f"; the previous backup (epoch {previous[0]}, {previous[1]} batches into it) is kept and a run "
                    "started again with the same output folder resumes from it") if previous else "; no backup is kept"
            raise output_error(exc, tmp, "the training backup", kept, kind="folder") from exc
        for old in self.dir.iterdir():  # older backups and leftovers of interrupted writes
            if old.name != name and old.is_dir() and (old.name.startswith("ckpt-") or old.name.startswith(".tmp-")):
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def resume_point(cls, backup_dir) -> "tuple[int, int] | None":
        """``(epoch, batches_done)`` of the backup in ``backup_dir`` (epochs ``0 .. epoch - 1`` are
        complete), or None when there is none."""
        pointer = Path(backup_dir) / cls.POINTER
        try:
            meta = json.loads(pointer.read_text())
            if (Path(backup_dir) / meta["checkpoint"]).is_dir():
                return int(meta["epoch"]), int(meta["batches_done"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _load(self) -> dict | None:
        pointer = self.dir / self.POINTER
        if not pointer.exists():
            return None
        meta = json.loads(pointer.read_text())
        ckpt = self.dir / meta["checkpoint"]
        opt = self.model.optimizer
        if opt is not None and not opt.built:
            opt.build(self.model.trainable_variables)
        if meta.get("format", 1) >= 2:
            variables = self._all_vars()
            with np.load(ckpt / "variables.npz", allow_pickle=False) as z:
                if len(z.files) != len(variables) or meta.get("n_variables") != len(variables):
                    raise ValueError(
                        f"backup '{ckpt}' was written by a different model ({len(z.files)} variables, this model and "
                        f"its optimizer have {len(variables)}); delete the folder to start again")
                for i, v in enumerate(variables):
                    value = z[f"v{i}"]
                    if tuple(value.shape) != tuple(v.shape):
                        raise ValueError(f"backup '{ckpt}' was written by a different model (variable {i} has shape "
                                         f"{tuple(value.shape)}, this model's {tuple(v.shape)}); delete the folder to start again")
                    v.assign(value)
        else:  # format 1 (before the change to variables.npz)
            self.model.load_weights(str(ckpt / "model.weights.h5"))
        seeds, _ = self._rng_and_metric_vars()
        if len(seeds) != meta["n_seed_states"]:
            raise ValueError(
                f"backup '{ckpt}' was written by a different model ({meta['n_seed_states']} random states, "
                f"this model has {len(seeds)}); delete the folder to start again"
            )
        with np.load(ckpt / "state.npz", allow_pickle=False) as z:
            for i, v in enumerate(seeds):
                v.assign(z[f"seed_{i}"])
            # metric variables of compiled metrics only exist after the first step: kept for later
            self._metric_values = [z[f"metric_{i}"] for i in range(meta["n_metric_states"])]
        return meta

    def _restore_metrics(self) -> None:
        metric_vars = list(self.model.metrics_variables)
        if len(metric_vars) != len(self._metric_values):
            raise ValueError(
                f"backup in '{self.dir}' holds {len(self._metric_values)} metric variables, the model has "
                f"{len(metric_vars)} (different compile settings); delete the folder to start again"
            )
        for v, value in zip(metric_vars, self._metric_values):
            v.assign(value)

    # -------------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        meta = self._load()
        if meta is None:
            return
        self.model._initial_epoch = meta["epoch"]  # what keras.callbacks.BackupAndRestore sets
        self.initial_epoch = int(meta["epoch"])
        self._skip = int(meta["batches_done"])
        self._pending_callbacks = meta.get("callbacks") or []
        if self._skip:
            self._snapshot = [np.asarray(v.numpy()) for v in self._all_vars()]

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        if self._pending_callbacks is not None:  # after the other callbacks' on_train_begin resets
            self._restore_callback_state(self._pending_callbacks)
            self._pending_callbacks = None

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(float(loss)):  # never back up a model that went NaN
            self._save(epoch + 1, 0)  # epochs 0..epoch are complete

    def on_train_batch_end(self, batch, logs=None):
        done = batch + 1
        if self._skip:
            # replaying a batch trained before the interruption: undo it
            for v, value in zip(self._all_vars(), self._snapshot):
                v.assign(value)
            self._restore_metrics()
            if done >= self._skip:
                self._skip = 0
                self._snapshot = None
            return
        if self.save_freq != "epoch" and done % self.save_freq == 0:
            loss = (logs or {}).get("loss")
            if loss is None or np.isfinite(float(loss)):
                self._save(self._epoch, done)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
