"""Applying keyword overrides to a preset's hyperparameters (shared by every model builder)."""

from __future__ import annotations


def apply_overrides(cfg: dict, overrides: dict, model: str, protected: tuple[str, ...] = ("training",)) -> dict:
    """Set ``cfg[key] = value`` for each override; an unknown or protected key is a TypeError
    naming the model, so a misspelt hyperparameter never passes silently."""
    for key, value in overrides.items():
        if key not in cfg or key in protected:
            raise TypeError(f"{model}: unknown hyperparameter {key!r}")
        cfg[key] = value
    return cfg
