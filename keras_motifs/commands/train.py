"""``keras-motifs train PRESET DATA --out DIR``: train any registered preset on your own labelled
sequences (FASTA per class, FASTA + labels table, or BED + genome), with the preset's paper
protocol by default, and report test ROC/PR AUC per target."""

from __future__ import annotations

import argparse
import math
import sys

from .data_options import DATA_HELP

EPILOG = DATA_HELP + """
examples:
  keras-motifs train deepbind_encode --bed peaks.bed --genome hg38.fa --test-chroms chr8,chr9 \\
      --shuffled-negatives 1 --out runs/ctcf
  keras-motifs train koo_eddy_cnn_25 --positives bound.fa --negatives unbound.fa --out runs/tf
  keras-motifs train danq --fasta seqs.fa --labels labels.tsv --test-fraction 0.1 --out runs/multi

training: the preset's own settings (optimizer, learning rate, batch size, epochs, early stopping;
DeepBind's step budget becomes epochs), overridden by --epochs, --batch-size, --learning-rate,
--patience. The best model by validation loss is kept. Started again with the same options and
--out, an interrupted run resumes from its last backup (--fresh starts over).

outputs in --out: model.keras (the trained model, for 'keras-motifs predict' and sharing),
target_names.txt, test_metrics.tsv (ROC AUC and PR AUC per target on the test split),
metrics.json (the same, with counts, settings and times), training/ (checkpoints, log),
skipped_intervals.txt (with --skip-bad-intervals, when any were left out).
"""

# one-hot value of N per family (DeepBind's predictor: 0.25 in every channel; the others: 0)
N_VALUE = {"deepbind": 0.25}
DNA_ALPHABETS = ("ACGT", "AGCT")


def register(subparsers) -> None:
    from ..cli_args import float_in_range, nonnegative_int, output_dir, positive_int
    from .data_options import add_data_options

    p = subparsers.add_parser(
        "train", help="train a preset on your own sequences (FASTA per class, FASTA + labels, BED + genome)",
        description="Train a registered preset (its paper's training protocol by default) on your own labelled "
                    "sequences; write the model as .keras and the test ROC/PR AUC per target.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("preset", help="a registered preset, e.g. deepbind_encode, koo_eddy_cnn_25, danq, deepsea")
    add_data_options(p)
    p.add_argument("--out", required=True, type=output_dir("output folder"), help="output folder")
    p.add_argument("--epochs", type=positive_int, default=None, help="maximum epochs (default: the preset's)")
    p.add_argument("--batch-size", type=positive_int, default=None, help="batch size (default: the preset's)")
    p.add_argument("--learning-rate", type=float_in_range(0.0, 10.0, low_open=True, what="a learning rate"),
                   default=None, help="learning rate (default: the preset's)")
    p.add_argument("--patience", type=nonnegative_int, default=None,
                   help="early-stopping patience in epochs (default: the preset's; 0 turns early stopping off)")
    p.add_argument("--length", type=positive_int, default=None,
                   help="input length in bp (default: the preset's, e.g. 101 for DeepBind, 200 for Koo & Eddy)")
    p.add_argument("--seed", type=int, default=0, help="seed of the splits, shuffles and training (default 0)")
    p.add_argument("--no-rc-average", dest="rc_average", action="store_false",
                   help="test on the forward strand only (default: forward and reverse complement averaged)")
    p.add_argument("--fresh", action="store_true",
                   help="start over in an --out holding an earlier run's training (default: resume the same run)")
    p.set_defaults(func=run)


def check_preset(name: str, length: int | None, n_targets: int | None = None):
    """``(PresetInfo, model kwargs, input length)`` of a preset that reads one one-hot DNA sequence;
    UsageError for an unknown preset or one with other inputs (iDeepS's structure, RNA, a
    two-class softmax)."""
    from .. import models  # noqa: F401  (fills the preset registry)
    from ..errors import UsageError
    from ..registry import available, build, preset_info

    if name not in available():
        raise UsageError(f"unknown preset {name!r}; choose from {', '.join(available())}")
    info = preset_info(name)
    hp = info.hyperparameters
    kwargs = {}
    if length is not None:
        if "sequence_length" not in hp:
            raise UsageError(f"--length: preset {name!r} has a fixed input length")
        kwargs["sequence_length"] = int(length)
    if n_targets is not None and "num_targets" in hp:
        kwargs["num_targets"] = int(n_targets)
    try:
        model = build(name, **kwargs)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"preset {name!r} cannot be built with {kwargs}: {exc}") from None
    inputs = model.inputs
    if len(inputs) != 1:
        names = ", ".join(str(getattr(i, "name", "?")) for i in inputs)
        raise UsageError(f"preset {name!r} reads {len(inputs)} inputs ({names}), not one one-hot DNA sequence "
                         "(iDeepS also reads the predicted RNA structure); train it with its reproduction script")
    if info.alphabet not in DNA_ALPHABETS:
        raise UsageError(f"preset {name!r} reads {info.alphabet} sequences, not DNA (ACGT); 'train' takes DNA "
                         "sequence models")
    loss = str(info.training().get("loss", ""))
    if "categorical" in loss:
        raise UsageError(f"preset {name!r} has a {loss} (softmax class) output, not one sigmoid per target; "
                         "'train' takes binary multi-target models")
    out_shape = model.outputs[0].shape
    if n_targets is not None and out_shape[-1] != n_targets:
        raise UsageError(f"preset {name!r} has {out_shape[-1]} output(s) and no num_targets setting, but the data "
                         f"has {n_targets} targets; give one target (one BED or class) or choose another preset")
    return info, kwargs, int(inputs[0].shape[1])


def training_settings(info, n_train: int, args) -> dict:
    """The preset's training settings for ``train()``: its own, DeepBind's step budget as epochs
    (``max_steps`` batches, at most ``max_epochs``), then the command line's overrides."""
    cfg = info.training()
    if "epochs" not in cfg and "max_steps" in cfg:
        steps_per_epoch = max(1, math.ceil(n_train / cfg["batch_size"]))
        cfg["epochs"] = int(min(cfg.get("max_epochs", 500), math.ceil(cfg["max_steps"] / steps_per_epoch)))
    for key, value in (("epochs", args.epochs), ("batch_size", args.batch_size),
                       ("learning_rate", args.learning_rate)):
        if value is not None:
            cfg[key] = value
    if args.patience is not None:
        cfg["early_stopping_patience"] = args.patience or None
    return cfg


def run(args) -> int:
    import numpy as np

    from ..cli_args import fit_verbose
    from ..data import indices_to_one_hot
    from ..io import atomic_open, check_distinct, save_model, write_json
    from ..io.labelled import load_labelled
    from ..metrics import per_target_auc, predict_arrays, predict_rc_averaged
    from ..training import train
    from .data_options import spec_from_args

    import os

    spec = spec_from_args(args)
    out = args.out
    check_distinct({"--out model.keras": os.path.join(out, "model.keras"),
                    "--out test_metrics.tsv": os.path.join(out, "test_metrics.tsv")}, spec.inputs())
    info, kwargs, length = check_preset(args.preset, args.length)
    data = load_labelled(spec, length, info.alphabet)
    n_targets = len(data.target_names)
    info, kwargs, length = check_preset(args.preset, args.length, n_targets)  # the output count fits the data
    if data.skipped:
        print(f"skipped {len(data.skipped)} interval(s) (--skip-bad-intervals), listed in "
              f"{os.path.join(out, 'skipped_intervals.txt')}; first: {data.skipped[0]}", file=sys.stderr)
    n_value = N_VALUE.get(info.family, 0.0)

    def one_hot(x):
        return indices_to_one_hot(x, 4, n_value=n_value)

    counts = data.counts()
    print(f"data: {len(data.ids)} sequences of {length} bp, {n_targets} target(s); " + ", ".join(
        f"{k} {v['rows']} ({sum(v['positives'])} positive labels)" for k, v in counts.items())
        + (f"; {data.n_with_n} with N" if data.n_with_n else ""))
    x_train, y_train = data.part("train")
    x_valid, y_valid = data.part("validation")
    validation = (one_hot(x_valid), y_valid) if len(x_valid) else None
    cfg = training_settings(info, len(x_train), args)
    if validation is None:
        cfg["monitor"] = "loss"
    if info.family == "deepprune":
        print("note: the preset's pruning rounds are not run by 'train' (the unpruned network is trained)")
    os.makedirs(out, exist_ok=True)
    if data.skipped:
        with atomic_open(os.path.join(out, "skipped_intervals.txt"), "w") as fh:
            fh.write("\n".join(data.skipped) + "\n")
    result = train(args.preset, (one_hot(x_train), y_train), validation, output_dir=os.path.join(out, "training"),
                   training=cfg, model_kwargs=kwargs, seed=args.seed, tensorboard=False,
                   verbose=fit_verbose(args.verbosity, 2), shuffle_buffer=cfg.get("shuffle", "full"), fresh=args.fresh)
    model = result.model
    x_test, y_test = data.part("test")
    xt = one_hot(x_test)
    batch = int(cfg["batch_size"])
    pred = (predict_rc_averaged(model, xt, info.alphabet, batch_size=batch) if args.rc_average
            else predict_arrays(model, xt, batch))
    auc = per_target_auc((y_test > 0.5).astype(np.int8), pred)
    save_model(model, os.path.join(out, "model.keras"))
    with atomic_open(os.path.join(out, "target_names.txt"), "w") as fh:
        fh.write("\n".join(data.target_names) + "\n")
    lines = ["target\troc_auc\tpr_auc\ttest_sequences\ttest_positives"]
    for t, name in enumerate(data.target_names):
        lines.append(f"{name}\t{auc['roc_auc'][t]:.4f}\t{auc['pr_auc'][t]:.4f}\t{len(y_test)}\t{auc['n_positive'][t]}")
    with atomic_open(os.path.join(out, "test_metrics.tsv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    mean_roc, mean_pr = float(np.nanmean(auc["roc_auc"])) if np.isfinite(auc["roc_auc"]).any() else float("nan"), \
        float(np.nanmean(auc["pr_auc"])) if np.isfinite(auc["pr_auc"]).any() else float("nan")
    write_json(os.path.join(out, "metrics.json"), {
        "preset": args.preset, "length": length, "targets": data.target_names, "counts": counts,
        "skipped_intervals": len(data.skipped), "sequences_with_n": data.n_with_n, "data": spec.to_dict(),
        "training": cfg, "model_kwargs": kwargs, "seed": args.seed, "rc_average": args.rc_average,
        "epochs_run": result.epochs_run, "train_seconds": round(result.seconds, 1),
        "test": {"roc_auc": auc["roc_auc"], "pr_auc": auc["pr_auc"], "n_positive": auc["n_positive"],
                 "mean_roc_auc": mean_roc, "mean_pr_auc": mean_pr},
    })
    print(f"trained {args.preset} for {result.epochs_run} epoch(s) in {result.seconds:.1f} s")
    print("test (" + ("forward and reverse complement averaged" if args.rc_average else "forward strand") + "):")
    for line in lines:
        print("  " + line.replace("\t", "  "))
    print(f"mean test ROC AUC {mean_roc:.4f}, PR AUC {mean_pr:.4f}")
    print(f"wrote {os.path.join(out, 'model.keras')}, {os.path.join(out, 'test_metrics.tsv')}, "
          f"{os.path.join(out, 'metrics.json')}")
    return 0
