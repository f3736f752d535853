"""Reproduce Deepprune (Luo, Chi & Deng 2019): Deepprune vs baseline across kernel counts.

For each data set and seed: train the 256-kernel base CNN, then 6 rounds of prune (median rule,
``--criterion``) + fine-tune at lr 0.01/1.2**i (256 -> 128 -> ... -> 4 kernels), with the
comparison variants at each kernel count (Deepprune-inter, baseline at lr 0.01, baseline at the
decayed lr, optional lottery-ticket reinit). Test ROC AUC of every model is stored per run in
``<out>/runs/<dataset>/<criterion>/seed<k>.json``, written once with its run record
(keras_motifs.reporting.run_record.Unit); a finished run of the same settings is skipped when the
script is started again (resumable), one of other settings is run again. The protocol and the
tables are functions of keras_motifs.papers.deepprune; this script loads the data and runs them. For the simulated sets the final 4 kernels of Deepprune and of the
4-kernel baseline are turned into motifs (DeepBind rule: the window at each sequence's maximum
activation, test positives), drawn as logos and compared with the planted motifs by Tomtom.

Data: ``deepprune_simulated/set1..set5`` (TFDS builder; JASPAR 2016 motifs) and the Zeng et al.
2016 experiments under ``<data_dir>/zeng690`` that have a train file (``zeng_chipseq``).

With ``--results DIR`` each (data set, seed) is one unit finished on one machine: run, its motifs
analysed (simulated sets), then its small files (``seed<k>_motifs.json``, then ``seed<k>.json``, a few
kB) copied to ``DIR/<dataset>/<criterion>/`` for committing; any machine skips the runs published
there and reports from them (models, logos and Tomtom tables stay in ``--out``). The same command
may run in several processes at once (one per core): each unit is taken by one of them
(``<out>/<dataset>.<criterion>.seed<k>.LOCK``, keras_motifs.training.ownership.claimed), the
others go on to the next.

The paper's budget is ``--epochs 1000 --seed paper --n-train 0 --n-test 0 --baseline-max-kernels 0`` (its 18
seeds, all 5,000 simulated training and test sequences, baselines at every kernel count) on all 690 ENCODE sets
(the shared data hold 2 with a train file); the defaults here are reduced for a 2-core CPU (see ``--help``).
``--jit`` (XLA) does not change the protocol and halves the time of the 256-kernel fits on the 2-core CPU
(0.87 against 1.70 CPU s per epoch of 5,000 rows, one thread; ~3 s of compiling per fit). The project's
paper-budget run publishes into ``reproductions/results/deepprune`` (one unit = one data set and seed,
~5 min for a simulated set on one core). Examples:

    nice -n 19 python reproductions/deepprune.py --out runs/deepprune           # reduced budget
    python reproductions/deepprune.py --out runs/deepprune --results reproductions/results/deepprune \
        --seed paper --n-train 0 --n-test 0 --epochs 1000 --baseline-max-kernels 0 --jit   # the paper's budget
    python reproductions/deepprune.py --out runs/deepprune --report-only         # tables only
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, ListAction, common_options, output_dir

SIM_SETS = ["set1", "set2", "set3", "set4", "set5"]
PAPER = "paper"  # --seed paper: keras_motifs.papers.deepprune.PAPER_SEEDS


def parse_args(argv=None):
    from keras_motifs.papers.deepprune import PAPER_SEEDS

    p = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(p, data_dir="shared data folder (holds zeng690/); default: keras_motifs.paths",
                   out="output folder (results, models, logos, report; default: runs/deepprune)",
                   tfds_dir="TFDS data_dir (default <out>/tfds)", seed=0, seeds=True, seed_words={PAPER: PAPER_SEEDS},
                   seed_help="seeds, space- or comma-separated, or 'paper' for the paper's 18 seeds (default: 0)",
                   verbosity="debug logging (-q/-v set the log level only: the training lines and tables are "
                             "printed at every level)")
    p.set_defaults(out="runs/deepprune")
    p.add_argument("--sets", default=",".join(SIM_SETS), help="simulated sets to run ('' for none)")
    p.add_argument("--zeng", default="all", help="Zeng experiments: 'all' present with a train file, a comma list, or ''")
    p.add_argument("--zeng-seeds", action=ListAction, item=int, words={PAPER: PAPER_SEEDS}, default=None,
                   metavar="SEED", help="seeds for the Zeng sets, as --seed (default: --seed)")
    p.add_argument("--criterion", default="weight", choices=["weight", "score", "score_weight"])
    p.add_argument("--variants", default="deepprune,inter,baseline,baseline_decay",
                   help="of deepprune,inter,baseline,baseline_decay,reinit")
    p.add_argument("--baseline-max-kernels", type=int, default=0,
                   help="train baselines / reinit only at kernel counts <= this (0 = all counts)")
    p.add_argument("--kernels", type=int, default=256, help="initial kernels (paper 256)")
    p.add_argument("--rounds", type=int, default=6, help="pruning rounds (paper 6)")
    p.add_argument("--epochs", type=int, default=1000, help="max epochs per fit (paper 1000)")
    p.add_argument("--patience", type=int, default=15, help="early-stopping patience (paper 15)")
    p.add_argument("--n-train", type=int, default=2000, help="simulated training sequences to use (0 = all 5,000)")
    p.add_argument("--n-test", type=int, default=2000, help="simulated test sequences to use (0 = all 5,000)")
    p.add_argument("--jit", action="store_true", help="compile training steps with XLA (faster for 256 kernels, "
                   "slower start for every fit)")
    p.add_argument("--no-motifs", action="store_true", help="skip logos / Tomtom")
    p.add_argument("--results", default=None, type=output_dir("--results folder"),
                   help="folder of the per-run result files, <results>/<dataset>/<criterion>/seed<k>.json (+ "
                        "_motifs.json; default: <out>/runs): a run is published there once finished, and skipped "
                        "on any machine that has it")
    p.add_argument("--report-only", action="store_true", help="only print the tables of finished runs")
    return p.parse_args(argv)


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


# ------------------------------------------------------------------ data
def load_split(builder, split):
    import tensorflow_datasets as tfds

    d = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    return d["sequence"].astype(np.float32), d["label"].astype(np.int64)


def load_sim(name, tfds_dir, n_train, n_test):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401

    b = tfds.builder(f"deepprune_simulated/{name}", data_dir=tfds_dir)
    b.download_and_prepare(download_config=tfds.download.DownloadConfig(try_download_gcs=False))
    xtr, ytr = load_split(b, "train")
    xte, yte = load_split(b, "test")
    if n_train:
        xtr, ytr = xtr[:n_train], ytr[:n_train]
    if n_test:
        xte, yte = xte[:n_test], yte[:n_test]
    return xtr, ytr, xte, yte


def zeng_experiments(zeng_root: Path, spec: str):
    if not spec:
        return []
    if spec == "all":
        return sorted(p.name for p in zeng_root.iterdir() if (p / "train.data").exists() and (p / "test.data").exists())
    return [s for s in spec.split(",") if s]


def load_zeng(exp, zeng_root, tfds_dir):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from tfds_builders.zeng_chipseq import builder_for

    b = builder_for(exp, data_dir=tfds_dir)
    b.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(zeng_root), try_download_gcs=False)
    )
    xtr, ytr = load_split(b, "train")
    xte, yte = load_split(b, "test")
    return xtr, ytr, xte, yte


# ------------------------------------------------------------------ one run
def run_one(dataset, preset, data, seed, args, run_dir: Path, pub_dir: Path | None = None):
    """One unit: <run_dir>/seed<k>.json, keyed by the run's settings (reused when they are equal).
    With ``pub_dir`` (``--results``), a run published there with the same settings is skipped (None
    returned: nothing to do on this machine) and one of other settings is withdrawn first."""
    from keras_motifs.papers.deepprune import prune_and_compare
    from keras_motifs.reporting.run_record import Unit, withdraw_files

    variants = [v for v in args.variants.split(",") if v]
    settings = {"dataset": dataset, "preset": preset, "seed": seed, "criterion": args.criterion,
                "n_train": int(len(data[1])), "n_test": int(len(data[3])), "kernels": args.kernels,
                "rounds": args.rounds, "epochs": args.epochs, "patience": args.patience, "variants": variants,
                "baseline_max_kernels": args.baseline_max_kernels, "jit_compile": bool(args.jit)}
    unit = Unit(run_dir / f"seed{seed}.json", settings, seed=seed, legacy_fields=settings)
    if pub_dir is not None and pub_dir.resolve() != run_dir.resolve():
        published = Unit(pub_dir / f"seed{seed}.json", settings, seed=seed, legacy_fields=settings)
        if published.done() is not None:
            log(f"{dataset} seed {seed}: published already ({published.path})")
            return None
        if published.existing() is not None:
            log(f"{dataset} seed {seed}: {published.path} holds a run of other settings: it will be replaced")
            withdraw_files(pub_dir, [f"seed{seed}.json", f"seed{seed}_motifs.json"])
    done = unit.done()
    if done is not None:
        log(f"{dataset} seed {seed}: done already ({unit.path})")
        return done
    if unit.existing() is not None:  # other settings: its models and motifs are replaced
        log(f"{dataset} seed {seed}: {unit.path} holds a run of other settings: running it again")
        (run_dir / f"seed{seed}_motifs.json").unlink(missing_ok=True)
    run = prune_and_compare(dataset, preset, data, seed, criterion=args.criterion, variants=variants,
                            kernels=args.kernels, rounds=args.rounds, epochs=args.epochs, patience=args.patience,
                            baseline_max_kernels=args.baseline_max_kernels, jit_compile=args.jit,
                            models_dir=run_dir / f"seed{seed}_models", log=log)
    run = unit.write(run)
    log(f"{dataset} seed {seed}: finished in {run['seconds'] / 60:.1f} min")
    return run


def publish(run_dir: Path, pub_dir: Path, seed: int) -> None:
    """Copy a finished run's small files to ``pub_dir``, ``seed<k>.json`` (the finished mark) last."""
    from keras_motifs.reporting.run_record import publish_files

    if pub_dir.resolve() != run_dir.resolve():
        publish_files(run_dir, pub_dir, [f"seed{seed}_motifs.json", f"seed{seed}.json"])
        log(f"  published {pub_dir / f'seed{seed}.json'}")


def main(argv=None):
    args = parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    logs.quiet_progress(args.verbosity)  # TFDS bars only on a terminal, none with -q
    from keras_motifs.papers.deepprune import report
    from keras_motifs.paths import shared_data_dir
    from keras_motifs.training.ownership import claimed, describe_holder

    data_dir = Path(args.data_dir) if args.data_dir else shared_data_dir()
    out = Path(args.out)
    tfds_dir = args.tfds_dir or str(out / "tfds")
    runs_root = Path(args.results) if args.results else out / "runs"
    if args.report_only:
        print(report(out, data_dir, args.criterion, runs_root=runs_root))
        return 0
    seeds = args.seed
    zeng_seeds = seeds if args.zeng_seeds is None else args.zeng_seeds
    final_k = args.kernels // 2**args.rounds
    for name in [s for s in args.sets.split(",") if s]:
        data = load_sim(name, tfds_dir, args.n_train, args.n_test)
        run_dir = out / "runs" / f"sim_{name}" / args.criterion
        pub_dir = runs_root / f"sim_{name}" / args.criterion
        for seed in seeds:
            with claimed(out, f"sim_{name}.{args.criterion}.seed{seed}.LOCK") as holder:
                if holder is not None:
                    log(f"sim_{name} seed {seed}: in progress in {describe_holder(holder)}: left to it")
                    continue
                if run_one(f"sim_{name}", "deepprune", data, seed, args, run_dir, pub_dir) is None:
                    continue
                if not args.no_motifs:
                    from keras_motifs.papers.deepprune import motif_report
                    from tfds_builders.deepprune_simulated import planted_motifs

                    t0 = time.perf_counter()
                    motif_report(name, seed, run_dir, data[2], data[3], final_k, planted=planted_motifs(name))
                    log(f"sim_{name} seed {seed}: motifs in {time.perf_counter() - t0:.0f} s")
                publish(run_dir, pub_dir, seed)
    zeng_root = data_dir / "zeng690"
    for exp in zeng_experiments(zeng_root, args.zeng) if zeng_root.exists() else []:
        data = load_zeng(exp, zeng_root, tfds_dir)
        run_dir = out / "runs" / f"zeng_{exp}" / args.criterion
        pub_dir = runs_root / f"zeng_{exp}" / args.criterion
        for seed in zeng_seeds:
            with claimed(out, f"zeng_{exp}.{args.criterion}.seed{seed}.LOCK") as holder:
                if holder is not None:
                    log(f"zeng_{exp} seed {seed}: in progress in {describe_holder(holder)}: left to it")
                    continue
                if run_one(f"zeng_{exp}", "deepprune_chipseq", data, seed, args, run_dir, pub_dir) is not None:
                    publish(run_dir, pub_dir, seed)
    text = report(out, data_dir, args.criterion, runs_root=runs_root)
    from keras_motifs.io import atomic_open

    with atomic_open(out / f"report_{args.criterion}.md") as fh:
        fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
