#!/usr/bin/env python
"""Tomtom parity: our Tomtom (memelite + pyjaspar) on the published DanQ filter motifs vs the
published MEME-suite Tomtom output.

The DanQ repository ships ``DanQ.meme`` (320 filters) and ``DanQ_tomtom.txt``, produced by MEME
suite 4.11 Tomtom with ``-no-ssc -min-overlap 5 -dist pearson -evalue -thresh 0.01`` against
three databases at once (JASPAR 2016 CORE vertebrates, Jolma 2013, UniPROBE mouse: 1,748 motifs,
so E = p × 1,748). We run our Tomtom against JASPAR 2016 CORE vertebrates (519 motifs, pyjaspar)
and compare with the JASPAR rows (target IDs MA…) of the published table:

* filters with a JASPAR hit in both / only ours / only published;
* among filters with a hit in both, how often the best (lowest p) target is the same ID;
* (query, target) pairs in both.

Rows: distance pearson (MEME's pearson score, through memelite: see keras_motifs.interpret.tomtom)
or euclidean (MEME's "ed", memelite's own score), E-values over 519 targets (what a JASPAR-only
search reports) or over 1,748 (the published run's database size, i.e. the same p-value cut).

Then, for pearson with E over 1,748: each filter whose best JASPAR ID differs from the published
one, with the two candidates' p-values in ours and in the published table; and how many best IDs
change when other motifs are searched alongside JASPAR 2016 (``null_targets``: MEME builds the
null distributions from every database it is given, and the published run had Jolma 2013 and
UniPROBE alongside, which we do not have): JASPAR 2016 CORE of the other taxa, JASPAR 2020 CORE
vertebrate matrices whose base ID is not in JASPAR 2016, the older versions in JASPAR 2016.

    python reproductions/tomtom_parity.py --data-dir ../shared/data --out outputs/tomtom_parity
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options

MODELS = ["DanQ", "DanQ-JASPAR", "DeepSEA"]


def parse_args(argv=None):
    p = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(p, data_dir="the shared data folder (default: keras_motifs.paths.shared_data_dir())",
                   out="output folder (results.json, our Tomtom tables; default: outputs/tomtom_parity)",
                   seed=0, seed_help="unused (Tomtom is deterministic); recorded for the log", tfds_dir=False,
                   models=f"which published motif set(s), of {', '.join(MODELS)} (default: DanQ)",
                   models_default=["DanQ"], models_choices=MODELS,
                   verbosity="debug logging (-q/-v set the log level only: the tables are printed at every level)")
    p.set_defaults(out="outputs/tomtom_parity")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    from keras_motifs.interpret import jaspar_motifs
    from keras_motifs.io import write_json
    from keras_motifs.paths import shared_data_dir
    from keras_motifs.reporting.run_record import record

    data = Path(args.data_dir) if args.data_dir else shared_data_dir()
    targets = jaspar_motifs(release="JASPAR2016")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    models = list(dict.fromkeys(args.models))
    folder = data / "deepsea" / "published_filter_motifs"
    results = {m: {**parity(m, folder, targets, out), "null_sensitivity": null_sensitivity(m, folder, targets)}
               for m in models}
    run = record(vars(args), seed=args.seed, argv=_argv(argv))
    if len(models) == 1:  # one set: {"model", "rows", ...}, as before
        write_json(out / "results.json", {"model": models[0], **results[models[0]], "run": run})
    else:
        write_json(out / "results.json", {"models": [{"model": m, **results[m]} for m in models], "run": run})
    print(f"wrote {out / 'results.json'}")
    return 0


def parity(model: str, folder: Path, targets, out: Path) -> dict:
    """The rows of one published motif set (printed as a table) and, for pearson with the published
    run's E-value count, the filters whose best JASPAR ID differs; writes our Tomtom tables."""
    import numpy as np

    from keras_motifs.interpret import best_matches, read_meme, read_tomtom_table, tomtom
    from keras_motifs.interpret.report import write_table

    queries = read_meme(folder / f"{model}.meme")
    published = read_tomtom_table(folder / f"{model}_tomtom.txt")
    n_db = published["e_value"].div(published["p_value"]).median()
    published = published[published["target_id"].str.match(r"^MA\d")]

    pub_hits = set(published["query"])
    pub_best = best_matches(published).set_index("query")["target_id"]
    pub_pairs = set(zip(published["query"], published["target_id"]))
    print(f"{model}: {len(queries)} filters; published: {len(pub_hits)} filters with a JASPAR hit at E < 0.01 "
          f"(E over ~{n_db:.0f} motifs), {len(pub_pairs)} pairs")
    header = f"{'distance':<10}{'E over':>7}{'ours':>6}{'both':>6}{'ours only':>10}{'pub only':>9}{'same best':>10}{'pairs both':>11}{'time s':>8}"
    print(header)
    rows, mismatches = [], []
    for distance in ("pearson", "euclidean"):
        for n_e in (len(targets), int(round(n_db))):
            t0 = time.perf_counter()
            ours = tomtom(queries, targets, distance=distance, min_overlap=5, evalue_threshold=0.01, n_targets_evalue=n_e)
            dt = time.perf_counter() - t0
            write_table(out / f"{model}_tomtom_{distance}_E{n_e}.tsv", ours)
            hits = set(ours["query"])
            both = hits & pub_hits
            best = best_matches(ours).set_index("query")["target_id"]
            same = sum(best[q] == pub_best[q] for q in both)
            pairs = set(zip(ours["query"], ours["target_id"]))
            row = {"distance": distance, "evalue_over": n_e, "ours": len(hits), "published": len(pub_hits),
                   "both": len(both), "ours_only": len(hits - pub_hits), "published_only": len(pub_hits - hits),
                   "same_best": same, "pairs_ours": len(pairs), "pairs_published": len(pub_pairs),
                   "pairs_both": len(pairs & pub_pairs), "seconds": round(dt, 2)}
            rows.append(row)
            print(f"{distance:<10}{n_e:>7}{len(hits):>6}{len(both):>6}{len(hits - pub_hits):>10}"
                  f"{len(pub_hits - hits):>9}{same:>10}{len(pairs & pub_pairs):>11}{dt:>8.1f}")
            if distance == "pearson" and n_e == int(round(n_db)):
                mismatches = _mismatches(ours, published, best, pub_best, both, queries)
    every = tomtom(queries, targets, distance="pearson", min_overlap=5, evalue_threshold=None)
    p_ours = dict(zip(zip(every["query"], every["target_id"]), every["p_value"]))
    d = np.array([np.log10(p_ours[k] / p) for k, p in zip(zip(published["query"], published["target_id"]),
                                                          published["p_value"]) if k in p_ours])
    agreement = {"pairs": len(d), "median_abs_log10_ratio": float(np.median(np.abs(d))),
                 "p90_abs_log10_ratio": float(np.quantile(np.abs(d), 0.9)), "mean_log10_ratio": float(d.mean())}
    print(f"{model}, pearson: p-values of the {len(d)} published pairs, ours / published: median |log10 ratio| "
          f"{agreement['median_abs_log10_ratio']:.2f}, 90th percentile {agreement['p90_abs_log10_ratio']:.2f}, "
          f"mean log10 ratio {agreement['mean_log10_ratio']:+.2f}")
    print(f"{model}, pearson, E over {int(round(n_db))}: filters whose best JASPAR ID differs (p-values: ours / published)")
    print(f"{'filter':<7}{'our best':<26}{'ours':>10}{'pub':>10}  {'published best':<26}{'ours':>10}{'pub':>10}{'pub ratio':>10}")
    for r in mismatches:
        print(f"{r['filter']:<7}{r['ours_best'] + ' ' + r['ours_best_name']:<26}{_g(r['ours_best_p_ours'])}"
              f"{_g(r['ours_best_p_published'])}  {r['published_best'] + ' ' + r['published_best_name']:<26}"
              f"{_g(r['published_best_p_ours'])}{_g(r['published_best_p_published'])}{r['published_ratio']:>10.2f}")
    return {"rows": rows, "p_value_agreement": agreement, "mismatches": mismatches}


def _g(x) -> str:
    return f"{'-':>10}" if math.isnan(x) else f"{x:>10.2e}"


def _mismatches(ours, published, best, pub_best, both, queries) -> list[dict]:
    """Per filter whose best ID differs: the two candidates' p-values in ours and in the published
    table (NaN where a table lacks the pair), and published p(our best) / p(published best)."""
    names = dict(zip(ours["target_id"], ours["target_name"]))
    p_ours = {(q, t): p for q, t, p in zip(ours["query"], ours["target_id"], ours["p_value"])}
    p_pub = {(q, t): p for q, t, p in zip(published["query"], published["target_id"], published["p_value"])}
    order = {m.name: k for k, m in enumerate(queries)}
    out = []
    for q in sorted(both, key=order.get):
        a, b = best[q], pub_best[q]
        if a == b:
            continue
        nan = float("nan")
        row = {"filter": q, "ours_best": a, "ours_best_name": names.get(a, ""), "published_best": b,
               "published_best_name": names.get(b, ""),
               "ours_best_p_ours": float(p_ours.get((q, a), nan)), "ours_best_p_published": float(p_pub.get((q, a), nan)),
               "published_best_p_ours": float(p_ours.get((q, b), nan)),
               "published_best_p_published": float(p_pub.get((q, b), nan))}
        row["published_ratio"] = row["ours_best_p_published"] / row["published_best_p_published"]
        out.append(row)
    return out


def null_sensitivity(model: str, folder: Path, targets) -> list[dict]:
    """Same-best counts (pearson, E over the published count) when other motif sets are searched
    alongside JASPAR 2016 CORE vertebrates, and how many best IDs change against JASPAR alone."""
    from keras_motifs.interpret import best_matches, jaspar_motifs, read_meme, read_tomtom_table, tomtom

    queries = read_meme(folder / f"{model}.meme")
    published = read_tomtom_table(folder / f"{model}_tomtom.txt")
    n_db = int(round(published["e_value"].div(published["p_value"]).median()))
    published = published[published["target_id"].str.match(r"^MA\d")]
    pub_best = best_matches(published).set_index("query")["target_id"]
    ids = {m.name for m in targets}
    bases = {m.name.split(".")[0] for m in targets}
    other_taxa = jaspar_motifs(tax_group=["insects", "nematodes", "plants", "fungi", "urochordates"])
    new_2020 = [m for m in jaspar_motifs(release="JASPAR2020") if m.name.split(".")[0] not in bases]
    old_versions = [m for m in jaspar_motifs(all_versions=True) if m.name not in ids]
    sets = [("JASPAR 2016 vertebrates alone", []), ("+ JASPAR 2016 other taxa", other_taxa),
            ("+ JASPAR 2020 new vertebrate IDs", new_2020), ("+ JASPAR 2016 older versions", old_versions),
            ("+ other taxa + 2020 new IDs", other_taxa + new_2020)]
    print(f"{model}, pearson, E over {n_db}: other motifs in the null (reported: JASPAR 2016 vertebrates only)")
    print(f"{'searched together':<36}{'motifs':>7}{'hits':>6}{'both':>6}{'same best':>10}{'changed':>9}")
    rows, alone = [], None
    for name, extra in sets:
        ours = tomtom(queries, targets, null_targets=extra or None, min_overlap=5, evalue_threshold=0.01,
                      n_targets_evalue=n_db)
        best = best_matches(ours).set_index("query")["target_id"]
        alone = best if alone is None else alone
        both = set(best.index) & set(pub_best.index)
        same = sum(best[q] == pub_best[q] for q in both)
        common = set(best.index) & set(alone.index)
        changed = sum(best[q] != alone[q] for q in common)
        rows.append({"searched_together": name, "n_motifs": len(targets) + len(extra), "hits": len(best),
                     "both": len(both), "same_best": same, "changed_vs_alone": changed, "common_with_alone": len(common)})
        print(f"{name:<36}{len(targets) + len(extra):>7}{len(best):>6}{len(both):>6}{same:>10}{changed:>9}")
    return rows


def _argv(argv):
    return None if argv is None else [sys.argv[0]] + list(argv)


if __name__ == "__main__":
    from keras_motifs.cli import run_script

    sys.exit(run_script(main))
