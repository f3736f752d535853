"""The Deepprune paper's protocol (Luo, Chi & Deng 2019) and its tables.

:func:`prune_and_compare`: for one data set and seed, the 256-kernel base CNN, then ``rounds``
rounds of prune (median rule, ``criterion``) + fine-tune at lr 0.01/1.2**i (256 -> 128 -> ... -> 4
kernels) with the comparison variants at each kernel count (Deepprune-inter, baseline at lr 0.01,
baseline at the decayed lr, optional lottery-ticket reinit), each model's test ROC AUC
(:func:`keras_motifs.pruning.run_deepprune`). :func:`report` turns the finished runs of a
reproduction folder into the paper's tables (:func:`pooled_summary`, per data set
:func:`_kernel_table`), next to the published ones (:func:`load_published`).

Data are arrays handed in by ``reproductions/deepprune.py`` (no dataset import here).

:func:`motif_report` is the paper's motif analysis ("Model Visualization"): the final kernels of
Deepprune and of the baseline as DeepBind-rule motifs over the test positives, drawn as logos,
compared by Tomtom with all JASPAR 2016 vertebrate motifs and read off at the planted motifs
(recovered at E < 0.01) — :func:`keras_motifs.interpret.analyse_filters` with
``keras_motifs.models.deepprune.MOTIF_PROTOCOL`` (what ``keras-motifs motifs --protocol deepprune``
runs), the planted motifs as its ground truth.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from ..models.deepprune import MOTIF_PROTOCOL

PAPER_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 100, 123, 1000, 1234, 10000, 12345, 100000, 123456, 1000000]


def prune_and_compare(dataset: str, preset: str, data, seed: int, *, criterion: str, variants: list[str],
                      kernels: int, rounds: int, epochs: int, patience: int, baseline_max_kernels: int = 0,
                      jit_compile: bool = False, models_dir=None, log=print) -> dict:
    """One run of the protocol on ``data`` = (x_train, y_train, x_test, y_test) (one-hot, 0/1).

    The final models (after ``rounds`` rounds) of deepprune, baseline, baseline_decay and reinit are
    saved under ``models_dir`` as ``<variant>_<kernels>k.keras``. Returns the run: its settings,
    the seconds it took and ``records`` (one per variant and kernel count, with ``test_auc``).
    """
    from ..io import save_model
    from ..metrics import per_target_auc, predict_arrays
    from ..models.deepprune import Deepprune
    from ..pruning import PruningSchedule, run_deepprune

    xtr, ytr, xte, yte = data
    schedule = PruningSchedule(kernels=kernels, rounds=rounds)
    fit_cfg = {"epochs": epochs, "early_stopping_patience": patience, "jit_compile": bool(jit_compile)}

    def build(kernels, with_mask):
        return Deepprune(preset, kernels=kernels, with_mask=with_mask, sequence_length=xtr.shape[1])

    def evaluate(model):
        p = predict_arrays(model, xte, 1024)[:, 0]
        return {"test_auc": float(per_target_auc(yte, p)["roc_auc"][0])}

    def on_model(variant, round_, model):
        if models_dir is not None and round_ == rounds and variant in ("deepprune", "baseline", "baseline_decay", "reinit"):
            save_model(model, Path(models_dir) / f"{variant}_{int(schedule.nominal_kernels(round_))}k.keras")

    t0 = time.perf_counter()
    log(f"{dataset} seed {seed}: train {xtr.shape} test {xte.shape}, variants {variants}")
    records = run_deepprune(
        build, xtr, ytr, schedule, criterion, variants=variants, fit_cfg=fit_cfg,
        evaluate=evaluate, on_model=on_model, seed=seed, log=lambda m: log(f"  {dataset} s{seed} {m}"),
        baseline_max_kernels=baseline_max_kernels or None,
    )
    return {
        "dataset": dataset, "preset": preset, "seed": seed, "criterion": criterion,
        "n_train": int(len(ytr)), "n_test": int(len(yte)), "kernels": kernels, "rounds": rounds,
        "epochs": epochs, "patience": patience, "variants": variants,
        "baseline_max_kernels": baseline_max_kernels, "jit_compile": bool(jit_compile),
        "seconds": time.perf_counter() - t0,
        "records": records,
    }


# ------------------------------------------------------------------ report
def load_published(data_dir: Path):
    """The paper's Table 2 (690-set means per kernel count) and Zeng et al. 2016's CNN AUCs, from
    ``<data_dir>/published``: ({kernels: (deepprune, baseline)}, {experiment: {model: AUC}})."""
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


def report(out: Path, data_dir: Path, criterion: str, runs_root: Path | None = None) -> str:
    """Markdown tables of every finished run under ``runs_root`` (default ``<out>/runs``; and
    their motif summaries)."""
    table2, zeng = load_published(data_dir)
    lines = []
    runs_root = Path(runs_root) if runs_root is not None else Path(out) / "runs"
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


def motif_report(set_name: str, seed: int, run_dir: "str | os.PathLike", xte: np.ndarray, yte: np.ndarray,
                 rounds_kernels: int, planted: Sequence[tuple[str, str, np.ndarray]]) -> dict:
    """Motifs of ``<run_dir>/seed<seed>_models/{deepprune,baseline}_<rounds_kernels>k.keras``.

    ``xte``: one-hot test sequences (N, L, 4) A,C,G,T; ``yte``: their 0/1 labels (N,) (the
    positives are aligned); ``planted``: ``[(JASPAR ID, name, PPM (W, 4)), ...]`` of the data set
    (``tfds_builders.deepprune_simulated.planted_motifs``). Writes per variant the logo grid
    (``seed<seed>_<variant>_<k>k_logos.png``), the Tomtom table of every pair
    (``seed<seed>_<variant>_tomtom.tsv``), a logo beside each planted motif recovered at E < 0.01
    (``seed<seed>_<variant>_<name>_match.png``) and the summary ``seed<seed>_motifs.json``
    (returned; read back when it exists).
    """
    import keras

    from ..interpret import Motif, MotifProtocol, analyse_filters, save_logo_grid, save_logo_with_match
    from ..io import write_json

    run_dir = Path(run_dir)
    out_path = run_dir / f"seed{seed}_motifs.json"
    if out_path.exists():
        return json.loads(out_path.read_text())
    planted = [Motif(mid, pfm, alt=name) for mid, name, pfm in planted]
    protocol = MotifProtocol.from_dict(dict(MOTIF_PROTOCOL, name="deepprune"))
    models_dir = run_dir / f"seed{seed}_models"
    pos = xte[yte == 1]
    summary = {"set": set_name, "seed": seed, "planted": [f"{m.name} {m.alt}" for m in planted]}
    for variant in ("deepprune", "baseline"):
        path = models_dir / f"{variant}_{rounds_kernels}k.keras"
        if not path.exists():
            continue
        model = keras.models.load_model(path, safe_mode=True)
        # against all of JASPAR 2016 CORE vertebrates (519 motifs, the planted ones included), so that
        # p-values have a proper background; then read off the rows of the planted motifs
        analysis = analyse_filters(
            model, pos, protocol, run_dir, name_prefix=f"{variant}_k", table_float_format=None,
            ground_truth={f"{m.name} {m.alt}": [m.name] for m in planted},
            files={"tomtom": f"seed{seed}_{variant}_tomtom.tsv"})
        motifs = analysis.motifs
        ic = analysis.filters.information_content()
        save_logo_grid(run_dir / f"seed{seed}_{variant}_{rounds_kernels}k_logos.png", motifs, ncols=4,
                       titles=[f"{m.name} IC {ic[i]:.1f}" for i, m in enumerate(motifs)])
        table = analysis.table  # every pair
        per_planted = {}
        for m in planted:
            rows = table[table["target_id"] == m.name]
            if len(rows):
                best = rows.sort_values("p_value").iloc[0]
                per_planted[f"{m.name} {m.alt}"] = {"kernel": best["query"], "p_value": float(best["p_value"]),
                                                    "e_value": float(best["e_value"])}
                if best[protocol.threshold_on] < protocol.threshold:
                    q = next(mm for mm in motifs if mm.name == best["query"])
                    save_logo_with_match(run_dir / f"seed{seed}_{variant}_{m.alt}_match.png", q, m,
                                         offset=int(best["offset"]), orientation=best["orientation"],
                                         title=f"E = {best['e_value']:.2g}")
            else:
                per_planted[f"{m.name} {m.alt}"] = None
        best_hits = table.sort_values("p_value").groupby("query", sort=False).head(1)
        top = {r["query"]: f"{r['target_id']} {r['target_name']} E={r['e_value']:.2g}" for _, r in best_hits.iterrows()}
        summary[variant] = {"kernel_ic": [float(v) for v in ic], "per_planted": per_planted, "best_jaspar_hit": top,
                            "recovered_e_lt_0.01": analysis.summary["n_covered"], "n_planted": len(planted)}
    write_json(out_path, summary)
    return summary
