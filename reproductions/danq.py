#!/usr/bin/env python
"""Reproduce DanQ (Quang & Xie 2016): train on DeepSEA data, evaluate forward/RC-averaged AUCs.

Default (no download): ``deepsea/synthetic``, generated locally, trained on this machine's CPUs
(about 14 minutes on the 2-core VM), then a table of mean and per-group median ROC AUC and PR AUC is
printed and results.json plus ROC/PR plot PNGs are written to ``--out``.

The paper's protocol on the real bundle::

    python reproductions/danq.py --config full --data_dir DIR_WITH_train.mat_valid.mat_test.mat \
        --published ../shared/data/deepsea/aucs.txt

Models (``--model``, or ``--all`` for every one, trained and evaluated the same way):
``danq``, ``danq_jaspar`` (JASPAR-initialised), ``deepsea`` (Zhou & Troyanskaya 2015) and ``lr``
(the paper's k-mer logistic regression). ``--motifs`` converts a trained DanQ's filters to a MEME
file and runs Tomtom against JASPAR 2016 (E < 0.01), as the paper's motif analysis.
Hyperparameters come from each model's preset (keras_motifs/models/*/presets.py); --epochs,
--batch_size and --learning_rate override them.

Resumable per model: a model whose ``<out>/<model>/results.json`` holds a finished evaluation with
the same settings is not trained again (delete that file to retrain); its numbers go in the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Default number of training epochs per config (None = the preset's, with early stopping).
# synthetic: 3 epochs x 12,000 sequences at the measured ~46-51 DanQ samples/s of this project's
# 2-core VM = ~12.5 min of training, ~14 min in all (docs/RESULTS.md).
DEFAULT_EPOCHS = {"synthetic": 3, "synthetic_tiny": 2, "full": None}
# RMSprop epsilon for the synthetic quick runs (None = the preset's). With the original 1e-6
# (Keras 0.2, inside the square root) every initial DanQ gradient (1e-7..2e-4) is below
# sqrt(eps) = 1e-3, so RMSprop starts as plain SGD with steps of ~1e-5 and DanQ stays on its
# initial plateau for the few hundred steps a 15-minute CPU run has (docs/RESULTS.md). 1e-10 is
# TensorFlow 1's RMSProp default. The paper's protocol (--config full) keeps 1e-6.
DEFAULT_EPSILON = {"synthetic": 1e-10, "synthetic_tiny": 1e-10, "full": None}
MODELS = {"danq": "danq", "danq_jaspar": "danq_jaspar", "deepsea": "deepsea", "lr": "kmer_lr"}
LABELS = {"danq": "DanQ", "danq_jaspar": "DanQ-JASPAR", "deepsea": "DeepSEA", "lr": "LR"}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="synthetic", choices=["synthetic", "synthetic_tiny", "full"], help="deepsea config (default: synthetic)")
    p.add_argument("--data_dir", help="folder with the extracted DeepSEA bundle (train.mat, valid.mat, test.mat) for --config full; used as TFDS manual_dir")
    p.add_argument("--tfds_dir", default=None, help="where TFDS stores prepared datasets (default: TFDS's own, ~/tensorflow_datasets)")
    p.add_argument("--published", help="the DanQ repository's aucs.txt (e.g. ../shared/data/deepsea/aucs.txt): print the paper's numbers beside ours")
    p.add_argument("--model", action="append", choices=sorted(MODELS), help="model(s) to train (repeatable; default: danq)")
    p.add_argument("--all", action="store_true", help="train and compare lr, deepsea, danq and danq_jaspar")
    p.add_argument("--motifs", action="store_true", help="DanQ models: filters -> MEME (DeepBind/DanQ rule, A,C,G,T) -> Tomtom vs JASPAR 2016, E < 0.01")
    p.add_argument("--modern", action="store_true", help="DanQ: sigmoid LSTM gates (cuDNN-eligible) instead of the original hard sigmoid")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: 3 for synthetic, 2 for synthetic_tiny, the preset's for full)")
    p.add_argument("--batch_size", type=int, default=None, help="global batch size (default: each preset's: 100, DeepSEA 16)")
    p.add_argument("--learning_rate", type=float, default=None)
    p.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the preset's)")
    p.add_argument("--epsilon", type=float, default=None, help="RMSprop epsilon for danq/danq_jaspar/lr (default: the original 1e-6 for --config full; 1e-10 for the synthetic configs, a documented deviation so that a short CPU run leaves DanQ's initial plateau)")
    p.add_argument("--seed", type=int, default=1337, help="random seed (the original used 1337)")
    p.add_argument("--num_devices", type=int, default=1, help="replicas for MirroredStrategy; on a CPU-only machine the CPU is split into this many logical devices")
    p.add_argument("--max_train", type=int, default=None, help="use only the first N training examples (smoke runs)")
    p.add_argument("--motif_sequences", type=int, default=4000, help="test sequences scanned for --motifs (default 4000)")
    p.add_argument("--out", default="outputs/danq", help="output folder (default: outputs/danq)")
    p.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2], help="Keras fit verbosity (1 = progress bar)")
    args = p.parse_args(argv)
    args.models = ["lr", "deepsea", "danq", "danq_jaspar"] if args.all else (args.model or ["danq"])
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    import tensorflow as tf

    from keras_motifs.training import configure_logical_cpus

    if args.num_devices > 1 and not tf.config.list_physical_devices("GPU"):
        configure_logical_cpus(args.num_devices)  # before any other TF op

    import numpy as np
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers deepsea)
    from keras_motifs.io import write_json
    from keras_motifs.metrics import count_better, evaluate_paired, summarize
    from keras_motifs.reporting import plots
    from keras_motifs.reporting.deepsea_tables import format_table, read_published_aucs
    from tfds_builders.deepsea import to_one_hot

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    # ---------------------------------------------------------------- data
    if args.config == "full" and not args.data_dir:
        print("note: --config full without --data_dir downloads the 4.4 GB DeepSEA bundle", file=sys.stderr)
    builder = tfds.builder(f"deepsea/{args.config}", data_dir=args.tfds_dir)
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=args.data_dir, try_download_gcs=False)
    )
    t_data = time.perf_counter() - t_start
    names = builder.info.metadata["target_names"]
    groups = builder.info.metadata["target_groups"]
    n_train = builder.info.splits["train"].num_examples
    train_split = "train" if not args.max_train else f"train[:{args.max_train}]"
    if args.max_train:
        n_train = min(n_train, args.max_train)
    published = read_published_aucs(args.published) if args.published else None
    if published is not None and args.config != "full":
        print("note: the published numbers are on the real DeepSEA test set; with a synthetic config "
              "they are shown for reference only and are not comparable.", flush=True)

    def xy(split):
        return builder.as_dataset(split=split).map(to_one_hot, num_parallel_calls=tf.data.AUTOTUNE)

    print(
        f"DanQ-paper reproduction: models={','.join(args.models)} config=deepsea/{args.config} train={n_train} "
        f"valid={builder.info.splits['validation'].num_examples} test={builder.info.splits['test'].num_examples} "
        f"seed={args.seed} devices={args.num_devices}",
        flush=True,
    )
    results = {
        "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
        "dataset": f"deepsea/{args.config}",
        "seed": args.seed,
        "num_devices": args.num_devices,
        "train_examples": n_train,
        "data_prepare_seconds": t_data,
        "models": {},
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(),
                    "tensorflow": tf.__version__, "gpus": [d.name for d in tf.config.list_physical_devices("GPU")]},
    }
    evals = {}
    for key in args.models:
        settings = run_settings(key, args)
        res = load_finished(out / key / "results.json", settings)
        if res is None:
            res, ev = run_model(key, args, xy, train_split, n_train, builder, groups, out)
            res["settings"] = settings
            write_json(out / key / "results.json", res)
        else:
            print(f"\n== {LABELS[key]}: finished earlier with the same settings; read from {out / key / 'results.json'}", flush=True)
            ev = {**res["test"], **{k: np.array([np.nan if v is None else v for v in res["per_target"][k]], dtype=float)
                                    for k in ("roc_auc", "pr_auc")}}
        results["models"][key] = res
        evals[key] = ev
        if args.motifs and key in ("danq", "danq_jaspar") and "motifs" not in res:
            res["motifs"] = motif_analysis(key, args, builder, out / key)
            write_json(out / key / "results.json", res)

    # ------------------------------------------------------------ the table
    headers = ["metric"] + [LABELS[k] for k in args.models]
    if published is not None:
        headers += ["DeepSEA (paper)", "DanQ (paper)", "DanQ-JASPAR (paper)"]

    def pub(metric, what, group=None):
        if published is None:
            return []
        vals = []
        for model in ("DeepSEA", "DanQ", "DanQ-JASPAR"):
            s = summarize(published[f"{model} {metric}"], published["groups"])
            vals.append(s[what] if group is None else s["groups"][group]["median"])
        return vals

    nan3 = [float("nan")] * 3 if published is not None else []
    rows = []
    first = evals[args.models[0]]
    for metric, key in (("ROC AUC", "roc_summary"), ("PR AUC", "pr_summary")):
        rows.append((f"{metric} mean (n={first[key]['n']})", [evals[m][key]["mean"] for m in args.models] + pub(metric, "mean")))
        for g, gs in first[key]["groups"].items():
            rows.append((f"{metric} median {g} (n={gs['n']})",
                         [evals[m][key]["groups"][g]["median"] for m in args.models] + pub(metric, "median", g)))
    for label, field in (("train loss (last epoch)", "train_loss"), ("valid loss (best)", "valid_loss"),
                         ("train accuracy (last epoch)", "train_accuracy")):
        rows.append((label, [results["models"][m][field] for m in args.models] + nan3))
    rows.append(("test loss (all sequences)", [evals[m]["loss"] for m in args.models] + nan3))
    rows.append(("test accuracy", [evals[m]["accuracy"] for m in args.models] + nan3))
    if "deepsea" in args.models:
        for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
            vals = []
            for m in args.models:
                c = count_better(evals[m][key], evals["deepsea"][key])
                vals.append(f"{c['better']}/{c['n']}" if m != "deepsea" else "-")
                results["models"][m][f"targets_beating_deepsea_{key}"] = c
            rows.append((f"targets beating DeepSEA, {metric}", vals + (["-"] * 3 if published is not None else [])))
    print()
    print(f"deepsea/{args.config} test set ({first['n_pairs']} forward/RC pairs, predictions averaged)")
    print(format_table(rows, headers))

    if published is not None and args.config == "full":
        for m in args.models:
            for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
                c = count_better(evals[m][key], published[f"DeepSEA {metric}"])
                results["models"][m][f"targets_beating_published_deepsea_{key}"] = c
                print(f"{LABELS[m]}: targets beating the published DeepSEA on {metric}: {c['better']}/{c['n']} "
                      f"({100 * c['fraction']:.1f} %; paper: DanQ 94.1 % ROC, 97.6 % PR)")
                plots.scatter_vs(evals[m][key], published[f"DeepSEA {metric}"], f"DeepSEA (published) {metric}",
                                 f"{LABELS[m]} (ours) {metric}", out / m / f"scatter_{key}_vs_published_deepsea.png")
    if "deepsea" in args.models:
        for m in args.models:
            if m != "deepsea":
                for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
                    plots.scatter_vs(evals[m][key], evals["deepsea"][key], f"DeepSEA (ours) {metric}",
                                     f"{LABELS[m]} {metric}", out / m / f"scatter_{key}_vs_deepsea.png")
    for m in args.models:
        if "motifs" in results["models"][m]:
            mo = results["models"][m]["motifs"]
            paper = "; paper, real data: 166/320" if m == "danq" else ""
            print(f"{LABELS[m]} motifs: {mo['n_filters_with_match']}/{mo['n_filters']} filters match a JASPAR 2016 motif "
                  f"(Tomtom E < {mo['evalue_threshold']}{paper}) -> {mo['meme']}")
            if m == "danq_jaspar" and Path(mo["tomtom"]).exists():
                import pandas as pd

                from keras_motifs.papers.danq import init_survival

                sv = init_survival(pd.read_csv(mo["tomtom"], sep="\t"), mo["n_filters"])
                results["models"][m]["motifs"]["init_survival"] = sv
                print(f"  of which JASPAR-initialised filters: {sv['initialised_matching_any']}/{sv['n_initialised']} match "
                      f"({sv['initialised_matching_own']} their own starting motif); randomly initialised: "
                      f"{sv['random_matching_any']}/{sv['n_random']}")

    results["total_seconds"] = time.perf_counter() - t_start
    write_json(out / "results.json", results)
    print(f"\nwrote {out / 'results.json'} and per-model folders (plots, best model) under {out} "
          f"(total {results['total_seconds'] / 60:.1f} min)")
    return 0


def run_settings(key, args) -> dict:
    """What decides a model's result: a finished model is reused only when these are equal."""
    return {"model": key, "config": args.config, "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size,
            "learning_rate": args.learning_rate, "patience": args.patience, "epsilon": args.epsilon,
            "modern": args.modern, "num_devices": args.num_devices, "max_train": args.max_train}


def load_finished(path: Path, settings: dict):
    """The results of an earlier run of this model with the same settings, else None (retrain)."""
    import json

    if not path.exists():
        return None
    try:
        res = json.loads(path.read_text())
    except ValueError:
        return None
    return res if res.get("settings") == settings and "test" in res else None


def run_model(key, args, xy, train_split, n_train, builder, groups, out):
    """Train one model and evaluate it on the test split; returns (results dict, evaluation)."""
    import numpy as np
    import tensorflow as tf

    from keras_motifs.metrics import evaluate_paired
    from keras_motifs.models import build, training_config
    from keras_motifs.reporting import plots
    from keras_motifs.training import train
    from tfds_builders.deepsea import to_one_hot

    name = MODELS[key]
    cfg = training_config(name)
    eps = args.epsilon if args.epsilon is not None else DEFAULT_EPSILON[args.config]
    if eps is not None and cfg["optimizer"] == "rmsprop" and eps != cfg.get("epsilon"):
        print(f"note: RMSprop epsilon {eps:g} instead of the original {cfg.get('epsilon'):g} "
              f"({'--epsilon' if args.epsilon is not None else 'synthetic default'}; see DEFAULT_EPSILON in this script)", flush=True)
        cfg = dict(cfg, epsilon=eps)
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.config]
    if key == "lr":
        from keras_motifs.models.kmer_lr import KmerLogisticRegression

        def model_fn():  # normalisation statistics fitted on the training sequences
            return KmerLogisticRegression(adapt_data=xy(train_split))
    elif key in ("danq", "danq_jaspar"):
        def model_fn():
            return build(name, modern=args.modern, jaspar_seed=args.seed if key == "danq_jaspar" else None)
    else:
        def model_fn():
            return build(name)
    print(f"\n== {LABELS[key]} ({name}): epochs={epochs or cfg['epochs']} batch={args.batch_size or cfg['batch_size']}", flush=True)
    result = train(
        model_fn,
        xy(train_split),
        xy("validation"),
        output_dir=out / key / "training",
        training=cfg,
        epochs=epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        early_stopping_patience=args.patience,
        seed=args.seed,
        num_devices=args.num_devices if args.num_devices > 1 else None,
        strategy="mirrored" if args.num_devices > 1 else "default",
        shuffle_buffer=min(n_train, 200_000),
        verbose=args.verbose,
    )
    print(f"trained {result.epochs_run} epochs in {result.seconds:.0f} s "
          f"({result.train_samples_per_second:.1f} samples/s, {result.strategy} x{result.replicas})", flush=True)
    ev = evaluate_paired(result.model, builder.as_dataset(split="test"), to_one_hot,
                         batch_size=max(args.batch_size or cfg["batch_size"], 100), groups=groups)
    names = builder.info.metadata["target_names"]
    examples = []
    for g in dict.fromkeys(groups):  # the best-learned target of each group, for the curve plots
        idx = [i for i, gg in enumerate(groups) if gg == g and not np.isnan(ev["pr_auc"][i])]
        if idx:
            examples.append(max(idx, key=lambda i: ev["pr_auc"][i]))
    if args.config == "full":
        wanted = [i for i, n in enumerate(names) if ("GM12878" in n and "EBF1" in n) or ("H1-hESC" in n and "SIX5" in n)]
        examples = wanted[:2] + examples
    (out / key).mkdir(parents=True, exist_ok=True)
    plots.roc_pr_curves(ev["labels"], ev["predictions"], examples, names, out / key)
    plots.auc_histograms(ev["roc_auc"], ev["pr_auc"], groups, out / key / "auc_distributions.png")
    hist = result.history
    res = {
        "model": name,
        "modern_gates": args.modern if key.startswith("danq") else None,
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
    return res, ev


def motif_analysis(key, args, builder, folder: Path) -> dict:
    """Filters of a trained DanQ → MEME (DeepBind/DanQ rule, A,C,G,T) → Tomtom vs JASPAR 2016
    (keras_motifs.papers.danq.motif_analysis, the paper's motif protocol)."""
    import keras

    from keras_motifs.papers.danq import motif_analysis as danq_motif_analysis
    from tfds_builders.deepsea import to_one_hot

    model = keras.models.load_model(folder / "training" / "best.keras", safe_mode=True)
    data = builder.as_dataset(split=f"test[:{args.motif_sequences}]").map(lambda e: to_one_hot(e)[0])
    return danq_motif_analysis(model, data, folder, sequences_scanned=args.motif_sequences)

if __name__ == "__main__":
    sys.exit(main())
