"""One-hot encoding speed (Mbp/s, single thread): keras_motifs.data.one_hot vs plain NumPy.

The reference is the plain-NumPy idiom found in most motif-model scripts: per sequence, compare
the characters with the alphabet (``np.array(list(seq))[:, None] == np.array(list("ACGT"))``)
and cast to float32. Ours joins all sequences into one byte buffer, maps it to letter indices
with ``bytes.translate`` (a C loop) and gathers whole one-hot rows of a lookup table
(:mod:`keras_motifs.data.onehot`). Both produce float32 (N, L, 4); the outputs are checked
equal. Also timed: ``encode_indices`` alone (uint8 indices, the form the TFDS builders store).
Threads are pinned to one before NumPy is imported.

    python benchmarks/onehot_speed.py                   # 20,000 x 1,000 bp, 3 repeats
    python benchmarks/onehot_speed.py --n 100000 --length 101
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402

from _common import load, machine  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def numpy_reference(seqs, alphabet="ACGT"):
    letters = np.array(list(alphabet))
    return np.stack([(np.array(list(s.upper()))[:, None] == letters).astype(np.float32) for s in seqs])


def best_of(fn, repeats):
    """Best wall time and best CPU time (process_time: robust to other load) of ``repeats`` runs."""
    best = best_cpu = float("inf")
    out = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu, out


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False)
    ap.add_argument("--n", type=int, default=20_000, help="sequences")
    ap.add_argument("--length", type=int, default=1000, help="bp per sequence")
    ap.add_argument("--ref-n", type=int, default=2_000, help="sequences for the (slow) NumPy reference")
    ap.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    from keras_motifs.data import encode_indices, one_hot

    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"ACGT", np.uint8)
    buf = letters[rng.integers(0, 4, args.n * args.length)].tobytes().decode()
    seqs = [buf[i * args.length:(i + 1) * args.length] for i in range(args.n)]
    print(f"machine: {machine()}")
    print(f"start: {load()}; {args.n:,} x {args.length} bp (reference on {args.ref_n:,}); single thread")

    t_ours, c_ours, x = best_of(lambda: one_hot(seqs, "ACGT"), args.repeats)
    t_idx, c_idx, xi = best_of(lambda: encode_indices(seqs, "ACGT"), args.repeats)
    t_ref, c_ref, xr = best_of(lambda: numpy_reference(seqs[: args.ref_n]), args.repeats)
    assert x.dtype == np.float32 and np.array_equal(x[: args.ref_n], xr), "outputs differ"
    assert np.array_equal(x.argmax(-1), xi), "indices differ"
    bp, bp_ref = args.n * args.length, args.ref_n * args.length
    print(f"end: {load()}")
    print(f"{'':38s} {'Mbp/s wall':>10s} {'Mbp/s CPU':>10s}")
    rows = [("ours (keras_motifs.data.one_hot)", bp, t_ours, c_ours),
            ("ours, indices only (encode_indices)", bp, t_idx, c_idx),
            ("plain NumPy reference", bp_ref, t_ref, c_ref)]
    for name, n, t, c in rows:
        print(f"{name:38s} {n / t / 1e6:10.1f} {n / c / 1e6:10.1f}")
    print(f"ratio ours / reference (wall, CPU)     {(bp / t_ours) / (bp_ref / t_ref):9.1f}x {(bp / c_ours) / (bp_ref / c_ref):9.1f}x")
    mbp = bp / t_ours / 1e6
    print(f"target >= 100 Mbp/s single thread (ours, wall): {'met' if mbp >= 100 else 'NOT met'} ({mbp:.1f})")


if __name__ == "__main__":
    main()
