#!/usr/bin/env python
"""Reproduce DanQ (Quang & Xie 2016): train on DeepSEA data, evaluate forward/RC-averaged AUCs.

Default (no download): ``deepsea/synthetic``, generated locally, trained on this machine's CPUs
(about 15 minutes on 2 cores), then a table of mean and per-group median ROC AUC and PR AUC is
printed and results.json plus ROC/PR plot PNGs are written to ``--out``.

The paper's protocol on the real bundle::

    python reproductions/danq.py --config full --data_dir DIR_WITH_train.mat_valid.mat_test.mat \
        --published ../shared/data/deepsea/aucs.txt

Hyperparameters come from the preset (keras_motifs/models/danq/presets.py); --epochs,
--batch_size and --learning_rate override them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Default number of training epochs per config (None = the preset's 60 with early stopping).
DEFAULT_EPOCHS = {"synthetic": 5, "synthetic_tiny": 2, "full": None}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="synthetic", choices=["synthetic", "synthetic_tiny", "full"], help="deepsea config (default: synthetic)")
    p.add_argument("--data_dir", help="folder with the extracted DeepSEA bundle (train.mat, valid.mat, test.mat) for --config full; used as TFDS manual_dir")
    p.add_argument("--tfds_dir", default=None, help="where TFDS stores prepared datasets (default: TFDS's own, ~/tensorflow_datasets)")
    p.add_argument("--published", help="the DanQ repository's aucs.txt (e.g. ../shared/data/deepsea/aucs.txt): print the paper's numbers beside ours")
    p.add_argument("--preset", default="danq", choices=["danq", "danq_jaspar"])
    p.add_argument("--modern", action="store_true", help="sigmoid LSTM gates (cuDNN-eligible) instead of the original hard sigmoid")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: 5 for synthetic, 2 for synthetic_tiny, the preset's 60 for full)")
    p.add_argument("--batch_size", type=int, default=None, help="global batch size (default: the preset's 100)")
    p.add_argument("--learning_rate", type=float, default=None)
    p.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the preset's 5)")
    p.add_argument("--seed", type=int, default=1337, help="random seed (the original used 1337)")
    p.add_argument("--num_devices", type=int, default=1, help="replicas for MirroredStrategy; on a CPU-only machine the CPU is split into this many logical devices")
    p.add_argument("--max_train", type=int, default=None, help="use only the first N training examples (smoke runs)")
    p.add_argument("--out", default="outputs/danq", help="output folder (default: outputs/danq)")
    p.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2], help="Keras fit verbosity (1 = progress bar)")
    return p.parse_args(argv)


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
    from keras_motifs.metrics import count_better, evaluate_paired
    from keras_motifs.models.danq import get_preset
    from keras_motifs.reporting.deepsea_tables import format_table, read_published_aucs
    from keras_motifs.reporting import plots
    from keras_motifs.training import train
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

    def xy(split):
        return builder.as_dataset(split=split).map(to_one_hot, num_parallel_calls=tf.data.AUTOTUNE)

    # ------------------------------------------------------------- training
    preset = get_preset(args.preset)
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.config]
    print(
        f"DanQ reproduction: preset={args.preset} config=deepsea/{args.config} train={n_train} "
        f"valid={builder.info.splits['validation'].num_examples} test={builder.info.splits['test'].num_examples} "
        f"epochs={epochs or preset['training']['epochs']} seed={args.seed} devices={args.num_devices}",
        flush=True,
    )
    result = train(
        args.preset,
        xy(train_split),
        xy("validation"),
        output_dir=out / "training",
        model_kwargs={"modern": args.modern},
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
    print(
        f"trained {result.epochs_run} epochs in {result.seconds:.0f} s "
        f"({result.train_samples_per_second:.1f} samples/s, {result.strategy} x{result.replicas})",
        flush=True,
    )

    # ----------------------------------------------------------- evaluation
    test_examples = builder.as_dataset(split="test")
    ev = evaluate_paired(result.model, test_examples, to_one_hot, batch_size=args.batch_size or 100, groups=groups)
    train_ev = None

    headers = ["metric", "ours"]
    rows = []
    published = None
    if args.published:
        published = read_published_aucs(args.published)
        headers += ["DeepSEA (paper)", "DanQ (paper)", "DanQ-JASPAR (paper)"]
        if args.config != "full":
            print(
                "note: the published numbers are on the real DeepSEA test set; with a synthetic "
                "config they are shown for reference only and are not comparable.",
                flush=True,
            )
    from keras_motifs.metrics import summarize

    def pub(metric, what, group=None):
        if published is None:
            return []
        vals = []
        for model in ("DeepSEA", "DanQ", "DanQ-JASPAR"):
            s = summarize(published[f"{model} {metric}"], published["groups"])
            vals.append(s[what] if group is None else s["groups"][group]["median"])
        return vals

    for metric, key in (("ROC AUC", "roc_summary"), ("PR AUC", "pr_summary")):
        s = ev[key]
        rows.append((f"{metric} mean (n={s['n']})", [s["mean"]] + pub(metric, "mean")))
        for g, gs in s["groups"].items():
            rows.append((f"{metric} median {g} (n={gs['n']})", [gs["median"]] + pub(metric, "median", g)))
    rows.append(("test loss (all sequences)", [ev["loss"]] + ([float("nan")] * 3 if published else [])))
    rows.append(("test accuracy", [ev["accuracy"]] + ([float("nan")] * 3 if published else [])))
    table = format_table(rows, headers)
    print()
    print(f"DanQ on deepsea/{args.config} test set ({ev['n_pairs']} forward/RC pairs, predictions averaged)")
    print(table)

    comparisons = {}
    if published is not None and args.config == "full":
        for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
            c = count_better(ev[key], published[f"DeepSEA {metric}"])
            comparisons[f"{metric} ours > DeepSEA"] = c
            print(f"targets where ours beats DeepSEA on {metric}: {c['better']}/{c['n']} ({100 * c['fraction']:.1f} %; paper: DanQ 94.1 % ROC, 97.6 % PR)")
            plots.scatter_vs(ev[key], published[f"DeepSEA {metric}"], f"DeepSEA {metric}", f"ours {metric}", out / f"scatter_{key}_vs_deepsea.png")

    # --------------------------------------------------------------- outputs
    by_group = {}
    for i, g in enumerate(groups):
        by_group.setdefault(g, []).append(i)
    examples = []
    for g, idx in by_group.items():  # the best-learned target of each group, for the curve plots
        idx = [i for i in idx if not np.isnan(ev["pr_auc"][i])]
        if idx:
            examples.append(max(idx, key=lambda i: ev["pr_auc"][i]))
    if args.config == "full":
        wanted = [i for i, n in enumerate(names) if ("GM12878" in n and "EBF1" in n) or ("H1-hESC" in n and "SIX5" in n)]
        examples = wanted[:2] + examples
    plots.roc_pr_curves(ev["labels"], ev["predictions"], examples, names, out)
    plots.auc_histograms(ev["roc_auc"], ev["pr_auc"], groups, out / "auc_distributions.png")

    results = {
        "command": " ".join([Path(sys.argv[0]).name] + (argv if argv is not None else sys.argv[1:])),
        "model": args.preset,
        "modern_gates": args.modern,
        "dataset": f"deepsea/{args.config}",
        "seed": args.seed,
        "num_devices": args.num_devices,
        "strategy": result.strategy,
        "epochs_run": result.epochs_run,
        "training_config": result.extra["training_config"],
        "train_examples": n_train,
        "history": result.history,
        "train_seconds": result.seconds,
        "train_samples_per_second": result.train_samples_per_second,
        "predict_sequences_per_second": ev["predict_sequences_per_second"],
        "data_prepare_seconds": t_data,
        "total_seconds": time.perf_counter() - t_start,
        "test": {k: ev[k] for k in ("roc_summary", "pr_summary", "loss", "accuracy", "n_pairs")},
        "comparisons_vs_deepsea": comparisons,
        "per_target": {
            "name": list(names),
            "group": list(groups),
            "roc_auc": ev["roc_auc"],
            "pr_auc": ev["pr_auc"],
            "n_positive": ev["n_positive"],
        },
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(),
                    "tensorflow": tf.__version__, "gpus": [d.name for d in tf.config.list_physical_devices("GPU")]},
    }
    write_json(out / "results.json", results)
    print(f"\nwrote {out / 'results.json'}, ROC/PR plots and the best model {result.best_model_path} "
          f"(total {results['total_seconds'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
