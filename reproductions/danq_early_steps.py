#!/usr/bin/env python
"""DanQ's first optimiser steps on the synthetic recipe: is it learning, or dying?

    python reproductions/danq_early_steps.py --epsilon 1e-6 1e-8 1e-10 --steps 400 --every 25

For each RMSprop epsilon (one fresh DanQ per value, same seed, same batches): train ``--steps``
steps of batch 100 on ``--n-train`` forward sequences of the ``deepsea/synthetic`` recipe
(tfds_builders/deepsea/synthetic.py, generated in memory: no TFDS preparation) and every ``--every``
steps print and record the mean training loss of the last steps, the fraction of the 925 dense
ReLU units that are dead on 100 validation sequences (never positive), the validation ROC AUC
mean and TF median over 500 forward sequences, and the mean standard deviation of the predictions
across sequences (0 = constant predictions). Writes ``<out>/epsilon_<value>.json`` as each run
finishes (run record embedded). The optimiser is the preset's RMSprop (lr 1e-3, rho 0.9), only
epsilon varies; the loss the preset's clipped binary cross-entropy. ``--copies``, ``--p-present``,
``--slot``, ``--tf-sensitivity`` and ``--tf-false-positive`` change the recipe's knobs (for exploring
designs of the synthetic set; the result file names them).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, ListAction, common_options


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(p, out="output folder (default: outputs/danq_early_steps)", seed=1337, tfds_dir=False)
    p.set_defaults(out="outputs/danq_early_steps")
    p.add_argument("--epsilon", action=ListAction, item=float, default=[1e-6], metavar="EPS",
                   help="RMSprop epsilon(s), space- or comma-separated (default: the original 1e-6)")
    p.add_argument("--steps", type=int, default=400, help="optimiser steps per run (default 400)")
    p.add_argument("--every", type=int, default=25, help="evaluate every N steps (default 25)")
    p.add_argument("--n-train", type=int, default=6000, help="forward training sequences (default 6000, the synthetic config's)")
    p.add_argument("--recipe", default="1.0.0", choices=["1.0.0", "2.0.0"],
                   help="the released recipe the knobs below change (tfds_builders/deepsea/synthetic.py RECIPES; "
                        "default 1.0.0, the one the earlier result files of this script are relative to)")
    recipe = p.add_argument_group(
        "recipe knobs (tfds_builders/deepsea/synthetic.py Recipe; default: the --recipe's)")
    recipe.add_argument("--copies", type=int, default=None, help="instances planted per present motif")
    recipe.add_argument("--p-present", type=float, default=None, help="probability that a motif is present in a sequence")
    recipe.add_argument("--slot", type=int, default=None, help="slot width in bp (one instance per slot)")
    recipe.add_argument("--tf-sensitivity", type=float, nargs=2, default=None, metavar=("LOW", "HIGH"),
                        help="TF targets' detection probability, U(LOW, HIGH)")
    recipe.add_argument("--tf-false-positive", type=float, nargs=2, default=None, metavar=("LOW", "HIGH"),
                        help="TF targets' false-positive rate, U(LOW, HIGH)")
    recipe.add_argument("--layout", choices=["uniform", "central"], default=None,
                        help="uniform: instances anywhere all count; central: only those in the central --center bp count")
    recipe.add_argument("--center", type=int, default=None, help="layout central: width of the labelled centre (bp)")
    recipe.add_argument("--p-flank", type=float, default=None, help="probability of a decoy instance of each motif in the flanks")
    recipe.add_argument("--cobinding", type=float, default=None, help="fraction of TF targets that need a partner motif too")
    recipe.add_argument("--flank-copies", type=int, default=None,
                        help="layout central: copies of each decoy motif in the flanks (default: --copies)")
    recipe.add_argument("--motif-set", choices=["v1", "high_information"], default=None,
                        help="planted JASPAR motifs: v1 (recipe 1.0.0's: CTCF, REST, Gata1, RUNX1, SPI1, CEBPB, FOXA1, "
                             "HNF4A) or high_information (CTCF, REST, SPI1, ZNF143, NFKB1, RFX5, SRF, ESR1; >= 17 bits)")
    recipe.add_argument("--sharpen", type=float, default=None,
                        help="instances are sampled from PPM**SHARPEN (1: the JASPAR matrix; default 3)")
    recipe.add_argument("--gc-sd", type=float, default=None,
                        help="per-sequence GC fraction ~ N(0.5, GC_SD), clipped to [0.3, 0.7] (default 0: uniform)")
    p.add_argument("--preset", default="danq", choices=["danq", "danq_jaspar", "lr"],
                   help="model (default danq; lr: the paper's k-mer logistic regression, its normalisation fitted "
                        "on the training sequences, for how easy a recipe is without positions)")
    args = p.parse_args(argv)
    if args.steps < 1 or args.every < 1 or args.n_train < 100:
        p.error("--steps and --every must be >= 1 and --n-train >= 100")
    return args


def run(eps: float, args, data, spec, motif_names) -> dict:
    import keras
    import numpy as np

    from keras_motifs.data import indices_to_one_hot
    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.metrics import deepsea_groups, per_target_auc, predict_arrays, summarize
    from keras_motifs.papers.danq import build_model

    x, y, xv, yv = data
    keras.utils.set_random_seed(args.seed)
    model = build_model(args.preset, seed=args.seed, adapt_data=lambda: indices_to_one_hot(x))
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3, rho=0.9, epsilon=eps), loss=ClippedBinaryCrossentropy())
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    hidden = keras.Model(model.inputs, dense[0].output) if len(dense) > 1 else None  # the LR has no hidden layer
    groups = deepsea_groups()
    xv1 = indices_to_one_hot(xv)  # base indices A,G,C,T,N -> one-hot A,G,C,T (N all zero)

    def evaluate():
        p = predict_arrays(model, xv1, 250)
        dead = None
        if hidden is not None:
            dead = float((predict_arrays(hidden, xv1[:100], 100).max(0) <= 0).mean())
        auc = per_target_auc(yv, p)["roc_auc"]
        roc = summarize(auc, groups)  # targets with one class only left out
        tf = np.asarray(groups) == "TF"
        paired = tf & (spec.motif_sets[:, 1] >= 0)
        return {"dead_dense_fraction": dead,
                "roc_auc_mean": roc["mean"], "roc_auc_median_tf": roc["groups"]["TF"]["median"],
                "roc_auc_groups": {g: {"mean": round(v["mean"], 4), "median": round(v["median"], 4)}
                                   for g, v in roc["groups"].items()},
                # TF targets by their motif (single-motif targets only) and the co-binding (paired) ones
                "roc_auc_tf_by_motif": {motif_names[m]: round(float(np.nanmean(auc[tf & ~paired & (spec.motif_sets[:, 0] == m)])), 4)
                                        for m in range(len(motif_names))},
                "roc_auc_tf_paired_mean": round(float(np.nanmean(auc[paired])), 4) if paired.any() else None,
                "prediction_sd": float(p.std(0).mean())}

    rng = np.random.default_rng(args.seed)
    order, pos, losses, rows = rng.permutation(len(x)), 0, [], [{"step": 0, **evaluate()}]
    t0 = time.perf_counter()
    for step in range(1, args.steps + 1):
        if pos + 100 > len(order):
            order, pos = rng.permutation(len(x)), 0
        idx = np.sort(order[pos:pos + 100])
        pos += 100
        losses.append(float(model.train_on_batch(indices_to_one_hot(x[idx]), y[idx])))
        if step % args.every == 0:
            rows.append({"step": step, "loss": float(np.mean(losses[-args.every:])), **evaluate(),
                         "seconds": round(time.perf_counter() - t0, 1)})
            r = rows[-1]
            group_means = " / ".join(f"{g} {v['mean']:.3f}" for g, v in r["roc_auc_groups"].items())
            dead = "-" if r["dead_dense_fraction"] is None else f"{r['dead_dense_fraction']:.3f}"
            print(f"{args.preset} eps {eps:g} step {step}: loss {r['loss']:.4f}, dead dense units {dead}, "
                  f"ROC AUC mean {r['roc_auc_mean']:.3f}, TF median {r['roc_auc_median_tf']:.3f}, "
                  f"group means {group_means}, "
                  f"prediction sd {r['prediction_sd']:.4f}, {r['seconds']:.0f} s", flush=True)
    return {"epsilon": eps, "rows": rows}


def main(argv=None) -> int:
    args = parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    import keras_motifs.models  # noqa: F401  (registers the presets)
    from keras_motifs.reporting.run_record import Unit
    from tfds_builders.deepsea import synthetic

    names = ("copies", "p_present", "slot", "tf_sensitivity", "tf_false_positive", "layout", "center", "p_flank",
             "cobinding", "sharpen", "gc_sd", "flank_copies")
    knobs = {k: getattr(args, k) for k in names if getattr(args, k) is not None}
    if args.motif_set == "high_information":
        knobs["motifs"] = synthetic.HIGH_INFORMATION_MOTIF_IDS
    recipe = dataclasses.replace(synthetic.RECIPES[args.recipe],
                                 **{k: tuple(v) if isinstance(v, list) else v for k, v in knobs.items()})
    x, y, _ = synthetic.generate(args.n_train, 2016, 1, recipe=recipe)  # the synthetic config's seed and train split
    xv, yv, _ = synthetic.generate(500, 2016, 2, recipe=recipe)
    data = (x, y, xv[:500], yv[:500])  # validation: forward sequences only
    out = Path(args.out)
    for eps in args.epsilon:
        prefix = "" if args.preset == "danq" else f"{args.preset}_"
        prefix += "" if args.recipe == "1.0.0" else f"recipe{args.recipe}_"
        name = prefix + f"epsilon_{eps:g}" + ("" if not knobs else "_" + "_".join(
            f"{k}{'-'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in knobs.items() if k != "motifs")
            + ("_motifs_high_information" if "motifs" in knobs else ""))
        unit = Unit(out / f"{name}.json", {"epsilon": eps, "steps": args.steps, "every": args.every,
                                                    "n_train": args.n_train, "preset": args.preset,
                                                    "recipe": args.recipe,
                                                    "recipe_knobs": knobs},
                    seed=args.seed)
        if unit.done() is not None:
            print(f"eps {eps:g}: done already ({unit.path})")
            continue
        unit.write(run(eps, args, data, synthetic.target_spec(2016, recipe=recipe),
                       [name for _, name, _ in synthetic.load_motifs(recipe.motifs)]))
        print(f"wrote {unit.path}")
    return 0


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
