"""The full per-epoch shuffle of deepsea rows: export rate, rows/s served, and how far the first 1 %
of an epoch reaches into the file, against the old 200,000-row shuffle buffer.

1. Data: a ``deepsea/full`` dataset prepared here from a generated ``train.mat`` (``--n`` rows,
   real HDF5 layout; see deepsea_prepare.py), or a prepared config with ``--tfds-dir``/``--config``
   (e.g. the real 4.4M-row bundle).
2. Export: ``tfds_builders.deepsea.random_access`` writes the split once to NumPy files (rows/s).
3. Served: ``keras_motifs.training.FullShuffle`` over the export, one-hot decoded and batched by
   100 as DanQ trains on it (rows/s over ``--rows`` rows of an epoch, after the first batch), and
   the old path (TFDS in file order → one-hot → ``--buffer``-row shuffle buffer → batch 100;
   rows/s read from the file, buffer filling included, which bounds what it serves).
   The export has just been written, so it is in the page cache: the rates are warm-cache rates.
4. Reach: where the first 1 % of an epoch comes from in a file of ``--reach-n`` rows (default
   4.4M, DeepSEA's; indices only, no data): the share of reverse-complement rows (second half of
   the file) and the highest file position, for the full shuffle and for the buffer.
5. Reference: DanQ's float32 training consumption (``--danq-rate`` to give it instead).

    python benchmarks/shuffle_throughput.py
    python benchmarks/shuffle_throughput.py --n 200000 --danq-rate 47
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import load, machine  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def served_rate(ds, rows: int) -> tuple[float, int]:
    """Rows/s out of a batched dataset over ``rows`` rows, the clock started after the first batch."""
    n, t0 = 0, None
    for x, _ in ds:
        if t0 is None:
            t0 = time.perf_counter()
            continue
        n += int(x.shape[0])
        if n >= rows:
            break
    return n / (time.perf_counter() - t0), n


def read_rate(ds, rows: int, buffered: int) -> tuple[float, int]:
    """Rows/s read from the file by a shuffle-buffer pipeline: ``rows`` served plus the ``buffered``
    rows it read to fill its buffer, the clock started before the first batch."""
    n, t0 = 0, time.perf_counter()
    for x, _ in ds:
        n += int(x.shape[0])
        if n >= rows:
            break
    return (n + buffered) / (time.perf_counter() - t0), n


def reach(n: int, seed: int, buffer: int) -> dict:
    """Where the first 1 % of an epoch comes from: full shuffle vs a ``buffer``-row shuffle buffer."""
    import tensorflow as tf

    from keras_motifs.training import epoch_permutation

    k = max(1, n // 100)
    full = epoch_permutation(n, seed, 0)[:k]
    buf = np.fromiter(tf.data.Dataset.range(n).shuffle(buffer, seed=seed).take(k).as_numpy_iterator(), np.int64, k)
    out = {}
    for name, idx in (("full", full), ("buffer", buf)):
        out[name] = {"rows": k, "reverse_complement_share": float(np.mean(idx >= n // 2)),
                     "max_position": float(idx.max() / n), "deciles_hit": int(len(np.unique(idx * 10 // n)))}
    return out


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir="a TFDS data_dir holding a prepared deepsea config (default: prepare one from a generated train.mat)",
                   seed=0)
    ap.add_argument("--config", default="full")
    ap.add_argument("--n", type=int, default=100_000, help="rows of the generated train.mat (no --tfds-dir)")
    ap.add_argument("--rows", type=int, default=50_000, help="rows of an epoch timed per path")
    ap.add_argument("--buffer", type=int, default=200_000, help="the old path's shuffle buffer")
    ap.add_argument("--reach-n", type=int, default=4_400_000, help="file size for the reach measurement")
    ap.add_argument("--danq-rate", type=float, default=None, help="skip measuring DanQ; use this samples/s")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    import tensorflow as tf
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from keras_motifs.training import FullShuffle
    from tfds_builders.deepsea import supervised, to_one_hot
    from tfds_builders.deepsea.random_access import random_access

    print(f"machine: {machine()}")
    print(f"start: {load()}")
    tmp = Path(tempfile.mkdtemp(prefix="deepsea_shuffle_"))
    try:
        data_dir = args.tfds_dir
        if data_dir is None:
            from deepsea_prepare import write_bundle

            write_bundle(tmp / "manual", args.n)
            data_dir = str(tmp / "tfds")
            tfds.builder("deepsea/full", data_dir=data_dir).download_and_prepare(
                download_config=tfds.download.DownloadConfig(manual_dir=str(tmp / "manual"), try_download_gcs=False))
            print(f"  prepared deepsea/full with {args.n:,} generated rows; {load()}", flush=True)
        builder = tfds.builder(f"deepsea/{args.config}", data_dir=data_dir)
        n = builder.info.splits["train"].num_examples
        t0 = time.perf_counter()
        rows = random_access(builder, "train", folder=tmp / "export", verbose=False)
        export = n / (time.perf_counter() - t0)
        print(f"  export: {export:,.0f} rows/s ({n:,} rows); {load()}", flush=True)
        todo = min(args.rows, n - 100)
        full, k = served_rate(FullShuffle(rows, seed=args.seed, transform=to_one_hot, vectorized=True).dataset()
                              .batch(100).prefetch(tf.data.AUTOTUNE), todo)
        print(f"  full shuffle: {full:,.0f} rows/s over {k:,} rows; {load()}", flush=True)
        size = min(args.buffer, n - todo)
        old = (supervised(builder.as_dataset(split="train", shuffle_files=False))
               .shuffle(size, seed=args.seed).batch(100).prefetch(tf.data.AUTOTUNE))
        buf, k2 = read_rate(old, todo, size)
        print(f"  buffer of {size:,} rows: reads the file at {buf:,.0f} rows/s ({k2:,} rows served after filling "
              f"the buffer; its steady-state rate); {load()}", flush=True)
        r = reach(args.reach_n, args.seed, args.buffer)
        for name, v in r.items():
            print(f"  first 1 % of an epoch of {args.reach_n:,} rows, {name}: {100 * v['reverse_complement_share']:.1f} % "
                  f"from the reverse-complement half, highest position {100 * v['max_position']:.1f} % of the file, "
                  f"{v['deciles_hit']}/10 tenths of the file", flush=True)
        if args.danq_rate:
            danq = args.danq_rate
        else:
            from pipeline_throughput import measure_danq

            danq = measure_danq(100, 5, 5)
        print(f"  DanQ fp32 training consumption: {danq:.1f} samples/s ({'given' if args.danq_rate else 'measured'}); "
              f"{load()}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nend: {load()}")
    print(f"full shuffle {full:,.0f} rows/s / DanQ {danq:.1f} samples/s = {full / danq:.0f}x: "
          f"{'never the bottleneck' if full > 2 * danq else 'MAY BE the bottleneck'}")


if __name__ == "__main__":
    main()
