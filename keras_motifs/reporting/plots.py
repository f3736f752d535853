"""ROC / PR curve plots and per-target scatter plots (matplotlib, Agg backend, atomic writes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io.atomic import atomic_path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def roc_pr_curves(y_true: np.ndarray, y_score: np.ndarray, targets: list[int], names: list[str], out_dir: Path, prefix: str = ""):
    """Write ``<prefix>roc_curves.png`` and ``<prefix>pr_curves.png`` for the chosen targets."""
    from sklearn.metrics import precision_recall_curve, roc_curve

    plt = _plt()
    out_dir = Path(out_dir)
    paths = []
    for kind in ("roc", "pr"):
        fig, ax = plt.subplots(figsize=(5, 5))
        for t in targets:
            yt, ys = y_true[:, t], y_score[:, t]
            if yt.min() == yt.max():
                continue
            if kind == "roc":
                fpr, tpr, _ = roc_curve(yt, ys)
                ax.plot(fpr, tpr, label=names[t])
            else:
                p, r, _ = precision_recall_curve(yt, ys)
                ax.plot(r, p, label=names[t])
        if kind == "roc":
            ax.plot([0, 1], [0, 1], "k--", lw=0.5)
            ax.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC curves")
        else:
            ax.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curves")
        ax.legend(fontsize=7, loc="lower right" if kind == "roc" else "upper right")
        fig.tight_layout()
        path = out_dir / f"{prefix}{kind}_curves.png"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=120, format="png")
        plt.close(fig)
        paths.append(path)
    return paths


def auc_histograms(roc: np.ndarray, pr: np.ndarray, groups: list[str], out_path: Path):
    """Distribution of per-target ROC and PR AUC, one colour per group."""
    plt = _plt()
    groups = np.asarray(groups)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, values, title in ((axes[0], roc, "ROC AUC"), (axes[1], pr, "PR AUC")):
        for g in dict.fromkeys(groups.tolist()):
            v = values[(groups == g) & ~np.isnan(values)]
            ax.hist(v, bins=30, range=(0, 1), alpha=0.6, label=f"{g} (n={len(v)})")
        ax.set(xlabel=title, ylabel="targets")
        ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(out_path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
    return out_path


def scatter_vs(ours: np.ndarray, reference: np.ndarray, xlabel: str, ylabel: str, out_path: Path):
    """Per-target scatter of ours (y) against a reference model (x), with the diagonal."""
    plt = _plt()
    ok = ~np.isnan(ours) & ~np.isnan(reference)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.scatter(reference[ok], ours[ok], s=4, alpha=0.5)
    lo = float(min(reference[ok].min(), ours[ok].min())) if ok.any() else 0.0
    ax.plot([lo, 1], [lo, 1], "k--", lw=0.5)
    better = int((ours[ok] > reference[ok]).sum())
    ax.set(xlabel=xlabel, ylabel=ylabel, title=f"{better}/{int(ok.sum())} targets above the diagonal")
    fig.tight_layout()
    with atomic_path(out_path) as tmp:
        fig.savefig(tmp, dpi=120, format="png")
    plt.close(fig)
    return out_path
