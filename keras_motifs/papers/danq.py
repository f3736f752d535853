"""The DanQ paper's protocol beyond the model (Quang & Xie 2016), used by ``reproductions/danq.py``.

* the models it compares (:data:`MODELS`: DanQ, DanQ-JASPAR, DeepSEA, the k-mer LR) and their
  training settings, merged once (:func:`training_settings`: the preset's, then the quick
  synthetic runs' defaults, then explicit overrides);
* :func:`check_alphabet`: the channel order, stated once by the registry, checked against the
  dataset's;
* :func:`build_model` / :func:`train_model` (:func:`keras_motifs.training.train`) on the
  training rows in a new full permutation every epoch (:func:`full_shuffle`, as Keras 0.2's
  ``fit(shuffle=True)``), monitored on :func:`validation_split`,
  :func:`model_result` (one model's result record) and :func:`plot_evaluation`;
* the comparison with the paper: :func:`comparison_table` (ours next to the published DeepSEA /
  DanQ / DanQ-JASPAR AUCs, targets beating DeepSEA) and :func:`beats_published_deepsea`;
* :func:`motif_analysis`: the paper's motif analysis (filters → MEME → Tomtom against JASPAR 2016,
  E < 0.01: ``keras_motifs.models.danq.MOTIF_PROTOCOL`` run by
  :func:`keras_motifs.interpret.analyse_filters`);
* :func:`init_survival`: how much of a DanQ-JASPAR's Tomtom matches is its JASPAR initialisation
  (filters initialised by ``keras_motifs.models.danq.jaspar.apply_jaspar_init``).

The data (the ``deepsea`` TFDS dataset) are loaded by the script and handed in as datasets.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DataFormatError
from ..models.danq import MOTIF_PROTOCOL
from ..models.danq.jaspar import danq_jaspar_motifs

MODELS = {"danq": "danq", "danq_jaspar": "danq_jaspar", "deepsea": "deepsea", "lr": "kmer_lr"}  # key -> preset
LABELS = {"danq": "DanQ", "danq_jaspar": "DanQ-JASPAR", "deepsea": "DeepSEA", "lr": "LR"}
# Default number of training epochs per deepsea config (None = the preset's, with early stopping).
# synthetic: 7 epochs x 12,000 sequences = 840 steps of 100, ~14 min of training at DanQ's ~100
# samples/s with both cores of this project's 2-core VM (docs/RESULTS.md, "The embedded default run");
# on recipe 2.0.0 with epsilon 3e-8 DanQ passed ROC AUC 0.90 (validation mean) between steps 600
# and 700 (docs/RESULTS.md, "Designs of the synthetic set").
DEFAULT_EPOCHS = {"synthetic": 7, "synthetic_tiny": 2, "full": None}
# RMSprop epsilon per config (None = the preset's, the original 1e-6, for every config). The
# synthetic configs used 1e-10 until 2026-11-29, to leave DanQ's initial plateau sooner; with the
# original's per-gate LSTM initialisation that kills the network: measured (seed 1337, batch 100,
# the synthetic recipe), after 25 RMSprop steps 100 % of the 925 dense ReLU units are dead on a
# validation batch (40 % at initialisation) and every prediction is constant (ROC AUC 0.500); with
# 1e-8, 94 % dead after 25 steps; with the original 1e-6 the units survive (82 % dead after 400
# steps) and the ROC AUC rises (docs/RESULTS.md, "RMSprop epsilon on the synthetic default").
# Initial gradients are 1e-6..7e-4, below sqrt(1e-6) = 1e-3, so RMSprop starts as SGD with an
# effective learning rate of 1 and a smaller epsilon turns it into sign-SGD with 3e-3 steps on the
# 48,000 x 925 dense layer, whose weights are ~6e-3.
# Since deepsea 2.0.0 (recipe 2.0.0) the synthetic configs use 3e-8: between the original 1e-6, with
# which DanQ stays on its constant-prediction plateau for hundreds of steps, and 1e-8, which kills
# the dense layer; measured side by side on recipe 2.0.0 in docs/RESULTS.md ("RMSprop epsilon on
# recipe 2.0.0"). The full config keeps the original.
DEFAULT_EPSILON = {"synthetic": 3e-8, "synthetic_tiny": 3e-8, "full": None}
PAPER_FILTERS_MATCHED = "166/320"  # DanQ filters matching JASPAR at E < 0.01, real data (paper)


def training_settings(key: str, config: str, *, epochs=None, batch_size=None, learning_rate=None, patience=None,
                      epsilon=None) -> tuple[dict, str | None]:
    """The training settings of model ``key`` on deepsea ``config``, merged once: the preset's,
    then :data:`DEFAULT_EPOCHS` / :data:`DEFAULT_EPSILON` of the config, then the explicit
    overrides (None = not given). Returns ``(settings, note)``; the note says when RMSprop's
    epsilon is not the original one."""
    from ..registry import training_config

    cfg = training_config(MODELS[key])
    note = None
    eps = epsilon if epsilon is not None else DEFAULT_EPSILON[config]
    if eps is not None and cfg["optimizer"] == "rmsprop" and eps != cfg.get("epsilon"):
        note = (f"RMSprop epsilon {eps:g} instead of the original {cfg.get('epsilon'):g} "
                f"({'--epsilon' if epsilon is not None else 'synthetic default'}; see DEFAULT_EPSILON in "
                "keras_motifs/papers/danq.py)")
        cfg["epsilon"] = eps
    epochs = epochs if epochs is not None else DEFAULT_EPOCHS[config]
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("learning_rate", learning_rate),
                        ("early_stopping_patience", patience)):
        if value is not None:
            cfg[name] = value
    return cfg, note


def check_alphabet(keys, dataset_alphabet: str, dataset: str = "deepsea") -> str:
    """The models' channel order (from the registry), checked against the dataset's recorded one."""
    from ..registry import preset_info

    for key in keys:
        want = preset_info(MODELS[key]).alphabet
        if want != dataset_alphabet:
            raise DataFormatError(f"{dataset}: one-hot columns in {dataset_alphabet!r} order, but preset "
                                  f"{MODELS[key]!r} expects {want!r}")
    return dataset_alphabet


def build_model(key: str, *, modern: bool = False, seed: int = 1337, adapt_data=None):
    """An uncompiled model; ``adapt_data()`` gives the training sequences the LR's normalisation
    statistics are fitted on."""
    from ..registry import build

    if key == "lr":
        from ..models.kmer_lr import KmerLogisticRegression

        return KmerLogisticRegression(adapt_data=adapt_data())
    if key in ("danq", "danq_jaspar"):
        return build(MODELS[key], modern=modern, jaspar_seed=seed if key == "danq_jaspar" else None)
    return build(MODELS[key])


def validation_split(key: str, n_validation: int) -> str:
    """The TFDS validation split model ``key`` is monitored on.

    DanQ, DanQ-JASPAR and the LR: all of it (``DanQ_train.py`` passes the whole ``valid.mat``).
    DeepSEA: the first ``validation_rows`` (4,000) rows of the training config, as the original
    (``1_data.lua`` ``te_size = 4000``, ``4_train.lua`` validates on rows 1..4000): the forward
    half of ``valid.mat``'s 8,000; on a smaller split (the synthetic configs), its forward half.
    """
    from ..registry import training_config

    rows = training_config(MODELS[key]).get("validation_rows")
    if not rows:
        return "validation"
    return f"validation[:{min(int(rows), n_validation // 2)}]"


def full_shuffle(rows, *, seed: int, transform=None):
    """The training rows in the original's order: every epoch a new permutation of all of them
    (Keras 0.2 ``fit(shuffle=True)``: ``keras/models.py`` ``Model._fit`` shuffles the index array
    at the start of every epoch), drawn from ``(seed, epoch)``; ``rows``: a random-access source
    (``tfds_builders.deepsea.random_access``); ``transform``: maps a block of rows to ``(x, y)``
    (``tfds_builders.deepsea.to_one_hot``)."""
    from ..training import FullShuffle

    return FullShuffle(rows, seed=seed, transform=transform, vectorized=transform is not None)


def train_model(key: str, train_data, validation_data, training: dict, *, output_dir, modern: bool = False,
                seed: int = 1337, num_devices: int = 1, shuffle_buffer: int | None = None, adapt_data=None,
                verbose=2, fresh: bool = False):
    """Train model ``key`` with :func:`keras_motifs.training.train` and the merged ``training``
    settings (no further overrides); ``num_devices > 1``: MirroredStrategy; ``fresh``: see ``train``.

    ``train_data``: a :func:`full_shuffle` (the original's order, the default) or, with
    ``shuffle_buffer`` rows, a ``tf.data.Dataset`` in file order streamed through a shuffle buffer
    of that size (a modern shortcut: on DeepSEA's file, forward strands then reverse complements,
    a buffer smaller than the file mixes rows only within a window of it)."""
    from ..training import FullShuffle, train

    if not shuffle_buffer and not isinstance(train_data, FullShuffle):
        raise TypeError("train_model: pass the training rows as full_shuffle(...) (the original's order), or a "
                        "dataset together with shuffle_buffer=N")

    return train(
        lambda: build_model(key, modern=modern, seed=seed, adapt_data=adapt_data),
        train_data,
        validation_data,
        output_dir=output_dir,
        training=training,
        seed=seed,
        num_devices=num_devices if num_devices > 1 else None,
        strategy="mirrored" if num_devices > 1 else "default",
        shuffle_buffer=shuffle_buffer or None,
        verbose=verbose,
        fresh=fresh,
    )


def model_result(key: str, result, ev: dict, names, groups, *, modern: bool = False) -> dict:
    """One model's result record: training (history, losses, speed) and its test evaluation
    (``keras_motifs.metrics.evaluate_paired``), per target included."""
    hist = result.history
    return {
        "model": MODELS[key],
        "modern_gates": modern if key.startswith("danq") else None,
        "epochs_run": result.epochs_run,
        "training_config": result.extra["training_config"],
        "strategy": result.strategy,
        "history": hist,
        "train_seconds": result.seconds,
        "train_samples_per_second": result.train_samples_per_second,
        "predict_sequences_per_second": ev["predict_sequences_per_second"],
        "train_loss": hist["loss"][-1],
        "train_accuracy": hist.get("binary_accuracy", [float("nan")])[-1],
        "valid_loss": min(hist["val_loss"]) if "val_loss" in hist else float("nan"),
        "best_model": str(result.best_model_path),
        "test": {k: ev[k] for k in ("roc_summary", "pr_summary", "loss", "accuracy", "n_pairs")},
        "per_target": {"name": list(names), "group": list(groups), "roc_auc": ev["roc_auc"],
                       "pr_auc": ev["pr_auc"], "n_positive": ev["n_positive"]},
    }


def evaluation_of(result: dict) -> dict:
    """The evaluation stored in a model's result record (per-target AUCs as arrays, NaN for null)."""
    return {**result["test"], **{k: np.array([np.nan if v is None else v for v in result["per_target"][k]], dtype=float)
                                 for k in ("roc_auc", "pr_auc")}}


def plot_evaluation(ev: dict, names, groups, folder, *, real_data: bool) -> None:
    """ROC/PR curves of the best-learned target of each group (on the real data also GM12878 EBF1
    and H1-hESC SIX5, the paper's Fig. 2) and the AUC histograms."""
    from ..reporting import plots

    examples = []
    for g in dict.fromkeys(groups):
        idx = [i for i, gg in enumerate(groups) if gg == g and not np.isnan(ev["pr_auc"][i])]
        if idx:
            examples.append(max(idx, key=lambda i: ev["pr_auc"][i]))
    if real_data:
        wanted = [i for i, n in enumerate(names) if ("GM12878" in n and "EBF1" in n) or ("H1-hESC" in n and "SIX5" in n)]
        examples = wanted[:2] + examples
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    plots.roc_pr_curves(ev["labels"], ev["predictions"], examples, names, folder)
    plots.auc_histograms(ev["roc_auc"], ev["pr_auc"], groups, folder / "auc_distributions.png")


PUBLISHED_MODELS = ("DeepSEA", "DanQ", "DanQ-JASPAR")


def comparison_table(evals: dict, results: dict, models: list[str], published: dict | None):
    """Ours next to the paper: mean and per-group median ROC / PR AUC, losses, accuracy and (with
    DeepSEA among ``models``) the targets each model beats DeepSEA on. Returns ``(headers, rows,
    comparisons)``; ``comparisons[model]`` holds the counts (``targets_beating_deepsea_<auc>``)."""
    from ..metrics import count_better, summarize

    headers = ["metric"] + [LABELS[k] for k in models]
    if published is not None:
        headers += [f"{m} (paper)" for m in PUBLISHED_MODELS]

    def pub(metric, what, group=None):
        if published is None:
            return []
        vals = []
        for model in PUBLISHED_MODELS:
            s = summarize(published[f"{model} {metric}"], published["groups"])
            vals.append(s[what] if group is None else s["groups"][group]["median"])
        return vals

    nan3 = [float("nan")] * 3 if published is not None else []
    rows = []
    comparisons = {m: {} for m in models}
    first = evals[models[0]]
    for metric, key in (("ROC AUC", "roc_summary"), ("PR AUC", "pr_summary")):
        rows.append((f"{metric} mean (n={first[key]['n']})", [evals[m][key]["mean"] for m in models] + pub(metric, "mean")))
        for g, gs in first[key]["groups"].items():
            rows.append((f"{metric} median {g} (n={gs['n']})",
                         [evals[m][key]["groups"][g]["median"] for m in models] + pub(metric, "median", g)))
    for label, field in (("train loss (last epoch)", "train_loss"), ("valid loss (best)", "valid_loss"),
                         ("train accuracy (last epoch)", "train_accuracy")):
        rows.append((label, [results[m][field] for m in models] + nan3))
    rows.append(("test loss (all sequences)", [evals[m]["loss"] for m in models] + nan3))
    rows.append(("test accuracy", [evals[m]["accuracy"] for m in models] + nan3))
    if "deepsea" in models:
        for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
            vals = []
            for m in models:
                c = count_better(evals[m][key], evals["deepsea"][key])
                vals.append(f"{c['better']}/{c['n']}" if m != "deepsea" else "-")
                comparisons[m][f"targets_beating_deepsea_{key}"] = c
            rows.append((f"targets beating DeepSEA, {metric}", vals + (["-"] * 3 if published is not None else [])))
    return headers, rows, comparisons


def beats_published_deepsea(ev: dict, published: dict) -> dict:
    """Per AUC (``roc_auc``, ``pr_auc``): targets where ``ev`` beats the published DeepSEA (the
    paper: DanQ 94.1 % ROC, 97.6 % PR)."""
    from ..metrics import count_better

    return {key: count_better(ev[key], published[f"DeepSEA {metric}"])
            for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc"))}


def planted_motif_matches(hits, planted: Sequence[tuple[str, str]]) -> list[dict]:
    """Per planted motif ``(JASPAR ID, name)``: how many filters match it in a Tomtom table of hits
    (columns ``query``, ``target_id``, ``e_value``; already cut at the threshold), and the best
    (lowest E-value) of them — whether training recovered each motif of a synthetic set."""
    rows = []
    for mid, name in planted:
        sel = [] if hits is None or len(hits) == 0 else hits[hits["target_id"].astype(str) == mid]
        if len(sel):
            best = sel.loc[sel["e_value"].astype(float).idxmin()]
            rows.append({"id": mid, "name": name, "n_filters": int(sel["query"].nunique()),
                         "best_filter": str(best["query"]), "best_e_value": float(best["e_value"])})
        else:
            rows.append({"id": mid, "name": name, "n_filters": 0, "best_filter": None, "best_e_value": None})
    return rows


def motif_analysis(model, data, folder: "str | os.PathLike", sequences_scanned: int | None = None,
                   batch_size: int = 100, jaspar_initialised: bool = False,
                   planted: Sequence[tuple[str, str]] | None = None) -> dict:
    """Filters of a trained DanQ → ``<folder>/filters.meme`` (DeepBind/DanQ rule, every filter,
    A,C,G,T) → Tomtom against JASPAR 2016 (Pearson, min overlap 5, E < 0.01) →
    ``<folder>/tomtom_jaspar2016.tsv``; returns the counts of filters with a match and, for a
    DanQ-JASPAR (``jaspar_initialised``), :func:`init_survival` of its hits.

    ``data``: one-hot test sequences (N, 1000, 4) in the model's A,G,C,T order (an array or a
    ``tf.data.Dataset`` of them); ``sequences_scanned`` is recorded as given. ``planted``: the
    ``(JASPAR ID, name)`` of the motifs a synthetic set planted (result ``planted``:
    :func:`planted_motif_matches`).
    """
    from ..interpret import MotifProtocol, analyse_filters

    folder = Path(folder)
    protocol = MotifProtocol.from_dict(dict(MOTIF_PROTOCOL, name="danq"))
    analysis = analyse_filters(model, data, protocol, folder, batch_size=batch_size, table_float_format=None,
                               files={"meme": "filters.meme", "tomtom": "tomtom_jaspar2016.tsv"})
    s = analysis.summary
    result = {"meme": str(folder / "filters.meme"), "tomtom": str(folder / "tomtom_jaspar2016.tsv"),
              "n_filters": s["n_queries"], "n_filters_with_match": s["n_match_any"], "fraction_with_match": s["match_any"],
              "evalue_threshold": protocol.threshold, "sequences_scanned": sequences_scanned, "rule": protocol.rule}
    if jaspar_initialised:
        result["init_survival"] = init_survival(analysis.hits, s["n_queries"])
    if planted:
        result["planted"] = planted_motif_matches(analysis.hits, planted)
    return result


def init_survival(table, n_filters: int, motifs=None, query_prefix: str = "filter") -> dict:
    """How much of a DanQ-JASPAR's Tomtom matches is its initialisation.

    ``table``: Tomtom hits of the trained model's filters (columns ``query``, ``target_id``; queries
    named ``<query_prefix><index>``, already cut at the E-value threshold); filter ``i`` was
    initialised from ``motifs[i]`` (default :func:`danq_jaspar_motifs`, as :func:`apply_jaspar_init`
    writes them), the rest at random. Returns counts of initialised filters that match anything /
    still match the motif they started from (a ``_rc`` motif counts as its forward ID), and of
    randomly initialised filters that match anything.
    """
    motifs = danq_jaspar_motifs() if motifs is None else motifs
    own = [m[0][:-3] if m[0].endswith("_rc") else m[0] for m in motifs]
    hits: dict[int, set] = {}
    for q, t in zip(table["query"], table["target_id"]):
        q = str(q)
        if not q.startswith(query_prefix) or not q[len(query_prefix):].isdigit():
            raise ValueError(f"Tomtom query {q!r} is not named {query_prefix}<index>")
        hits.setdefault(int(q[len(query_prefix):]), set()).add(str(t))
    n_init = min(len(own), n_filters)
    return {"n_initialised": n_init, "n_random": n_filters - n_init,
            "initialised_matching_any": sum(1 for f in hits if f < n_init),
            "initialised_matching_own": sum(1 for f, ts in hits.items() if f < n_init and own[f] in ts),
            "random_matching_any": sum(1 for f in hits if n_init <= f < n_filters)}
