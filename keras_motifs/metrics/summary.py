"""Means and per-group medians of per-target metrics (DeepSEA/DanQ style reporting)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

# DeepSEA's 919 targets in their published order: 125 DNase, 690 TF, 104 histone marks
# (rows 0-124, 125-814, 815-918 of the DanQ aucs.txt / DeepSEA predictor names).
DEEPSEA_GROUP_SIZES = (("DNase", 125), ("TF", 690), ("Histone", 104))


def deepsea_groups() -> np.ndarray:
    """The group ("DNase", "TF", "Histone") of each of the 919 DeepSEA targets, in order."""
    return np.concatenate([np.full(n, name, dtype=object) for name, n in DEEPSEA_GROUP_SIZES])


def summarize(values: np.ndarray, groups: Sequence[str] | None = None) -> dict:
    """Mean, median and count of the defined (non-NaN) values, and the median of each group.

    ``groups`` gives each target's group; groups are reported in order of first appearance.
    """
    values = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(values)
    out = {
        "mean": float(values[ok].mean()) if ok.any() else float("nan"),
        "median": float(np.median(values[ok])) if ok.any() else float("nan"),
        "n": int(ok.sum()),
        "n_na": int((~ok).sum()),
    }
    if groups is not None:
        groups = np.asarray(groups, dtype=object)
        if groups.shape != values.shape:
            raise ValueError(f"{len(groups)} group labels for {len(values)} targets")
        per_group = {}
        for g in dict.fromkeys(groups.tolist()):
            sel = (groups == g) & ok
            per_group[g] = {
                "median": float(np.median(values[sel])) if sel.any() else float("nan"),
                "mean": float(values[sel].mean()) if sel.any() else float("nan"),
                "n": int(sel.sum()),
            }
        out["groups"] = per_group
    return out


def count_better(ours: np.ndarray, reference: np.ndarray) -> dict:
    """How many targets (defined in both) have ours > reference; the DanQ paper's '94.1 %'."""
    ours = np.asarray(ours, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    ok = ~np.isnan(ours) & ~np.isnan(reference)
    better = int((ours[ok] > reference[ok]).sum())
    n = int(ok.sum())
    return {"better": better, "n": n, "fraction": better / n if n else float("nan")}
