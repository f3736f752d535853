#!/usr/bin/env python
"""Reproduce DanQ (Quang & Xie 2016): train on DeepSEA data, evaluate forward/RC-averaged AUCs.

Default (no download): ``deepsea/synthetic`` (recipe 2.0.0), generated locally, trained on this
machine's CPUs (7 epochs, about 18 minutes on the 2-core VM), then a table of mean and per-group
median ROC AUC and PR AUC is printed, the motif analysis of DanQ's filters with the planted motifs
each one matches (and the untrained network's, as a control), and results.json plus ROC/PR plot
PNGs are written to ``--out``.

The paper's protocol on the real bundle::

    python reproductions/danq.py --config full --data-dir DIR_WITH_train.mat_valid.mat_test.mat \
        --published ../shared/data/deepsea/aucs.txt

Models (``--models``, or ``--all`` for every one, trained and evaluated the same way):
``danq``, ``danq_jaspar`` (JASPAR-initialised), ``deepsea`` (Zhou & Troyanskaya 2015) and ``lr``
(the paper's k-mer logistic regression). ``--motifs`` converts a trained DanQ's filters to a MEME
file and runs Tomtom against JASPAR 2016 (E < 0.01), as the paper's motif analysis.
Training settings are merged once (keras_motifs.papers.danq.training_settings): each model's
preset (keras_motifs/models/*/presets.py), the quick synthetic runs' defaults, then --epochs,
--batch-size, --learning-rate, --patience and --epsilon.

Order of the training rows: as the original (Keras 0.2 ``fit(shuffle=True)``), every epoch a new
permutation of all of them, drawn from --seed and the epoch; the split is exported once to NumPy
files beside the prepared dataset (tfds_builders.deepsea.random_access; 4.9 GB for --config full)
and read by index. --shuffle-buffer N streams the file through an N-row buffer instead.
Validation: the whole split, except DeepSEA's first 4,000 rows as its original (the forward half;
keras_motifs.papers.danq.validation_split).

Stages: prepare the data (the one-hot channel order read from the registry and checked against the
dataset's) -> per model train and evaluate -> motifs -> compare with the paper -> write
``<out>/results.json`` once. Resumable per model: each model's ``<out>/<model>/results.json`` (and
``motifs.json``) is written once with its run record (keras_motifs.reporting.run_record.Unit); a
model finished with the same settings is not trained again (its numbers go in the table), one of
other settings is trained again.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options, fit_verbose

MODEL_KEYS = ["danq", "danq_jaspar", "deepsea", "lr"]  # keras_motifs.papers.danq.MODELS


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default="synthetic", choices=["synthetic", "synthetic_tiny", "full"], help="deepsea config (default: synthetic)")
    common_options(
        p, data_dir="folder with the extracted DeepSEA bundle (train.mat, valid.mat, test.mat) for --config full; used as TFDS manual_dir",
        out="output folder (default: outputs/danq)", seed=1337, seed_help="random seed (default: 1337, the original's)",
        models=f"model(s) to train, of {', '.join(sorted(MODEL_KEYS))} (default: danq)", models_choices=sorted(MODEL_KEYS),
        verbosity="debug logging; Keras fit: -q silent (verbose=0), default one line per epoch (verbose=2), "
                  "-v a progress bar (verbose=1)")
    p.set_defaults(out="outputs/danq")
    p.add_argument("--published", help="the DanQ repository's aucs.txt (e.g. ../shared/data/deepsea/aucs.txt): print the paper's numbers beside ours")
    p.add_argument("--all", action="store_true", help="train and compare lr, deepsea, danq and danq_jaspar")
    p.add_argument("--motifs", action="store_true", default=None,
                   help="DanQ models: filters -> MEME (DeepBind/DanQ rule, A,C,G,T) -> Tomtom vs JASPAR 2016, E < 0.01 "
                        "(default on for the synthetic configs, with a table of the planted motifs recovered and the "
                        "same counts for the untrained network as a control; --no-motifs skips it)")
    p.add_argument("--no-motifs", dest="motifs", action="store_false", help="no motif analysis")
    p.add_argument("--modern", action="store_true", help="DanQ: sigmoid LSTM gates (cuDNN-eligible) instead of the original hard sigmoid")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (default: 7 for synthetic, 2 for synthetic_tiny, the preset's for full)")
    p.add_argument("--batch-size", type=int, default=None, help="global batch size (default: each preset's: 100, DeepSEA 16)")
    p.add_argument("--learning-rate", type=float, default=None)
    p.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the preset's)")
    p.add_argument("--epsilon", type=float, default=None, help="RMSprop epsilon for danq/danq_jaspar/lr (default: 3e-8 on the synthetic configs, the original 1e-6 on full; "
                        "1e-8 and below kill DanQ's dense layer early; see DEFAULT_EPSILON in keras_motifs/papers/danq.py)")
    p.add_argument("--num-devices", type=int, default=1, help="replicas for MirroredStrategy; on a CPU-only machine the CPU is split into this many logical devices")
    p.add_argument("--max-train", type=int, default=None, help="use only the first N training examples (smoke runs)")
    p.add_argument("--shuffle-buffer", type=int, default=None, metavar="N",
                   help="instead of the original's full shuffle (default: every epoch a new permutation of all training "
                        "rows, drawn from --seed and the epoch, read by index from a one-time NumPy export of the split "
                        "beside the prepared dataset: 1.1 kB a row, 4.9 GB for --config full), stream the split in file "
                        "order through an N-row tf.data shuffle buffer (this script's earlier default: 200000). "
                        "The DeepSEA file holds all forward strands before their reverse complements, so a buffer "
                        "smaller than the split mixes rows only within a window of it")
    p.add_argument("--fresh", action="store_true", help="start a model's training afresh when its training folder holds another run's outputs (other model, data or settings; they are deleted); without it such a folder is refused (a result file of other settings is retrained afresh anyway)")
    p.add_argument("--motif-sequences", type=int, default=4000, help="test sequences scanned for --motifs (default 4000)")
    args = p.parse_args(argv)
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        # not left to TFDS, which takes a missing manual folder for "download the bundle"
        p.error(f"--data-dir '{args.data_dir}': no such folder (the folder holding the DeepSEA bundle's "
                "train.mat, valid.mat and test.mat)")
    args.models = ["lr", "deepsea", "danq", "danq_jaspar"] if args.all else (args.models or ["danq"])
    if args.motifs is None:
        args.motifs = args.config.startswith("synthetic")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    logs.quiet_progress(args.verbosity)  # TFDS bars only on a terminal, none with -q
    import tensorflow as tf

    from keras_motifs.training import configure_logical_cpus

    if args.num_devices > 1 and not tf.config.list_physical_devices("GPU"):
        configure_logical_cpus(args.num_devices)  # before any other TF op

    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (registers deepsea)
    from keras_motifs.io import write_json
    from keras_motifs.metrics import evaluate_paired
    from keras_motifs.papers import danq as paper
    from keras_motifs.reporting import plots
    from keras_motifs.reporting.deepsea_tables import format_table, read_published_aucs
    from keras_motifs.reporting.run_record import Unit, record
    from tfds_builders.deepsea import to_one_hot
    from tfds_builders.deepsea.random_access import random_access

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    # ---------------------------------------------------------------- 1. prepare the data
    if args.config == "full" and not args.data_dir:
        print("note: --config full without --data-dir downloads the 4.4 GB DeepSEA bundle", file=sys.stderr)
    builder = tfds.builder(f"deepsea/{args.config}", data_dir=args.tfds_dir)
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=args.data_dir, try_download_gcs=False)
    )
    t_data = time.perf_counter() - t_start
    names = builder.info.metadata["target_names"]
    groups = builder.info.metadata["target_groups"]
    alphabet = paper.check_alphabet(args.models, builder.info.metadata["alphabet"], f"deepsea/{args.config}")
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

    n_valid = builder.info.splits["validation"].num_examples
    exported = {}

    def training_rows():
        """One model's training rows: the original's full shuffle (the split exported for random
        access on first use, then reused), or the file streamed in order (--shuffle-buffer)."""
        if args.shuffle_buffer:
            return xy(train_split)
        if "rows" not in exported:
            exported["rows"] = random_access(builder, train_split)
        return paper.full_shuffle(exported["rows"], seed=args.seed, transform=to_one_hot)

    print(
        f"DanQ-paper reproduction: models={','.join(args.models)} config=deepsea/{args.config} train={n_train} "
        f"valid={n_valid} test={builder.info.splits['test'].num_examples} "
        f"seed={args.seed} devices={args.num_devices} "
        f"shuffle={'buffer of %d rows' % args.shuffle_buffer if args.shuffle_buffer else 'full, every epoch'}",
        flush=True,
    )

    # ------------------------------------------- 2. train and evaluate each model (one unit each)
    results, evals = {}, {}
    for key in args.models:
        cfg, note = paper.training_settings(key, args.config, epochs=args.epochs, batch_size=args.batch_size,
                                            learning_rate=args.learning_rate, patience=args.patience,
                                            epsilon=args.epsilon)
        settings = run_settings(key, args, cfg, paper.validation_split(key, n_valid),
                                data_version=str(builder.info.version))
        unit = Unit(out / key / "results.json", settings, seed=args.seed, legacy_fields={"settings": settings})
        res, trained = unit.done(), None
        if res is not None:
            print(f"\n== {paper.LABELS[key]}: finished earlier with the same settings; read from {unit.path}", flush=True)
            ev = paper.evaluation_of(res)
        else:
            if note:
                print(f"note: {note}", flush=True)
            print(f"\n== {paper.LABELS[key]} ({paper.MODELS[key]}): epochs={cfg['epochs']} batch={cfg['batch_size']}",
                  flush=True)
            result = paper.train_model(key, training_rows(), xy(settings["validation_split"]), cfg,
                                       output_dir=out / key / "training", modern=args.modern, seed=args.seed,
                                       num_devices=args.num_devices, shuffle_buffer=args.shuffle_buffer,
                                       adapt_data=lambda: xy(train_split), verbose=fit_verbose(args.verbosity, default=2),
                                       fresh=args.fresh or unit.existing() is not None)
            print(f"trained {result.epochs_run} epochs in {result.seconds:.0f} s "
                  f"({result.train_samples_per_second:.1f} samples/s, {result.strategy} x{result.replicas})", flush=True)
            ev = evaluate_paired(result.model, builder.as_dataset(split="test"), to_one_hot,
                                 batch_size=max(cfg["batch_size"], 100), groups=groups)
            paper.plot_evaluation(ev, names, groups, out / key, real_data=args.config == "full")
            res = unit.write(paper.model_result(key, result, ev, names, groups, modern=args.modern), argv=_argv(argv))
            trained = result.model  # the best model, as train() returns it
        results[key], evals[key] = res, ev
        # ------------------------------------------------ 3. motifs of the DanQ models (a unit each)
        if args.motifs and key in ("danq", "danq_jaspar"):
            results[key] = {**res, "motifs": motifs_stage(key, args, builder, out, settings, res, trained, argv)}

    # ------------------------------------------------------------ 4. compare with the paper
    headers, rows, comparisons = paper.comparison_table(evals, results, args.models, published)
    first = evals[args.models[0]]
    print()
    print(f"deepsea/{args.config} test set ({first['n_pairs']} forward/RC pairs, predictions averaged)")
    print(format_table(rows, headers))
    if published is not None and args.config == "full":
        for m in args.models:
            beats = paper.beats_published_deepsea(evals[m], published)
            for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
                c = beats[key]
                comparisons[m][f"targets_beating_published_deepsea_{key}"] = c
                print(f"{paper.LABELS[m]}: targets beating the published DeepSEA on {metric}: {c['better']}/{c['n']} "
                      f"({100 * c['fraction']:.1f} %; paper: DanQ 94.1 % ROC, 97.6 % PR)")
                plots.scatter_vs(evals[m][key], published[f"DeepSEA {metric}"], f"DeepSEA (published) {metric}",
                                 f"{paper.LABELS[m]} (ours) {metric}", out / m / f"scatter_{key}_vs_published_deepsea.png")
    if "deepsea" in args.models:
        for m in args.models:
            if m != "deepsea":
                for metric, key in (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc")):
                    plots.scatter_vs(evals[m][key], evals["deepsea"][key], f"DeepSEA (ours) {metric}",
                                     f"{paper.LABELS[m]} {metric}", out / m / f"scatter_{key}_vs_deepsea.png")
    for m in args.models:
        if "motifs" in results[m]:
            mo = results[m]["motifs"]
            ref = f"; paper, real data: {paper.PAPER_FILTERS_MATCHED}" if m == "danq" else ""
            print(f"{paper.LABELS[m]} motifs: {mo['n_filters_with_match']}/{mo['n_filters']} filters match a JASPAR 2016 motif "
                  f"(Tomtom E < {mo['evalue_threshold']}{ref}) -> {mo['meme']}")
            if mo.get("planted"):
                print(f"  planted motifs recovered (filters matching each at Tomtom E < {mo['evalue_threshold']}):")
                print("    motif          JASPAR     filters  best filter  best E-value")
                for r in mo["planted"]:
                    best = "-" if r["best_filter"] is None else f"{r['best_filter']:<11}  {r['best_e_value']:.2e}"
                    print(f"    {r['name']:<14} {r['id']:<10} {r['n_filters']:>7}  {best}")
                found = sum(r["n_filters"] > 0 for r in mo["planted"])
                print(f"  {found} of {len(mo['planted'])} planted motifs matched by at least one filter")
                ctl = mo.get("untrained_control")
                if ctl:
                    print(f"  control, the untrained network (initial weights, same seed): "
                          f"{ctl['n_filters_with_match']}/{mo['n_filters']} filters match; per planted motif "
                          + ", ".join(f"{r['name']} {r['n_filters']}" for r in ctl["planted"]))
            sv = mo.get("init_survival")
            if sv is not None:
                print(f"  of which JASPAR-initialised filters: {sv['initialised_matching_any']}/{sv['n_initialised']} match "
                      f"({sv['initialised_matching_own']} their own starting motif); randomly initialised: "
                      f"{sv['random_matching_any']}/{sv['n_random']}")

    # ------------------------------------------------------------ 5. write the run's file, once
    total = time.perf_counter() - t_start
    write_json(out / "results.json", {
        "dataset": f"deepsea/{args.config}", "alphabet": alphabet, "seed": args.seed, "num_devices": args.num_devices,
        "train_examples": n_train, "data_prepare_seconds": t_data, "models": results, "comparisons": comparisons,
        "total_seconds": total, "run": record(vars(args), seed=args.seed, argv=_argv(argv)),
    })
    print(f"\nwrote {out / 'results.json'} and per-model folders (plots, best model) under {out} "
          f"(total {total / 60:.1f} min)")
    return 0


def _argv(argv):
    return None if argv is None else [sys.argv[0]] + list(argv)


def run_settings(key, args, cfg: dict, validation_split: str = "validation", data_version: str | None = None) -> dict:
    """What decides a model's result: a finished model is reused only when these are equal — the
    options as given, the dataset's version (a new synthetic recipe is other data) and the training
    settings they resolve to (``cfg``: keras_motifs.papers.danq.training_settings; a new default number
    of epochs or epsilon is another run)."""
    resolved = {k: cfg.get(k) for k in ("optimizer", "epochs", "batch_size", "learning_rate", "epsilon",
                                        "early_stopping_patience")}
    return {"model": key, "config": args.config, "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size,
            "learning_rate": args.learning_rate, "patience": args.patience, "epsilon": args.epsilon,
            "modern": args.modern, "num_devices": args.num_devices, "max_train": args.max_train,
            "shuffle": f"buffer:{args.shuffle_buffer}" if args.shuffle_buffer else "full",
            "validation_split": validation_split, "data_version": data_version, "training": resolved}


def motifs_stage(key, args, builder, out: Path, settings: dict, res: dict, model=None, argv=None) -> dict:
    """The motif analysis of a trained DanQ (a unit: ``<out>/<model>/motifs.json``, keyed by the
    model's settings and ``--motif-sequences``); for DanQ-JASPAR with how many matches are its
    JASPAR initialisation. ``model``: the model just trained (None: a finished one, read from
    ``<out>/<model>/training/best.keras``)."""
    import keras

    from keras_motifs.papers.danq import motif_analysis
    from keras_motifs.reporting.run_record import Unit
    from tfds_builders.deepsea import to_one_hot

    if "motifs" in res:  # a results.json of an earlier version holds them
        return dict(res["motifs"])
    planted = None
    if args.config.startswith("synthetic"):  # the motifs the recipe planted: was each recovered?
        from tfds_builders.deepsea import synthetic

        planted = [(mid, name) for mid, name, _ in synthetic.load_motifs(synthetic.default_recipe().motifs)]
    n_seq = min(args.motif_sequences, builder.info.splits["test"].num_examples)  # synthetic_tiny: 200 test rows
    unit = Unit(out / key / "motifs.json", {**settings, "motif_sequences": n_seq,
                                            **({"planted": planted} if planted else {})}, seed=args.seed)
    mo = unit.done()
    if mo is None:
        if model is None:
            model = keras.models.load_model(out / key / "training" / "best.keras", safe_mode=True)
        data = builder.as_dataset(split=f"test[:{n_seq}]").map(lambda e: to_one_hot(e)[0])
        mo = motif_analysis(model, data, out / key, sequences_scanned=n_seq, jaspar_initialised=key == "danq_jaspar",
                            planted=planted)
        if planted:
            # the control: the same analysis of the untrained network (its initial weights, same seed);
            # on planted data a random filter's strongest sites can be planted instances, so a match
            # counts as learnt only where the untrained network has none
            from keras_motifs.papers.danq import build_model

            keras.utils.set_random_seed(args.seed)
            initial = build_model(key, modern=args.modern, seed=args.seed)
            control = motif_analysis(initial, data, out / key / "untrained_control", sequences_scanned=n_seq,
                                     planted=planted)
            mo["untrained_control"] = {k: control[k] for k in ("n_filters_with_match", "planted", "tomtom")}
        mo = unit.write(mo, argv=_argv(argv))
    return {k: v for k, v in mo.items() if k != "run"}


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
