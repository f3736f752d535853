"""Training/inference throughput on an accelerator, under any Keras backend, with a PyTorch reference.

Runs where TensorFlow need not be installed (``KERAS_BACKEND=jax`` or ``torch``; also works with
``tensorflow``). In one process:

1. DanQ (the package's model, float32 and ``mixed_bfloat16``) vs the reference PyTorch DanQ of
   ``danq_throughput.py`` (float32 and bfloat16 autocast) on the same device, same batch: training
   samples/s (batch 100, RMSprop step on the clipped BCE) and inference sequences/s with
   reverse-complement averaging (forward and RC in one call of 2 x batch). Ratios vs torch fp32.
2. Every preset of the package (``epoch_times.time_model``): samples/s at its paper batch size and
   the extrapolated time per epoch at the paper's training-set size.

    KERAS_BACKEND=jax python benchmarks/gpu_throughput.py
    KERAS_BACKEND=jax python benchmarks/gpu_throughput.py --models danq deepsea --steps 20

Each timed step ends with the result copied to the host (``train_on_batch`` returns the loss as
a NumPy value, ``predict_on_batch`` NumPy arrays, the torch steps call ``cuda.synchronize``), so
asynchronous dispatch cannot flatter a number.
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # share the GPU with PyTorch

import numpy as np  # noqa: E402

from _common import load, machine, median_step_seconds  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def accelerator() -> str:
    import subprocess

    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "none"
    except (OSError, subprocess.SubprocessError):
        return "none"


def keras_danq(precision: str, batch: int):
    import keras

    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.models.danq import DanQ
    from keras_motifs.training.optimizers import make_optimizer

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if precision == "bf16" else "float32")
    try:
        keras.utils.set_random_seed(0)
        model = DanQ("danq")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile(optimizer=make_optimizer({"optimizer": "rmsprop", "learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-6}),
                  loss=ClippedBinaryCrossentropy())
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 1000))]
    y = (rng.random((batch, 919)) < 0.05).astype(np.float32)
    both = np.concatenate([x, x[:, ::-1, ::-1]])  # A,G,C,T reversed = complement; positions reversed

    def train_step():
        model.train_on_batch(x, y)

    def infer_step():
        p = np.asarray(model.predict_on_batch(both), dtype=np.float32)
        (p[:batch] + p[batch:]) / 2

    return train_step, infer_step, model.count_params()


def main(argv=None):
    import keras

    from epoch_times import fmt_duration, time_model
    from keras_motifs.models import available

    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False, models="presets for part 2, space- or comma-separated (default: all; none given: skip)",
                   models_nargs="*")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    device = "cuda" if not args.no_torch and _torch_cuda() else "cpu"
    gpu = accelerator()
    print(f"machine: {machine()}; accelerator: {gpu}")
    print(f"Keras {keras.__version__}, backend {keras.backend.backend()}; start: {load()}")
    results = {"machine": machine(), "accelerator": gpu, "backend": keras.backend.backend(),
               "keras": keras.__version__, "danq": {}, "models": []}

    variants = [("keras_fp32", lambda: keras_danq("fp32", args.batch)), ("keras_bf16", lambda: keras_danq("bf16", args.batch))]
    if not args.no_torch:
        from danq_throughput import torch_variant

        variants += [(f"torch_{p}", (lambda p=p: torch_variant(f"torch_{p}", args.batch, os.cpu_count(), device)))
                     for p in ("fp32", "bf16")]
    for name, make in variants:
        t0 = time.perf_counter()
        train_step, infer_step, n = make()
        tr = median_step_seconds(train_step, args.warmup, args.steps)
        inf = median_step_seconds(infer_step, 3, args.steps)
        results["danq"][name] = {"params": n, "train_samples_per_s": args.batch / tr, "infer_seq_per_s": args.batch / inf}
        print(f"  DanQ {name:10s} {args.batch / tr:9.1f} train samples/s  {args.batch / inf:9.1f} infer seq/s "
              f"({n:,} params; {time.perf_counter() - t0:.0f} s)", flush=True)
    ref = results["danq"].get("torch_fp32")
    print(f"\n{'DanQ variant':12s} {'train/s':>9s} {'vs torch':>8s} {'infer/s':>9s} {'vs torch':>8s} {'epoch 4.4M':>10s}")
    for name, r in results["danq"].items():
        rt = f"{r['train_samples_per_s'] / ref['train_samples_per_s']:.2f}x" if ref else "-"
        ri = f"{r['infer_seq_per_s'] / ref['infer_seq_per_s']:.2f}x" if ref else "-"
        print(f"{name:12s} {r['train_samples_per_s']:9.1f} {rt:>8s} {r['infer_seq_per_s']:9.1f} {ri:>8s} "
              f"{fmt_duration(4_400_000 / r['train_samples_per_s']):>10s}")

    names = available() if args.models is None else args.models
    if names:
        print(f"\nper preset (paper batch size, {args.warmup} warm-up + {args.steps} timed steps):")
    for name in names:
        try:
            r = time_model(name, args.warmup, args.steps)
        except Exception as exc:  # a preset that needs another backend (kmer_lr: TensorFlow)
            print(f"  {name:24s} skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
            continue
        results["models"].append(r)
        print(f"  {name:24s} batch {r['batch']:4d} {r['samples_per_s']:10.1f} samples/s  "
              f"epoch ({r['train_size'] or 0:,}) {fmt_duration(r['epoch_s']):>9s}", flush=True)
    print(f"end: {load()}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1, default=float)


def _torch_cuda() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


if __name__ == "__main__":
    main()
