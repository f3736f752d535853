"""Koo & Eddy 2019 motif analysis of trained CNN-N models: filters -> PWMs (the paper's
activation rule) -> clipped MEME -> Tomtom against JASPAR 2016 vertebrates (E < 0.1) -> the
fractions of Table 1/2 (match any JASPAR motif; match a ground-truth/relevant motif; TF coverage).

The analysis is :func:`keras_motifs.interpret.analyse_filters` with the paper's protocol
(``keras_motifs.models.koo_eddy.MOTIF_PROTOCOL``, the same that ``keras-motifs motifs --protocol
koo_eddy`` runs): the ``koo_eddy`` alignment rule with the code's fixed 19-nt window
(``deepomics.visualize.activation_pwm(fmap, X, threshold=0.5, window=19)``: 9 left and 9 right of
the activated position) for every layer — first layers of width 19, 9 or 3, and deeper layers
without pooling before them (CNN-1's second layer, CNN-1-1-100's layers); clipping as the code's
``helper.clip_filters`` (positions with > 0.5 bits, padded by 3); Tomtom ``-evalue -thresh 0.1``
with MEME's defaults (Pearson distance, min overlap 1) through :func:`keras_motifs.interpret.tomtom`
(memelite; see its docstring for how its p-values differ from MEME's).

Differences from the original:
  * Tomtom is memelite's re-implementation, not the MEME-suite binary; E-values differ somewhat.
  * The code's ``clip_filters`` tests ``index.any()``, which is False when only position 0 passes
    (then the whole filter is kept); ``interpret.trim`` clips that case too.
  * A filter matches the ground truth when its best hit (lowest q, then p) is a ground-truth ID;
    the code counts any of its hits (see the protocol's ``match`` field).
  * PPM rows are divided by their summed counts; the code divides by the summed weights of the
    windows covering them, N positions (all-zero one-hot rows) included
    (:mod:`keras_motifs.interpret.alignment`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..models.koo_eddy import GROUND_TRUTH_IDS, MOTIF_PROTOCOL

# In vivo "relevant" motifs: the JASPAR IDs associated with each ChIP-seq TF (the code's
# 3_match_statistics_invivo.py uses the same ID sets as the synthetic analysis).
RELEVANT_IDS = GROUND_TRUTH_IDS
WINDOW = MOTIF_PROTOCOL["window"]  # code: activation_pwm(..., window=19)
TOMTOM_EVALUE = MOTIF_PROTOCOL["threshold"]  # paper: "E-value cutoff of 0.1"
TOMTOM_MIN_OVERLAP = MOTIF_PROTOCOL["min_overlap"]  # MEME tomtom default (the code passes no -min-overlap)


def protocol(layer: str = "conv0_active", ground_truth: dict | None = None):
    """The paper's :class:`~keras_motifs.interpret.MotifProtocol` for one layer."""
    from ..interpret import MotifProtocol

    return MotifProtocol.from_dict(dict(MOTIF_PROTOCOL, name="koo_eddy"), layer=layer, ground_truth=ground_truth)


def _result(analysis) -> dict:
    """Table 1 columns of one layer's analysis."""
    s = analysis.summary
    best = {q: {"target_id": b["target_id"], "target_name": b["target_name"], "e_value": b["e_value"],
                "q_value": b["q_value"]} for q, b in s.get("best", {}).items()}
    return {
        "n_filters": len(analysis.motifs),
        "match_any_fraction": s["match_any"],
        "match_relevant_fraction": s["match_ground_truth"],
        "tf_coverage": s["coverage"],
        "tfs_covered": s["tfs_covered"],
        "best_hits": best,
        "clipped_widths": [m.width for m in analysis.trimmed],
    }


def analyse_ppms(ppms: np.ndarray, ground_truth: dict | None = None, targets="JASPAR2016") -> tuple[dict, list]:
    """Clip, Tomtom (E < 0.1) against ``targets`` and summarise PPMs (F, W, 4) in A,C,G,T
    (Table 1 columns); returns ``(result, clipped motifs)``."""
    from ..interpret import analyse_filters

    analysis = analyse_filters(None, None, protocol(ground_truth=GROUND_TRUTH_IDS if ground_truth is None else ground_truth),
                               motifs=np.asarray(ppms), targets=targets)
    return _result(analysis), analysis.trimmed


def analyse_model(model, x_test: np.ndarray, folder, layers=("conv0_active",), dataset: str = "synthetic",
                  batch_size: int = 500) -> dict:
    """Run the motif analysis on ``layers`` of ``model`` over one-hot ``x_test`` (N, L, 4) and
    write ``motifs_<layer>.json``, ``filters_<layer>.npz`` (unclipped PPMs (F, 19, 4)) and
    ``filters_<layer>_clip.meme`` into ``folder``."""
    from ..interpret import analyse_filters
    from ..io import atomic_path, write_json

    folder = Path(folder)
    out = {}
    for layer in layers:
        analysis = analyse_filters(
            model, x_test, protocol(layer, RELEVANT_IDS if dataset == "invivo" else GROUND_TRUTH_IDS), folder,
            files={"trimmed_meme": f"filters_{layer}_clip.meme"}, batch_size=batch_size)
        with atomic_path(folder / f"filters_{layer}.npz") as tmp:
            np.savez_compressed(tmp, ppm=analysis.filters.ppm)
        result = _result(analysis)
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
