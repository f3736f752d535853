"""Deepprune's iterative kernel pruning (Luo, Chi & Deng 2019) for models with a ``MaskLayer``.

* :class:`PruningSchedule` — kernel counts and learning rates per round (data).
* criteria — ``weight``, ``score``, ``score_weight`` importances and the median rule.
* :func:`prune_step` — mask the kernels not strictly above the median importance.
* :func:`rebuild_and_copy` / :func:`export_pruned` — the original's smaller rebuilt model.
* :func:`fit_model` — one fit as the original does it (fresh Adam, early stopping, best weights).
* :func:`run_deepprune` — Deepprune and its comparison variants (inter, baselines, reinit).
* :class:`IterativePruning` — the whole schedule as one Keras callback inside ``model.fit``.
"""

from .callbacks import BestWeights, IterativePruning
from .criteria import CRITERIA, median_keep, score_importance, score_weight_importance, weight_importance
from .deepprune import VARIANTS, run_deepprune
from .fitting import DEFAULT_FIT, compile_model, fit_config, fit_model
from .prune import export_pruned, find_mask_layer, kernel_importance, pooled_scores, prune_step, rebuild_and_copy, zero_masked
from .schedule import PruningSchedule

__all__ = [
    "BestWeights", "IterativePruning", "CRITERIA", "median_keep", "score_importance", "score_weight_importance",
    "weight_importance", "VARIANTS", "run_deepprune", "DEFAULT_FIT", "compile_model", "fit_config",
    "fit_model", "export_pruned", "find_mask_layer", "kernel_importance", "pooled_scores",
    "prune_step", "rebuild_and_copy", "zero_masked", "PruningSchedule",
]
