"""Koo & Eddy 2019 motif analysis of trained CNN-N models: filters -> PWMs (the paper's
activation rule) -> clipped MEME -> Tomtom against JASPAR 2016 vertebrates (E < 0.1) -> the
fractions of Table 1/2 (match any JASPAR motif; match a ground-truth/relevant motif; TF coverage).

The alignment is :func:`keras_motifs.interpret.filter_motifs` with ``rule="koo_eddy"`` wherever
its window (the filter's own width, centred) equals the code's: the released code
(``deepomics.visualize.activation_pwm(fmap, X, threshold=0.5, window=19)``) always cuts a 19-nt
window, 9 left and 9 right of the activated position. For first-layer filters of width 19 the two
are the same computation (a test checks it). For the 9- and 3-wide first layers (CNN9-*, CNN3-*)
and for deeper layers (CNN-1's second layer, CNN-1-1-100's layers), :func:`activation_pwm` here
applies the same rule with the code's fixed 19-nt window — interpret's rule has no window option.

Clipping follows the code's ``helper.clip_filters`` (``keras_motifs.interpret.trim``: positions
with > 0.5 bits, padded by 3). Tomtom: ``tomtom -evalue -thresh 0.1`` with MEME's defaults
(Pearson distance, min overlap 1), here through :func:`keras_motifs.interpret.tomtom`
(memelite; see its docstring for how its p-values differ from MEME's).

Training and Table 1/2 (``reproductions/koo_eddy.py``): :func:`training_settings` (the preset's
settings with explicit overrides, merged once), :func:`train_and_test` (one trial: per-class ROC /
PR AUC), :func:`read_published` and :func:`summary_rows` / :func:`format_summary` (mean ± sd over
trials next to the paper's table).

Differences from the original:
  * Tomtom is memelite's re-implementation, not the MEME-suite binary; E-values differ somewhat.
  * The code's ``clip_filters`` tests ``index.any()``, which is False when only position 0 passes
    (then the whole filter is kept); ``interpret.trim`` clips that case too.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

# JASPAR IDs counted as a match to each TF's ground truth (code 3_match_statistics_synthetic.py;
# ORIGINALS.md §4.6).
GROUND_TRUTH_IDS: dict[str, list[str]] = {
    "Arid3a": ["MA0151.1", "MA0601.1", "PB0001.1"],
    "CEBPB": ["MA0466.1", "MA0466.2"],
    "FOSL1": ["MA0477.1"],
    "Gabpa": ["MA0062.1", "MA0062.2"],
    "MAFK": ["MA0496.1", "MA0496.2"],
    "MAX": ["MA0058.1", "MA0058.2", "MA0058.3"],
    "MEF2A": ["MA0052.1", "MA0052.2", "MA0052.3"],
    "NFYB": ["MA0502.1", "MA0060.1", "MA0060.2"],
    "SP1": ["MA0079.1", "MA0079.2", "MA0079.3"],
    "SRF": ["MA0083.1", "MA0083.2", "MA0083.3"],
    "STAT1": ["MA0137.1", "MA0137.2", "MA0137.3", "MA0660.1", "MA0773.1"],
    "YY1": ["MA0095.1", "MA0095.2"],
}

# In vivo "relevant" motifs: the JASPAR IDs associated with each ChIP-seq TF (the code's
# 3_match_statistics_invivo.py uses the same ID sets as the synthetic analysis).
RELEVANT_IDS = GROUND_TRUTH_IDS
WINDOW = 19  # code: activation_pwm(..., window=19)
TOMTOM_EVALUE = 0.1  # paper: "E-value cutoff of 0.1"; code 2_tomtom_synthetic.sh -evalue -thresh 0.1
TOMTOM_MIN_OVERLAP = 1  # MEME tomtom default (the code passes no -min-overlap)


def activation_pwm(activations: np.ndarray, x: np.ndarray, window: int = WINDOW, threshold: float = 0.5) -> np.ndarray:
    """The code's ``activation_pwm``: PPMs (F, window, 4) from activations (N, L, F) aligned to
    one-hot inputs (N, L, 4) with the same length L (no pooling before the layer).

    Every (sequence, position) whose activation exceeds ``threshold`` x the filter's maximum
    contributes the window [p - window//2, p + window - window//2) weighted by its activation,
    zero-padded at the ends; each row is divided by the summed weights of non-padded windows
    (rows never covered are 0).
    """
    act = np.asarray(activations, dtype=np.float32)
    x = np.asarray(x, dtype=np.float32)
    n, length, n_filters = act.shape
    if x.shape[:2] != (n, length):
        raise ValueError(f"activations {act.shape} and inputs {x.shape} do not align position by position")
    left = window // 2
    right = window - left
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    valid = np.pad(np.ones((n, length), np.float32), ((0, 0), (left, right)))
    w = np.where(act > threshold * act.max(axis=(0, 1)), act, 0.0).reshape(n * length, n_filters)
    counts = np.zeros((n_filters, window, x.shape[-1]))  # float64 accumulators
    norm = np.zeros((n_filters, window))
    for k in range(window):
        xs = xp[:, k : k + length, :].reshape(n * length, -1)
        counts[:, k, :] = w.T @ xs
        norm[:, k] = w.T @ valid[:, k : k + length].reshape(n * length)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppm = counts / norm[:, :, None]
    return np.nan_to_num(ppm, nan=0.0)


def layer_ppms(model, x: np.ndarray, layer: str, batch_size: int = 500) -> np.ndarray:
    """PPMs (F, W, 4) of one activation layer by the paper's rule (see the module docstring)."""
    import keras

    from ..interpret import conv_geometry, filter_motifs

    geo = None
    try:
        geo = conv_geometry(model, layer)
    except Exception:  # not a first-layer convolution: fixed-window path below
        geo = None
    if geo is not None and geo.width == WINDOW and geo.left == WINDOW // 2:
        return filter_motifs(model, x, layer=layer, rule="koo_eddy", alphabet="ACGT", batch_size=batch_size).ppm
    sub = keras.Model(model.inputs, model.get_layer(layer).output)
    act = np.concatenate([np.asarray(sub(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)])
    if act.shape[1] != x.shape[1]:
        raise ValueError(f"layer {layer!r} output length {act.shape[1]} != input length {x.shape[1]}: pooled, cannot align")
    return activation_pwm(act, x)


def analyse_ppms(ppms: np.ndarray, ground_truth: dict | None = None, targets="JASPAR2016") -> dict:
    """Clip, Tomtom (E < 0.1) against ``targets`` and summarise (Table 1 columns)."""
    from ..interpret import Motif, match_summary, tomtom, trim

    ground_truth = GROUND_TRUTH_IDS if ground_truth is None else ground_truth
    names = [f"filter{i}" for i in range(len(ppms))]
    clipped = [trim(p, threshold=0.5, pad=3)[0] for p in ppms]
    motifs = [Motif(n, c, nsites=len(c)) for n, c in zip(names, clipped)]
    table = tomtom(motifs, targets, distance="pearson", min_overlap=TOMTOM_MIN_OVERLAP, evalue_threshold=TOMTOM_EVALUE)
    summ = match_summary(table, names, ground_truth)
    best = {}
    if len(table):
        top = table.sort_values(["q_value", "p_value"], kind="stable").groupby("query", sort=False).head(1)
        best = {r.query: {"target_id": r.target_id, "target_name": r.target_name, "e_value": float(r.e_value),
                          "q_value": float(r.q_value)} for r in top.itertuples()}
    return {
        "n_filters": len(names),
        "match_any_fraction": summ["match_any"],
        "match_relevant_fraction": summ["match_ground_truth"],
        "tf_coverage": summ["coverage"],
        "tfs_covered": summ["tfs_covered"],
        "best_hits": best,
        "clipped_widths": [len(c) for c in clipped],
    }, motifs


def analyse_model(model, x_test: np.ndarray, folder, layers=("conv0_active",), dataset: str = "synthetic") -> dict:
    """Run the motif analysis on ``layers`` and write ``motifs_<layer>.json``,
    ``filters_<layer>.npz`` (unclipped PPMs) and ``filters_<layer>_clip.meme`` into ``folder``."""
    from ..interpret import write_meme
    from ..io import atomic_path, write_json

    folder = Path(folder)
    out = {}
    for layer in layers:
        ppms = layer_ppms(model, x_test, layer)
        with atomic_path(folder / f"filters_{layer}.npz") as tmp:
            np.savez_compressed(tmp, ppm=ppms)
        result, motifs = analyse_ppms(ppms, RELEVANT_IDS if dataset == "invivo" else GROUND_TRUTH_IDS)
        write_meme(folder / f"filters_{layer}_clip.meme", motifs, alphabet="ACGT")
        result["layer"] = layer
        write_json(folder / f"motifs_{layer}.json", result)
        out[layer] = result
    return out


def plot_filter_grid(folder, png, layer: str = "conv0_active", title: str = "", ncols: int = 5) -> None:
    """Information-content logos of every filter (Fig. 2 style), best ground-truth hit as label."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    import logomaker
    import matplotlib.pyplot as plt
    import pandas as pd

    from ..interpret import ic_heights
    from ..io import atomic_path

    folder = Path(folder)
    ppms = np.load(folder / f"filters_{layer}.npz")["ppm"]
    info = json.loads((folder / f"motifs_{layer}.json").read_text())
    id_to_tf = {i: tf for tf, ids in GROUND_TRUTH_IDS.items() for i in ids}
    nrows = int(np.ceil(len(ppms) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3 * ncols, 1.2 * nrows))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i >= len(ppms):
            continue
        heights = pd.DataFrame(ic_heights(np.clip(ppms[i], 0, 1)), columns=list("ACGT"))
        logomaker.Logo(heights, ax=ax, show_spines=False)
        ax.set_ylim(0, 2)
        hit = info["best_hits"].get(f"filter{i}")
        label = f"{i}: {id_to_tf.get(hit['target_id'], hit['target_name'])}" if hit else f"{i}"
        ax.set_title(label, fontsize=8, color="green" if hit and hit["target_id"] in id_to_tf else "black")
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(png) as tmp:
        fig.savefig(tmp, dpi=80)
    plt.close(fig)


# ------------------------------------------------------------------- training and Table 1/2
PAPER_TABLES = {  # under the shared data folder
    "synthetic": "published/koo_eddy2019_table1_synthetic.tsv",
    "invivo": "published/koo_eddy2019_table2_invivo.tsv",
}
# Layers analysed beyond the first (paper: CNN-1's second layer; CNN-1-1-100's layers 1-3).
EXTRA_LAYERS = {"koo_eddy_cnn_1": ["conv1_active"], "koo_eddy_cnn_1_3": ["conv1_active", "conv2_active"]}


def training_settings(preset: str, *, variant: str = "paper", dataset: str = "synthetic", epochs: int | None = None) -> dict:
    """The preset's training settings (``variant`` "paper" or "code"; in vivo batch size for
    ``dataset="invivo"``) with ``epochs`` (when given) overriding the preset's maximum."""
    from ..models.koo_eddy import training_config

    cfg = training_config(preset, variant=variant, in_vivo=dataset == "invivo")
    if epochs:
        cfg["epochs"] = epochs
    return cfg


def train_and_test(preset: str, data: dict, training: dict, *, seed: int, initializer: str = "glorot",
                   output_dir, verbose: int = 0) -> tuple:
    """Train one trial of ``preset`` on one-hot ``data`` {"train", "validation", "test": (x, y)} with
    ``training`` settings; returns ``(TrainResult, metrics)``: per-class ROC AUC, PR AUC (average
    precision and trapezoid, the paper's), their means, epochs, best epoch and seconds."""
    from ..metrics import per_target_auc
    from ..models.koo_eddy import trainable_parameter_count
    from ..training import train

    t0 = time.time()
    result = train(
        preset, data["train"], data["validation"], output_dir=output_dir, training=training,
        model_kwargs={"sequence_length": data["train"][0].shape[1], "initializer": initializer},
        seed=seed, tensorboard=False, verbose=verbose,
    )
    x_test, y_test = data["test"]
    pred = result.model.predict(x_test, batch_size=500, verbose=0)
    auc = per_target_auc(y_test, pred)
    auc_trap = per_target_auc(y_test, pred, pr_method="trapezoid")
    metrics = {
        "epochs_max": training["epochs"], "epochs_run": result.epochs_run,
        "best_epoch": int(np.argmin(result.history["val_loss"])) + 1,
        "best_val_loss": float(np.min(result.history["val_loss"])),
        "train_seconds": round(time.time() - t0, 1),
        "trainable_parameters": trainable_parameter_count(result.model),
        "roc_auc": auc["roc_auc"], "pr_auc_average_precision": auc["pr_auc"],
        "pr_auc_trapezoid": auc_trap["pr_auc"],
        "mean_roc_auc": float(np.nanmean(auc["roc_auc"])),
        "mean_pr_auc": float(np.nanmean(auc_trap["pr_auc"])),
    }
    return result, metrics


def read_published(path) -> dict:
    """The paper's Table 1 or 2 (TSV with a ``model`` column): {table name: row}; {} when absent."""
    paper = {}
    path = Path(path)
    if path.exists():
        lines = path.read_text().splitlines()
        head = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(head, line.split("\t")))
            paper[row["model"]] = row
    return paper


def _mean_sd(values):
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if not len(v):
        return float("nan"), float("nan"), 0
    return float(v.mean()), float(v.std()), len(v)


def summary_rows(out, models: list[str], paper: dict) -> list[dict]:
    """Per model, mean ± sd over the finished trials under ``<out>/<preset>/trial*/`` of AUROC,
    AUPR and the motif fractions of every analysed layer, with the paper's numbers."""
    from ..models.koo_eddy import PRESETS

    rows = []
    for preset in models:
        name = PRESETS[preset]["table_name"]
        trials = sorted((Path(out) / preset).glob("trial*/metrics.json"))
        mets = [json.loads(p.read_text()) for p in trials]
        row = {"model": name, "preset": preset, "trials": len(mets)}
        row["auroc"] = _mean_sd([m["mean_roc_auc"] for m in mets])
        row["aupr"] = _mean_sd([m["mean_pr_auc"] for m in mets])
        row["epochs_run"] = [m["epochs_run"] for m in mets]
        row["train_seconds"] = sum(m["train_seconds"] for m in mets)
        for layer in ["conv0_active"] + EXTRA_LAYERS.get(preset, []):
            mot = [json.loads(p.read_text()) for p in sorted((Path(out) / preset).glob(f"trial*/motifs_{layer}.json"))]
            row[f"{layer}:match_jaspar"] = _mean_sd([m["match_any_fraction"] for m in mot])
            row[f"{layer}:match_relevant"] = _mean_sd([m["match_relevant_fraction"] for m in mot])
            row[f"{layer}:coverage"] = _mean_sd([m["tf_coverage"] for m in mot])
        p = paper.get(name, {})
        row["paper"] = {k: p.get(k) for k in ("avg_auroc", "auroc_sd", "avg_aupr", "match_jaspar", "match_jaspar_sd",
                                               "match_relevant", "match_relevant_sd") if p.get(k) is not None}
        rows.append(row)
    return rows


def format_summary(rows: list[dict]) -> str:
    """The summary as a tab-separated table: ours (mean ± sd) next to the paper's."""
    def fmt(ms):
        m, s, n = ms
        return "NA" if not n else f"{m:.3f}±{s:.3f}"

    header = ["model", "trials", "AUROC", "paper", "match JASPAR", "paper", "match relevant", "paper"]
    lines = ["\t".join(header)]
    for r in rows:
        p = r["paper"]
        lines.append("\t".join([
            r["model"], str(r["trials"]), fmt(r["auroc"]),
            f"{p['avg_auroc']}±{p['auroc_sd']}" if "avg_auroc" in p else "-",
            fmt(r["conv0_active:match_jaspar"]), f"{p['match_jaspar']}±{p['match_jaspar_sd']}" if "match_jaspar" in p else "-",
            fmt(r["conv0_active:match_relevant"]), f"{p['match_relevant']}±{p['match_relevant_sd']}" if "match_relevant" in p else "-",
        ]))
    for r in rows:
        for layer in EXTRA_LAYERS.get(r["preset"], []):
            lines.append(f"{r['model']} {layer}\t{r['trials']}\t-\t-\t{fmt(r[f'{layer}:match_jaspar'])}\t-\t"
                         f"{fmt(r[f'{layer}:match_relevant'])}\t-")
    return "\n".join(lines)
