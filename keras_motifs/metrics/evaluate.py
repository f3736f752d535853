"""Evaluate a multi-task model on a split of forward/reverse-complement pairs (DanQ protocol)."""

from __future__ import annotations

import time

import numpy as np

from .auc import per_target_auc
from .reverse_complement import average_pairs
from .summary import summarize


def evaluate_paired(model, examples, to_xy, batch_size: int = 100, groups=None, verbose=0) -> dict:
    """Predict every sequence of ``examples`` and average each forward/RC pair.

    Args:
      examples: ``tf.data.Dataset`` of dicts with ``pair_index`` and ``strand`` (e.g. a
        ``deepsea`` split), in any order.
      to_xy: maps one example dict to ``(x, y)`` (e.g. ``tfds_builders.deepsea.to_one_hot``).
      groups: per-target group names for per-group medians.
    Returns per-target ROC/PR AUC, their summaries, loss and accuracy on all 2N sequences
    (as Table S1 of the DanQ paper reports), the averaged predictions and the labels.
    """
    import tensorflow as tf

    pair = []
    labels = []
    for e in examples.map(lambda e: (e["pair_index"], e["label"])).batch(4096).as_numpy_iterator():
        pair.append(e[0])
        labels.append(e[1])
    pair = np.concatenate(pair)
    labels = np.concatenate(labels)
    xs = examples.map(lambda e: to_xy(e)[0], num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size).prefetch(2)
    t0 = time.perf_counter()
    pred = model.predict(xs, verbose=verbose)
    seconds = time.perf_counter() - t0
    if len(pred) != len(labels):
        raise RuntimeError(f"{len(pred)} predictions for {len(labels)} examples")
    p = np.clip(pred.astype(np.float64), 1e-7, 1 - 1e-7)
    y = labels.astype(np.float64)
    loss = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    accuracy = float(np.mean((pred > 0.5) == (labels > 0.5)))
    ids, avg = average_pairs(pred, pair)
    _, y_avg = average_pairs(labels.astype(np.float32), pair)
    if not np.isin(y_avg, (0.0, 1.0)).all():
        raise ValueError("a forward sequence and its reverse complement have different labels")
    aucs = per_target_auc(y_avg.astype(np.int8), avg)
    return {
        "roc_auc": aucs["roc_auc"],
        "pr_auc": aucs["pr_auc"],
        "n_positive": aucs["n_positive"],
        "roc_summary": summarize(aucs["roc_auc"], groups),
        "pr_summary": summarize(aucs["pr_auc"], groups),
        "loss": loss,
        "accuracy": accuracy,
        "n_sequences": int(len(labels)),
        "n_pairs": int(len(ids)),
        "predict_seconds": seconds,
        "predict_sequences_per_second": len(labels) / seconds if seconds else float("nan"),
        "predictions": avg,
        "labels": y_avg.astype(np.int8),
    }
