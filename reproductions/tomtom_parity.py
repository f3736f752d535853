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

Rows: distance pearson (emulated, see keras_motifs.interpret.tomtom) or euclidean (memelite's
own), E-values over 519 targets (what a JASPAR-only search reports) or over 1,748 (the
published run's database size, i.e. the same p-value cut).

    python reproductions/tomtom_parity.py --data_dir ../shared/data --out outputs/tomtom_parity
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data_dir", default=None, help="the shared data folder (default: keras_motifs.paths.shared_data_dir())")
    p.add_argument("--model", default="DanQ", choices=["DanQ", "DanQ-JASPAR", "DeepSEA"], help="which published motif set")
    p.add_argument("--out", default="outputs/tomtom_parity", help="output folder (results.json, our Tomtom tables)")
    p.add_argument("--seed", type=int, default=0, help="unused (Tomtom is deterministic); recorded for the log")
    args = p.parse_args(argv)

    from keras_motifs.interpret import best_matches, jaspar_motifs, read_meme, read_tomtom_table, tomtom
    from keras_motifs.interpret.report import write_table
    from keras_motifs.io import write_json
    from keras_motifs.paths import shared_data_dir
    from keras_motifs.reporting.run_record import record

    data = Path(args.data_dir) if args.data_dir else shared_data_dir()
    folder = data / "deepsea" / "published_filter_motifs"
    queries = read_meme(folder / f"{args.model}.meme")
    published = read_tomtom_table(folder / f"{args.model}_tomtom.txt")
    n_db = published["e_value"].div(published["p_value"]).median()
    published = published[published["target_id"].str.match(r"^MA\d")]
    targets = jaspar_motifs(release="JASPAR2016")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    pub_hits = set(published["query"])
    pub_best = best_matches(published).set_index("query")["target_id"]
    pub_pairs = set(zip(published["query"], published["target_id"]))
    print(f"{args.model}: {len(queries)} filters; published: {len(pub_hits)} filters with a JASPAR hit at E < 0.01 "
          f"(E over ~{n_db:.0f} motifs), {len(pub_pairs)} pairs")
    header = f"{'distance':<10}{'E over':>7}{'ours':>6}{'both':>6}{'ours only':>10}{'pub only':>9}{'same best':>10}{'pairs both':>11}{'time s':>8}"
    print(header)
    rows = []
    for distance in ("pearson", "euclidean"):
        for n_e in (len(targets), int(round(n_db))):
            t0 = time.perf_counter()
            ours = tomtom(queries, targets, distance=distance, min_overlap=5, evalue_threshold=0.01, n_targets_evalue=n_e)
            dt = time.perf_counter() - t0
            write_table(out / f"{args.model}_tomtom_{distance}_E{n_e}.tsv", ours)
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
    write_json(out / "results.json", {"model": args.model, "rows": rows,
                                      "run": record(vars(args), seed=args.seed, argv=_argv(argv))})
    print(f"wrote {out / 'results.json'}")
    return 0


def _argv(argv):
    return None if argv is None else [sys.argv[0]] + list(argv)


if __name__ == "__main__":
    sys.exit(main())
