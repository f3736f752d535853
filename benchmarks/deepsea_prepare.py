"""deepsea/full preparation on a generated train.mat in the real HDF5 layout: samples/s, peak RSS.

For each size N (default 50,000 and 200,000 training samples) this writes, in chunks (memory
bounded), a MATLAB v7.3 ``train.mat`` exactly as the bundle lays it out (HDF5 with MATLAB's
512-byte user block; ``trainxdata`` uint8 (1000, 4, N), ``traindata`` uint8 (919, N), chunked,
gzip) plus small MATLAB v5 ``valid.mat``/``test.mat``, then in a fresh child process per
measurement:

  * ``reader``: streams train.mat through ``mat_reader`` (HDF5 → uint8 base indices), and
  * ``prepare``: ``tfds.builder("deepsea/full").download_and_prepare(manual_dir=...)``
    (reading + TFDS serialisation + ZLIB TFRecord writing; the default, non-Beam path), and,
    with ``--beam``, the same through Apache Beam's DirectRunner with ``--beam-workers`` workers,

and prints samples/s and the child's peak RSS. Memory is bounded if peak RSS does not grow with N.

    python benchmarks/deepsea_prepare.py                        # 50k and 200k
    python benchmarks/deepsea_prepare.py --sizes 20000 200000 --modes reader prepare --beam
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import load, machine, peak_rss_mb  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def write_bundle(folder: Path, n_train: int, chunk: int = 10_000, n_small: int = 100, seed: int = 0) -> float:
    """Write train.mat (v7.3/HDF5, chunked writes) + small valid.mat/test.mat (v5); return seconds."""
    import h5py

    from tfds_builders.deepsea.dummy_data_generation import MATLAB_HEADER, write_v5

    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    eye = np.eye(4, dtype=np.uint8)
    path = folder / "train.mat"
    with h5py.File(path, "w", userblock_size=512) as f:
        # MATLAB v7.3 writes chunked, deflate-compressed datasets; chunk along the sample axis.
        xd = f.create_dataset("trainxdata", shape=(1000, 4, n_train), dtype=np.uint8,
                              chunks=(1000, 4, 100), compression="gzip", compression_opts=3)
        yd = f.create_dataset("traindata", shape=(919, n_train), dtype=np.uint8,
                              chunks=(919, 100), compression="gzip", compression_opts=3)
        for s in range(0, n_train, chunk):
            e = min(s + chunk, n_train)
            x = eye[rng.integers(0, 4, (e - s, 1000))]  # (n, 1000, 4)
            xd[:, :, s:e] = np.transpose(x, (1, 2, 0))
            yd[:, s:e] = (rng.random((919, e - s)) < 0.03).astype(np.uint8)
    with open(path, "r+b") as fh:
        fh.write(MATLAB_HEADER.ljust(116, b" ") + b"\x00" * 8 + b"\x00\x02IM")
    for prefix in ("valid", "test"):
        x = eye[rng.integers(0, 4, (n_small, 1000))]
        y = (rng.random((n_small, 919)) < 0.03).astype(np.uint8)
        write_v5(folder / f"{prefix}.mat", prefix, x, y)
    return time.perf_counter() - t0


def child(mode: str, manual_dir: str, data_dir: str, beam_workers: int) -> dict:
    """Run one measurement in this (fresh) process; return the numbers as a dict."""
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401  (imports TensorFlow: ~0.8 GB RSS before any data is read)
    from tfds_builders.deepsea import mat_reader

    rss_imports = peak_rss_mb()
    t0 = time.perf_counter()  # timing starts after the imports
    if mode == "reader":
        reader = mat_reader.open_split(Path(manual_dir) / "train.mat", "train")
        n = 0
        for _, x, _y in reader.iter_chunks():
            n += len(x)
    else:
        kwargs = dict(manual_dir=manual_dir, try_download_gcs=False)
        if mode == "beam":
            from apache_beam.options.pipeline_options import PipelineOptions

            kwargs["beam_options"] = PipelineOptions(
                ["--direct_num_workers", str(beam_workers), "--direct_running_mode", "multi_processing"]
            )
            builder = tfds.builder("deepsea/full", data_dir=data_dir, beam=True)
        else:
            builder = tfds.builder("deepsea/full", data_dir=data_dir)
        builder.download_and_prepare(download_config=tfds.download.DownloadConfig(**kwargs))
        n = builder.info.splits["train"].num_examples
    seconds = time.perf_counter() - t0
    rss_self = peak_rss_mb()  # this child's own peak (not its TensorFlow-importing parent's)
    rss_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"mode": mode, "samples": n, "rss_after_imports_mb": rss_imports, "seconds": seconds, "peak_rss_mb": rss_self, "peak_rss_children_mb": rss_kids}


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False)
    ap.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000], help="training samples in train.mat")
    ap.add_argument("--modes", nargs="+", default=["reader", "prepare"], choices=["reader", "prepare", "beam"])
    ap.add_argument("--beam", action="store_true", help="also prepare through Apache Beam (DirectRunner)")
    ap.add_argument("--beam-workers", type=int, default=2)
    ap.add_argument("--workdir", default=None, help="where to write the files (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--_child", nargs=3, metavar=("MODE", "MANUAL_DIR", "DATA_DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    if args._child:
        print("RESULT " + json.dumps(child(*args._child, beam_workers=args.beam_workers)), flush=True)
        return
    modes = list(args.modes) + (["beam"] if args.beam and "beam" not in args.modes else [])
    work = Path(args.workdir or tempfile.mkdtemp(prefix="deepsea_prep_"))
    print(f"machine: {machine()}")
    print(f"start: {load()}; sizes {args.sizes}; modes {modes}; files in {work}")
    rows = []
    for n in args.sizes:
        manual = work / f"n{n}"
        secs = write_bundle(manual, n)
        mb = (manual / "train.mat").stat().st_size / 2**20
        print(f"  wrote train.mat with {n:,} samples ({mb:.0f} MiB) in {secs:.1f} s; {load()}", flush=True)
        for mode in modes:
            data_dir = work / f"tfds_{mode}_n{n}"
            shutil.rmtree(data_dir, ignore_errors=True)
            cmd = [sys.executable, os.path.abspath(__file__), "--_child", mode, str(manual), str(data_dir),
                   "--beam-workers", str(args.beam_workers)]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode or not line:
                print(f"  {mode} n={n}: FAILED (rc {proc.returncode})\n{proc.stderr[-3000:]}")
                continue
            r = json.loads(line[-1][7:])
            r["n"] = n
            r["load"] = load()
            rows.append(r)
            print(f"  {mode:8s} n={n:>9,}: {r['samples'] / r['seconds']:9.0f} samples/s, peak RSS "
                  f"{r['peak_rss_mb']:7.0f} MB (children {r['peak_rss_children_mb']:.0f} MB; "
                  f"{r['rss_after_imports_mb']:.0f} MB after imports); {r['load']}", flush=True)
            shutil.rmtree(data_dir, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(manual, ignore_errors=True)
    print(f"\nend: {load()}")
    print(f"{'mode':8s} {'N':>9s} {'samples/s':>10s} {'peak RSS MB':>12s}")
    for r in rows:
        print(f"{r['mode']:8s} {r['n']:9,} {r['samples'] / r['seconds']:10.0f} {max(r['peak_rss_mb'], r['peak_rss_children_mb']):12.0f}")
    for mode in modes:
        rs = sorted((r for r in rows if r["mode"] == mode), key=lambda r: r["n"])
        if len(rs) >= 2:
            lo, hi = rs[0], rs[-1]
            m = lambda r: max(r["peak_rss_mb"], r["peak_rss_children_mb"])  # noqa: E731
            print(f"{mode}: peak RSS ratio N={hi['n']:,} / N={lo['n']:,} = {m(hi) / m(lo):.2f} "
                  f"(N ratio {hi['n'] / lo['n']:.1f}); speed {hi['samples'] / hi['seconds']:.0f} samples/s at N={hi['n']:,}; "
                  f"targets <2 GB: {'met' if m(hi) < 2048 else 'NOT met'}, >=20,000 samples/s: "
                  f"{'met' if hi['samples'] / hi['seconds'] >= 20000 else 'NOT met'}")
    if not args.keep and not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
