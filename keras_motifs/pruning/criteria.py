"""Kernel-importance criteria of Deepprune and the median rule.

Importance of kernel k (Luo et al. 2019, Methods; original ``prune_sim.py`` ``modep``):
  * ``weight`` (modep 0):  ``|w_k|``, the magnitude of the kernel's dense-layer weight.
  * ``score`` (modep 1):   ``|mean_P u_k - mean_N u_k|``, the difference between the mean pooled
    score ``u_k`` (global max pooling output) over training positives and over negatives.
  * ``score_weight`` (modep 2): ``|mean_P (w_k u_k) - mean_N (w_k u_k)|``.
The kept kernels are those strictly above the median (``np.percentile(., 50)``) of the
importance of the kernels still active.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelInputError

CRITERIA = ("weight", "score", "score_weight")
# the original code's ``modep`` values
MODEP = {"weight": 0, "score": 1, "score_weight": 2}


def weight_importance(dense_kernel) -> np.ndarray:
    """``|w_k|`` per kernel from the dense kernel (shape (K,) or (K, 1))."""
    w = np.asarray(dense_kernel, dtype=np.float64)
    if w.ndim == 2:
        if w.shape[1] != 1:
            raise ModelInputError(f"dense kernel has shape {w.shape}; expected (K, 1)")
        w = w[:, 0]
    return np.abs(w)


def _check_scores(scores_pos, scores_neg):
    p = np.asarray(scores_pos, dtype=np.float64)
    n = np.asarray(scores_neg, dtype=np.float64)
    if p.ndim != 2 or n.ndim != 2 or p.shape[1] != n.shape[1]:
        raise ModelInputError(
            f"pooled scores must be (N_pos, K) and (N_neg, K); got {p.shape} and {n.shape}"
        )
    if len(p) == 0 or len(n) == 0:
        raise ModelInputError(
            f"score criteria need positives and negatives; got {len(p)} positives, {len(n)} negatives"
        )
    return p, n


def score_importance(scores_pos, scores_neg) -> np.ndarray:
    """``|mean over positives - mean over negatives|`` of each kernel's pooled score."""
    p, n = _check_scores(scores_pos, scores_neg)
    return np.abs(p.mean(0) - n.mean(0))


def score_weight_importance(scores_pos, scores_neg, dense_kernel) -> np.ndarray:
    """``|mean_P(w_k u_k) - mean_N(w_k u_k)|`` of each kernel."""
    p, n = _check_scores(scores_pos, scores_neg)
    w = np.asarray(dense_kernel, dtype=np.float64).reshape(-1)
    if w.shape[0] != p.shape[1]:
        raise ModelInputError(f"dense kernel has {w.shape[0]} weights but scores have {p.shape[1]} kernels")
    return np.abs((p * w).mean(0) - (n * w).mean(0))


def median_keep(importance, active=None) -> np.ndarray:
    """Boolean keep-mask: active kernels whose importance is strictly above the active median.

    ``active`` (boolean, default all) restricts both the median and the result to kernels not
    yet pruned, as the original does by rebuilding a model of only the kept kernels.
    """
    imp = np.asarray(importance, dtype=np.float64).reshape(-1)
    act = np.ones(imp.shape, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    if act.shape != imp.shape:
        raise ModelInputError(f"active mask has shape {act.shape}, importance {imp.shape}")
    if not act.any():
        raise ModelInputError("no active kernels left to prune")
    if not np.isfinite(imp[act]).all():
        raise ModelInputError("kernel importance contains NaN or infinite values")
    threshold = np.percentile(imp[act], 50)
    return act & (imp > threshold)
