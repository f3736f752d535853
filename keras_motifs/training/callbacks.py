"""Callbacks used by :func:`keras_motifs.training.train`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras
import numpy as np

from ..io.atomic import save_model, write_json


class AtomicBestCheckpoint(keras.callbacks.Callback):
    """Save the whole model (``.keras``) whenever the monitored value improves, atomically.

    Like ``ModelCheckpoint(save_best_only=True)``, but the file is written to a temporary name
    and renamed, so a crash never leaves a truncated checkpoint. The best value so far is kept
    in ``<path>.json`` (written after the model), so a resumed run does not overwrite a better
    checkpoint with a worse one.
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
            self.best = float(value)
            save_model(self.model, self.path)
            write_json(self.state_path, {"monitor": self.monitor, "best": self.best, "epoch": epoch + 1})


class ThroughputLogger(keras.callbacks.Callback):
    """Training samples per second, measured over batches after the first epoch's warm-up."""

    def __init__(self, batch_size: int, warmup_batches: int = 15):
        super().__init__()
        self.batch_size = batch_size
        self.warmup = warmup_batches
        self._seen = 0
        self._t0 = None
        self._timed_batches = 0
        self._timed_seconds = 0.0
        self._epoch_start = None

    def on_train_batch_begin(self, batch, logs=None):
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._seen += 1
        if self._seen > self.warmup and self._t0 is not None:
            self._timed_batches += 1
            self._timed_seconds += time.perf_counter() - self._t0

    def samples_per_second(self) -> float:
        if not self._timed_batches:
            return float("nan")
        return self._timed_batches * self.batch_size / self._timed_seconds
