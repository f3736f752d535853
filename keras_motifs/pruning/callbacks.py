"""Keras callbacks of the Deepprune training procedure."""

from __future__ import annotations

import keras
import numpy as np


class BestWeights(keras.callbacks.Callback):
    """Keep the weights of the best epoch in memory and restore them when training ends.

    This is the original's ``ModelCheckpoint(save_best_only=True)`` followed by
    ``model.load_weights(...)`` (without a file): "best" is strictly lower ``monitor`` (Keras 2
    ``np.less``). Unlike Keras's ``EarlyStopping(restore_best_weights=True)`` it also restores
    when the epoch limit, not early stopping, ends the fit.
    """

    def __init__(self, monitor: str = "val_loss"):
        super().__init__()
        self.monitor = monitor
        self.best = np.inf
        self.best_epoch = -1
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.best = np.inf
        self.best_epoch = -1
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if current is None:
            raise KeyError(f"BestWeights: metric {self.monitor!r} not in logs {sorted(logs or {})}")
        if current < self.best:
            self.best = float(current)
            self.best_epoch = epoch
            self.best_weights = [np.array(w) for w in self.model.get_weights()]

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


class IterativePruning(keras.callbacks.Callback):
    """The whole Deepprune schedule inside one ``model.fit`` call, on a model with a ``MaskLayer``.

    The fit is split into phases: phase 0 trains at ``schedule.lr_init``; each phase ends when
    ``monitor`` has not improved for ``patience`` epochs or after ``max_epochs`` epochs; then the
    phase's best weights are restored and, if rounds remain, the model is pruned with
    ``criterion`` (:func:`keras_motifs.pruning.prune_step`), the learning rate is set to
    ``schedule.learning_rate(round)`` and the optimizer state is reset to that of a fresh Adam
    (the original compiles a new optimizer for every fit). After the last round's phase the fit
    stops with its best weights restored. Pass ``epochs >= (rounds + 1) * max_epochs`` to fit.

    ``on_round_end(round, model)`` is called with the best model of each phase, and
    ``on_pruned(round, model)`` right after each prune (the Deepprune-inter model).
    ``self.history`` lists, per phase: round, kernels, learning rate, epochs, best value.
    Do not combine with ``EarlyStopping``.
    """

    def __init__(
        self,
        schedule,
        criterion: str = "weight",
        x=None,
        y=None,
        *,
        patience: int = 15,
        max_epochs: int = 1000,
        monitor: str = "val_loss",
        on_round_end=None,
        on_pruned=None,
    ):
        super().__init__()
        self.schedule = schedule
        self.criterion = criterion
        self.x, self.y = x, y
        self.patience = int(patience)
        self.max_epochs = int(max_epochs)
        self.monitor = monitor
        self.on_round_end = on_round_end
        self.on_pruned = on_pruned
        self.history: list[dict] = []

    def _start_phase(self, round_: int):
        from .prune import find_mask_layer

        self.round = round_
        self.phase_epochs = 0
        self.wait = 0
        self.best = np.inf
        self.best_weights = None
        self.best_epoch = -1
        lr = self.schedule.learning_rate(round_)
        opt = self.model.optimizer
        for var in opt.variables:
            var.assign(np.zeros(var.shape, dtype=var.dtype))
        opt.learning_rate = lr
        self.lr = lr
        self.kernels = int(find_mask_layer(self.model).get_mask().sum())

    def on_train_begin(self, logs=None):
        self.history = []
        self._start_phase(0)

    def on_epoch_end(self, epoch, logs=None):
        from .prune import prune_step

        current = (logs or {}).get(self.monitor)
        if current is None:
            raise KeyError(f"IterativePruning: metric {self.monitor!r} not in logs {sorted(logs or {})}")
        self.phase_epochs += 1
        if current < self.best:
            self.best = float(current)
            self.best_epoch = self.phase_epochs
            self.best_weights = [np.array(w) for w in self.model.get_weights()]
            self.wait = 0
        else:
            self.wait += 1
        if self.wait < self.patience and self.phase_epochs < self.max_epochs:
            return
        self.model.set_weights(self.best_weights)
        self.history.append(
            {"round": self.round, "kernels": self.kernels, "learning_rate": self.lr,
             "epochs_run": self.phase_epochs, "best_epoch": self.best_epoch, "best": self.best}
        )
        if self.on_round_end is not None:
            self.on_round_end(self.round, self.model)
        if self.round >= self.schedule.rounds:
            self.model.stop_training = True
            self.best_weights = None
            return
        prune_step(self.model, self.criterion, self.x, self.y)
        if self.on_pruned is not None:
            self.on_pruned(self.round + 1, self.model)
        self._start_phase(self.round + 1)

    def on_train_end(self, logs=None):
        # the fit ran out of epochs inside a phase: keep that phase's best weights
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
