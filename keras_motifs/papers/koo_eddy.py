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

Differences from the original:
  * Tomtom is memelite's re-implementation, not the MEME-suite binary; E-values differ somewhat.
  * The code's ``clip_filters`` tests ``index.any()``, which is False when only position 0 passes
    (then the whole filter is kept); ``interpret.trim`` clips that case too.
"""

from __future__ import annotations

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
