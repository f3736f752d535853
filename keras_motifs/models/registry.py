"""Name → model builder registry, so training and reproductions can build any model by name.

Each entry maps a preset name to ``(builder, training_config)``: ``builder(**kwargs)`` returns an
uncompiled ``keras.Model``; ``training_config()`` returns the preset's optimizer/batch/epoch
settings (keys: optimizer, learning_rate, batch_size, epochs, early_stopping_patience, monitor,
and optimizer-specific ones). Model modules register themselves on import.
"""

from __future__ import annotations

from typing import Callable

_REGISTRY: dict[str, tuple[Callable, Callable[[], dict]]] = {}


def register(name: str, builder: Callable, training_config: Callable[[], dict]) -> None:
    _REGISTRY[name] = (builder, training_config)


def available() -> list[str]:
    return sorted(_REGISTRY)


def build(name: str, **kwargs):
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; available: {available()}")
    return _REGISTRY[name][0](**kwargs)


def training_config(name: str) -> dict:
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; available: {available()}")
    return _REGISTRY[name][1]()
