"""Input pipeline: samples/s out of tfds.load('deepsea', ...) vs DanQ's training consumption.

The pipeline is the one training uses: ``tfds.load`` (TFRecord, ZLIB-compressed uint8 features)
→ decode → ``to_one_hot`` (parallel map) → shuffle → batch 100 → prefetch. By default it reads a
``deepsea/full`` dataset prepared here from a generated ``train.mat`` (``--n`` samples, real HDF5
layout; see deepsea_prepare.py), or any prepared config with ``--tfds-dir``/``--config``. DanQ's
consumption (float32 training, batch 100) is measured in the same run. The pipeline is never the
bottleneck when the ratio pipeline/consumption is well above 1.

    python benchmarks/pipeline_throughput.py
    python benchmarks/pipeline_throughput.py --tfds-dir ~/tensorflow_datasets --config synthetic
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import load, machine, median_step_seconds  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def pipeline(data_dir: str, config: str, batch: int, shuffle: int):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from tfds_builders.deepsea import supervised

    ds = tfds.load(f"deepsea/{config}", split="train", data_dir=data_dir, try_gcs=False,
                   download=False, shuffle_files=False)  # the dataset is ordered
    ds = supervised(ds)
    if shuffle:
        ds = ds.shuffle(shuffle, seed=0)
    return ds.batch(batch).prefetch(tf.data.AUTOTUNE)


def measure_pipeline(ds, passes: int) -> tuple[float, int]:
    n, t0 = 0, None
    for p in range(passes + 1):
        for x, _ in ds:
            if t0 is None:  # start the clock after the first batch (file opening, buffers)
                t0 = time.perf_counter()
                continue
            n += int(x.shape[0])
    return n / (time.perf_counter() - t0), n


def measure_danq(batch: int, warmup: int, steps: int) -> float:
    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.models.danq import DanQ
    from keras_motifs.training.optimizers import make_optimizer

    model = DanQ("danq")
    model.compile(optimizer=make_optimizer({"optimizer": "rmsprop"}), loss=ClippedBinaryCrossentropy())
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 1000))]
    y = (rng.random((batch, 919)) < 0.05).astype(np.float32)
    return batch / median_step_seconds(lambda: model.train_on_batch(x, y), warmup, steps)


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir="a TFDS data_dir holding a prepared deepsea config (default: prepare one from a generated train.mat)")
    ap.add_argument("--data-dir", dest="tfds_dir", help="deprecated: the old name of --tfds-dir, still accepted")
    ap.add_argument("--config", default="full")
    ap.add_argument("--n", type=int, default=20_000, help="samples of the generated train.mat (no --tfds-dir)")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--shuffle", type=int, default=10_000)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--danq-warmup", type=int, default=15)
    ap.add_argument("--danq-steps", type=int, default=10)
    ap.add_argument("--danq-rate", type=float, default=None, help="skip measuring DanQ; use this samples/s")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401

    print(f"machine: {machine()}")
    print(f"start: {load()}")
    tmp = None
    data_dir = args.tfds_dir
    if data_dir is None:
        from deepsea_prepare import write_bundle

        tmp = Path(tempfile.mkdtemp(prefix="deepsea_pipe_"))
        write_bundle(tmp / "manual", args.n)
        data_dir = str(tmp / "tfds")
        tfds.builder("deepsea/full", data_dir=data_dir).download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=str(tmp / "manual"), try_download_gcs=False))
        print(f"  prepared deepsea/full with {args.n:,} generated samples; {load()}", flush=True)
    try:
        rate, n = measure_pipeline(pipeline(data_dir, args.config, args.batch, args.shuffle), args.passes)
        print(f"  pipeline: {rate:,.0f} samples/s over {n:,} samples; {load()}", flush=True)
        danq = args.danq_rate or measure_danq(args.batch, args.danq_warmup, args.danq_steps)
        print(f"  DanQ fp32 training consumption: {danq:.1f} samples/s "
              f"({'given' if args.danq_rate else 'measured'}); {load()}", flush=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nend: {load()}")
    print(f"pipeline {rate:,.0f} samples/s / DanQ {danq:.1f} samples/s = {rate / danq:.0f}x: "
          f"{'never the bottleneck' if rate > 2 * danq else 'MAY BE the bottleneck'}")


if __name__ == "__main__":
    main()
