"""Evaluation metrics: per-target ROC/PR AUC, summaries by group, forward/RC averaging, predictions on arrays."""

from .auc import per_target_auc
from .evaluate import evaluate_paired
from .predict import predict_arrays
from .reverse_complement import average_halves, average_pairs, predict_rc_averaged
from .summary import DEEPSEA_GROUP_SIZES, count_better, deepsea_groups, summarize

__all__ = [
    "per_target_auc", "evaluate_paired", "predict_arrays", "average_halves", "average_pairs", "predict_rc_averaged",
    "DEEPSEA_GROUP_SIZES", "count_better", "deepsea_groups", "summarize",
]
