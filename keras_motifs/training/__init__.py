"""Training: strategy selection, determinism, and the ``train()`` entry point."""

from .determinism import set_seed
from .devices import configure_logical_cpus, make_strategy
from .fit import TrainResult, train
from .optimizers import make_optimizer

__all__ = ["set_seed", "configure_logical_cpus", "make_strategy", "TrainResult", "train", "make_optimizer"]
