"""Training: strategy selection, determinism, and the ``train()`` entry point."""

from .determinism import set_seed
from .devices import configure_logical_cpus, make_strategy
from .fit import TrainResult, train
from .optimizers import make_optimizer
from .shuffle import ArrayRows, FullShuffle, epoch_permutation

__all__ = ["set_seed", "configure_logical_cpus", "make_strategy", "TrainResult", "train", "make_optimizer",
           "ArrayRows", "FullShuffle", "epoch_permutation"]
