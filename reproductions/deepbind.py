"""Reproduce DeepBind's ENCODE ChIP-seq test AUCs (Alipanahi et al. 2015, Supp. Table 4/5).

For every experiment found in ``--data_dir`` (``<exp>_AC.seq.gz`` + ``<exp>_B.seq.gz``) and both
training sets — the top 500 odd peaks ("DeepBind") and all training peaks ("DeepBind*") — this
runs the paper's protocol (shared/docs/ORIGINALS.md §5.2):

1. training data: positives repeated to at least ``--min_rows`` rows, each paired with its own
   dinucleotide shuffle (the first from the TFDS builder, further ones drawn with new seeds);
2. calibration: ``--n_calib`` random settings from the paper's distributions, the first half M1
   (no hidden layer) and the rest M2 (32 hidden units) as kangaroo.calibrate splits ncalib between
   the two configs; dropout, L1 decays, init scales, learning rate and momentum drawn as the
   paper; ``--n_folds``-fold cross-validation (``--folds_run`` of the folds actually trained) of
   ``--calib_steps`` SGD steps each, with deepity's objective (keras_motifs.models.deepbind.
   training.fit_deepbind: 0.5 x mean NLL, L1 from step 100); the validation loss (on at most
   ``--val_rows`` held-out rows) is checked at 5 checkpoints; the setting with the lowest mean
   (best-checkpoint) validation loss wins;
3. final training of the best setting on all training rows for ``--final_steps`` steps,
   ``--final_trials`` times, keeping the trial with the lowest training loss;
4. test ROC AUC on ``_B`` (500 held-out even peaks + 500 shuffles) of the model's logit (the
   original predictor's raw score), printed next to the published DeepBind / DeepBind* AUCs,
   with the mean difference; the mutation map (on the logit, DeepBind's scaling) of the
   best-scoring test peak and the logos of the 16 detectors are written per experiment
   (keras_motifs.interpret).

The paper's budget is ``--n_calib 30 --n_folds 3 --calib_steps 20000 (10000 for top500)
--final_steps 20000 (10000) --final_trials 6 --min_rows 100000``; the defaults here are a CPU
budget. Results are written per experiment/set (resumable: finished ones are skipped).

    nice -n 19 python reproductions/deepbind.py --data_dir ../shared/data/deepbind_encode --out runs/deepbind
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


SETS = {"top500": ("train_top500", "DeepBind"), "all": ("train_all", "DeepBind*")}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data_dir", default=None, help="folder with <exp>_AC.seq.gz / _B.seq.gz (default: shared)")
    ap.add_argument("--published", default=None, help="deepbind_encode_chipseq_auc.csv (default: shared)")
    ap.add_argument("--out", default="runs/deepbind", help="output folder")
    ap.add_argument("--tfds_dir", default=None, help="TFDS data_dir (default: <out>/tfds)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--experiments", nargs="*", default=None, help="subset of experiments (file prefixes)")
    ap.add_argument("--sets", nargs="*", default=["top500", "all"], choices=list(SETS))
    ap.add_argument("--n_calib", type=int, default=4, help="random calibration settings (paper: 30)")
    ap.add_argument("--n_folds", type=int, default=2, help="cross-validation folds (paper: 3)")
    ap.add_argument("--folds_run", type=int, default=None,
                    help="train only the first K of the n_folds folds per setting (deepity hypertrain "
                         "allfolds=False runs 1; default: all, as the paper)")
    ap.add_argument("--calib_steps", type=int, default=1000, help="SGD steps per calibration run (paper: 20000/10000)")
    ap.add_argument("--final_steps", type=int, default=4000, help="SGD steps of the final training (paper: 20000/10000)")
    ap.add_argument("--final_trials", type=int, default=1, help="final trainings, best kept (paper: 6)")
    ap.add_argument("--min_rows", type=int, default=20000, help="positives repeated to this many rows (paper: 100000)")
    ap.add_argument("--batch_size", type=int, default=64)
    ap.add_argument("--redraw_if_stuck", type=int, default=0,
                    help="CPU-budget safeguard (not in the paper): if no calibration setting got its validation "
                         "loss below ln 2 - 1e-3 (none left the constant start within --calib_steps), draw up "
                         "to this many further settings (M1, M2 alternating), stopping at the first that does")
    ap.add_argument("--val_rows", type=int, default=6400,
                    help="validation rows scored at each checkpoint, a seeded sample of the held-out fold "
                         "(deepity's checkpoint report scores the first 100 batches of 64; 0 = all)")
    ap.add_argument("--no_images", action="store_true", help="skip mutation maps and logos")
    ap.add_argument("--summary_only", action="store_true", help="only print the table of the finished runs in --out")
    return ap.parse_args(argv)


# ------------------------------------------------------------------------------------------ data
def load_experiment(exp: str, data_dir: Path, tfds_dir: Path, seed: int):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from tfds_builders.deepbind_encode_chipseq import builder_for

    builder = builder_for(exp, data_dir=str(tfds_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(data_dir), try_download_gcs=False))
    out = {}
    for split in ("train_top500", "train_all", "test"):
        rows = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
        out[split] = {"x": rows["sequence"], "y": rows["label"].astype(np.float32), "peak": rows["peak_index"]}
    return out


def augment(split: dict, min_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positives repeated to >= min_rows, each copy with its own dinucleotide shuffle.

    Returns base indices (2R, L), labels (2R,) and the peak index of every row (for CV folds).
    """
    from keras_motifs.data import decode, encode_indices, indices_to_one_hot
    from keras_motifs.deepbind.shuffle import dinucleotide_shuffles

    pos = split["x"][split["y"] == 1]
    neg = split["x"][split["y"] == 0]
    n = len(pos)
    rows = max(min_rows, n)
    reps = -(-rows // n)
    pos_strings = decode(indices_to_one_hot(pos, 4), "ACGT")
    xs_pos, xs_neg, peaks = [], [], []
    for r in range(reps):
        take = min(n, rows - r * n)
        xs_pos.append(pos[:take])
        if r == 0:
            xs_neg.append(neg[:take])  # the builder's shuffles (stream 0)
        else:
            xs_neg.append(encode_indices(dinucleotide_shuffles(pos_strings[:take], seed=seed, stream=r), "ACGT"))
        peaks.append(np.arange(take))
    xp, xn, pk = np.concatenate(xs_pos), np.concatenate(xs_neg), np.concatenate(peaks)
    x = np.concatenate([xp, xn])
    y = np.concatenate([np.ones(len(xp)), np.zeros(len(xn))]).astype(np.float32)
    return x, y, np.concatenate([pk, pk])


def to_one_hot(idx: np.ndarray) -> np.ndarray:
    from keras_motifs.data import indices_to_one_hot

    return indices_to_one_hot(idx, 4, n_value=0.25)


# -------------------------------------------------------------------------------------- training
def build_model(setting: dict):
    from keras_motifs.models.deepbind import DeepBind

    preset = "deepbind_encode_hidden" if setting["num_hidden"] else "deepbind_encode"
    return DeepBind(preset, **{k: v for k, v in setting.items() if k not in ("learning_rate", "momentum")})


def train_once(setting: dict, x, y, steps: int, batch_size: int, seed: int, val=None, checkpoints: int = 5,
               weight_decay_start: int = 100):
    """Train one model for ``steps`` SGD steps (deepity's trainer, keras_motifs.papers.deepbind).

    Returns (model, training loss over the last checkpoint interval, validation losses per checkpoint).
    """
    import keras

    from keras_motifs.papers.deepbind import fit_deepbind

    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_model(setting)
    hist = fit_deepbind(model, x, y, steps=steps, learning_rate=setting["learning_rate"],
                        momentum=setting["momentum"], batch_size=batch_size, seed=seed, checkpoints=checkpoints,
                        weight_decay_start=weight_decay_start, validation=val)
    return model, hist["train_loss"][-1], hist["val_loss"]


def calibration_settings(n: int, rng) -> list[dict]:
    """``n`` random settings, the first half M1 (no hidden layer) and the rest M2 (32 hidden units),
    as kangaroo.calibrate gives each model config ``ncalib / len(cfgs)`` samples."""
    from keras_motifs.models.deepbind import sample_setting

    settings = []
    for i in range(n):
        setting = sample_setting(rng)
        setting["num_hidden"] = 0 if i < (n + 1) // 2 else 32
        settings.append(setting)
    return settings


STUCK = float(np.log(2.0)) - 1e-3  # a validation NLL above this: still (nearly) the constant start


def calibrate(x, y, peaks, args, rng, log):
    settings = calibration_settings(args.n_calib, rng)
    results = []
    fold_of = peaks % args.n_folds

    def run(ci, setting):
        losses = []
        for fold in range(min(args.folds_run or args.n_folds, args.n_folds)):
            tr, va = fold_of != fold, np.flatnonzero(fold_of == fold)
            if args.val_rows and len(va) > args.val_rows:
                va = np.sort(np.random.default_rng([args.seed, fold]).choice(va, args.val_rows, replace=False))
            _, _, vl = train_once(setting, x[tr], y[tr], args.calib_steps, args.batch_size,
                                  seed=args.seed * 1000 + ci * 10 + fold, val=(x[va], y[va]))
            losses.append(min(vl))
        results.append({"setting": setting, "val_loss": float(np.mean(losses)), "fold_losses": losses})
        log(f"    calib {ci + 1}/{len(settings)}: val loss {np.mean(losses):.4f}  {_short(setting)}")

    for ci, setting in enumerate(settings):
        run(ci, setting)
    extra = 0
    while extra < args.redraw_if_stuck and min(r["val_loss"] for r in results) > STUCK:
        from keras_motifs.models.deepbind import sample_setting

        setting = sample_setting(rng)
        setting["num_hidden"] = 0 if extra % 2 == 0 else 32
        settings.append(setting)
        log(f"    no setting left ln 2 yet: extra draw {extra + 1}/{args.redraw_if_stuck}")
        run(len(settings) - 1, setting)
        extra += 1
    best = min(results, key=lambda r: r["val_loss"])
    return best, results


def _short(s: dict) -> str:
    return (f"hidden={s['num_hidden']} drop={s['dropout']} lr={s['learning_rate']:.4g} mom={s['momentum']:.3f} "
            f"l1conv={s['conv_weight_decay']:.1e} l1full={s['dense_weight_decay']:.1e}")


def auc(model, test) -> float:
    """Test ROC AUC of the model's score (the logit, as the original predictor's raw output; the
    sigmoid of a barely trained model can be constant in float32 while its logits still rank)."""
    from sklearn.metrics import roc_auc_score

    from keras_motifs.papers.deepbind import predict_logits

    return float(roc_auc_score(test["y"], predict_logits(model, test["x"])))


def images(model, test, out_dir: Path, exp: str, tag: str, log) -> dict:
    """Mutation map of the highest-scoring test peak and logos of the 16 detectors."""
    written = {}
    try:
        from keras_motifs.interpret import filter_motifs
        from keras_motifs.interpret.logos import save_logo_grid
        from keras_motifs.interpret.mutagenesis import deepbind_scaled, in_silico_mutagenesis, plot_mutation_map

        from keras_motifs.papers.deepbind import logit_model, predict_logits

        x = to_one_hot(test["x"])
        p = predict_logits(model, test["x"])
        best = int(np.argmax(np.where(test["y"] == 1, p, -np.inf)))
        # DeepBind's mutation map on the score (logit): (f(v) - f(r)) * max(0, f(r), f(v))
        delta = in_silico_mutagenesis(logit_model(model), x[best], alphabet="ACGT")
        effect = deepbind_scaled(np.float64(p[best]), delta + p[best])
        path = out_dir / f"{exp}.{tag}.mutation_map.png"
        plot_mutation_map(path, x[best], effect, alphabet="ACGT", title=f"{exp} ({tag}), test peak {best}")
        written["mutation_map"] = str(path)
        # the detectors on the unpadded sequence (a first-layer convolution for the aligner)
        import keras

        conv = model.get_layer("motif_scan")
        copy = keras.layers.Conv1D(conv.filters, conv.kernel_size, activation="relu", name="motif_scan")
        inp = keras.Input(shape=(x.shape[1], 4))
        scan = keras.Model(inp, copy(inp))
        copy.set_weights(conv.get_weights())
        fm = filter_motifs(scan, x[test["y"] == 1], rule="deepbind", alphabet="ACGT", input_index=0)
        path = out_dir / f"{exp}.{tag}.logos.png"
        save_logo_grid(path, fm.motifs(include_all=True), alphabet="ACGT")
        written["logos"] = str(path)
    except Exception as exc:  # images are a by-product: report, never lose the AUCs
        log(f"    images failed: {type(exc).__name__}: {exc}")
        written["error"] = f"{type(exc).__name__}: {exc}"
    return written


# ------------------------------------------------------------------------------------------ main
def read_published(path: Path) -> dict:
    with open(path, newline="") as fh:
        return {row["TF_CellLine_Antibody_Lab"]: row for row in csv.DictReader(fh)}


def main(argv=None) -> int:
    args = parse_args(argv)
    from keras_motifs.io import write_json
    from keras_motifs.paths import shared_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else shared_data_dir("deepbind_encode")
    published_path = Path(args.published) if args.published else shared_data_dir("published", "deepbind_encode_chipseq_auc.csv")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tfds_dir = Path(args.tfds_dir) if args.tfds_dir else out / "tfds"
    if not data_dir.is_dir():
        raise SystemExit(f"data folder '{data_dir}' not found (set --data_dir or KERAS_MOTIFS_SHARED)")
    experiments = sorted(p.name[: -len("_AC.seq.gz")] for p in data_dir.glob("*_AC.seq.gz"))
    if args.experiments:
        experiments = [e for e in experiments if e in args.experiments]
    if not experiments:
        raise SystemExit(f"no <experiment>_AC.seq.gz files in '{data_dir}'")
    published = read_published(published_path) if published_path.is_file() else {}
    log_file = open(out / "log.txt", "a")

    def log(msg):
        print(msg, flush=True)
        log_file.write(msg + "\n")
        log_file.flush()

    log(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(sys.argv)}")
    for exp in experiments if not args.summary_only else []:
        data = None
        for key in args.sets:
            res_path = out / f"{exp}.{key}.json"
            if res_path.exists():
                log(f"{exp} [{key}]: done earlier ({res_path.name})")
                continue
            if data is None:
                data = load_experiment(exp, data_dir, tfds_dir, args.seed)
            split, column = SETS[key]
            t0 = time.time()
            x, y, peaks = augment(data[split], args.min_rows, args.seed)
            log(f"{exp} [{key}]: {int(data[split]['y'].sum())} positives -> {len(x)} training rows")
            rng = np.random.default_rng([args.seed, list(SETS).index(key)])
            best, calib = calibrate(x, y, peaks, args, rng, log)
            trials = []
            for t in range(args.final_trials):
                model, train_loss, _ = train_once(best["setting"], x, y, args.final_steps, args.batch_size,
                                                  seed=args.seed * 1000 + 500 + t)
                trials.append((train_loss, t, model))
            train_loss, trial, model = min(trials, key=lambda z: z[0])
            test_auc = auc(model, data["test"])
            pub = published.get(exp, {})
            result = {
                "experiment": exp, "training_set": key, "published_column": column,
                "test_auc": test_auc,
                "published_auc": float(pub[column]) if column in pub else None,
                "best_setting": best["setting"], "best_val_loss": best["val_loss"],
                "calibration": calib, "final_trial": trial, "final_train_loss": train_loss,
                "n_training_rows": int(len(x)), "seconds": time.time() - t0,
                "budget": {k: getattr(args, k) for k in ("n_calib", "n_folds", "folds_run", "calib_steps", "final_steps",
                                                          "final_trials", "min_rows", "batch_size", "val_rows", "redraw_if_stuck", "seed")},
            }
            if not args.no_images:
                result["images"] = images(model, data["test"], out, exp, key, log)
            write_json(res_path, result)
            log(f"{exp} [{key}]: test AUC {test_auc:.4f} (published {column} {result['published_auc']}) "
                f"in {result['seconds']:.0f} s")

    # summary table: every finished experiment/set in --out (whatever --sets this call ran)
    rows = []
    for exp in experiments:
        row = {"experiment": exp}
        for key, (_, column) in SETS.items():
            pub = published.get(exp, {})
            row[key + "_published"] = float(pub[column]) if pub.get(column) else None
            p = out / f"{exp}.{key}.json"
            if p.exists():
                r = json.loads(p.read_text())
                row[key] = r["test_auc"]
                if row[key + "_published"] is None:
                    row[key + "_published"] = r["published_auc"]
        rows.append(row)
    log("\n| experiment | ours top500 | DeepBind (paper) | ours all | DeepBind* (paper) |")
    log("|---|---|---|---|---|")
    for r in rows:
        f = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        log(f"| {r['experiment']} | {f(r.get('top500'))} | {f(r.get('top500_published'))} | "
            f"{f(r.get('all'))} | {f(r.get('all_published'))} |")
    summary = {"rows": rows}
    for key in SETS:
        both = [r for r in rows if r.get(key) is not None and r.get(key + "_published") is not None]
        if both:
            d = [r[key] - r[key + "_published"] for r in both]
            summary[f"mean_diff_{key}"] = float(np.mean(d))
            summary[f"n_{key}"] = len(d)
            summary[f"mean_ours_{key}"] = float(np.mean([r[key] for r in both]))
            summary[f"mean_published_{key}"] = float(np.mean([r[key + "_published"] for r in both]))
            log(f"{SETS[key][1]}: mean ours {summary[f'mean_ours_{key}']:.4f} vs published "
                f"{summary[f'mean_published_{key}']:.4f}; mean difference {np.mean(d):+.4f} over {len(d)} experiments")
    write_json(out / "summary.json", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
