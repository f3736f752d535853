"""Prediction averaged over forward and reverse-complement sequences (DeepSEA/DanQ protocol)."""

from __future__ import annotations

import numpy as np

from ..data.onehot import reverse_complement
from .predict import predict_arrays


def average_halves(predictions: np.ndarray) -> np.ndarray:
    """Average rows i and i + N/2: the DeepSEA layout (forward half, then RC half, same order)."""
    predictions = np.asarray(predictions)
    n = predictions.shape[0]
    if n % 2:
        raise ValueError(f"{n} rows cannot be split into forward and reverse-complement halves")
    return (predictions[: n // 2] + predictions[n // 2 :]) / 2.0


def average_pairs(predictions: np.ndarray, pair_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average predictions sharing a pair id; returns (unique ids, averaged predictions).

    Every id must occur exactly twice (forward and reverse complement).
    """
    pair_ids = np.asarray(pair_ids)
    order = np.argsort(pair_ids, kind="stable")
    ids = pair_ids[order]
    if len(ids) % 2 or not (ids[0::2] == ids[1::2]).all():
        counts = np.unique(pair_ids, return_counts=True)
        bad = counts[0][counts[1] != 2][:5].tolist()
        raise ValueError(f"pair ids must each occur exactly twice; these do not: {bad}")
    p = np.asarray(predictions)[order]
    return ids[0::2], (p[0::2] + p[1::2]) / 2.0


def predict_rc_averaged(model, x: np.ndarray, alphabet="ACGT", batch_size: int = 256, verbose=0) -> np.ndarray:
    """``(model(x) + model(revcomp(x))) / 2`` for one-hot ``x`` of shape (N, L, A)."""
    fwd = predict_arrays(model, x, batch_size, verbose)
    rev = predict_arrays(model, np.ascontiguousarray(reverse_complement(x, alphabet)), batch_size, verbose)
    return (fwd + rev) / 2.0
