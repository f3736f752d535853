"""Train and evaluate an iDeepS preset the way the original ``run_network`` did.

:func:`make_inputs` turns sequences and context strings into the model's input dict;
:func:`fit` trains with :func:`keras_motifs.training.train` (seed, logs, resume) using the
preset's settings — Keras 1.1.2's categorical cross-entropy (clipped probabilities), Keras 1.1.2's
RMSprop (eps 1e-8 added to the root), batch 50, at most 30 epochs, Keras 1.1.2's early stopping on
validation loss with patience 5 (patience + 1 epochs without improvement) — and, as the original
(no checkpoint, no restore), keeps the weights of the *last* epoch unless ``restore_best=True``.

The Table 2 protocol (``reproductions/ideeps.py``): :func:`train_and_test` (reduced budgets by
:func:`subsample`, named by :func:`budget_tag`), :func:`read_published`, :func:`collect` and
:func:`report` (ours next to the paper's Table 2), :func:`motif_report` (Tomtom against Ray 2013).

:func:`write_motifs` is the paper's motif analysis (Fig. 3: sequence and structure motifs of both
convolutions, Tomtom of the sequence motifs against Ray et al. 2013, q < 0.05 as the code ran it
(the paper's text says p < 0.05);
``keras_motifs.models.ideeps.MOTIF_PROTOCOL`` / ``STRUCTURE_MOTIF_PROTOCOL`` run by
:func:`keras_motifs.interpret.analyse_filters`); :func:`motif_report` tabulates the best matches
of many experiments and the rank of each protein's own RNAcompete motif.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Sequence

import keras
import numpy as np

from ..errors import ModelInputError
from ..losses import ClippedCategoricalCrossentropy
from ..metrics.predict import predict_arrays
from ..models.ideeps.encoding import encode_sequences, encode_structures
from ..models.ideeps import MOTIF_PROTOCOL, STRUCTURE_MOTIF_PROTOCOL  # importing it registers the presets
from ..registry import get_preset


class KeepFinalWeights(keras.callbacks.Callback):
    """Remember the weights at the end of training (before any reload of a best checkpoint)."""

    def __init__(self):
        super().__init__()
        self.weights = None
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs = epoch + 1

    def on_train_end(self, logs=None):
        self.weights = [w.copy() for w in self.model.get_weights()]


def make_inputs(
    sequences: Sequence[str],
    structures: Sequence[str] | None = None,
    preset: str = "ideeps",
    layout: str = "centered",
    length: int | None = None,
) -> dict[str, np.ndarray]:
    """``{"sequence": (N, L+10, 4), "structure": (N, L+10, 6)}`` for the preset's branches."""
    cfg = get_preset(preset)
    length = length or cfg["sequence_length"]
    out = {"sequence": encode_sequences(sequences, length, cfg["flank"], cfg["sequence_n_value"], layout)}
    if "structure" in cfg["branches"]:
        if structures is None:
            raise ModelInputError(f"preset {preset!r} needs structure context strings")
        if len(structures) != len(sequences):
            raise ModelInputError(f"{len(sequences)} sequences but {len(structures)} structure strings")
        for i, (s, c) in enumerate(zip(sequences, structures)):
            if len(s) != len(c):
                raise ModelInputError(f"record {i}: sequence has length {len(s)}, structure {len(c)}")
        out["structure"] = encode_structures(structures, length, cfg["flank"], cfg["structure_n_value"], layout)
    return out


def one_hot_labels(labels) -> np.ndarray:
    """0/1 labels → (N, 2) float32, as LabelEncoder + to_categorical in the original."""
    labels = np.asarray(labels).astype(np.int64)
    if labels.size and not np.isin(labels, [0, 1]).all():
        bad = labels[~np.isin(labels, [0, 1])][:5].tolist()
        raise ModelInputError(f"labels must be 0 or 1; found {bad}")
    return np.eye(2, dtype=np.float32)[labels]


def make_loss(name: str) -> keras.losses.Loss:
    """The loss of a training config: ``"clipped_categorical_crossentropy"`` (Keras 1.1.2's, the
    preset's) or ``"categorical_crossentropy"`` (Keras 3's exact log-softmax)."""
    if name == "clipped_categorical_crossentropy":
        return ClippedCategoricalCrossentropy()
    if name == "categorical_crossentropy":
        return keras.losses.CategoricalCrossentropy()
    raise ValueError(f"unknown iDeepS loss {name!r}; use 'clipped_categorical_crossentropy' or 'categorical_crossentropy'")


def fit(
    preset: str,
    train: tuple[dict, np.ndarray],
    validation: tuple[dict, np.ndarray],
    output_dir: "str | os.PathLike",
    *,
    seed: int = 1,
    epochs: int | None = None,
    batch_size: int | None = None,
    early_stopping_patience: int | None = None,
    restore_best: bool | None = None,
    model_kwargs: dict | None = None,
    verbose=0,
    fresh: bool = False,
):
    """Train ``preset`` on ``(inputs, labels 0/1)`` pairs; returns ``(model, TrainResult)``.

    The returned model holds the last epoch's weights (original behaviour) unless
    ``restore_best`` (default: the preset's ``restore_best_weights``, False) is true, in which case
    it is the checkpoint with the lowest validation loss.
    """
    from ..training import train as _train

    cfg = get_preset(preset)["training"]
    restore = cfg["restore_best_weights"] if restore_best is None else restore_best
    keep = KeepFinalWeights()
    x_train, y_train = train
    x_val, y_val = validation
    names = get_preset(preset)["branches"]
    x_train = {k: x_train[k] for k in names}
    x_val = {k: x_val[k] for k in names}
    result = _train(
        preset,
        (x_train, one_hot_labels(y_train)),
        (x_val, one_hot_labels(y_val)),
        output_dir=output_dir,
        model_kwargs=dict(model_kwargs or {}, seed=seed),
        epochs=epochs,
        batch_size=batch_size,
        early_stopping_patience=early_stopping_patience if early_stopping_patience is not None else cfg["early_stopping_patience"],
        loss=make_loss(cfg["loss"]),
        metrics=["categorical_accuracy"],
        seed=seed,
        shuffle_buffer=len(y_train),  # Keras 1 fit(shuffle=True): a full reshuffle every epoch
        tensorboard=False,
        callbacks=[keep],
        verbose=verbose,
        fresh=fresh,
    )
    model = result.model
    if not restore and keep.weights is not None:
        model.set_weights(keep.weights)
    result.extra["weights"] = "best_val_loss" if restore else "last_epoch"
    return model, result


def predict_bound(model, inputs: dict, batch_size: int = 500) -> np.ndarray:
    """Probability of the bound class (column 1 of the softmax), as ``predict_proba(...)[:, 1]``."""
    names = [i.name for i in model.inputs]
    return predict_arrays(model, {k: inputs[k] for k in names}, batch_size)[:, 1]


def write_motifs(model, x_test: dict, seqs: Sequence[str], contexts: Sequence[str], out_dir: "str | os.PathLike",
                 ray2013: "str | os.PathLike | None") -> dict:
    """iDeepS-rule motifs of both convolutions → ``<branch>_motifs.meme`` (ACGU / FTIHMS; the
    background is the letter frequencies of ``seqs`` / ``contexts`` with +1 pseudocounts) and
    ``<branch>_logos.png``; Tomtom of the sequence motifs against RNAcompete (``ray2013``, a MEME
    file; skipped when absent) → ``tomtom_ray2013.tsv`` (the protocol's cut, q < 0.05, + strand).

    ``x_test``: the model's inputs (:func:`make_inputs`: ``{"sequence": (N, L+10, 4), "structure":
    (N, L+10, 6)}``); ``seqs``/``contexts``: the same N sequences and structure strings. Returns
    per branch the number of filters written and the sites of every filter, and the best Tomtom
    match of each matched sequence filter.
    """
    from ..interpret import MotifProtocol, analyse_filters

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = [x_test[i.name] for i in model.inputs]
    layer_names = [layer.name for layer in model.layers]
    summary = {}
    for branch, spec, strings in (("sequence", MOTIF_PROTOCOL, seqs), ("structure", STRUCTURE_MOTIF_PROTOCOL, contexts)):
        protocol = MotifProtocol.from_dict(dict(spec, name="ideeps"))
        if protocol.layer not in layer_names:
            continue
        alphabet = protocol.alphabet
        text = "".join(strings).upper().replace("T", "U") if branch == "sequence" else "".join(strings)
        counts = np.array([text.count(c) + 1 for c in alphabet], dtype=float)  # original: +1 pseudocounts
        targets = ray2013 if protocol.targets is not None and ray2013 and Path(ray2013).exists() else None
        analysis = analyse_filters(
            model, inputs, protocol.replace(targets=None) if targets is None else protocol, out_dir,
            targets=targets, background=counts / counts.sum(), batch_size=500, logos="grid", grid_columns=8,
            table_float_format=None,
            files={"meme": f"{branch}_motifs.meme", "logo_grid": f"{branch}_logos.png", "tomtom": "tomtom_ray2013.tsv"})
        summary[branch] = {"filters_written": len(analysis.motifs), "sites": analysis.filters.nsites.tolist()}
        if analysis.hits is not None:
            summary["tomtom"] = [
                {"filter": q, "target": b["target_id"], "name": b["target_name"], "p_value": b["p_value"],
                 "e_value": b["e_value"], "q_value": b["q_value"]}
                for q, b in analysis.summary["best"].items()
            ]
    return summary


# ----------------------------------------------------------------------- the Table 2 protocol
ALL_PRESETS = ("ideeps", "ideeps_cnn", "ideeps_seq_blstm", "ideeps_seq_cnn")
# what decides a result besides experiment, preset and seed (None / "centered" / False: the paper's)
BUDGET_KEYS = ("epochs", "patience", "max_train", "max_test", "layout", "restore_best")


def budget_tag(epochs=None, patience=None, max_train=None, max_test=None, layout="centered", restore_best=False) -> str:
    """File-name tag of a reduced budget (``_ep2_n2000_t1000``; '' for the paper's), so that
    results of different budgets never mix."""
    tag = ""
    if epochs is not None:
        tag += f"_ep{epochs}"
    if patience is not None:
        tag += f"_pat{patience}"
    if max_train is not None:
        tag += f"_n{max_train}"
    if max_test is not None:
        tag += f"_t{max_test}"
    if layout != "centered":
        tag += f"_{layout}"
    if restore_best:
        tag += "_best"
    return tag


def read_published(path) -> dict[int, dict]:
    """iDeepS Table 2 (TSV with an ``index`` column): {experiment number: row}; {} when absent."""
    out = {}
    if not path or not Path(path).exists():
        return out
    lines = Path(path).read_text().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if line.strip():
            row = dict(zip(header, line.split("\t")))
            out[int(row["index"])] = row
    return out


def subsample(rng, n_keep, *arrays):
    """``n_keep`` rows drawn without replacement (file order kept) from each of ``arrays``."""
    n = len(arrays[0])
    if n_keep is None or n_keep >= n:
        return arrays
    keep = np.sort(rng.choice(n, n_keep, replace=False))
    return tuple([a[i] for i in keep] if isinstance(a, list) else a[keep] for a in arrays)


def train_and_test(preset: str, seed: int, data, work_dir, *, epochs=None, patience=None, max_train=None,
                   max_test=None, layout="centered", restore_best=False, verbose=0, fresh=False):
    """Train ``preset`` on one experiment's original split and test it, as ``run_network``.

    ``data``: ``((seqs, contexts, labels) of train, validation, test)`` in file order. Reduced
    budgets: ``max_train`` training examples (validation cut to a quarter of it) and ``max_test``
    test examples, drawn with ``seed``. Returns ``(model, result, test)``: the result holds the
    test AUC, the sizes, the epochs run and the training seconds; ``test`` is ``(inputs,
    sequences, contexts)`` of the test examples used.
    """
    from ..metrics import per_target_auc

    (tr_s, tr_c, tr_y), (va_s, va_c, va_y), (te_s, te_c, te_y) = data
    rng = np.random.default_rng(seed)
    tr_s, tr_c, tr_y = subsample(rng, max_train, tr_s, tr_c, tr_y)
    va_s, va_c, va_y = subsample(rng, None if max_train is None else max(1, max_train // 4), va_s, va_c, va_y)
    te_s, te_c, te_y = subsample(rng, max_test, te_s, te_c, te_y)
    x_tr = make_inputs(tr_s, tr_c, preset, layout)
    x_va = make_inputs(va_s, va_c, preset, layout)
    x_te = make_inputs(te_s, te_c, preset, layout)
    start = time.perf_counter()
    model, res = fit(
        preset, (x_tr, tr_y), (x_va, va_y), work_dir, seed=seed, epochs=epochs,
        early_stopping_patience=patience, restore_best=restore_best, verbose=verbose, fresh=fresh,
    )
    p = predict_bound(model, x_te)
    auc = float(per_target_auc(te_y, p)["roc_auc"][0])
    result = {
        "test_auc": auc,
        "n_train": len(tr_y), "n_validation": len(va_y), "n_test": len(te_y),
        "n_train_bound": int(np.sum(tr_y)), "n_test_bound": int(np.sum(te_y)),
        "epochs_run": res.epochs_run, "weights": res.extra.get("weights"),
        "val_loss": [float(v) for v in res.run_history.get("val_loss", [])],
        "train_seconds": round(time.perf_counter() - start, 1),
        "params": int(model.count_params()),
    }
    return model, result, (x_te, te_s, te_c)


def collect(results: Path, tag: str) -> list[dict]:
    """Every result of budget ``tag`` under ``<results>/<config>/`` (the script's ``--results``)."""
    rows = []
    for f in sorted(Path(results).glob(f"*/*_seed*{tag}.json")):
        r = json.loads(f.read_text())
        if r.get("tag", "") == tag:
            rows.append(r)
    return rows


def _mean_field(rows: list[dict], key: str) -> str:
    """Mean of ``key`` over result rows, as a whole number ('' when no row has it)."""
    vals = [float(r[key]) for r in rows if r.get(key) is not None]
    return f"{sum(vals) / len(vals):.0f}" if vals else ""


def _at_papers_precision(diff: float) -> float:
    """A difference rounded to the paper's three decimals (+ 0.0 turns -0.0 into 0.0)."""
    return round(float(diff), 3) + 0.0


def report(rows: list[dict], published: dict, presets: list[str]) -> str:
    """Markdown: per experiment our test AUC (mean over seeds) next to Table 2, the means, the
    counts above / below / equal to the paper at its three decimals, and the ablation presets."""
    lines = []
    by = {}
    for r in rows:
        by.setdefault((r["preset"], r["experiment"]), []).append(r)
    main = "ideeps" if any(p == "ideeps" for p, _ in by) else (presets[0] if presets else None)
    exps = sorted({e for p, e in by if p == main})
    if not exps:
        return "no results yet\n"
    lines.append(f"| # | protein | ours ({main}) | seeds | paper iDeepS | paper DeepBind | paper GraphProt | ours − paper "
                 "| epochs | train s | prepare s |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    ours, paper_i, above, below, equal = [], [], 0, 0, 0
    for e in exps:
        rs = by[(main, e)]
        aucs = [r["test_auc"] for r in rs]
        m = float(np.mean(aucs))
        pub = published.get(e, {})
        pi = float(pub["iDeepS"]) if "iDeepS" in pub else float("nan")
        diff = _at_papers_precision(m - pi)
        ours.append(m)
        paper_i.append(pi)
        above += diff > 0
        below += diff < 0
        equal += diff == 0
        sd = f" ± {np.std(aucs):.3f}" if len(aucs) > 1 else ""
        lines.append(
            f"| {e} | {rs[0]['protein']} | {m:.3f}{sd} | {len(aucs)} | {pub.get('iDeepS', '')} | {pub.get('DeepBind', '')} | "
            f"{pub.get('GraphProt', '')} | {diff:+.3f} | {_mean_field(rs, 'epochs_run')} | "
            f"{_mean_field(rs, 'train_seconds')} | {_mean_field(rs, 'prepare_seconds')} |"
        )

    def mean_of(col):
        vals = [float(published[e][col]) for e in exps if e in published and col in published[e]]
        return f"{np.mean(vals):.3f}" if vals else ""
    lines.append(f"| | **mean ({len(exps)} exps)** | **{np.mean(ours):.3f}** | | {mean_of('iDeepS')} | {mean_of('DeepBind')} | "
                 f"{mean_of('GraphProt')} | {_at_papers_precision(np.mean(ours) - np.nanmean(paper_i)):+.3f} | | | |")
    lines.append("")
    lines.append("epochs: epochs run before early stopping (mean over seeds); train s: wall-clock training "
                 "seconds; prepare s: building the TFDS config, folding included (0 when every structure "
                 "came from the SQLite cache).")
    lines.append("")
    lines.append(f"Experiments above the paper's iDeepS AUC: {above}; below: {below}; equal at three decimals: "
                 f"{equal} (of {len(exps)}).")
    others = sorted({p for p, _ in by} - {main})
    if others:
        lines.append("")
        lines.append("| preset | experiments | mean AUC | mean AUC of ideeps on the same experiments |")
        lines.append("|---|---|---|---|")
        for p in [main] + others:
            es = sorted(e for q, e in by if q == p)
            m = np.mean([np.mean([r["test_auc"] for r in by[(p, e)]]) for e in es])
            same = [np.mean([r["test_auc"] for r in by[(main, e)]]) for e in es if (main, e) in by]
            lines.append(f"| {p} | {len(es)} | {m:.3f} | {np.mean(same):.3f} |" if same else f"| {p} | {len(es)} | {m:.3f} | |")
    return "\n".join(lines) + "\n"


# The RNAcompete motif (name in Ray et al. 2013's MEME file) of each iONMF experiment's protein,
# where that file has one. TIAL1 has no RNAcompete motif of its own: its paralogue TIA1 binds the
# same U-rich sites. The others (Ago, eIF4AIII, IGF2BP1-3, MOV10, Nsun2, PUM2, TAF15, ...) have
# none in the shared file.
RAY2013_NAMES = {
    8: "HuR", 9: "HuR", 10: "HuR", 11: "HuR", 13: "FUS", 14: "FUS", 16: "HNRNPC", 17: "HNRNPC",
    18: "HNRNPL", 19: "HNRNPL", 20: "HNRPLL", 24: "QKI", 25: "SRSF1", 27: "TARDBP", 28: "TIA1",
    29: "TIA1", 30: "U2AF2", 31: "U2AF2",
}


def motif_report(out: "str | os.PathLike", rows: list[dict]) -> str:
    """Tomtom of the learned sequence motifs against Ray 2013, per experiment (the paper's Fig. 3).

    For every experiment with a ``<out>/motifs/<config>/tomtom_ray2013.tsv`` (the matches that
    pass :data:`MOTIF_PROTOCOL`'s cut, q < 0.05; + strand): the best match over all filters, and the best match to the protein's own
    RNAcompete motif (:data:`RAY2013_NAMES`) with its rank among the matched proteins.
    ``rows``: result records with ``experiment``, ``config`` and ``protein``.
    """
    import pandas as pd

    out = Path(out)
    cut = f"{MOTIF_PROTOCOL['threshold_on'][0]} < {MOTIF_PROTOCOL['threshold']:g}"
    configs = {r["experiment"]: (r["config"], r["protein"]) for r in rows}
    lines = []
    for e in sorted(configs):
        cfg, protein = configs[e]
        path = out / "motifs" / cfg / "tomtom_ray2013.tsv"
        if not path.exists():
            continue
        t = pd.read_csv(path, sep="\t").sort_values(["p_value", "query"], kind="stable")
        b = None if t.empty else t.iloc[0]
        best = f"no match at {cut}" if b is None else f"{b.target_name} ({b.query}, E = {b.e_value:.2g})"
        name = RAY2013_NAMES.get(e)
        if name is None:
            own = "not in the file"
        else:
            hits = t[t["target_name"] == name]
            if hits.empty:
                own = f"{name}: no match at {cut}"
            else:
                o = hits.iloc[0]
                ranked = list(dict.fromkeys(t["target_name"]))
                own = f"{name}: {o.query}, E = {o.e_value:.2g}, rank {ranked.index(name) + 1} of {len(ranked)}"
        lines.append(f"| {e} | {protein} | {best} | {own} |")
    if not lines:
        return ""
    head = ["| # | protein | best RNAcompete match (filter, E) | the protein's own motif (filter, E, rank among matched proteins) |",
            "|---|---|---|---|"]
    return "\n".join(head + lines) + "\n"
