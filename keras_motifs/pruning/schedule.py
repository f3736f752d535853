"""The Deepprune pruning schedule: kernel counts and learning rates per round (data, no training).

Round 0 is the initial fit of the full model at ``lr_init``; rounds 1..k each prune to the kernels
strictly above the median importance and fine-tune at ``lr_init / decay_rate**round`` (original
code ``prune_sim.py``: ``lr = lr_init / decay_rate ** i if lr_decay else lr_init``). With the
defaults (256 kernels, k = 6, lr_init 0.01, decay 1.2): 256 → 128 → 64 → 32 → 16 → 8 → 4 kernels
and learning rates 0.01, 0.00833, 0.00694, 0.00579, 0.00482, 0.00402, 0.00335.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PruningSchedule:
    """Iterative pruning schedule of Deepprune.

    Attributes:
      kernels: kernel count of the initial (over-parameterised) model, ``2**k * d``.
      rounds: number of prune + fine-tune rounds ``k`` after the initial fit.
      lr_init: learning rate of the initial fit (and of every baseline / reinit fit).
      decay_rate: fine-tuning learning rate of round i is ``lr_init / decay_rate**i``.
      lr_decay: when False every fine-tuning uses ``lr_init``.
    """

    kernels: int = 256
    rounds: int = 6
    lr_init: float = 0.01
    decay_rate: float = 1.2
    lr_decay: bool = True

    def __post_init__(self):
        if self.rounds < 0:
            raise ValueError(f"rounds must be >= 0, got {self.rounds}")
        if self.kernels < 2**self.rounds:
            raise ValueError(
                f"{self.kernels} kernels cannot be halved {self.rounds} times (need >= {2**self.rounds})"
            )
        if self.lr_init <= 0 or self.decay_rate <= 0:
            raise ValueError("lr_init and decay_rate must be positive")

    def learning_rate(self, round_: int) -> float:
        """Learning rate of round ``round_`` (0 = initial fit)."""
        if not 0 <= round_ <= self.rounds:
            raise ValueError(f"round must be in 0..{self.rounds}, got {round_}")
        if round_ == 0 or not self.lr_decay:
            return self.lr_init
        return self.lr_init / self.decay_rate**round_

    def learning_rates(self) -> list[float]:
        return [self.learning_rate(i) for i in range(self.rounds + 1)]

    def nominal_kernels(self, round_: int) -> int:
        """Nominal kernel count after round ``round_`` (``kernels / 2**round``).

        The actual count is the number of kernels strictly above the median importance, which is
        exactly half when there are no ties.
        """
        return self.kernels // 2**round_

    def kernel_counts(self) -> list[int]:
        return [self.nominal_kernels(i) for i in range(self.rounds + 1)]
