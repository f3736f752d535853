#!/usr/bin/env python
"""Reproduce iDeepS (Pan et al. 2018, Table 2): train and test on the iONMF RBP CLIP-seq sets.

    nice -n 19 python reproductions/ideeps.py --data-dir ../shared/data/rbp31 --out runs/ideeps

For every experiment folder present in ``--data-dir`` (or those picked with ``--experiments``),
every preset (``--models``, default the full model) and every seed: prepare the ``rbp_clip``
TFDS config (folds all 40,000 sequences once; cached by sequence in ``<out>/structures.sqlite``),
train on the original split (validation = the first 20 % of each class), predict the test file,
and write ``<results>/<config>/<preset>_seed<seed>[tag].json`` once, with its run record
(keras_motifs.reporting.run_record.Unit). A result of the same settings is not computed again, so an
interrupted run resumes at the next experiment. ``--results`` defaults to ``<out>/results``; the
project's own full-protocol results are committed in ``reproductions/results/ideeps`` (run with
``--results reproductions/results/ideeps`` to continue them on any machine: the structure cache and
the TFDS folders are rebuilt, the finished experiments are skipped). The protocol's steps and tables are functions of
keras_motifs.papers.ideeps; this script loads the data and runs them. At the end (or with
``--report-only``) it prints per-experiment test AUC next to the paper's Table 2 (iDeepS,
DeepBind, GraphProt), the means, how many experiments are above / below / equal to the paper
(at its three decimals), and the means of every preset run (the ablations), and writes
``<out>/table.md``.

Reduced budgets for smoke runs: ``--epochs``, ``--max-train`` (training examples; validation
is cut to a quarter of it), ``--max-test``; their results get a tag (``_ep2_n2000_t1000``) so they
never mix with full-budget ones.

``--motifs`` also writes, for the full model, the sequence and structure motifs of both
convolutions with the iDeepS rule (MEME files in ACGU / FTIHMS, logo grids) and Tomtom of the
sequence motifs against Ray et al. 2013 RNAcompete motifs (``--ray2013``), as the paper's Fig. 3;
the report then adds, per experiment, the best match and the rank of the protein's own motif.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options, fit_verbose

ALL = "all"  # --models all: keras_motifs.papers.ideeps.ALL_PRESETS


def parse_args(argv=None):
    from keras_motifs.papers.ideeps import ALL_PRESETS
    from keras_motifs.paths import shared_data_dir

    p = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(
        p, data_dir="folder holding the iONMF <N>_<name>/30000/... experiment folders (default: shared rbp31)",
        out="output folder (default: runs/ideeps)", tfds_dir="TFDS data_dir (default: <out>/tfds)",
        seed=1, seeds=True,
        models=f"presets, space- or comma-separated, or 'all' = {','.join(ALL_PRESETS)} "
               "(keras_motifs.papers.ideeps.ALL_PRESETS; default: ideeps)",
        models_default=["ideeps"], models_choices=[*ALL_PRESETS, ALL],
        verbosity="debug logging; Keras fit: default and -q silent (verbose=0), -v one line per epoch "
                  "(verbose=2), -vv a progress bar (verbose=1); progress bars (TFDS, folding) only on a terminal and "
                  "not with -q; otherwise the folding progress is logged every 30 s")
    p.set_defaults(data_dir=str(shared_data_dir("rbp31")), out="runs/ideeps")
    p.add_argument("--results", default=None,
                   help="folder of the per-experiment result files (default: <out>/results; the committed "
                        "full-protocol results: reproductions/results/ideeps)")
    p.add_argument("--structure-cache", default=None, help="SQLite structure cache (default: <out>/structures.sqlite)")
    p.add_argument("--experiments", default=None,
                   help="comma-separated experiment numbers, e.g. 23,24 (default: every one present in --data-dir)")
    p.add_argument("--jobs", type=int, default=1, help="folding processes (default 1)")
    p.add_argument("--layout", default="centered", choices=["centered", "published"],
                   help="one-hot padding layout (see keras_motifs.models.ideeps.encoding)")
    p.add_argument("--epochs", type=int, default=None, help="maximum epochs (default: the preset's 30)")
    p.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the preset's 5)")
    p.add_argument("--restore-best", action="store_true",
                   help="evaluate the best-validation-loss weights (the original used the last epoch's)")
    p.add_argument("--max-train", type=int, default=None, help="use N random training examples (smoke runs)")
    p.add_argument("--max-test", type=int, default=None, help="use N random test examples (smoke runs)")
    p.add_argument("--fresh", action="store_true", help="start a model's training afresh when its training folder holds another run's outputs (other model, data or settings; they are deleted); without it such a folder is refused (a result file of other settings is retrained afresh anyway)")
    p.add_argument("--motifs", action="store_true", help="write motifs, logos and Tomtom for the full model")
    p.add_argument("--ray2013", default=str(shared_data_dir("motifs", "Ray2013_rbp_RNA.meme")),
                   help="RNAcompete motifs (MEME) for Tomtom")
    p.add_argument("--published", default=str(shared_data_dir("published", "ideeps_table2_auc.tsv")),
                   help="iDeepS Table 2 (TSV)")
    p.add_argument("--report-only", action="store_true", help="only print the table of existing results")
    return p.parse_args(argv)


def load_split(builder, split: str):
    """(sequences, contexts, labels) of a split in file order."""
    import numpy as np
    import tensorflow_datasets as tfds

    d = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    order = np.argsort(d["index"], kind="stable")
    seqs = [d["sequence"][i].decode() for i in order]
    ctx = [d["structure"][i].decode() for i in order]
    return seqs, ctx, d["label"][order].astype("int64")




def main(argv=None) -> int:
    args = parse_args(argv)
    logs.configure(args.verbosity)  # the folding progress (keras_motifs.progress) is logged on stderr
    logs.import_tensorflow_quietly()
    logs.quiet_progress(args.verbosity)  # TFDS bars only on a terminal; -q: no folding progress either
    import tensorflow_datasets as tfds

    from keras_motifs.io import atomic_open
    from keras_motifs.papers import ideeps as paper
    from keras_motifs.reporting.run_record import Unit
    from keras_motifs.models.ideeps import MOTIF_PROTOCOL
    from keras_motifs.registry import get_preset
    from tfds_builders.rbp_clip import rbp_clip_dataset_builder as rb

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    presets = list(dict.fromkeys(q for p in args.models for q in (paper.ALL_PRESETS if p == ALL else [p])))
    seeds = args.seed
    published = paper.read_published(args.published)
    budget = {k: getattr(args, k) for k in paper.BUDGET_KEYS}
    tag = paper.budget_tag(**budget)
    results = Path(args.results) if args.results else out / "results"

    if not args.report_only:
        present = rb.experiments_in(args.data_dir)
        if args.experiments:
            wanted = {int(x) for x in args.experiments.split(",")}
            missing = wanted - {c.index for c in present}
            if missing:
                raise SystemExit(f"experiments {sorted(missing)} not found in {args.data_dir}")
            present = [c for c in present if c.index in wanted]
        if not present:
            raise SystemExit(f"no iONMF experiment folders (<N>_<name>/30000) in {args.data_dir}")
        tfds_dir = args.tfds_dir or str(out / "tfds")
        cache = args.structure_cache or str(out / "structures.sqlite")
        print(f"{len(present)} experiments, presets {presets}, seeds {seeds}, tag '{tag}'", flush=True)
        for cfg in present:
            # one unit per (experiment, preset, seed): results/<config>/<preset>_seed<seed><tag>.json
            # keyed by the preset's hyperparameters and training settings too: a result of other
            # defaults (e.g. before the Keras-1 optimizer / initializer / early-stopping fixes) is redone
            units = [(p, s, Unit(results / cfg.name / f"{p}_seed{s}{tag}.json",
                                 {"experiment": cfg.name, "preset": p, "seed": s, **budget,
                                  "hyperparameters": get_preset(p)}, seed=s))
                     for p in presets for s in seeds]
            todo = []
            for preset, seed, unit in units:
                done = unit.done()
                if done is None:
                    todo.append((preset, seed, unit))
                elif args.motifs and preset == "ideeps" and "motifs" not in done:
                    print(f"[{cfg.name}] note: {unit.path.name} was computed without --motifs; delete it to "
                          "compute the motifs", flush=True)
            if not todo:
                print(f"[{cfg.name}] done already", flush=True)
                continue
            t0 = time.perf_counter()
            builder = rb.Builder(config=cfg.name, data_dir=tfds_dir, n_jobs=args.jobs, structure_cache=cache)
            builder.download_and_prepare(
                download_config=tfds.download.DownloadConfig(manual_dir=args.data_dir, try_download_gcs=False)
            )
            prep = time.perf_counter() - t0
            data = [load_split(builder, s) for s in ("train", "validation", "test")]
            print(f"[{cfg.name}] prepared in {prep:.0f} s: train {len(data[0][2])}, validation {len(data[1][2])}, "
                  f"test {len(data[2][2])}", flush=True)
            for preset, seed, unit in todo:
                model, found, (x_te, te_s, te_c) = paper.train_and_test(
                    preset, seed, data, out / "train" / cfg.name / unit.path.stem, **budget,
                    verbose=fit_verbose(args.verbosity, default=0), fresh=args.fresh or unit.existing() is not None)
                row = published.get(cfg.index, {})
                r = {"experiment": cfg.index, "config": cfg.name, "folder": cfg.folder, "protein": cfg.protein,
                     "preset": preset, "seed": seed, "layout": args.layout, "tag": tag,
                     "test_auc": found.pop("test_auc"),
                     "paper": {k: float(row[k]) for k in ("iDeepS", "DeepBind", "GraphProt") if k in row},
                     **found, "prepare_seconds": round(prep, 1)}
                if args.motifs and preset == "ideeps":
                    r["motifs"] = paper.write_motifs(model, x_te, te_s, te_c, out / "motifs" / cfg.name, args.ray2013)
                unit.write(r)
                print(f"[{cfg.name}] {preset} seed {seed}: test AUC {r['test_auc']:.4f} (paper {r['paper'].get('iDeepS', 'NA')}), "
                      f"{r['epochs_run']} epochs, {r['train_seconds']:.0f} s", flush=True)

    rows = paper.collect(results, tag)
    table = paper.report(rows, published, presets)
    motifs = paper.motif_report(out, rows)
    if motifs:
        cut = {"q_value": "q", "p_value": "p", "e_value": "E"}[MOTIF_PROTOCOL["threshold_on"]]
        table += (f"\nSequence motifs against Ray 2013 (Tomtom, Pearson, {cut} < {MOTIF_PROTOCOL['threshold']}, "
                  "+ strand):\n\n" + motifs)
    print(table)
    with atomic_open(out / f"table{tag}.md", "w") as fh:
        fh.write(table)
    return 0


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
