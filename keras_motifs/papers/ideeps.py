"""Train and evaluate an iDeepS preset the way the original ``run_network`` did.

:func:`make_inputs` turns sequences and context strings into the model's input dict;
:func:`fit` trains with :func:`keras_motifs.training.train` (seed, logs, resume) using the
preset's settings — categorical cross-entropy, RMSprop (eps 1e-8), batch 50, at most 30 epochs,
early stopping on validation loss with patience 5 — and, as the original (no checkpoint, no
restore), keeps the weights of the *last* epoch unless ``restore_best=True``.
"""

from __future__ import annotations

import os
from typing import Sequence

import keras
import numpy as np

from ..errors import ModelInputError
from ..models.ideeps.encoding import encode_sequences, encode_structures
from ..registry import get_preset
from ..models import ideeps as _ideeps  # noqa: F401  (registers the iDeepS presets)


class KeepFinalWeights(keras.callbacks.Callback):
    """Remember the weights at the end of training (before any reload of a best checkpoint)."""

    def __init__(self):
        super().__init__()
        self.weights = None
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1

    def on_train_end(self, logs=None):
        self.weights = [w.copy() for w in self.model.get_weights()]


def make_inputs(
    sequences: Sequence[str],
    structures: Sequence[str] | None = None,
    preset: str = "ideeps",
    layout: str = "centered",
    length: int | None = None,
) -> dict[str, np.ndarray]:
    """``{"sequence": (N, L+10, 4), "structure": (N, L+10, 6)}`` for the preset's branches."""
    cfg = get_preset(preset)
    length = length or cfg["sequence_length"]
    out = {"sequence": encode_sequences(sequences, length, cfg["flank"], cfg["sequence_n_value"], layout)}
    if "structure" in cfg["branches"]:
        if structures is None:
            raise ModelInputError(f"preset {preset!r} needs structure context strings")
        if len(structures) != len(sequences):
            raise ModelInputError(f"{len(sequences)} sequences but {len(structures)} structure strings")
        for i, (s, c) in enumerate(zip(sequences, structures)):
            if len(s) != len(c):
                raise ModelInputError(f"record {i}: sequence has length {len(s)}, structure {len(c)}")
        out["structure"] = encode_structures(structures, length, cfg["flank"], cfg["structure_n_value"], layout)
    return out


def one_hot_labels(labels) -> np.ndarray:
    """0/1 labels → (N, 2) float32, as LabelEncoder + to_categorical in the original."""
    labels = np.asarray(labels).astype(np.int64)
    if labels.size and not np.isin(labels, [0, 1]).all():
        bad = labels[~np.isin(labels, [0, 1])][:5].tolist()
        raise ModelInputError(f"labels must be 0 or 1; found {bad}")
    return np.eye(2, dtype=np.float32)[labels]


def fit(
    preset: str,
    train: tuple[dict, np.ndarray],
    validation: tuple[dict, np.ndarray],
    output_dir: "str | os.PathLike",
    *,
    seed: int = 1,
    epochs: int | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    restore_best: bool | None = None,
    model_kwargs: dict | None = None,
    verbose=0,
):
    """Train ``preset`` on ``(inputs, labels 0/1)`` pairs; returns ``(model, TrainResult)``.

    The returned model holds the last epoch's weights (original behaviour) unless
    ``restore_best`` (default: the preset's ``restore_best_weights``, False) is true, in which case
    it is the checkpoint with the lowest validation loss.
    """
    from ..training import train as _train

    cfg = get_preset(preset)["training"]
    restore = cfg["restore_best_weights"] if restore_best is None else restore_best
    keep = KeepFinalWeights()
    x_train, y_train = train
    x_val, y_val = validation
    names = get_preset(preset)["branches"]
    x_train = {k: x_train[k] for k in names}
    x_val = {k: x_val[k] for k in names}
    result = _train(
        preset,
        (x_train, one_hot_labels(y_train)),
        (x_val, one_hot_labels(y_val)),
        output_dir=output_dir,
        model_kwargs=dict(model_kwargs or {}, seed=seed),
        epochs=epochs,
        batch_size=batch_size,
        early_stopping_patience=early_stopping_patience if early_stopping_patience is not None else cfg["early_stopping_patience"],
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=["categorical_accuracy"],
        seed=seed,
        shuffle_buffer=len(y_train),  # Keras 1 fit(shuffle=True): a full reshuffle every epoch
        tensorboard=False,
        callbacks=[keep],
        verbose=verbose,
    )
    model = result.model
    if not restore and keep.weights is not None:
        model.set_weights(keep.weights)
    result.extra["weights"] = "best_val_loss" if restore else "last_epoch"
    return model, result


def predict_bound(model, inputs: dict, batch_size: int = 500) -> np.ndarray:
    """Probability of the bound class (column 1 of the softmax), as ``predict_proba(...)[:, 1]``."""
    names = [i.name for i in model.inputs]
    return model.predict({k: inputs[k] for k in names}, batch_size=batch_size, verbose=0)[:, 1]
