"""Benchmark: score N random sequences with all 927 pretrained DeepBind models.

Ours (``keras_motifs.deepbind.Scorer``) and, when its path is given, the original C ``deepbind``
executable (v0.11; not part of this repository — it finds its models in ``<exe dir>/db/``), on
the same sequences; reports wall times and, with the original, the largest score difference.

    nice -n 19 python benchmarks/deepbind_pretrained.py --n-seqs 1000 --length 101 \
        [--original /path/to/deepbind] [--original-n-seqs 1000] [--out results.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def main(argv=None) -> int:
    ap = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common_options(ap, out="write the results as JSON here", seed=0, seed_help="seed of the random sequences (default: 0)",
                   tfds_dir=False, verbosity="debug logging; -q hides the periodic scoring progress lines")
    ap.add_argument("--db", default=None, help="folder with db.tsv and params/ (default: shared data)")
    ap.add_argument("--n-seqs", type=int, default=1000)
    ap.add_argument("--length", type=int, default=101)
    ap.add_argument("--n-models", type=int, default=0, help="use only the first N models (0 = all)")
    ap.add_argument("--models", dest="n_models", type=int, help=argparse.SUPPRESS)  # the old name of --n-models
    ap.add_argument("--original", default=None, help="path of the original deepbind executable (optional)")
    ap.add_argument("--original-n-seqs", type=int, default=None,
                    help="score only the first N sequences with the original (default: all)")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    from keras_motifs.deepbind import Database, Scorer
    from keras_motifs.io import write_json

    rng = np.random.default_rng(args.seed)
    seqs = ["".join(rng.choice(list("ACGT"), args.length)) for _ in range(args.n_seqs)]
    db = Database(args.db)
    ids = db.available_ids()
    if args.n_models:
        ids = ids[: args.n_models]

    t0 = time.perf_counter()
    params = [db.params(i) for i in ids]
    t_parse = time.perf_counter() - t0
    # Single-strand models first: the original reverse-complements the sequence in place for each
    # reverse-complement model and never undoes it, so a single-strand model listed after an odd
    # number of them would score the reverse complement (see keras_motifs/commands/deepbind.py).
    order = sorted(range(len(ids)), key=lambda i: (params[i].reverse_complement, ids[i]))
    ids = [ids[i] for i in order]
    params = [params[i] for i in order]
    t0 = time.perf_counter()
    scorer = Scorer(params)
    scorer.score(seqs[:1])  # build and trace every group
    t_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    ours = scorer.score(seqs)
    t_score, c_score = time.perf_counter() - t0, time.process_time() - c0
    result = {
        "n_seqs": args.n_seqs, "length": args.length, "n_models": len(ids), "seed": args.seed,
        "ours": {"parse_s": t_parse, "build_and_trace_s": t_build, "score_s": t_score,
                 "total_s": t_parse + t_build + t_score, "seq_per_s": args.n_seqs / t_score,
                 "score_cpu_s": c_score},
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
    }
    print(f"ours: {len(ids)} models x {args.n_seqs} sequences of {args.length} nt: parse {t_parse:.1f} s, "
          f"build+trace {t_build:.1f} s, score {t_score:.1f} s wall / {c_score:.1f} s CPU "
          f"({args.n_seqs / t_score:.2f} seq/s)")

    if args.original:
        n = args.original_n_seqs or args.n_seqs
        with tempfile.TemporaryDirectory() as tmp:
            ids_file = os.path.join(tmp, "all.ids")
            with open(ids_file, "w") as fh:
                fh.write("\n".join(ids) + "\n")
            t0 = time.perf_counter()
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            proc = subprocess.run([args.original, ids_file], input="\n".join(seqs[:n]) + "\n",
                                  capture_output=True, text=True)
            t_orig = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            c_orig = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"the original executable failed with exit code {proc.returncode}")
        lines = proc.stdout.splitlines()
        if lines[0].split("\t") != ids:
            raise SystemExit("the original's header does not list the requested IDs")
        theirs = np.array([[float(v) for v in line.split("\t")] for line in lines[1:]])
        diff = np.abs(theirs - ours[:n])
        result["original"] = {"n_seqs": n, "total_s": t_orig, "seq_per_s": n / t_orig, "cpu_s": c_orig,
                              "max_abs_diff": float(diff.max()), "n_diff_over_1e-5": int((diff > 1e-5).sum())}
        ours_equiv = t_parse + t_build + t_score * n / args.n_seqs
        print(f"original: {n} sequences in {t_orig:.1f} s wall / {c_orig:.1f} s CPU ({n / t_orig:.3f} seq/s); "
              f"CPU per sequence: original {c_orig / n:.2f} s, ours {c_score / args.n_seqs:.3f} s; ours for the same "
              f"{n} sequences incl. loading: {ours_equiv:.1f} s; speed-up {t_orig / ours_equiv:.1f}x; "
              f"max |ours - original| = {diff.max():.2e} ({int((diff > 1e-5).sum())} scores differ by > 1e-5)")
    if args.out:
        write_json(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
