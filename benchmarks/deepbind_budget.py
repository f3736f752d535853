"""How long DeepBind's full ENCODE protocol takes here with the stacked calibration, measured in parts.

On one real experiment (the shared ``deepbind_encode`` files, TFDS builder
``deepbind_encode_chipseq``), one training set, the paper's data sizes (positives repeated to
``--min-rows``, each with a dinucleotide shuffle), this times the parts of
``reproductions/deepbind.py --stacked`` (``keras_motifs.papers.deepbind``):

* ``augment``: one fold's training and validation rows (:func:`~keras_motifs.papers.deepbind.augment`);
* per architecture group (M1, M2): building the stack of its calibration settings
  (``StackedDeepBind``, the settings of :func:`~keras_motifs.papers.deepbind.calibration_settings`,
  the seeds of the single runs), ``--steps`` training steps (after a traced warm-up), and one
  validation pass over the whole augmented validation fold as ``StackedDeepBind.fit`` does it at
  each of the 5 checkpoints (its distinct rows scored once);
* a final trial: ``fit_deepbind`` of one setting (single model) for ``--steps`` steps and the
  training-loss pass over its rows;

and extrapolates to the paper's protocol: ``--n-calib`` settings x ``--n-folds`` folds x
``calib_steps`` (10,000 top 500, 20,000 all peaks) steps, 5 checkpoints, ``--final-trials`` final
trials of at most ``calib_steps`` steps (the chosen checkpoint; the bound is used), on
``--experiments`` experiments x both training sets. The step rate of the whole fold's training
rows is independent of the experiment (every fold is augmented to ``--min-rows`` positives);
only the augmentation depends on the number of peaks.

    nice -n 15 python benchmarks/deepbind_budget.py --experiment "MYC_H1-hESC_c-Myc_Stanford" --steps 500
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from _common import load, machine

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, data_dir="folder with <exp>_AC.seq.gz / _B.seq.gz (default: shared deepbind_encode)",
                   tfds_dir="TFDS data_dir (default: a temporary folder)", seed=0,
                   out="write the measurements as JSON to this file too")
    ap.add_argument("--experiment", default="MYC_H1-hESC_c-Myc_Stanford")
    ap.add_argument("--set", default="top500", choices=["top500", "all"], help="training set timed")
    ap.add_argument("--steps", type=int, default=500, help="timed steps per group (and of the final trial)")
    ap.add_argument("--n-calib", type=int, default=30)
    ap.add_argument("--n-folds", type=int, default=3)
    ap.add_argument("--min-rows", type=int, default=100000)
    ap.add_argument("--final-trials", type=int, default=6)
    ap.add_argument("--experiments", type=int, default=10, help="experiments in the extrapolation")
    ap.add_argument("--session-hours", type=float, default=3.0, help="a session's length, for the plan printed")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    import tempfile

    import tensorflow_datasets as tfds

    import keras_motifs.models  # noqa: F401
    import tfds_builders  # noqa: F401
    from keras_motifs.papers import deepbind as paper
    from keras_motifs.paths import shared_data_dir
    from keras_motifs.training.stacked import StackedDeepBind, unique_rows
    from tfds_builders.deepbind_encode_chipseq import builder_for

    print(machine())
    print("start:", load(), flush=True)
    data_dir = Path(args.data_dir) if args.data_dir else shared_data_dir("deepbind_encode")
    tfds_dir = args.tfds_dir or tempfile.mkdtemp(prefix="deepbind_budget_tfds_")
    t = time.perf_counter()
    builder = builder_for(args.experiment, data_dir=str(tfds_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(data_dir), try_download_gcs=False))
    rows = tfds.as_numpy(builder.as_dataset(split=paper.SETS[args.set][0], batch_size=-1))
    split = {"x": rows["sequence"], "y": rows["label"].astype(np.float32)}
    print(f"{args.experiment} [{args.set}]: {int(split['y'].sum())} peaks; TFDS prepare/load "
          f"{time.perf_counter() - t:.0f} s", flush=True)

    seed = args.seed or 0
    settings = paper.calibration_settings(args.n_calib, np.random.default_rng([seed, list(paper.SETS).index(args.set)]))
    folds = paper.cv_folds(int(split["y"].sum()), args.n_folds, np.random.default_rng([seed, 1]))
    tr, va = folds[0]
    t = time.perf_counter()
    xtr, ytr, _ = paper.augment(split, args.min_rows, seed, peaks=tr)
    xva, yva, _ = paper.augment(split, args.min_rows, seed, peaks=va)
    t_aug = time.perf_counter() - t
    print(f"augment fold 0: {len(xtr)} training + {len(xva)} validation rows in {t_aug:.1f} s", flush=True)

    m = {"experiment": args.experiment, "set": args.set, "steps": args.steps, "augment_fold_s": t_aug, "groups": {}}
    for group, idx in paper.calibration_groups(settings):
        t = time.perf_counter()
        stack = StackedDeepBind([settings[ci] for ci in idx], [seed * 1000 + ci * 10 for ci in idx])
        stack.fit(xtr, ytr, steps=50)  # trace
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        stack.fit(xtr, ytr, steps=args.steps)
        t_train = time.perf_counter() - t
        t = time.perf_counter()  # as StackedDeepBind.fit scores a checkpoint: repeated rows once
        rows_u, index = unique_rows(xva)
        paper.nll(stack.predict_logits(rows_u)[index, 0], yva)
        t_val = time.perf_counter() - t
        m["groups"][group] = {"n": len(idx), "build_trace_s": t_build, "step_s": t_train / args.steps, "val_pass_s": t_val}
        print(f"{group.upper()} x{len(idx)} stacked: build + trace {t_build:.1f} s; {args.steps} steps {t_train:.1f} s "
              f"({t_train / args.steps * 1e3:.1f} ms/step, {len(idx) * args.steps / t_train:.0f} model-steps/s); "
              f"validation pass ({len(xva)} rows, {len(rows_u)} distinct) {t_val:.1f} s  [{load()}]", flush=True)

    setting = settings[0]
    t = time.perf_counter()
    model = paper.build_model(setting)
    paper.fit_deepbind(model, xtr, ytr, steps=50, learning_rate=setting["learning_rate"], momentum=setting["momentum"])
    t_fbuild = time.perf_counter() - t
    t = time.perf_counter()
    paper.fit_deepbind(model, xtr, ytr, steps=args.steps, learning_rate=setting["learning_rate"],
                       momentum=setting["momentum"])
    t_ftrain = time.perf_counter() - t
    t = time.perf_counter()
    paper.nll(paper.predict_logits(model, xtr), ytr)
    t_fpass = time.perf_counter() - t
    m["final"] = {"build_trace_s": t_fbuild, "step_s": t_ftrain / args.steps, "train_pass_s": t_fpass}
    print(f"final trial (single M1, fit_deepbind): {t_ftrain / args.steps * 1e3:.1f} ms/step; "
          f"training-loss pass ({len(xtr)} rows) {t_fpass:.1f} s  [{load()}]", flush=True)

    # ------------------------------------------------------------------ the paper's protocol
    def calib_unit(group, steps):  # one architecture group on one fold
        g = m["groups"][group]
        return g["build_trace_s"] + steps * g["step_s"] + 5 * g["val_pass_s"]

    def final_trial(steps):
        f = m["final"]
        return t_aug / 2 + f["build_trace_s"] + steps * f["step_s"] + f["train_pass_s"]

    plan = {}
    for key, steps in (("top500", 10000), ("all", 20000)):
        calib = args.n_folds * (t_aug + sum(calib_unit(g, steps) for g in m["groups"]))
        final = args.final_trials * final_trial(steps)
        plan[key] = {"calib_steps": steps, "calibration_s": calib, "final_s": final,
                     "unit_calib_s": {g: calib_unit(g, steps) for g in m["groups"]}, "unit_final_s": final_trial(steps)}
        print(f"paper's protocol, {key}: calibration {calib / 3600:.2f} h ({args.n_calib} settings x {args.n_folds} "
              f"folds x {steps} steps, stacked) + {args.final_trials} final trials <= {final / 3600:.2f} h "
              f"= {(calib + final) / 3600:.2f} h per experiment; units: "
              + ", ".join(f"calib {g} {v / 60:.0f} min" for g, v in plan[key]["unit_calib_s"].items())
              + f", final trial {final_trial(steps) / 60:.0f} min")
    per_exp = sum(p["calibration_s"] + p["final_s"] for p in plan.values())
    total = args.experiments * per_exp
    m["plan"] = plan
    m["total_h"] = total / 3600
    print(f"all {args.experiments} experiments, both sets: {total / 3600:.1f} h "
          f"= {total / 3600 / args.session_hours:.1f} sessions of {args.session_hours:g} h", flush=True)
    print("end:", load(), flush=True)
    if args.out:
        from keras_motifs.io import write_json

        write_json(args.out, {**m, "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
