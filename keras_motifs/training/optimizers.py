"""Optimizers from a preset's training settings, with the original code's values."""

from __future__ import annotations

import keras


def make_optimizer(cfg: dict) -> keras.optimizers.Optimizer:
    """Build the optimizer named in a training config.

    Recognised keys: ``optimizer`` (``rmsprop``: Keras 3's, whose ``g / sqrt(a + eps)`` is also
    Keras 0.2's; ``keras1_rmsprop``: :class:`keras_motifs.optimizers.Keras1RMSprop`, Keras 1's
    ``g / (sqrt(a) + eps)``; ``adam``, ``sgd``, ``torch_sgd``), ``learning_rate`` and the
    optimizer's own settings (``rho``, ``epsilon``, ``beta_1``, ``beta_2``, ``momentum``,
    ``nesterov``). Values not given fall back to the *old* Keras defaults the original models used
    where they differ from Keras 3's (RMSprop epsilon 1e-6 in Keras 0.x and 1e-8 in Keras 1, Adam
    epsilon 1e-8 in Keras 1-2).
    """
    name = cfg.get("optimizer", "rmsprop").lower()
    lr = cfg.get("learning_rate", 1e-3)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, rho=cfg.get("rho", 0.9), epsilon=cfg.get("epsilon", 1e-6))
    if name == "adam":
        return keras.optimizers.Adam(
            learning_rate=lr,
            beta_1=cfg.get("beta_1", 0.9),
            beta_2=cfg.get("beta_2", 0.999),
            epsilon=cfg.get("epsilon", 1e-8),
        )
    if name == "sgd":
        return keras.optimizers.SGD(
            learning_rate=lr, momentum=cfg.get("momentum", 0.0), nesterov=cfg.get("nesterov", False)
        )
    if name == "keras1_rmsprop":
        from ..optimizers import Keras1RMSprop

        return Keras1RMSprop(learning_rate=lr, rho=cfg.get("rho", 0.9), epsilon=cfg.get("epsilon", 1e-8))
    if name == "torch_sgd":
        from ..optimizers import TorchSGD

        return TorchSGD(
            learning_rate=lr,
            momentum=cfg.get("momentum", 0.0),
            dampening=cfg.get("dampening"),
            torch_weight_decay=cfg.get("torch_weight_decay", 0.0),
            learning_rate_decay=cfg.get("learning_rate_decay", 0.0),
        )
    raise ValueError(f"unknown optimizer {name!r} in training config")
