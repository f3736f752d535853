#!/usr/bin/env python
"""Reproduce iDeepS (Pan et al. 2018, Table 2): train and test on the iONMF RBP CLIP-seq sets.

    nice -n 19 python reproductions/ideeps.py --data_dir ../shared/data/rbp31 --out runs/ideeps

For every experiment folder present in ``--data_dir`` (or those picked with ``--experiments``),
every preset (``--presets``, default the full model) and every seed: prepare the ``rbp_clip``
TFDS config (folds all 40,000 sequences once; cached by sequence in ``<out>/structures.sqlite``),
train on the original split (validation = the first 20 % of each class), predict the test file,
and write ``<out>/results/<config>/<preset>_seed<seed>[tag].json``. A result file that exists
is not computed again, so an interrupted run resumes at the next experiment. At the end (or with
``--report_only``) it prints per-experiment test AUC next to the paper's Table 2 (iDeepS,
DeepBind, GraphProt), the means, how many experiments are above / below / equal to the paper
(at its three decimals), and the means of every preset run (the ablations), and writes
``<out>/table.md``.

Reduced budgets for smoke runs: ``--epochs``, ``--max_train`` (training examples; validation
is cut to a quarter of it), ``--max_test``; their results get a tag (``_ep2_n2000_t1000``) so they
never mix with full-budget ones.

``--motifs`` also writes, for the full model, the sequence and structure motifs of both
convolutions with the iDeepS rule (MEME files in ACGU / FTIHMS, logo grids) and Tomtom of the
sequence motifs against Ray et al. 2013 RNAcompete motifs (``--ray2013``), as the paper's Fig. 3;
the report then adds, per experiment, the best match and the rank of the protein's own motif.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


ALL_PRESETS = ("ideeps", "ideeps_cnn", "ideeps_seq_blstm", "ideeps_seq_cnn")


def parse_args(argv=None):
    from keras_motifs.paths import shared_data_dir

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data_dir", default=str(shared_data_dir("rbp31")),
                   help="folder holding the iONMF <N>_<name>/30000/... experiment folders (default: shared rbp31)")
    p.add_argument("--out", default="runs/ideeps", help="output folder (default: runs/ideeps)")
    p.add_argument("--tfds_dir", default=None, help="TFDS data_dir (default: <out>/tfds)")
    p.add_argument("--structure_cache", default=None, help="SQLite structure cache (default: <out>/structures.sqlite)")
    p.add_argument("--experiments", default=None,
                   help="comma-separated experiment numbers, e.g. 23,24 (default: every one present in --data_dir)")
    p.add_argument("--presets", default="ideeps",
                   help=f"comma-separated presets, or 'all' = {','.join(ALL_PRESETS)} (default: ideeps)")
    p.add_argument("--seeds", default="1", help="comma-separated seeds (default: 1)")
    p.add_argument("--jobs", type=int, default=1, help="folding processes (default 1)")
    p.add_argument("--layout", default="centered", choices=["centered", "published"],
                   help="one-hot padding layout (see keras_motifs.models.ideeps.encoding)")
    p.add_argument("--epochs", type=int, default=None, help="maximum epochs (default: the preset's 30)")
    p.add_argument("--patience", type=int, default=None, help="early-stopping patience (default: the preset's 5)")
    p.add_argument("--restore_best", action="store_true",
                   help="evaluate the best-validation-loss weights (the original used the last epoch's)")
    p.add_argument("--max_train", type=int, default=None, help="use N random training examples (smoke runs)")
    p.add_argument("--max_test", type=int, default=None, help="use N random test examples (smoke runs)")
    p.add_argument("--motifs", action="store_true", help="write motifs, logos and Tomtom for the full model")
    p.add_argument("--ray2013", default=str(shared_data_dir("motifs", "Ray2013_rbp_RNA.meme")),
                   help="RNAcompete motifs (MEME) for Tomtom")
    p.add_argument("--published", default=str(shared_data_dir("published", "ideeps_table2_auc.tsv")),
                   help="iDeepS Table 2 (TSV)")
    p.add_argument("--report_only", action="store_true", help="only print the table of existing results")
    p.add_argument("--verbose", type=int, default=0, choices=[0, 1, 2], help="Keras fit verbosity")
    return p.parse_args(argv)


def budget_tag(args) -> str:
    tag = ""
    if args.epochs is not None:
        tag += f"_ep{args.epochs}"
    if args.patience is not None:
        tag += f"_pat{args.patience}"
    if args.max_train is not None:
        tag += f"_n{args.max_train}"
    if args.max_test is not None:
        tag += f"_t{args.max_test}"
    if args.layout != "centered":
        tag += f"_{args.layout}"
    if args.restore_best:
        tag += "_best"
    return tag


def read_published(path) -> dict[int, dict]:
    out = {}
    if not path or not Path(path).exists():
        return out
    lines = Path(path).read_text().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        if line.strip():
            row = dict(zip(header, line.split("\t")))
            out[int(row["index"])] = row
    return out


def load_split(builder, split: str):
    """(sequences, contexts, labels) of a split in file order."""
    import numpy as np
    import tensorflow_datasets as tfds

    d = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
    order = np.argsort(d["index"], kind="stable")
    seqs = [d["sequence"][i].decode() for i in order]
    ctx = [d["structure"][i].decode() for i in order]
    return seqs, ctx, d["label"][order].astype("int64")


def subsample(rng, n_keep, *arrays):
    import numpy as np

    n = len(arrays[0])
    if n_keep is None or n_keep >= n:
        return arrays
    keep = np.sort(rng.choice(n, n_keep, replace=False))
    return tuple([a[i] for i in keep] if isinstance(a, list) else a[keep] for a in arrays)


def run_one(args, cfg, preset: str, seed: int, data, result_path: Path, published: dict, prep_seconds: float):
    import numpy as np

    from keras_motifs.io import write_json
    from keras_motifs.metrics import per_target_auc
    from keras_motifs.papers.ideeps import fit, make_inputs, predict_bound, write_motifs
    from keras_motifs.reporting.machine import describe_machine

    (tr_s, tr_c, tr_y), (va_s, va_c, va_y), (te_s, te_c, te_y) = data
    rng = np.random.default_rng(seed)
    tr_s, tr_c, tr_y = subsample(rng, args.max_train, tr_s, tr_c, tr_y)
    va_s, va_c, va_y = subsample(rng, None if args.max_train is None else max(1, args.max_train // 4), va_s, va_c, va_y)
    te_s, te_c, te_y = subsample(rng, args.max_test, te_s, te_c, te_y)
    x_tr = make_inputs(tr_s, tr_c, preset, args.layout)
    x_va = make_inputs(va_s, va_c, preset, args.layout)
    x_te = make_inputs(te_s, te_c, preset, args.layout)
    work = Path(args.out) / "train" / cfg.name / result_path.stem
    start = time.perf_counter()
    model, res = fit(
        preset, (x_tr, tr_y), (x_va, va_y), work, seed=seed, epochs=args.epochs,
        early_stopping_patience=args.patience, restore_best=args.restore_best, verbose=args.verbose,
    )
    p = predict_bound(model, x_te)
    auc = float(per_target_auc(te_y, p)["roc_auc"][0])
    seconds = time.perf_counter() - start
    paper = published.get(cfg.index, {})
    result = {
        "experiment": cfg.index, "config": cfg.name, "folder": cfg.folder, "protein": cfg.protein,
        "preset": preset, "seed": seed, "layout": args.layout, "tag": budget_tag(args),
        "test_auc": auc,
        "paper": {k: float(paper[k]) for k in ("iDeepS", "DeepBind", "GraphProt") if k in paper},
        "n_train": len(tr_y), "n_validation": len(va_y), "n_test": len(te_y),
        "n_train_bound": int(np.sum(tr_y)), "n_test_bound": int(np.sum(te_y)),
        "epochs_run": res.epochs_run, "weights": res.extra.get("weights"),
        "val_loss": [float(v) for v in res.history.get("val_loss", [])],
        "train_seconds": round(seconds, 1), "prepare_seconds": round(prep_seconds, 1),
        "params": int(model.count_params()),
        "machine": describe_machine(), "python": platform.python_version(),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]) if sys.argv else "",
    }
    if args.motifs and preset == "ideeps":
        result["motifs"] = write_motifs(model, x_te, te_s, te_c, Path(args.out) / "motifs" / cfg.name, args.ray2013)
    write_json(result_path, result)
    return result


def collect(out: Path, tag: str) -> list[dict]:
    rows = []
    for f in sorted((out / "results").glob(f"*/*_seed*{tag}.json")):
        r = json.loads(f.read_text())
        if r.get("tag", "") == tag:
            rows.append(r)
    return rows


def _mean_field(rows: list[dict], key: str) -> str:
    """Mean of ``key`` over result rows, as a whole number ('' when no row has it)."""
    vals = [float(r[key]) for r in rows if r.get(key) is not None]
    return f"{sum(vals) / len(vals):.0f}" if vals else ""


def _at_papers_precision(diff: float) -> float:
    """A difference rounded to the paper's three decimals (+ 0.0 turns -0.0 into 0.0)."""
    return round(float(diff), 3) + 0.0


def report(rows: list[dict], published: dict, presets: list[str]) -> str:
    import numpy as np

    lines = []
    by = {}
    for r in rows:
        by.setdefault((r["preset"], r["experiment"]), []).append(r)
    main = "ideeps" if any(p == "ideeps" for p, _ in by) else (presets[0] if presets else None)
    exps = sorted({e for p, e in by if p == main})
    if not exps:
        return "no results yet\n"
    lines.append(f"| # | protein | ours ({main}) | seeds | paper iDeepS | paper DeepBind | paper GraphProt | ours − paper "
                 "| epochs | train s | prepare s |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    ours, paper_i, above, below, equal = [], [], 0, 0, 0
    for e in exps:
        rs = by[(main, e)]
        aucs = [r["test_auc"] for r in rs]
        m = float(np.mean(aucs))
        pub = published.get(e, {})
        pi = float(pub["iDeepS"]) if "iDeepS" in pub else float("nan")
        diff = _at_papers_precision(m - pi)
        ours.append(m)
        paper_i.append(pi)
        above += diff > 0
        below += diff < 0
        equal += diff == 0
        sd = f" ± {np.std(aucs):.3f}" if len(aucs) > 1 else ""
        lines.append(
            f"| {e} | {rs[0]['protein']} | {m:.3f}{sd} | {len(aucs)} | {pub.get('iDeepS', '')} | {pub.get('DeepBind', '')} | "
            f"{pub.get('GraphProt', '')} | {diff:+.3f} | {_mean_field(rs, 'epochs_run')} | "
            f"{_mean_field(rs, 'train_seconds')} | {_mean_field(rs, 'prepare_seconds')} |"
        )
    def mean_of(col):
        vals = [float(published[e][col]) for e in exps if e in published and col in published[e]]
        return f"{np.mean(vals):.3f}" if vals else ""
    lines.append(f"| | **mean ({len(exps)} exps)** | **{np.mean(ours):.3f}** | | {mean_of('iDeepS')} | {mean_of('DeepBind')} | "
                 f"{mean_of('GraphProt')} | {_at_papers_precision(np.mean(ours) - np.nanmean(paper_i)):+.3f} | | | |")
    lines.append("")
    lines.append("epochs: epochs run before early stopping (mean over seeds); train s: wall-clock training "
                 "seconds; prepare s: building the TFDS config, folding included (0 when every structure "
                 "came from the SQLite cache).")
    lines.append("")
    lines.append(f"Experiments above the paper's iDeepS AUC: {above}; below: {below}; equal at three decimals: "
                 f"{equal} (of {len(exps)}).")
    others = sorted({p for p, _ in by} - {main})
    if others:
        lines.append("")
        lines.append("| preset | experiments | mean AUC | mean AUC of ideeps on the same experiments |")
        lines.append("|---|---|---|---|")
        for p in [main] + others:
            es = sorted(e for q, e in by if q == p)
            m = np.mean([np.mean([r["test_auc"] for r in by[(p, e)]]) for e in es])
            same = [np.mean([r["test_auc"] for r in by[(main, e)]]) for e in es if (main, e) in by]
            lines.append(f"| {p} | {len(es)} | {m:.3f} | {np.mean(same):.3f} |" if same else f"| {p} | {len(es)} | {m:.3f} | |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = parse_args(argv)
    import tensorflow_datasets as tfds

    tfds.disable_progress_bar()
    from keras_motifs.io import atomic_open
    from tfds_builders.rbp_clip import rbp_clip_dataset_builder as rb

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    presets = list(ALL_PRESETS) if args.presets == "all" else [p.strip() for p in args.presets.split(",") if p.strip()]
    for p in presets:
        if p not in ALL_PRESETS:
            raise SystemExit(f"unknown preset {p!r}; choose from {ALL_PRESETS}")
    seeds = [int(s) for s in args.seeds.split(",")]
    published = read_published(args.published)
    tag = budget_tag(args)

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
            todo = [(p, s, out / "results" / cfg.name / f"{p}_seed{s}{tag}.json") for p in presets for s in seeds]
            todo = [t for t in todo if not t[2].exists()]
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
            for preset, seed, path in todo:
                r = run_one(args, cfg, preset, seed, data, path, published, prep)
                print(f"[{cfg.name}] {preset} seed {seed}: test AUC {r['test_auc']:.4f} (paper {r['paper'].get('iDeepS', 'NA')}), "
                      f"{r['epochs_run']} epochs, {r['train_seconds']:.0f} s", flush=True)

    from keras_motifs.papers.ideeps import motif_report

    rows = collect(out, tag)
    table = report(rows, published, presets)
    motifs = motif_report(out, rows)
    if motifs:
        table += "\nSequence motifs against Ray 2013 (Tomtom, Pearson, p < 0.05, + strand):\n\n" + motifs
    print(table)
    with atomic_open(out / f"table{tag}.md", "w") as fh:
        fh.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
