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
(MEME's arithmetic through memelite; see its docstring for what still differs from MEME's).

Training and Table 1/2 (``reproductions/koo_eddy.py``): :func:`training_settings` (the preset's
settings with explicit overrides, merged once), :func:`train_and_test` (one trial: per-class ROC /
PR AUC), :func:`read_published` and :func:`summary_rows` / :func:`format_summary` (mean ± sd over
trials next to the paper's table), :func:`class_summary` (the per-class AUROCs: which trials left a
class unlearnt).

Differences from the original:
  * Tomtom is memelite's re-implementation with MEME's pearson score, not the MEME-suite binary;
    p-values depend on the databases searched together (MEME's null is built from all of them).
  * The code's ``clip_filters`` tests ``index.any()``, which is False when only position 0 passes
    (then the whole filter is kept); ``interpret.trim`` clips that case too.
  * (Not a difference: a filter matches the ground truth when any of its hits is a ground-truth
    ID, as the code's ``helper.match_hits_to_ground_truth``; the best-hit rule — its lowest-q hit
    must be one — is reported beside it as ``match_relevant_best_fraction``.)
  * TF coverage counts every ground-truth TF any hit of any filter matches; the code's
    ``min_qvalue`` keeps, per filter, only the ground-truth TF of its lowest-q ground-truth hit
    (and its coverage formula counts TFs without a hit as covered). Tables 1/2 do not report it.
  * PPM rows are divided by their summed counts; the code divides by the summed weights of the
    windows covering them, N positions (all-zero one-hot rows) included
    (:mod:`keras_motifs.interpret.alignment`).
"""

from __future__ import annotations

import json
import time
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


def _result(analysis, ground_truth: dict) -> dict:
    """Table 1 columns of one layer's analysis: the protocol's match rule ("any", the code's) and
    the best-hit rule beside it (``*_best``), so a change of rule and a change of training can be
    told apart."""
    from ..interpret import match_hits

    s = analysis.summary
    best_rule = match_hits(analysis.hits, [m.name for m in analysis.queries], "best", analysis.protocol.best_by,
                           ground_truth)
    best = {q: {"target_id": b["target_id"], "target_name": b["target_name"], "e_value": b["e_value"],
                "q_value": b["q_value"]} for q, b in s.get("best", {}).items()}
    return {
        "n_filters": len(analysis.motifs),
        "match_any_fraction": s["match_any"],
        "match_rule": analysis.protocol.match,
        "match_relevant_fraction": s["match_ground_truth"],
        "tf_coverage": s["coverage"],
        "tfs_covered": s["tfs_covered"],
        "match_relevant_best_fraction": best_rule["match_ground_truth"],
        "tf_coverage_best": best_rule["coverage"],
        "best_hits": best,
        "clipped_widths": [m.width for m in analysis.trimmed],
    }


def analyse_ppms(ppms: np.ndarray, ground_truth: dict | None = None, targets="JASPAR2016") -> tuple[dict, list]:
    """Clip, Tomtom (E < 0.1) against ``targets`` and summarise PPMs (F, W, 4) in A,C,G,T
    (Table 1 columns); returns ``(result, clipped motifs)``."""
    from ..interpret import analyse_filters

    gt = GROUND_TRUTH_IDS if ground_truth is None else ground_truth
    analysis = analyse_filters(None, None, protocol(ground_truth=gt), motifs=np.asarray(ppms), targets=targets)
    return _result(analysis, gt), analysis.trimmed


def analyse_model(model, x_test: np.ndarray, folder, layers=("conv0_active",), dataset: str = "synthetic",
                  batch_size: int = 500) -> dict:
    """Run the motif analysis on ``layers`` of ``model`` over one-hot ``x_test`` (N, L, 4) and
    write ``motifs_<layer>.json``, ``filters_<layer>.npz`` (unclipped PPMs (F, 19, 4)) and
    ``filters_<layer>_clip.meme`` into ``folder``."""
    from ..interpret import analyse_filters
    from ..io import atomic_path, write_json

    folder = Path(folder)
    out = {}
    gt = RELEVANT_IDS if dataset == "invivo" else GROUND_TRUTH_IDS
    for layer in layers:
        analysis = analyse_filters(model, x_test, protocol(layer, gt), folder,
                                   files={"trimmed_meme": f"filters_{layer}_clip.meme"}, batch_size=batch_size)
        with atomic_path(folder / f"filters_{layer}.npz") as tmp:
            np.savez_compressed(tmp, ppm=analysis.filters.ppm)
        result = _result(analysis, gt)
        result["layer"] = layer
        write_json(folder / f"motifs_{layer}.json", result)
        out[layer] = result
    return out


def motifs_current(path) -> bool:
    """Whether ``motifs_<layer>.json`` at ``path`` holds both match rules under the current
    protocol (files written before the any-hit rule became the default hold only the best-hit
    fraction, under the name of the other rule, and must be recomputed)."""
    path = Path(path)
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return data.get("match_rule") == MOTIF_PROTOCOL["match"] and "match_relevant_best_fraction" in data


def plot_filter_grid(folder, png, layer: str = "conv0_active", title: str = "", ncols: int = 5) -> None:
    """Information-content logos of every filter (Fig. 2 style), best ground-truth hit as label."""
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from ..interpret import ic_heights
    from ..interpret.logos import draw_logo
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
        draw_logo(heights, ax, show_spines=False)
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
                   output_dir, verbose: int = 0, fresh: bool = False, steps_per_execution: int = 1) -> tuple:
    """Train one trial of ``preset`` on one-hot ``data`` {"train", "validation", "test": (x, y)} with
    ``training`` settings; returns ``(TrainResult, metrics)``: per-class ROC AUC, PR AUC (average
    precision and trapezoid, the paper's), their means, epochs, best epoch and seconds.

    The training rows are shuffled as ``training["shuffle"]`` says: ``"full"`` (the presets'), a
    new permutation of all of them every epoch drawn from ``(seed, epoch)``, as the code's deepomics
    trainer (``BatchGenerator``: ``np.random.permutation`` every epoch); an integer, a ``tf.data``
    shuffle buffer of that many rows (a modern shortcut). One-hot arrays in memory are batched in
    the graph (``keras_motifs.training.shuffle.FullShuffle.batched_dataset``); ``steps_per_execution``
    steps run per call of the compiled step (the same updates; ``keras_motifs.training.train``)."""
    from ..metrics import per_target_auc, predict_arrays
    from ..models.koo_eddy import trainable_parameter_count
    from ..training import train

    t0 = time.time()
    result = train(
        preset, data["train"], data["validation"], output_dir=output_dir, training=training,
        model_kwargs={"sequence_length": data["train"][0].shape[1], "initializer": initializer},
        seed=seed, tensorboard=False, verbose=verbose, shuffle_buffer=training.get("shuffle", "full"), fresh=fresh,
        steps_per_execution=steps_per_execution,
    )
    x_test, y_test = data["test"]
    pred = predict_arrays(result.model, x_test, 500)
    auc = per_target_auc(y_test, pred)
    auc_trap = per_target_auc(y_test, pred, pr_method="trapezoid")
    metrics = {
        "epochs_max": training["epochs"], "epochs_run": result.epochs_run,
        "best_epoch": int(np.argmin(result.run_history["val_loss"])) + 1,  # the run's, a resumed one's too
        "best_val_loss": float(np.min(result.run_history["val_loss"])),
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
            row[f"{layer}:match_relevant_best"] = _mean_sd([m.get("match_relevant_best_fraction") for m in mot])
            row[f"{layer}:coverage"] = _mean_sd([m["tf_coverage"] for m in mot])
        p = paper.get(name, {})
        row["paper"] = {k: p.get(k) for k in ("avg_auroc", "auroc_sd", "avg_aupr", "match_jaspar", "match_jaspar_sd",
                                               "match_relevant", "match_relevant_sd") if p.get(k) is not None}
        rows.append(row)
    return rows


def class_summary(out, models: list[str], threshold: float = 0.9, failed_below: float = 0.8,
                  class0_below: float = 0.79) -> dict:
    """Per-class AUROCs of the finished trials under ``<out>/<preset>/trial*/metrics.json``.

    Returns ``trials`` (how many), ``weakest_is_class0`` (trials whose lowest class AUROC is
    class 0's), ``class0`` (class 0's AUROC over the trials: min, 10th and 90th percentile),
    ``low_class0`` ([(model, trial, AUROC)] with class 0 below ``class0_below``, the tail worth
    naming), ``not_classifying`` ([(model, trial, mean AUROC)]: trials whose mean AUROC is
    below ``failed_below``, every class poor — CNN3-50 — left out of the rest), ``collapsed``
    ([(model, trial, class, AUROC)] per other trial whose weakest class other than class 0 is below
    ``threshold``: that class) and ``by_pool`` {group: (trials with a collapsed class, trials)} over
    the classifying trials, for the first-layer pooling groups ``>= 10`` and ``<= 4`` (no pooling
    counts as 1).
    """
    from ..models.koo_eddy import PRESETS

    trials, weakest0, class0, low0, failed, collapsed = 0, 0, [], [], [], []
    by_pool = {">= 10": [0, 0], "<= 4": [0, 0]}
    for preset in models:
        name = PRESETS[preset]["table_name"]
        pool = PRESETS[preset]["conv_blocks"][0]["pool"] or 1
        group = ">= 10" if pool >= 10 else "<= 4" if pool <= 4 else None
        for path in sorted((Path(out) / preset).glob("trial*/metrics.json")):
            m = json.loads(path.read_text())
            auc = np.asarray(m["roc_auc"], dtype=float)
            trials += 1
            weakest0 += int(np.argmin(auc) == 0)
            class0.append(float(auc[0]))
            if auc[0] < class0_below:
                low0.append((name, int(m["trial"]), float(auc[0])))
            if auc.mean() < failed_below:
                failed.append((name, int(m["trial"]), float(auc.mean())))
                continue
            k = 1 + int(np.argmin(auc[1:]))
            bad = auc[k] < threshold
            if bad:
                collapsed.append((name, int(m["trial"]), k, float(auc[k])))
            if group is not None:
                by_pool[group][0] += int(bad)
                by_pool[group][1] += 1
    c0 = np.asarray(class0) if class0 else np.full(1, np.nan)
    return {
        "threshold": threshold, "failed_below": failed_below, "class0_below": class0_below, "trials": trials, "weakest_is_class0": weakest0,
        "class0": {"min": float(c0.min()), "p10": float(np.percentile(c0, 10)), "p90": float(np.percentile(c0, 90))},
        "low_class0": low0, "not_classifying": failed, "collapsed": collapsed, "by_pool": {k: tuple(v) for k, v in by_pool.items()},
    }


def format_class_summary(cs: dict) -> str:
    """:func:`class_summary` as the lines the report prints under the table."""
    if not cs["trials"]:
        return "per class: no finished trials"
    t = cs["threshold"]
    c0 = cs["class0"]
    lines = [
        f"per class: class 0 is the weakest class in {cs['weakest_is_class0']} of {cs['trials']} trials "
        f"(class 0 AUROC {c0['p10']:.2f}-{c0['p90']:.2f} in the middle 80 %, lowest {c0['min']:.3f})",
        "class 0 below %.2f: %s" % (cs["class0_below"], "; ".join(f"{m} trial {k} {v:.3f}" for m, k, v in cs["low_class0"]) or "none"),
        "not classifying (mean AUROC below %.2f; left out below): %s" % (
            cs["failed_below"], "; ".join(f"{m} trial {k} {v:.3f}" for m, k, v in cs["not_classifying"]) or "none"),
        f"weakest class other than class 0 below {t}: "
        + ("; ".join(f"{m} trial {k} class {c} {v:.3f}" for m, k, c, v in cs["collapsed"]) or "none"),
    ]
    for group, (bad, n) in cs["by_pool"].items():
        lines.append(f"trials with such a class, first-layer pooling {group}: {bad} of {n}")
    return "\n".join(lines)


def format_summary(rows: list[dict]) -> str:
    """The summary as a tab-separated table: ours (mean ± sd) next to the paper's; "match relevant"
    is the code's any-hit rule, "relevant (best hit)" the best-hit rule (no paper column); then
    each trial's epochs and the summed training seconds of the trials (``train_seconds``)."""
    def fmt(ms):
        m, s, n = ms
        return "NA" if not n else f"{m:.3f}±{s:.3f}"

    header = ["model", "trials", "AUROC", "paper", "match JASPAR", "paper", "match relevant", "paper",
              "relevant (best hit)", "epochs run", "training s"]
    lines = ["\t".join(header)]
    for r in rows:
        p = r["paper"]
        lines.append("\t".join([
            r["model"], str(r["trials"]), fmt(r["auroc"]),
            f"{p['avg_auroc']}±{p['auroc_sd']}" if "avg_auroc" in p else "-",
            fmt(r["conv0_active:match_jaspar"]), f"{p['match_jaspar']}±{p['match_jaspar_sd']}" if "match_jaspar" in p else "-",
            fmt(r["conv0_active:match_relevant"]), f"{p['match_relevant']}±{p['match_relevant_sd']}" if "match_relevant" in p else "-",
            fmt(r["conv0_active:match_relevant_best"]),
            ", ".join(str(e) for e in r["epochs_run"]), f"{r['train_seconds']:.0f}",
        ]))
    for r in rows:
        for layer in EXTRA_LAYERS.get(r["preset"], []):
            lines.append(f"{r['model']} {layer}\t{r['trials']}\t-\t-\t{fmt(r[f'{layer}:match_jaspar'])}\t-\t"
                         f"{fmt(r[f'{layer}:match_relevant'])}\t-\t{fmt(r[f'{layer}:match_relevant_best'])}")
    return "\n".join(lines)
