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

    python reproductions/tomtom_parity.py --data-dir ../shared/data --out outputs/tomtom_parity
"""

from __future__ import annotations

import argparse
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
    results = {m: parity(m, data / "deepsea" / "published_filter_motifs", targets, out) for m in models}
    run = record(vars(args), seed=args.seed, argv=_argv(argv))
    if len(models) == 1:  # one set: {"model", "rows"}, as before
        write_json(out / "results.json", {"model": models[0], "rows": results[models[0]], "run": run})
    else:
        write_json(out / "results.json", {"models": [{"model": m, "rows": results[m]} for m in models], "run": run})
    print(f"wrote {out / 'results.json'}")
    return 0


def parity(model: str, folder: Path, targets, out: Path) -> list[dict]:
    """The rows of one published motif set (printed as a table); writes our Tomtom tables."""
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
    rows = []
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
    return rows


def _argv(argv):
    return None if argv is None else [sys.argv[0]] + list(argv)


if __name__ == "__main__":
    sys.exit(main())
