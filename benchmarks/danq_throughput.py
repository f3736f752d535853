"""DanQ training and inference throughput: our Keras model vs a reference PyTorch DanQ, one run.

Training: samples/s at batch 100 (one optimizer step = RMSprop lr 1e-3, rho 0.9, eps 1e-6 on the
clipped binary cross-entropy). Inference: sequences/s with reverse-complement averaging
(``(f(x) + f(rc(x))) / 2``, both strands in one forward pass of 2 x batch).

Variants of ours: float32 (the package default), ``mixed_bfloat16`` (Keras mixed precision,
float32 variables, bfloat16 compute), each with and without XLA ``jit_compile``. The reference is
the same architecture in PyTorch (float32; bfloat16 autocast as an extra row), same batch, same
number of intra-op threads, timed in the same process, interleaved in rounds with ours so that
load changes on a shared machine hit every variant alike. Ratios are of medians of per-step times.

    python benchmarks/danq_throughput.py                       # everything, defaults below
    python benchmarks/danq_throughput.py --variants fp32 torch_fp32 --rounds 3 --steps 5

The PyTorch reference differs from ours only where the frameworks differ: its LSTM gates are the
logistic sigmoid (ours: the original's hard sigmoid) and it has two bias vectors per LSTM
(2,560 more parameters: 46,929,039 vs 46,926,479). It needs ``pip install torch==2.13.0``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from _common import load, machine, summarize  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options

ALL = ["fp32", "bf16", "fp32_xla", "bf16_xla", "torch_fp32", "torch_bf16"]


def keras_variant(name: str, batch: int, threads: int):
    """Return (train_step(), infer_step()) closures for one Keras variant."""
    import keras
    import tensorflow as tf

    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.models.danq import DanQ
    from keras_motifs.training.optimizers import make_optimizer

    bf16 = name.startswith("bf16")
    xla = name.endswith("_xla")
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if bf16 else "float32")
    try:
        model = DanQ("danq")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    model.compile(
        optimizer=make_optimizer({"optimizer": "rmsprop", "learning_rate": 1e-3, "rho": 0.9, "epsilon": 1e-6}),
        loss=ClippedBinaryCrossentropy(),
        jit_compile=xla,
    )
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 1000))]
    y = (rng.random((batch, 919)) < 0.05).astype(np.float32)
    xt, yt = tf.constant(x), tf.constant(y)

    @tf.function(jit_compile=xla, reduce_retracing=True)
    def infer(xb):
        rc = tf.reverse(xb, axis=[1, 2])  # A,G,C,T reversed = complement; positions reversed
        p = tf.cast(model(tf.concat([xb, rc], 0), training=False), tf.float32)
        return (p[: tf.shape(xb)[0]] + p[tf.shape(xb)[0]:]) / 2

    def train_step():
        model.train_on_batch(xt, yt)

    def infer_step():
        infer(xt).numpy()

    return train_step, infer_step, model.count_params()


def torch_variant(name: str, batch: int, threads: int, device: str = "cpu"):
    """The reference PyTorch DanQ on ``device`` ("cpu" or "cuda"): (train_step, infer_step, params)."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)

    class TorchDanQ(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 320, 26)
            self.pool = nn.MaxPool1d(13, 13)
            self.drop1 = nn.Dropout(0.2)
            self.lstm = nn.LSTM(320, 320, batch_first=True, bidirectional=True)
            self.drop2 = nn.Dropout(0.5)
            self.dense = nn.Linear(75 * 640, 925)
            self.out = nn.Linear(925, 919)

        def forward(self, x):  # x: (B, 1000, 4) like ours
            h = self.drop1(self.pool(torch.relu(self.conv(x.transpose(1, 2)))))
            h, _ = self.lstm(h.transpose(1, 2))
            h = self.drop2(h).flatten(1)
            return torch.sigmoid(self.out(torch.relu(self.dense(h))))

    model = TorchDanQ().to(device)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-6)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 1000))]).to(device)
    y = torch.from_numpy((rng.random((batch, 919)) < 0.05).astype(np.float32)).to(device)
    bf16 = name == "torch_bf16"
    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    def autocast():
        return torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=bf16)

    def train_step():
        model.train()
        opt.zero_grad(set_to_none=True)
        with autocast():
            p = model(x)
        p = p.float().clamp(1e-7, 1 - 1e-7)
        loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
        loss.backward()
        opt.step()
        sync()

    def infer_step():
        model.eval()
        with torch.inference_mode(), autocast():
            rc = torch.flip(x, dims=(1, 2))
            p = model(torch.cat([x, rc])).float()
            (p[:batch] + p[batch:]) / 2
        sync()

    return train_step, infer_step, sum(p.numel() for p in model.parameters())


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False)
    ap.add_argument("--variants", nargs="+", default=ALL, choices=ALL)
    ap.add_argument("--batch", type=int, default=100, help="training batch (paper: 100)")
    ap.add_argument("--infer-batch", type=int, default=100, help="sequences per inference call (x2 with RC)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads for both frameworks")
    ap.add_argument("--warmup", type=int, default=15, help="untimed training steps per variant (>= 15 here)")
    ap.add_argument("--infer-warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=4, help="interleaved rounds; each times --steps steps per variant")
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--no-inference", action="store_true")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    print(f"machine: {machine()}")
    print(f"start: {load()}; batch {args.batch}, threads {args.threads}, warm-up {args.warmup}, "
          f"{args.rounds} rounds x {args.steps} steps")
    fns = {}
    for v in args.variants:
        t0 = time.perf_counter()
        build = torch_variant if v.startswith("torch") else keras_variant
        train_step, infer_step, n_params = build(v, args.batch if True else None, args.threads)
        for _ in range(args.warmup):
            train_step()
        if not args.no_inference:
            for _ in range(args.infer_warmup):
                infer_step()
        fns[v] = (train_step, infer_step)
        print(f"  {v:11s} built + warmed up in {time.perf_counter() - t0:6.1f} s ({n_params:,} params); {load()}", flush=True)

    train_t = {v: [] for v in fns}
    infer_t = {v: [] for v in fns}
    for r in range(args.rounds):
        for v, (train_step, infer_step) in fns.items():
            for _ in range(args.steps):
                t0 = time.perf_counter()
                train_step()
                train_t[v].append(time.perf_counter() - t0)
            if not args.no_inference:
                for _ in range(args.steps):
                    t0 = time.perf_counter()
                    infer_step()
                    infer_t[v].append(time.perf_counter() - t0)
        print(f"  round {r + 1}/{args.rounds} done; {load()}", flush=True)

    ref = "torch_fp32" if "torch_fp32" in fns else None
    print(f"\nend: {load()}")
    print(f"{'variant':11s} {'train samples/s':>16s} {'(mean)':>8s} {'vs torch_fp32':>14s} "
          f"{'infer seq/s':>12s} {'vs torch_fp32':>14s}")
    results = {}
    for v in fns:
        st = summarize(train_t[v])
        tr = args.batch / st["median"]
        tr_mean = args.batch / st["mean"]
        inf = args.infer_batch / summarize(infer_t[v])["median"] if infer_t[v] else float("nan")
        results[v] = (tr, inf)
    for v, (tr, inf) in results.items():
        rt = f"{tr / results[ref][0]:.2f}x" if ref else "-"
        ri = f"{inf / results[ref][1]:.2f}x" if ref and not args.no_inference else "-"
        print(f"{v:11s} {tr:16.1f} {args.batch / summarize(train_t[v])['mean']:8.1f} {rt:>14s} {inf:12.1f} {ri:>14s}")
    if "fp32" in results:
        best = max((v for v in results if not v.startswith("torch")), key=lambda v: results[v][0])
        print(f"\nfastest Keras training variant: {best} ({results[best][0]:.1f} samples/s); target >= 200 samples/s "
              f"and >= 2x torch_fp32: {'met' if results[best][0] >= 200 and (not ref or results[best][0] >= 2 * results[ref][0]) else 'NOT met'}")
        best_i = max((v for v in results if not v.startswith("torch")), key=lambda v: results[v][1])
        if not args.no_inference:
            print(f"fastest Keras inference variant: {best_i} ({results[best_i][1]:.1f} seq/s, RC-averaged); "
                  f"target >= 1000 seq/s: {'met' if results[best_i][1] >= 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
