"""Reproduce Deepprune (Luo, Chi & Deng 2019): Deepprune vs baseline across kernel counts.

For each data set and seed: train the 256-kernel base CNN, then 6 rounds of prune (median rule,
``--criterion``) + fine-tune at lr 0.01/1.2**i (256 -> 128 -> ... -> 4 kernels), with the
comparison variants at each kernel count (Deepprune-inter, baseline at lr 0.01, baseline at the
decayed lr, optional lottery-ticket reinit). Test ROC AUC of every model is stored per run in
``<out>/runs/<dataset>/<criterion>/seed<k>.json``; a finished run is skipped when the script is
started again (resumable). For the simulated sets the final 4 kernels of Deepprune and of the
4-kernel baseline are turned into motifs (DeepBind rule: the window at each sequence's maximum
activation, test positives), drawn as logos and compared with the planted motifs by Tomtom.

Data: ``deepprune_simulated/set1..set5`` (TFDS builder; JASPAR 2016 motifs) and the Zeng et al.
2016 experiments under ``<data_dir>/zeng690`` that have a train file (``zeng_chipseq``).

The paper's budget is ``--epochs 1000 --seeds <18 seeds> --n_train 0`` on all 690 ENCODE sets; the
defaults here are reduced for a 2-core CPU (see ``--help``). Examples:

    nice -n 19 python reproductions/deepprune.py --out runs/deepprune           # reduced budget
    python reproductions/deepprune.py --out runs/deepprune --report_only         # tables only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np


PAPER_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 123, 1000, 1234, 10000, 12345, 100000, 123456, 1000000]
SIM_SETS = ["set1", "set2", "set3", "set4", "set5"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data_dir", default=None, help="shared data folder (holds zeng690/); default: keras_motifs.paths")
    p.add_argument("--out", default="runs/deepprune", help="output folder (results, models, logos, report)")
    p.add_argument("--tfds_dir", default=None, help="TFDS data_dir (default <out>/tfds)")
    p.add_argument("--sets", default=",".join(SIM_SETS), help="simulated sets to run ('' for none)")
    p.add_argument("--zeng", default="all", help="Zeng experiments: 'all' present with a train file, a comma list, or ''")
    p.add_argument("--seeds", default="0", help="comma-separated seeds, or 'paper' for the paper's 18 seeds")
    p.add_argument("--zeng_seeds", default=None, help="seeds for the Zeng sets (default: --seeds)")
    p.add_argument("--criterion", default="weight", choices=["weight", "score", "score_weight"])
    p.add_argument("--variants", default="deepprune,inter,baseline,baseline_decay",
                   help="of deepprune,inter,baseline,baseline_decay,reinit")
    p.add_argument("--baseline_max_kernels", type=int, default=0,
                   help="train baselines / reinit only at kernel counts <= this (0 = all counts)")
    p.add_argument("--kernels", type=int, default=256, help="initial kernels (paper 256)")
    p.add_argument("--rounds", type=int, default=6, help="pruning rounds (paper 6)")
    p.add_argument("--epochs", type=int, default=1000, help="max epochs per fit (paper 1000)")
    p.add_argument("--patience", type=int, default=15, help="early-stopping patience (paper 15)")
    p.add_argument("--n_train", type=int, default=2000, help="simulated training sequences to use (0 = all 5,000)")
    p.add_argument("--n_test", type=int, default=2000, help="simulated test sequences to use (0 = all 5,000)")
    p.add_argument("--jit", action="store_true", help="compile training steps with XLA (faster for 256 kernels, "
                   "slower start for every fit)")
    p.add_argument("--no_motifs", action="store_true", help="skip logos / Tomtom")
    p.add_argument("--report_only", action="store_true", help="only print the tables of finished runs")
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
def run_one(dataset, preset, data, seed, args, run_dir: Path):
    from keras_motifs.io import save_model, write_json
    from keras_motifs.metrics import per_target_auc
    from keras_motifs.models.deepprune import Deepprune
    from keras_motifs.pruning import PruningSchedule, run_deepprune

    result_path = run_dir / f"seed{seed}.json"
    if result_path.exists():
        log(f"{dataset} seed {seed}: done already ({result_path})")
        return json.loads(result_path.read_text())
    xtr, ytr, xte, yte = data
    variants = [v for v in args.variants.split(",") if v]
    schedule = PruningSchedule(kernels=args.kernels, rounds=args.rounds)
    fit_cfg = {"epochs": args.epochs, "early_stopping_patience": args.patience, "jit_compile": bool(args.jit)}

    def build(kernels, with_mask):
        return Deepprune(preset, kernels=kernels, with_mask=with_mask, sequence_length=xtr.shape[1])

    def evaluate(model):
        p = model.predict(xte, batch_size=1024, verbose=0)[:, 0]
        return {"test_auc": float(per_target_auc(yte, p)["roc_auc"][0])}

    final_dir = run_dir / f"seed{seed}_models"

    def on_model(variant, round_, model):
        if round_ == args.rounds and variant in ("deepprune", "baseline", "baseline_decay", "reinit"):
            save_model(model, final_dir / f"{variant}_{int(schedule.nominal_kernels(round_))}k.keras")

    t0 = time.perf_counter()
    log(f"{dataset} seed {seed}: train {xtr.shape} test {xte.shape}, variants {variants}")
    records = run_deepprune(
        build, xtr, ytr, schedule, args.criterion, variants=variants, fit_cfg=fit_cfg,
        evaluate=evaluate, on_model=on_model, seed=seed, log=lambda m: log(f"  {dataset} s{seed} {m}"),
        baseline_max_kernels=args.baseline_max_kernels or None,
    )
    out = {
        "dataset": dataset, "preset": preset, "seed": seed, "criterion": args.criterion,
        "n_train": int(len(ytr)), "n_test": int(len(yte)), "kernels": args.kernels, "rounds": args.rounds,
        "epochs": args.epochs, "patience": args.patience, "variants": variants,
        "baseline_max_kernels": args.baseline_max_kernels, "jit_compile": bool(args.jit), "seconds": time.perf_counter() - t0,
        "records": records,
    }
    write_json(result_path, out)
    log(f"{dataset} seed {seed}: finished in {out['seconds'] / 60:.1f} min")
    return out


# ------------------------------------------------------------------ report
def load_published(data_dir: Path):
    import csv

    table2, zeng = {}, {}
    t2 = data_dir / "published" / "deepprune2019_table2_encode690.tsv"
    if t2.exists():
        rows = [line.rstrip("\n").split("\t") for line in t2.read_text().splitlines() if line and not line.startswith("#")]
        header = rows[0]
        for r in rows[1:]:
            d = dict(zip(header, r))
            table2[int(d["kernels"])] = (float(d["deepprune_auc"]), float(d["baseline_auc"]))
    zc = data_dir / "published" / "zeng690_cnn_auc.csv"
    if zc.exists():
        with open(zc) as fh:
            for row in csv.DictReader(fh):
                zeng[row["data_set"]] = {k: float(v) for k, v in row.items() if k not in ("", "data_set")}
    return table2, zeng


VARIANTS_ORDER = ["deepprune", "inter", "baseline", "baseline_decay", "reinit"]


def _load_runs(runs_root: Path, criterion: str) -> dict:
    """{dataset: [run JSON, ...]} for every finished run under ``runs_root``."""
    found = {}
    datasets = sorted(p.name for p in runs_root.iterdir()) if runs_root.exists() else []
    for ds in datasets:
        files = sorted((runs_root / ds / criterion).glob("seed*[0-9].json"))
        if files:
            found[ds] = [json.loads(f.read_text()) for f in files]
    return found


def _kernel_table(values: dict, present: list, table2: "dict | None", cell) -> list:
    """Markdown rows 'kernels | one cell per variant [| paper Deepprune | paper baseline]' for
    ``values`` {(variant, kernels): [AUC, ...]}; ``cell(vals)`` formats one cell; ``table2``
    (the paper's 690-set means) adds the two paper columns when given."""
    head = "| kernels | " + " | ".join(present) + " |"
    if table2 is not None:
        head += " paper Deepprune (690 mean) | paper baseline (690 mean) |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for k in sorted({key[1] for key in values}, reverse=True):
        row = f"| {k} | " + " | ".join(cell(values[(v, k)]) if values.get((v, k)) else "—" for v in present) + " |"
        if table2 is not None:
            pd_, pb = table2.get(k, (None, None))
            row += f" {pd_ if pd_ is not None else '—'} | {pb if pb is not None else '—'} |"
        lines.append(row)
    return lines


def pooled_summary(runs_by_dataset: dict, table2: dict, final_kernels: int = 4) -> list:
    """The paper's question over every finished run: per group (simulated sets, ENCODE/Zeng sets),
    the mean over data sets of each data set's mean test AUC per kernel count and variant, and at
    ``final_kernels`` how many (data set, seed) runs Deepprune beats the baseline (same seed)."""
    lines = []
    groups = {"simulated sets": {k: v for k, v in runs_by_dataset.items() if k.startswith("sim_")},
              "ENCODE (Zeng) sets": {k: v for k, v in runs_by_dataset.items() if k.startswith("zeng_")}}
    for group, runs_by in groups.items():
        if not runs_by:
            continue
        per_ds: dict = {}  # (variant, kernels) -> [dataset mean, ...]
        wins = []  # (dataset, seed, deepprune - baseline) at final_kernels
        for ds, runs in runs_by.items():
            auc: dict = {}
            for r in runs:
                by = {(rec["variant"], rec["kernels"]): rec["test_auc"] for rec in r["records"]}
                for key, v in by.items():
                    auc.setdefault(key, []).append(v)
                if ("deepprune", final_kernels) in by and ("baseline", final_kernels) in by:
                    wins.append((ds, r["seed"], by[("deepprune", final_kernels)] - by[("baseline", final_kernels)]))
            for key, vals in auc.items():
                per_ds.setdefault(key, []).append(float(np.mean(vals)))
        n_runs = sum(len(v) for v in runs_by.values())
        lines.append(f"\n### Pooled: {group} — {len(runs_by)} data sets, {n_runs} runs "
                     "(mean over data sets of each data set's mean over seeds)")
        present = [v for v in VARIANTS_ORDER if any(k[0] == v for k in per_ds)]
        is_zeng = group.startswith("ENCODE")
        lines.extend(_kernel_table(
            per_ds, present, table2 if is_zeng else None,
            lambda vals: f"{np.mean(vals):.4f}" + (f" (n={len(vals)})" if len(vals) < len(runs_by) else "")))
        if wins:
            n_win = sum(d > 0 for _, _, d in wins)
            lines.append(f"\nAt {final_kernels} kernels Deepprune beats the baseline (lr 0.01, same seed) in "
                         f"{n_win} of {len(wins)} runs; mean difference {np.mean([d for _, _, d in wins]):+.4f}.")
    return lines


def report(out: Path, data_dir: Path, criterion: str) -> str:
    table2, zeng = load_published(data_dir)
    lines = []
    runs_root = out / "runs"
    runs_by_dataset = _load_runs(runs_root, criterion)
    lines.extend(pooled_summary(runs_by_dataset, table2))
    recovered: dict = {}
    for ds in runs_by_dataset:
        for mf in sorted((runs_root / ds / criterion).glob("seed*_motifs.json")):
            m = json.loads(mf.read_text())
            for v in ("deepprune", "baseline"):
                if v in m:
                    got, n = recovered.get(v, (0, 0))
                    recovered[v] = (got + m[v]["recovered_e_lt_0.01"], n + m[v]["n_planted"])
    if recovered:
        lines.append("\nPlanted motifs recovered by the final 4 kernels (Tomtom E < 0.01 vs JASPAR 2016 "
                     "vertebrates), all simulated runs: " + "; ".join(f"{v} {got}/{n}" for v, (got, n) in recovered.items()))
    datasets = list(runs_by_dataset)
    variants_order = VARIANTS_ORDER
    for ds in datasets:
        runs = runs_by_dataset[ds]
        seeds = [r["seed"] for r in runs]
        auc: dict = {}
        for r in runs:
            for rec in r["records"]:
                auc.setdefault((rec["variant"], rec["kernels"]), []).append(rec["test_auc"])
        r0 = runs[0]
        lines.append(f"\n### {ds} — criterion {criterion}, seeds {seeds}, n_train {r0['n_train']}, "
                     f"n_test {r0['n_test']}, max epochs {r0['epochs']}, patience {r0['patience']}, "
                     f"{sum(r['seconds'] for r in runs) / 60:.0f} min")
        present = [v for v in variants_order if any(k[0] == v for k in auc)]
        is_zeng = ds.startswith("zeng_")
        lines.extend(_kernel_table(
            auc, present, table2 if is_zeng else None,
            lambda vals: f"{np.mean(vals):.4f}" + (f" ± {np.std(vals):.4f}" if len(vals) > 1 else "")))
        if is_zeng:
            exp = ds[len("zeng_"):]
            if exp in zeng:
                z = zeng[exp]
                lines.append(f"\nZeng et al. 2016 CNN test AUC on {exp}: 1layer {z['1layer']:.4f}, "
                             f"1layer_64motif {z['1layer_64motif']:.4f}, 1layer_128motif {z['1layer_128motif']:.4f}, "
                             f"best of 9 {max(z.values()):.4f}")
        mfiles = sorted((runs_root / ds / criterion).glob("seed*_motifs.json"))
        for mf in mfiles:
            m = json.loads(mf.read_text())
            for v in ("deepprune", "baseline"):
                if v in m:
                    s = m[v]
                    best = "; ".join(f"{name}: " + (f"{d['kernel']} E={d['e_value']:.2g}" if d else "no alignment")
                                     for name, d in s["per_planted"].items())
                    lines.append(f"\nMotifs seed {m['seed']} {v} (4 kernels): {s['recovered_e_lt_0.01']}/{s['n_planted']} "
                                 f"planted motifs matched with Tomtom E < 0.01 (vs JASPAR 2016 vertebrates) — {best}")
    text = "\n".join(lines) + "\n"
    return text


def main(argv=None):
    args = parse_args(argv)
    from keras_motifs.paths import shared_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else shared_data_dir()
    out = Path(args.out)
    tfds_dir = args.tfds_dir or str(out / "tfds")
    if args.report_only:
        print(report(out, data_dir, args.criterion))
        return 0
    seeds = PAPER_SEEDS if args.seeds == "paper" else [int(s) for s in args.seeds.split(",") if s]
    zeng_seeds = seeds if args.zeng_seeds is None else (
        PAPER_SEEDS if args.zeng_seeds == "paper" else [int(s) for s in args.zeng_seeds.split(",") if s])
    final_k = args.kernels // 2**args.rounds
    for name in [s for s in args.sets.split(",") if s]:
        data = load_sim(name, tfds_dir, args.n_train, args.n_test)
        run_dir = out / "runs" / f"sim_{name}" / args.criterion
        for seed in seeds:
            run_one(f"sim_{name}", "deepprune", data, seed, args, run_dir)
            if not args.no_motifs:
                from keras_motifs.papers.deepprune import motif_report
                from tfds_builders.deepprune_simulated import planted_motifs

                t0 = time.perf_counter()
                motif_report(name, seed, run_dir, data[2], data[3], final_k, planted=planted_motifs(name))
                log(f"sim_{name} seed {seed}: motifs in {time.perf_counter() - t0:.0f} s")
    zeng_root = data_dir / "zeng690"
    for exp in zeng_experiments(zeng_root, args.zeng) if zeng_root.exists() else []:
        data = load_zeng(exp, zeng_root, tfds_dir)
        run_dir = out / "runs" / f"zeng_{exp}" / args.criterion
        for seed in zeng_seeds:
            run_one(f"zeng_{exp}", "deepprune_chipseq", data, seed, args, run_dir)
    text = report(out, data_dir, args.criterion)
    from keras_motifs.io import atomic_open

    with atomic_open(out / f"report_{args.criterion}.md") as fh:
        fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
