"""One fit of the Deepprune procedure, as the original ``fit()`` does it.

Fresh Adam at the given learning rate, binary cross-entropy on clipped probabilities, batch 256,
the last 10 % of the training arrays as validation (Keras ``validation_split``; no pre-shuffle),
shuffled batches, early stopping on val_loss with patience 15, best-epoch weights restored.
"""

from __future__ import annotations

import time

import keras
import numpy as np

from ..errors import ModelInputError
from ..losses import ClippedBinaryCrossentropy
from ..quiet_fit import SpendTfDataRewriteLine
from .callbacks import BestWeights

DEFAULT_FIT = {
    "batch_size": 256,
    "epochs": 1000,
    "validation_split": 0.1,
    "early_stopping_patience": 15,
    "monitor": "val_loss",
    "beta_1": 0.9,
    "beta_2": 0.999,
    "epsilon": 1e-7,
    "jit_compile": "auto",  # XLA; True was ~1.8x faster for the 256-kernel model on a 2-core CPU
}


def fit_config(training: dict | None = None, **overrides) -> dict:
    """Fit settings from a preset's training config (keys of ``DEFAULT_FIT``) plus overrides."""
    cfg = dict(DEFAULT_FIT)
    for key in DEFAULT_FIT:
        if training and key in training:
            cfg[key] = training[key]
    for key, value in overrides.items():
        if key not in DEFAULT_FIT:
            raise TypeError(f"unknown fit setting {key!r}; choose from {sorted(DEFAULT_FIT)}")
        if value is not None:
            cfg[key] = value
    return cfg


def compile_model(model, learning_rate: float, cfg: dict | None = None) -> None:
    cfg = fit_config(None, **(cfg or {}))
    model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=learning_rate, beta_1=cfg["beta_1"], beta_2=cfg["beta_2"], epsilon=cfg["epsilon"]
        ),
        loss=ClippedBinaryCrossentropy(),
        jit_compile=cfg["jit_compile"],
    )


def fit_model(model, x, y, learning_rate: float, cfg: dict | None = None, *, verbose: int = 0) -> dict:
    """Compile ``model`` with a fresh Adam and fit it; returns a summary of the fit."""
    cfg = fit_config(None, **(cfg or {}))
    x = np.asarray(x)
    y = np.asarray(y, dtype=np.float32).reshape(-1, 1)
    if len(x) != len(y):
        raise ModelInputError(f"x has {len(x)} samples but y has {len(y)} labels")
    compile_model(model, learning_rate, cfg)
    best = BestWeights(cfg["monitor"])
    stop = keras.callbacks.EarlyStopping(monitor=cfg["monitor"], patience=cfg["early_stopping_patience"])
    t0 = time.perf_counter()
    history = model.fit(
        x,
        y,
        batch_size=cfg["batch_size"],
        epochs=cfg["epochs"],
        validation_split=cfg["validation_split"],
        shuffle=True,
        verbose=verbose,
        callbacks=[stop, best, SpendTfDataRewriteLine()],  # last: TF's harmless tf.data line, in the scripts
    )
    return {
        "learning_rate": float(learning_rate),
        "epochs_run": len(history.history.get("loss", [])),
        "best_epoch": int(best.best_epoch) + 1,
        "best_val_loss": float(best.best),
        "seconds": time.perf_counter() - t0,
    }
