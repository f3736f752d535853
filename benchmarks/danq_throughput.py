"""DanQ training and inference throughput: ours (default and the previous schedule) vs PyTorch, one run.

Training: samples/s at batch 100 (one optimizer step = RMSprop lr 1e-3, rho 0.9, eps 1e-6 on the
clipped binary cross-entropy). Inference: sequences/s with reverse-complement averaging
(``(f(x) + f(rc(x))) / 2``, both strands in one forward pass of 2 x batch).

Variants of ours (all the same model, same numbers to float32 rounding unless bf16):

* ``fp32``: the package default, float32; the bidirectional LSTM is
  :class:`keras_motifs.layers.FusedBidirectionalLSTM` (input projections hoisted out of the loop,
  hand-written backward pass through time);
* ``fp32_keras``: the previous default, ``DanQ(fused_lstm=False)``: ``keras.layers.Bidirectional``
  of two Keras LSTMs (TensorFlow differentiates its ``while_loop``);
* ``bf16``, ``fp32_xla``, ``bf16_xla``: Keras mixed precision and/or XLA ``jit_compile``.

The reference is the same architecture in PyTorch (``_torch_danq.py``; float32, and bf16 autocast
as ``torch_bf16``), same batch, same number of intra-op threads. It runs in its own process (torch
and TensorFlow in one process crash) that this script drives over a pipe, so every variant is timed
in the same rounds, one at a time, interleaved: load changes on a shared machine hit all alike.

For every variant the script reports the median step time, samples/s, the CPU utilisation
(process CPU time / wall time over the timed steps: 2.0 = both cores of a 2-CPU machine busy),
the CPU seconds per training step (less sensitive to other jobs than wall time), the
arithmetic rate (the model's multiply-adds per step, counted below, / median step time) and
that rate as a fraction of the machine's float32 matrix-product peak, measured in every round as
a 2048 x 2048 float32 matmul in TensorFlow (all threads; NumPy's/OpenBLAS's rate is printed too).
Ratios are of medians of per-step times.

    python benchmarks/danq_throughput.py                       # fp32, fp32_keras, torch_fp32
    python benchmarks/danq_throughput.py --variants fp32 fp32_keras torch_fp32 bf16 --rounds 3 --steps 5

The PyTorch reference differs from ours only where the frameworks differ: its LSTM gates are the
logistic sigmoid (ours: the original's hard sigmoid) and it has two bias vectors per LSTM (2,560
more parameters: 46,929,039 vs 46,926,479). It needs PyTorch (the README's numbers:
``pip install torch==2.13.0``; the CPU wheel from PyTorch's own index, or any 2.x).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import load, machine, matmul_peak, summarize
from _torch_danq import TORCH_VERSION, torch_variant  # noqa: F401  (torch_variant: used by gpu_throughput.py)

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options

ALL = ["fp32", "fp32_keras", "bf16", "fp32_xla", "bf16_xla", "torch_fp32", "torch_bf16"]
DEFAULT = ["fp32", "fp32_keras", "torch_fp32"]
TODAY = "fp32_keras"  # the schedule before FusedBidirectionalLSTM, kept as the in-run reference


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def danq_flops(batch: int, length: int = 1000, channels: int = 4, filters: int = 320, width: int = 26,
               pool: int = 13, units: int = 320, dense: int = 925, targets: int = 919) -> tuple[float, float]:
    """Floating-point operations (2 per multiply-add, matrix products and convolution only) of one
    DanQ training step and of one forward pass, for ``batch`` sequences.

    Training = forward + backward; the backward pass computes every weight gradient and every
    layer's input gradient except the convolution's (its input is the data): 2x the convolution's
    forward work, 3x the LSTM's and the dense layers'. Elementwise work (gates, dropout, RMSprop)
    is not counted. DanQ, batch 100: 113.9 GFLOP per training step, 40.1 GFLOP per forward pass.
    """
    conv_len = length - width + 1
    steps = conv_len // pool
    conv = 2 * batch * conv_len * filters * width * channels
    lstm = 2 * 2 * batch * steps * (filters + units) * 4 * units  # 2 directions; x W and h U
    dense_flops = 2 * batch * (steps * 2 * units * dense + dense * targets)
    return 2 * conv + 3 * (lstm + dense_flops), conv + lstm + dense_flops


def keras_variant(name: str, batch: int, infer_batch: int):
    """(train_step(), infer_step(), params) for one Keras variant, timed in this process."""
    import keras
    import tensorflow as tf

    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.models.danq import DanQ
    from keras_motifs.training.optimizers import make_optimizer

    bf16 = name.startswith("bf16")
    xla = name.endswith("_xla")
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    try:
        model = DanQ("danq", fused_lstm=name != TODAY)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile(
        optimizer=make_optimizer({"optimizer": "rmsprop", "learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-6}),
        loss=ClippedBinaryCrossentropy(),
        jit_compile=xla,
    )
    rng = np.random.default_rng(0)
    xt = tf.constant(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 1000))])
    yt = tf.constant((rng.random((batch, 919)) < 0.05).astype(np.float32))
    xi = xt if infer_batch == batch else tf.constant(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (infer_batch, 1000))])

    @tf.function(jit_compile=xla, reduce_retracing=True)
    def infer(xb):
        rc = tf.reverse(xb, axis=[1, 2])  # A,G,C,T reversed = complement; positions reversed
        p = tf.cast(model(tf.concat([xb, rc], 0), training=False), tf.float32)
        return (p[: tf.shape(xb)[0]] + p[tf.shape(xb)[0]:]) / 2

    def train_step():
        model.train_on_batch(xt, yt)

    def infer_step():
        infer(xi).numpy()

    return train_step, infer_step, model.count_params()


class TorchWorker:
    """The PyTorch reference in its own process (``_torch_danq.py``), driven over a pipe."""

    def __init__(self, variant: str, args):
        script = Path(__file__).with_name("_torch_danq.py")
        cmd = [sys.executable, str(script), "--variant", variant, "--threads", str(args.threads),
               "--batch", str(args.batch), "--warmup", str(args.warmup), "--infer-warmup", str(args.infer_warmup)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = self._reply()

    def _reply(self) -> dict:
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"the PyTorch worker exited (status {self.proc.wait()})")

    def run(self, what: str, n: int) -> dict:
        self.proc.stdin.write(f"{what} {n}\n")
        self.proc.stdin.flush()
        return self._reply()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


class LocalRunner:
    """A Keras variant timed in this process, with the same interface as :class:`TorchWorker`."""

    def __init__(self, train_step, infer_step):
        self.steps = {"train": train_step, "infer": infer_step}

    def run(self, what: str, n: int) -> dict:
        fn, times, c0, w0 = self.steps[what], [], cpu_seconds(), time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return {"times": times, "cpu": cpu_seconds() - c0, "wall": time.perf_counter() - w0}

    def close(self):
        pass


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False, out="write the results as JSON to this file too")
    ap.add_argument("--variants", nargs="+", default=DEFAULT, choices=ALL,
                    help=f"default: {' '.join(DEFAULT)}")
    ap.add_argument("--batch", type=int, default=100, help="training batch (paper: 100)")
    ap.add_argument("--infer-batch", type=int, default=100, help="sequences per inference call (x2 with RC)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads for both frameworks")
    ap.add_argument("--warmup", type=int, default=5, help="untimed training steps per variant")
    ap.add_argument("--infer-warmup", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=4, help="interleaved rounds; each times --steps steps per variant")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--no-inference", action="store_true")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    start_load = load()
    print(f"machine: {machine()}")
    print(f"TensorFlow {tf.__version__}; start: {start_load}; batch {args.batch}, threads {args.threads}, "
          f"warm-up {args.warmup}, {args.rounds} rounds x {args.steps} steps")
    train_flops = danq_flops(args.batch)[0]
    infer_flops = danq_flops(2 * args.infer_batch)[1]
    print(f"work counted: {train_flops / 1e9:.1f} GFLOP per training step, {infer_flops / 1e9:.1f} GFLOP per "
          f"RC-averaged inference of {args.infer_batch} sequences")

    runners = {}
    try:
        for v in args.variants:
            t0 = time.perf_counter()
            if v.startswith("torch"):
                try:
                    w = TorchWorker(v, args)
                except (RuntimeError, OSError) as exc:
                    print(f"  {v:11s} skipped: {exc}", flush=True)
                    continue
                runners[v] = w
                note = "" if w.info["torch"].split("+")[0] == TORCH_VERSION else \
                    f"; NOTE: the README's numbers used torch {TORCH_VERSION}"
                print(f"  {v:11s} torch {w.info['torch']} in its own process, {w.info['threads']} threads; "
                      f"built + warmed up in {time.perf_counter() - t0:6.1f} s ({w.info['params']:,} params){note}; "
                      f"{load()}", flush=True)
                continue
            train_step, infer_step, n_params = keras_variant(v, args.batch, args.infer_batch)
            for _ in range(args.warmup):
                train_step()
            if not args.no_inference:
                for _ in range(args.infer_warmup):
                    infer_step()
            runners[v] = LocalRunner(train_step, infer_step)
            print(f"  {v:11s} built + warmed up in {time.perf_counter() - t0:6.1f} s ({n_params:,} params); {load()}",
                  flush=True)

        peaks = []
        rec = {v: {"train": [], "train_cpu": 0.0, "train_wall": 0.0, "infer": [], "infer_cpu": 0.0, "infer_wall": 0.0}
               for v in runners}
        for r in range(args.rounds):
            peaks.append(matmul_peak())
            for v, runner in runners.items():
                for what in ("train",) if args.no_inference else ("train", "infer"):
                    res = runner.run(what, args.steps)
                    rec[v][what] += res["times"]
                    rec[v][f"{what}_cpu"] += res["cpu"]
                    rec[v][f"{what}_wall"] += res["wall"]
            print(f"  round {r + 1}/{args.rounds} done; matmul peak {peaks[-1]['tf']:.0f} GFLOP/s; {load()}", flush=True)
    finally:
        for runner in runners.values():
            runner.close()

    end_load = load()
    peak = statistics.median(p["tf"] for p in peaks)
    peak_np = statistics.median(p["numpy"] for p in peaks)
    peak_util = statistics.median(p["tf_cpu_util"] for p in peaks)
    print(f"\nend: {end_load}")
    print(f"fp32 matmul peak (2048 x 2048, median of {len(peaks)} rounds' best): TensorFlow {peak:.1f} GFLOP/s "
          f"(CPU utilisation {peak_util:.2f}), NumPy {peak_np:.1f} GFLOP/s")
    results = {}
    for v, d in rec.items():
        tr = args.batch / summarize(d["train"])["median"]
        inf = args.infer_batch / summarize(d["infer"])["median"] if d["infer"] else float("nan")
        results[v] = {
            "train_samples_per_s": tr, "train_cpu_util": d["train_cpu"] / d["train_wall"],
            "train_cpu_s_per_step": d["train_cpu"] / len(d["train"]),
            "train_gflops": train_flops * tr / args.batch / 1e9,
            "infer_seq_per_s": inf, "infer_cpu_util": d["infer_cpu"] / d["infer_wall"] if d["infer"] else float("nan"),
            "infer_gflops": infer_flops * inf / args.infer_batch / 1e9,
            "train_step_s": d["train"], "infer_step_s": d["infer"],
        }
    refs = [ref for ref in (TODAY, "torch_fp32") if ref in results]
    head = f"{'variant':11s} {'train/s':>8s} {'CPU util':>8s} {'CPU s/step':>10s} {'GFLOP/s':>8s} {'of peak':>7s}"
    head += "".join(f" {'vs ' + ref:>14s}" for ref in refs)
    if not args.no_inference:
        head += f" | {'infer seq/s':>11s} {'CPU util':>8s} {'of peak':>7s}" + "".join(f" {'vs ' + ref:>14s}" for ref in refs)
    print(head)
    for v, r in results.items():
        line = (f"{v:11s} {r['train_samples_per_s']:8.1f} {r['train_cpu_util']:8.2f} {r['train_cpu_s_per_step']:10.2f} "
                f"{r['train_gflops']:8.1f} "
                f"{r['train_gflops'] / peak:7.0%}")
        line += "".join(f" {r['train_samples_per_s'] / results[ref]['train_samples_per_s']:13.2f}x" for ref in refs)
        if not args.no_inference:
            line += (f" | {r['infer_seq_per_s']:11.1f} {r['infer_cpu_util']:8.2f} {r['infer_gflops'] / peak:7.0%}")
            line += "".join(f" {r['infer_seq_per_s'] / results[ref]['infer_seq_per_s']:13.2f}x" for ref in refs)
        print(line)

    def check(label, value, target):
        print(f"  {label}: {value:.2f}x (target >= {target}x): {'met' if value >= target else 'NOT met'}")

    if "fp32" in results:
        print("\ntargets (default fp32):")
        if TODAY in results:
            check(f"training vs {TODAY} (previous default)", results["fp32"]["train_samples_per_s"]
                  / results[TODAY]["train_samples_per_s"], 2)
        if "torch_fp32" in results:
            check("training vs torch_fp32", results["fp32"]["train_samples_per_s"]
                  / results["torch_fp32"]["train_samples_per_s"], 1.5)
            if not args.no_inference:
                check("RC-averaged inference vs torch_fp32", results["fp32"]["infer_seq_per_s"]
                      / results["torch_fp32"]["infer_seq_per_s"], 2)
        print(f"  upper bound at 100% of the measured peak: {peak / (train_flops / args.batch / 1e9):.0f} "
              f"samples/s training, {peak / (infer_flops / args.infer_batch / 1e9):.0f} seq/s inference")
    if args.out:
        from keras_motifs.io import write_json

        write_json(args.out, {"machine": machine(), "start_load": start_load, "end_load": end_load,
                              "argv": sys.argv, "peak_gflops_tf": peak, "peak_gflops_numpy": peak_np,
                              "peaks": peaks, "train_gflop_per_step": train_flops / 1e9, "results": results})


if __name__ == "__main__":
    main()
