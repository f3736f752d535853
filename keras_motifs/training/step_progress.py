"""Progress inside a training epoch: steps done, samples/s and ETA.

Keras's ``verbose=2`` prints one line per epoch, which leaves a long epoch (DanQ: ~5 min per epoch of
the synthetic default on two cores; an hour and more on the real bundle) silent.
:class:`StepProgress` reports the epoch's progress through :class:`keras_motifs.progress.Progress`:
a transient bar on a terminal, otherwise one log line at most every ``interval`` seconds (30 by
default) on the ``keras_motifs.progress`` logger; ``KERAS_MOTIFS_PROGRESS=0`` turns it off.
:func:`keras_motifs.training.train` adds it when Keras's own bar is off (``verbose=2``).
"""

from __future__ import annotations

import keras

from ..progress import Progress


class StepProgress(keras.callbacks.Callback):
    """``epoch E/N: done/total samples (p%), rate samples/s, elapsed, ETA`` during each epoch."""

    def __init__(self, batch_size: int, *, interval: float = 30.0, stream=None, terminal: bool | None = None):
        super().__init__()
        self.batch_size = int(batch_size)
        self.interval, self.stream, self.terminal = interval, stream, terminal
        self._bar: Progress | None = None

    def on_epoch_begin(self, epoch, logs=None):
        steps = (self.params or {}).get("steps")
        epochs = (self.params or {}).get("epochs")
        total = steps * self.batch_size if steps else None
        desc = f"epoch {epoch + 1}/{epochs}" if epochs else f"epoch {epoch + 1}"
        self._bar = Progress(total, desc, unit="samples", interval=self.interval, stream=self.stream,
                             terminal=self.terminal)

    def on_train_batch_end(self, batch, logs=None):
        # ``batch``: the index of the last step run. With ``steps_per_execution`` N, Keras calls this
        # once per N steps, so progress follows the index, not the number of calls.
        if self._bar is not None:
            done = (int(batch) + 1) * self.batch_size
            if self._bar.total:
                done = min(done, self._bar.total)
            if done > self._bar.done:
                self._bar.update(done - self._bar.done)

    def on_epoch_end(self, epoch, logs=None):
        self._close()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None
