"""Reproduce DeepBind's ENCODE ChIP-seq test AUCs (Alipanahi et al. 2015, Supp. Table 4/5).

For every experiment found in ``--data-dir`` (``<exp>_AC.seq.gz`` + ``<exp>_B.seq.gz``) and both
training sets — the top 500 odd peaks ("DeepBind") and all training peaks ("DeepBind*") — this
runs the paper's protocol (jisraeli/DeepBind code/deepbind_train_encode.py and code/libs/deepity):

1. training data: positives repeated to at least ``--min-rows`` rows, each followed by its own
   dinucleotide shuffle (the first from the TFDS builder, further ones drawn with new seeds),
   served in fixed batches of 64 in the same order every epoch (deepity);
2. calibration: ``--n-calib`` random settings from the paper's distributions, the first half M1
   (no hidden layer) and the rest M2 (32 hidden units) as kangaroo.calibrate splits ncalib between
   the two configs; dropout, L1 decays, init scales, learning rate and momentum drawn as the
   paper; ``--n-folds``-fold cross-validation (the peaks shuffled once and cut into blocks; each
   fold's training and validation peaks augmented separately; ``--folds-run`` of the folds
   actually trained) of ``--calib-steps`` SGD steps each, with deepity's objective
   (keras_motifs.papers.deepbind.fit_deepbind: 0.5 x mean NLL, L1 from step 100); the
   validation loss on the whole validation fold (``--val-rows``: a sample) is checked at 5
   checkpoints, and every (setting, checkpoint step) is a candidate: the lowest mean over folds
   of the validation loss at that step wins (deepity hypertrain / hpsearch);
3. final training of the chosen setting on all training peaks for the chosen number of steps
   (``--final-steps`` overrides it), ``--final-trials`` times, keeping the trial with the lowest
   loss on its training set;
4. test ROC AUC on ``_B`` (500 held-out even peaks + 500 shuffles) of the model's logit (the
   original predictor's raw score), printed next to the published DeepBind / DeepBind* AUCs,
   with the mean difference, and next to the AUC of the original's own released model of the
   experiment (one of the 927 in the shared DeepBind database, scored here on the same ``_B``
   file: ``<out>/<exp>.released.json``; no training); the mutation map (on the logit, DeepBind's
   scaling) of the best-scoring test peak and the logos of the 16 detectors are written per
   experiment (keras_motifs.interpret).

The paper's budget is ``--n-calib 30 --n-folds 3 --calib-steps 20000 (10000 for top500)
--final-trials 6 --min-rows 100000``; the defaults here are a CPU budget. ``--sets`` with no
value scores only the released models (cheap). The protocol's steps are functions of keras_motifs.papers.deepbind; this script loads the
data and runs them. One result file per experiment and set, ``<out>/<exp>.<set>.json``, written
once with its run record (keras_motifs.reporting.run_record.Unit): a finished one with the same
budget is skipped when the script is started again, one with another budget is computed again.
``--stacked`` trains the calibration settings of one architecture on one fold as one model stack
(keras_motifs.training.stacked; the same arithmetic to float32 rounding) and keeps each unit of
work (an architecture group of the calibration on one fold; a final trial, with its weights) in
its own small JSON file under ``--units``, so that the paper's budget, hours per experiment, can
be run across sessions: a restarted run reads the finished units back and computes the rest.
Inside a calibration unit (~6 min at the paper's budget) the stack's state is written at each of
its 5 checkpoints to ``<out>/checkpoints/<exp>.<set>/`` (not for committing) and a restarted run
continues the unit from its last checkpoint, bit for bit; the file goes when the unit's result is
written. The same command may run in several processes at once (one per core; machines sharing
the folder): each takes the next experiment no other live process holds (``<out>/<exp>.<set>.LOCK``,
keras_motifs.training.ownership.claimed) and leaves the ones in progress to their process; a lock
left by a killed process is taken over. The paper's budget, per training set (the calibration
length differs):

    python reproductions/deepbind.py --stacked --sets top500 --n-calib 30 --n-folds 3 --calib-steps 10000 \
      --final-trials 6 --min-rows 100000 --units reproductions/results/deepbind
    python reproductions/deepbind.py --stacked --sets all --n-calib 30 --n-folds 3 --calib-steps 20000 \
      --final-trials 6 --min-rows 100000 --units reproductions/results/deepbind

    nice -n 19 python reproductions/deepbind.py --data-dir ../shared/data/deepbind_encode --out runs/deepbind
    python reproductions/deepbind.py --out runs/deepbind_released --sets     # released models only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options, output_dir


def parse_args(argv=None):
    ap = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(ap, data_dir="folder with <exp>_AC.seq.gz / _B.seq.gz (default: shared deepbind_encode)",
                   out="output folder (default: runs/deepbind)", seed=0,
                   tfds_dir="TFDS data_dir (default: <out>/tfds)",
                   verbosity="debug logging (-q/-v set the log level only: the training lines and tables are "
                             "printed at every level)")
    ap.set_defaults(out="runs/deepbind")
    ap.add_argument("--published", default=None, help="deepbind_encode_chipseq_auc.csv (default: shared)")
    ap.add_argument("--experiments", nargs="*", default=None, help="subset of experiments (file prefixes)")
    ap.add_argument("--sets", nargs="*", default=["top500", "all"], choices=["top500", "all"])
    ap.add_argument("--n-calib", type=int, default=4, help="random calibration settings (paper: 30)")
    ap.add_argument("--n-folds", type=int, default=2, help="cross-validation folds (paper: 3)")
    ap.add_argument("--folds-run", type=int, default=None,
                    help="train only the first K of the n_folds folds per setting (deepity hypertrain "
                         "allfolds=False runs 1; default: all, as the paper)")
    ap.add_argument("--calib-steps", type=int, default=1000, help="SGD steps per calibration run (paper: 20000/10000)")
    ap.add_argument("--final-steps", type=int, default=None,
                    help="SGD steps of the final training (default: the calibration's chosen step, as the paper)")
    ap.add_argument("--final-trials", type=int, default=1, help="final trainings, best kept (paper: 6)")
    ap.add_argument("--min-rows", type=int, default=20000, help="positives repeated to this many rows (paper: 100000)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--redraw-if-stuck", type=int, default=0,
                    help="CPU-budget safeguard (not in the paper): if no calibration setting got its validation "
                         "loss below ln 2 - 1e-3 (none left the constant start within --calib-steps), draw up "
                         "to this many further settings (M1, M2 alternating), stopping at the first that does")
    ap.add_argument("--val-rows", type=int, default=0,
                    help="validation rows scored at each checkpoint: 0 = the whole (augmented) held-out fold, "
                         "as deepity's training_report; N = a seeded sample of N rows (CPU budget)")
    ap.add_argument("--stacked", action="store_true",
                    help="train the calibration settings of one architecture (M1, M2) on one fold as one stack "
                         "(keras_motifs.training.stacked.StackedDeepBind: the same initial weights, batches and "
                         "dropout masks as one at a time, losses equal to float32 rounding; ~3.5x faster on CPU), "
                         "and keep every unit of work (a calibration group on one fold, a final trial) as its own "
                         "small JSON file under --units, so that an interrupted run resumes unit by unit (inside a "
                         "calibration unit: from its last checkpoint, kept in <out>/checkpoints)")
    ap.add_argument("--units", default=None, type=output_dir("--units folder"),
                    help="folder of the per-unit result files of --stacked: <units>/<exp>.<set>/calib.fold<f>.m<1|2>"
                         ".json, final<t>.json (default: <out>/units; commit them, e.g. under "
                         "reproductions/results/deepbind, to continue the paper's budget on another machine)")
    ap.add_argument("--no-images", action="store_true", help="skip mutation maps and logos")
    ap.add_argument("--summary-only", action="store_true", help="only print the table of the finished runs in --out")
    return ap.parse_args(argv)


# ------------------------------------------------------------------------------------------ data
def load_experiment(exp: str, data_dir: Path, tfds_dir: Path, seed: int):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from tfds_builders.deepbind_encode_chipseq import builder_for

    builder = builder_for(exp, data_dir=str(tfds_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(data_dir), try_download_gcs=False))
    import numpy as np

    out = {}
    for split in ("train_top500", "train_all", "test"):
        rows = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
        out[split] = {"x": rows["sequence"], "y": rows["label"].astype(np.float32), "peak": rows["peak_index"]}
    return out


def released_one(exp: str, data_dir: Path, out: Path, log) -> None:
    """The original's released model of ``exp`` scored on its ``_B`` test file (the file the
    TFDS builder's test split holds unchanged): ``<out>/<exp>.released.json``, once."""
    from keras_motifs.papers import deepbind as paper
    from keras_motifs.reporting.run_record import Unit
    from tfds_builders.deepbind_encode_chipseq.deepbind_encode_chipseq_dataset_builder import read_seq_file

    try:
        model_id = paper.released_model_id(exp)
    except FileNotFoundError as exc:
        log(f"{exp} [released]: no DeepBind model database ({exc}); skipped")
        return
    if model_id is None:
        log(f"{exp} [released]: no released ChIP-seq model of this experiment")
        return
    test_file = data_dir / f"{exp}_B.seq.gz"
    unit = Unit(out / f"{exp}.released.json", {"experiment": exp, "model_id": model_id, "test_file": test_file.name})
    if unit.done() is not None:
        return
    _, seqs, labels = read_seq_file(test_file)
    t0 = time.time()
    auc = paper.released_auc(model_id, seqs, labels)
    unit.write({"experiment": exp, "model_id": model_id, "test_file": test_file.name, "test_auc": auc,
                "n_test": len(seqs), "seconds": time.time() - t0})
    log(f"{exp} [released]: {model_id} test AUC {auc:.4f}")


def unit_store(folder: Path, base: dict, seed: int, log):
    """The ``store`` of keras_motifs.papers.deepbind.train_and_test: unit ``name`` is
    ``<folder>/<name>.json`` (keras_motifs.reporting.run_record.Unit), keyed by ``base`` and the
    unit's own ``ident``; a finished one with the same settings is read back, not computed."""
    from keras_motifs.reporting.run_record import RECORD_KEY, Unit, plain

    def store(name, ident, compute):
        unit = Unit(folder / f"{name}.json", {**base, "unit": name, **ident}, seed=seed)
        done = unit.done()
        if done is not None:
            log(f"    {name}: done earlier ({folder.name}/{unit.path.name})")
            return {k: v for k, v in done.items() if k != RECORD_KEY}
        result = plain(compute())
        unit.write(result)
        return result

    return store


# ------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    args = parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    logs.quiet_progress(args.verbosity)  # TFDS bars only on a terminal, none with -q
    from keras_motifs.io import write_json
    from keras_motifs.papers import deepbind as paper
    from keras_motifs.paths import shared_data_dir
    from keras_motifs.reporting.run_record import Unit, record
    from keras_motifs.training.ownership import claimed, describe_holder

    data_dir = Path(args.data_dir) if args.data_dir else shared_data_dir("deepbind_encode")
    published_path = Path(args.published) if args.published else shared_data_dir("published", "deepbind_encode_chipseq_auc.csv")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tfds_dir = Path(args.tfds_dir) if args.tfds_dir else out / "tfds"
    units_dir = Path(args.units) if args.units else out / "units"
    if not data_dir.is_dir():
        raise SystemExit(f"data folder '{data_dir}' not found (set --data-dir or KERAS_MOTIFS_SHARED)")
    experiments = sorted(p.name[: -len("_AC.seq.gz")] for p in data_dir.glob("*_AC.seq.gz"))
    if args.experiments:
        experiments = [e for e in experiments if e in args.experiments]
    if not experiments:
        raise SystemExit(f"no <experiment>_AC.seq.gz files in '{data_dir}'")
    published = paper.read_published(published_path) if published_path.is_file() else {}
    budget = {k: getattr(args, k) for k in paper.BUDGET_KEYS}
    log_file = open(out / "log.txt", "a")

    def log(msg):
        print(msg, flush=True)
        log_file.write(msg + "\n")
        log_file.flush()

    log(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(sys.argv)}")
    # one unit per experiment and training set: <out>/<exp>.<set>.json, keyed by the budget and protocol
    for exp in experiments if not args.summary_only else []:
        released_one(exp, data_dir, out, log)
        data = None
        for key in args.sets:
            ident = {"experiment": exp, "training_set": key, "budget": budget, "protocol": paper.PROTOCOL}
            if args.stacked:  # only then: the default path's cached results stay valid
                ident["stacked"] = True
            unit = Unit(out / f"{exp}.{key}.json", ident, seed=args.seed, legacy_fields=ident)
            # the same command started on each core shares the list: one process per experiment and set
            with claimed(out, f"{exp}.{key}.LOCK") as holder:
                if holder is not None:
                    log(f"{exp} [{key}]: in progress in {describe_holder(holder)}: left to it")
                    continue
                if unit.done() is not None:  # here or by another process
                    log(f"{exp} [{key}]: done earlier ({unit.path.name})")
                    continue
                if unit.existing() is not None:
                    log(f"{exp} [{key}]: {unit.path.name} holds a result of other settings: computing it again")
                if data is None:
                    data = load_experiment(exp, data_dir, tfds_dir, args.seed)
                split, column = paper.SETS[key]
                t0 = time.time()
                store = unit_store(units_dir / f"{exp}.{key}", {"experiment": exp, "training_set": key,
                                                                 "protocol": paper.PROTOCOL}, args.seed, log)
                model, found = paper.train_and_test(data[split], data["test"], budget, key, log, label=f"{exp} [{key}]",
                                                    stacked=args.stacked, store=store if args.stacked else None,
                                                    checkpoint_dir=out / "checkpoints" / f"{exp}.{key}" if args.stacked else None)
                result = {"experiment": exp, "training_set": key, "published_column": column, "stacked": args.stacked,
                          "test_auc": found.pop("test_auc"), "published_auc": paper.published_auc(published, exp, key),
                          **found, "seconds": time.time() - t0, "budget": budget}
                if not args.no_images:
                    result["images"] = paper.images(model, data["test"], out, exp, key, log)
                unit.write(result)
                log(f"{exp} [{key}]: test AUC {result['test_auc']:.4f} (published {column} {result['published_auc']}) "
                    f"in {result['seconds']:.0f} s")

    # summary table: every finished experiment/set in --out (whatever --sets this call ran)
    finished = {}
    for exp in experiments:
        for key in paper.SETS:
            p = out / f"{exp}.{key}.json"
            if p.exists():
                finished[(exp, key)] = json.loads(p.read_text())
                units = sorted((units_dir / f"{exp}.{key}").glob("*.json"))
                if finished[(exp, key)].get("stacked") and units:  # the time the work took, unit by unit
                    finished[(exp, key)]["unit_seconds"] = sum(json.loads(u.read_text())["seconds"] for u in units)
    released = {e: json.loads((out / f"{e}.released.json").read_text()) for e in experiments
                if (out / f"{e}.released.json").exists()}
    lines, summary = paper.summary_table(experiments, finished, published, released)
    for line in lines:
        log(line)
    write_json(out / "summary.json", {**summary, "run": record({"experiments": experiments, "budget": budget}, seed=args.seed)})
    return 0


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
