"""Per-target ROC AUC and PR AUC for multi-task binary classification.

A target without positives (or without negatives) in the evaluated set has no defined AUC: it is
reported as NaN ("NA"), never as 0.5, and excluded from means and medians (the DeepSEA test set
has one such target, K562 BRF1).

PR AUC is scikit-learn's average precision (the step-wise area under the precision-recall
curve), the usual estimator; ``pr_method="trapezoid"`` gives the trapezoidal area instead.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import auc as _trapezoid_auc
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from ..errors import ModelInputError


def _check(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_score.ndim == 1:
        y_score = y_score[:, None]
    if y_true.shape != y_score.shape:
        raise ModelInputError(f"labels have shape {y_true.shape} but predictions have shape {y_score.shape}")
    if not np.isfinite(y_score).all():
        bad = np.argwhere(~np.isfinite(y_score))[0]
        raise ModelInputError(f"prediction for sample {bad[0]}, target {bad[1]} is not finite ({y_score[tuple(bad)]})")
    values = np.unique(y_true)
    if not np.isin(values, [0, 1]).all():
        raise ModelInputError(f"labels must be 0 or 1; found {values[~np.isin(values, [0, 1])][:5].tolist()}")
    return y_true.astype(np.int8), y_score


def per_target_auc(y_true, y_score, pr_method: str = "average_precision") -> dict[str, np.ndarray]:
    """ROC AUC and PR AUC of every target (column); NaN where a target has one class only.

    Returns ``{"roc_auc": (T,), "pr_auc": (T,), "n_positive": (T,)}``.
    """
    y_true, y_score = _check(y_true, y_score)
    n_targets = y_true.shape[1]
    roc = np.full(n_targets, np.nan)
    pr = np.full(n_targets, np.nan)
    n_pos = y_true.sum(0).astype(np.int64)
    n = y_true.shape[0]
    for t in range(n_targets):
        if n_pos[t] == 0 or n_pos[t] == n:
            continue
        roc[t] = roc_auc_score(y_true[:, t], y_score[:, t])
        if pr_method == "average_precision":
            pr[t] = average_precision_score(y_true[:, t], y_score[:, t])
        elif pr_method == "trapezoid":
            precision, recall, _ = precision_recall_curve(y_true[:, t], y_score[:, t])
            pr[t] = _trapezoid_auc(recall, precision)
        else:
            raise ValueError(f"unknown pr_method {pr_method!r}")
    return {"roc_auc": roc, "pr_auc": pr, "n_positive": n_pos}
