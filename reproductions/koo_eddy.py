"""Reproduce Koo & Eddy 2019 Table 1 (synthetic) — and, given the DeepSEA bundle, Table 2 (in vivo).

Stages (each resumable per (model, trial)):

  train   train each model ``--trials`` times (trial k uses seed ``--seed + k``); writes
          ``<out>/<model>/trial<k>/best.keras`` and ``metrics.json`` (per-class ROC/PR AUC) once,
          with its run record (keras_motifs.reporting.run_record.Unit): a trial finished with the
          same settings is skipped, one of other settings is trained again.
  motifs  first-layer filters (and CNN-1's second layer, CNN-1-1-100's three layers) by the
          paper's activation rule (keras_motifs.interpret, ``koo_eddy`` rule), clipped, Tomtom
          against JASPAR 2016 vertebrates (E < 0.1); writes ``motifs_<layer>.json`` + MEME files.
          "Relevant": a filter with any ground-truth hit (the code's rule); the best-hit rule
          is computed beside it.
  report  prints mean ± sd over trials next to the paper's table (match relevant by both rules),
          writes ``summary.tsv``/``.json``
          and logo grids for CNN-2, CNN-4 and CNN-25 (Fig. 2).

With ``--results DIR`` each (model, trial) is one unit of work finished on one machine: trained,
its motifs analysed, then its small files (``motifs_<layer>.json``, then ``metrics.json``, a few kB)
copied to ``DIR/<model>/trial<k>/`` — commit them as they appear (the project's full-budget run:
``--results reproductions/results/koo_eddy``). A run on any machine skips the units finished
there and reports from them; the models themselves (``best.keras``) stay in ``--out``.

Examples:
  # synthetic Table 1, all models, 3 trials (under nice on a shared machine)
  nice -n 19 python reproductions/koo_eddy.py --out runs/koo_eddy --trials 3
  # Table 1 at the paper's budget, resumable across machines (commit the files under --results)
  nice -n 5 python reproductions/koo_eddy.py --out runs/koo_table1 --results reproductions/results/koo_eddy \
      --trials 5 --variant code --trial-major
  # in vivo Table 2 (needs the DeepSEA bundle's train/valid/test.mat in MANUAL):
  python reproductions/koo_eddy.py --dataset invivo --deepsea-manual-dir MANUAL --out runs/koo_invivo
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import (
    ArgumentParser,
    output_dir,
    common_options,
    fit_verbose,
    positive_int,
)

LOGO_MODELS = ["koo_eddy_cnn_2", "koo_eddy_cnn_4", "koo_eddy_cnn_25"]


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ----------------------------------------------------------------------------------------- data
def load_synthetic_indices(data_dir: str | None, config: str) -> dict:
    """Splits of the koo_eddy_synthetic TFDS dataset as (uint8 letter indices (N, 200), labels)."""
    import numpy as np
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers the builders)

    builder = tfds.builder(f"koo_eddy_synthetic/{config}", data_dir=data_dir)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))
    out = {}
    for split in ("train", "validation", "test"):
        d = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
        out[split] = (d["sequence"].astype(np.uint8), d["label"].astype(np.float32))
    return out


def load_data(args) -> tuple[dict, str]:
    """One-hot (N, L, 4) A,C,G,T splits (from ``--arrays`` if given, else from TFDS) and their name."""
    import numpy as np

    from keras_motifs.data import indices_to_one_hot
    from tfds_builders.deepsea.koo_eddy_invivo import load_invivo

    if args.arrays:
        from keras_motifs.io import load_splits

        splits, meta = load_splits(args.arrays)
        log(f"splits from {args.arrays}: {meta}")
        name = meta.get("dataset", str(args.arrays)) if isinstance(meta, dict) else str(args.arrays)
    elif args.dataset == "synthetic":
        splits = load_synthetic_indices(args.tfds_dir, args.config)
        name = f"koo_eddy_synthetic/{args.config}"
    else:
        data = load_invivo(args.deepsea_manual_dir, data_dir=args.tfds_dir, config=args.deepsea_config)
        return data, f"deepsea/{args.deepsea_config} (Koo & Eddy in vivo)"
    return {k: (indices_to_one_hot(x), y.astype(np.float32)) for k, (x, y) in splits.items()}, name


def export_arrays(args) -> None:
    """Write the synthetic splits to ``--export-arrays`` (for a machine without TensorFlow)."""
    from keras_motifs.io import save_splits

    if args.dataset != "synthetic":
        raise SystemExit("--export-arrays supports --dataset synthetic only")
    splits = load_synthetic_indices(args.tfds_dir, args.config)
    save_splits(args.export_arrays, splits, meta={"dataset": f"koo_eddy_synthetic/{args.config}"})
    log(f"wrote {args.export_arrays}: " + ", ".join(f"{k} {v[0].shape}" for k, v in splits.items()))


# ---------------------------------------------------------------------------------------- train
def train_one(args, data, data_name: str, preset: str, trial: int) -> None:
    """One unit: <out>/<model>/trial<k>/metrics.json, keyed by the trial's settings."""
    from keras_motifs.models.koo_eddy import PRESETS
    from keras_motifs.papers.koo_eddy import train_and_test, training_settings
    from keras_motifs.reporting.run_record import Unit, withdraw_files

    folder = Path(args.out) / preset / f"trial{trial}"
    cfg = training_settings(preset, variant=args.variant, dataset=args.dataset, epochs=args.epochs)
    seed = args.seed + trial
    ident = {"model": preset, "trial": trial, "seed": seed, "variant": args.variant, "initializer": args.initializer,
             "dataset": args.dataset}
    settings = {**ident, "data": data_name, "training": cfg}
    legacy = {**ident, "epochs_max": cfg["epochs"]}
    unit = Unit(folder / "metrics.json", settings, seed=seed, legacy_fields=legacy)
    published = Unit(results_folder(args, preset, trial) / "metrics.json", settings, seed=seed, legacy_fields=legacy)
    if published.done() is not None:
        return
    if published.path.resolve() != unit.path.resolve() and published.existing() is not None:
        # a published trial of other settings: withdrawn (with its motifs) until this one replaces it
        log(f"{preset} trial {trial}: {published.path} holds a trial of other settings: it will be replaced")
        dest = published.path.parent
        withdraw_files(dest, ["metrics.json", *(m.name for m in dest.glob("motifs_*.json"))])
    if unit.done() is not None:
        return  # trained here; the motif stage publishes it to --results
    stale = unit.existing() is not None
    if stale:  # other settings: the motifs of the old model go with it
        log(f"{preset} trial {trial}: {unit.path} holds a trial of other settings: training again")
        for old in folder.glob("motifs_*.json"):
            old.unlink()
        if trial == 0:
            (Path(args.out) / f"logos_{preset}.png").unlink(missing_ok=True)
    log(f"train {preset} trial {trial} ({cfg['epochs']} epochs max, lr {cfg['learning_rate']})")
    t0 = time.time()
    result, metrics = train_and_test(preset, data, cfg, seed=seed, initializer=args.initializer, output_dir=folder,
                                     verbose=fit_verbose(args.verbosity, default=0), fresh=args.fresh or stale,
                                     steps_per_execution=args.steps_per_execution)
    unit.write({"model": preset, "table_name": PRESETS[preset]["table_name"], **ident, **metrics})
    log(f"  {preset} trial {trial}: mean AUROC {metrics['mean_roc_auc']:.4f}, "
        f"{result.epochs_run} epochs, {time.time() - t0:.0f} s")


# --------------------------------------------------------------------------------------- motifs
def motifs_one(args, data, preset: str, trial: int, publish: bool = True) -> None:
    """The motif analysis of one trained trial in ``--out``; then (``publish``) its small files
    copied to ``--results``, ``metrics.json`` last (the mark of a finished unit there)."""
    from keras_motifs.papers.koo_eddy import EXTRA_LAYERS, analyse_model, motifs_current

    folder = Path(args.out) / preset / f"trial{trial}"
    dest = results_folder(args, preset, trial)
    layers = ["conv0_active"] + EXTRA_LAYERS.get(preset, [])
    separate = dest.resolve() != folder.resolve()
    if separate and (dest / "metrics.json").exists() and all(
            motifs_current(dest / f"motifs_{lay}.json") for lay in layers):
        return  # published with its motifs (train_one withdrew it if its settings were not current)
    if not (folder / "best.keras").exists() or not (folder / "metrics.json").exists():
        return
    # a file of an older protocol (best-hit rule only) is recomputed
    todo = [lay for lay in layers if not motifs_current(folder / f"motifs_{lay}.json")]
    if todo:
        import keras

        model = keras.models.load_model(folder / "best.keras", safe_mode=True)
        log(f"motifs {preset} trial {trial}: {todo}")
        analyse_model(model, data["test"][0], folder, layers=todo, dataset=args.dataset)
    if publish and separate:
        from keras_motifs.reporting.run_record import publish_files

        publish_files(folder, dest, [*(f"motifs_{lay}.json" for lay in layers), "metrics.json"])
        log(f"  published {dest}")


def results_folder(args, preset: str, trial: int) -> Path:
    """Where a trial's small result files live: ``--results`` (default: ``--out``)."""
    return Path(args.results or args.out) / preset / f"trial{trial}"


# --------------------------------------------------------------------------------------- report
def report(args, models) -> list[dict]:
    from keras_motifs.io import atomic_open, write_json
    from keras_motifs.papers.koo_eddy import (PAPER_TABLES, class_summary, format_class_summary, format_summary,
                                              read_published, summary_rows)
    from keras_motifs.paths import shared_data_dir

    folder = Path(args.results or args.out)
    if not folder.is_dir():
        raise SystemExit(f"koo_eddy: no results folder '{folder}' to report from (--results / --out)")
    rows = summary_rows(folder, models, read_published(shared_data_dir(PAPER_TABLES[args.dataset])))
    text = format_summary(rows)
    print(text)
    classes = class_summary(folder, models)
    print(format_class_summary(classes))
    with atomic_open(Path(args.out) / "summary.tsv", "w") as fh:
        fh.write(text + "\n")
    write_json(Path(args.out) / "summary.json", rows)
    write_json(Path(args.out) / "classes.json", classes)
    return rows


def logos(args) -> None:
    from keras_motifs.models.koo_eddy import PRESETS
    from keras_motifs.papers.koo_eddy import plot_filter_grid

    for preset in LOGO_MODELS:
        folder = Path(args.out) / preset / "trial0"
        meme = folder / "filters_conv0_active.npz"
        png = Path(args.out) / f"logos_{preset}.png"
        if meme.exists() and not png.exists():
            plot_filter_grid(folder, png, title=PRESETS[preset]["table_name"])
            log(f"wrote {png}")


# ----------------------------------------------------------------------------------------- main
def parse_args(argv=None):
    ap = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(ap, out="output folder (resumable)", seed=0, seed_help="trial k uses seed + k (default: 0)",
                   tfds_dir="TFDS data_dir (default: TFDS's, ~/tensorflow_datasets)",
                   models="presets, space- or comma-separated (default: Table 1's, "
                          "keras_motifs.models.koo_eddy.TABLE1_MODELS)",
                   verbosity="debug logging; Keras fit: default and -q silent (verbose=0), -v one line per epoch "
                             "(verbose=2), -vv a progress bar (verbose=1)")
    ap.add_argument("--data-dir", dest="tfds_dir", default=None,
                    help="deprecated: the old name of --tfds-dir (a TFDS data_dir), still accepted")
    ap.add_argument("--dataset", choices=["synthetic", "invivo"], default="synthetic")
    ap.add_argument("--config", default="default", help="koo_eddy_synthetic config (default | small)")
    ap.add_argument("--deepsea-manual-dir", default=None, help="folder with the DeepSEA train/valid/test.mat (in vivo)")
    ap.add_argument("--deepsea-config", default="full", help="deepsea builder config for --dataset invivo")
    ap.add_argument("--results", default=None, type=output_dir("--results folder"),
                    help="folder of the per-trial result files (metrics.json, motifs_<layer>.json; default: --out); "
                         "a trial is published there once trained and analysed, and skipped on any machine that "
                         "has it (the project's committed full-budget run: reproductions/results/koo_eddy)")
    ap.add_argument("--trials", type=int, default=5, help="trials per model (paper: 5)")
    ap.add_argument("--trial-ids", type=int, nargs="+", default=None,
                    help="run only these trials (e.g. one process per trial on a GPU); default: 0 .. trials-1")
    ap.add_argument("--epochs", type=int, default=None, help="max epochs (default: the preset's 100)")
    ap.add_argument("--variant", choices=["paper", "code"], default="paper",
                    help="optimiser: paper (Adam lr 3e-4) or code (effective lr 1e-3, beta1 0.95)")
    ap.add_argument("--initializer", choices=["glorot", "he"], default="glorot")
    ap.add_argument("--fresh", action="store_true", help="start a model's training afresh when its training folder holds another run's outputs (other model, data or settings; they are deleted); without it such a folder is refused (a result file of other settings is retrained afresh anyway)")
    ap.add_argument("--stages", nargs="+", default=["train", "motifs", "report"], choices=["train", "motifs", "report"])
    ap.add_argument("--steps-per-execution", type=positive_int, default=1,
                    help="training steps per call of Keras's compiled step (the same updates, fewer returns to "
                         "Python; not part of a trial's settings). Default: 1")
    ap.add_argument("--trial-major", action="store_true",
                    help="train trial 0 of every model before trial 1 (useful on a time budget)")
    ap.add_argument("--arrays", default=None,
                    help="read the splits from this .npz (made by --export-arrays) instead of TFDS: lets the "
                         "training run under KERAS_BACKEND=jax/torch on a machine without TensorFlow")
    ap.add_argument("--export-arrays", default=None, help="write the synthetic splits to this .npz and exit")
    args = ap.parse_args(argv)
    if not args.out and not args.export_arrays:
        ap.error("--out is required")
    logs.configure(args.verbosity)
    if any(a.split("=")[0] in ("--data-dir", "--data_dir") for a in (sys.argv[1:] if argv is None else argv)):
        logs.LOGGER.warning("koo_eddy.py: warning: --data_dir is deprecated: use --tfds-dir (the same TFDS data_dir)")
    logs.import_tensorflow_quietly()
    logs.quiet_progress(args.verbosity)  # TFDS bars only on a terminal, none with -q
    from keras_motifs.models.koo_eddy import PRESETS, TABLE1_MODELS

    args.models = args.models or list(TABLE1_MODELS)
    for m in args.models:
        if m not in PRESETS:
            ap.error(f"unknown model {m!r}; choose from {sorted(PRESETS)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)  # also sets up logging and imports TensorFlow quietly
    if args.export_arrays:
        export_arrays(args)
        return 0
    Path(args.out).mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    data, data_name = load_data(args) if ("train" in args.stages or "motifs" in args.stages) else (None, None)
    if data is not None:
        log("data: " + ", ".join(f"{k} {v[0].shape}" for k, v in data.items()))
    trials = args.trial_ids if args.trial_ids is not None else list(range(args.trials))
    pairs = [(m, t) for m in args.models for t in trials]
    if args.trial_major:
        pairs = [(m, t) for t in trials for m in args.models]
    if "train" in args.stages:
        for m, t in pairs:
            train_one(args, data, data_name, m, t)
            if "motifs" in args.stages:  # the unit is finished (and published) before the next one
                motifs_one(args, data, m, t)
    if "motifs" in args.stages:
        for m, t in pairs:
            motifs_one(args, data, m, t)
        logos(args)
    if "report" in args.stages:
        report(args, args.models)
    log(f"done in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
