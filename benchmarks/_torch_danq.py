"""The reference PyTorch DanQ of ``danq_throughput.py``, and a worker process that times it.

PyTorch and TensorFlow must not share a process (torch 2.14.1 next to TensorFlow 2.21 crashes
with a segmentation fault, exit 139), so ``danq_throughput.py`` runs this file as a subprocess
and sends it commands on standard input, one per line, interleaved with its own measurements:

    train N      time N training steps        -> one JSON line {"times": [...], "cpu": s, "wall": s}
    infer N      time N RC-averaged inferences -> the same
    quit

``cpu`` is the process CPU time (all threads) over the N calls and ``wall`` their wall time.
This module imports only NumPy and PyTorch (never TensorFlow or keras_motifs).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

import numpy as np

TORCH_VERSION = "2.13.0"  # the version the README's numbers were measured with (pip install torch==2.13.0)


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def torch_variant(name: str, batch: int, threads: int, device: str = "cpu"):
    """The reference PyTorch DanQ on ``device`` ("cpu" or "cuda"): (train_step, infer_step, params).

    Same layers and sizes as ours; differences only where the frameworks differ: logistic-sigmoid
    LSTM gates (PyTorch's LSTM has no hard-sigmoid option; ours: the original's hard sigmoid) and
    two bias vectors per LSTM (2,560 more parameters: 46,929,039 vs 46,926,479).
    """
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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="PyTorch DanQ timing worker (see the module docstring)")
    ap.add_argument("--variant", default="torch_fp32", choices=["torch_fp32", "torch_bf16"])
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--infer-warmup", type=int, default=2)
    args = ap.parse_args(argv)
    import torch

    t0 = time.perf_counter()
    train_step, infer_step, n_params = torch_variant(args.variant, args.batch, args.threads)
    for _ in range(args.warmup):
        train_step()
    for _ in range(args.infer_warmup):
        infer_step()
    print(json.dumps({"ready": True, "params": n_params, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "setup_s": time.perf_counter() - t0}), flush=True)
    steps = {"train": train_step, "infer": infer_step}
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        fn, n = steps[cmd[0]], int(cmd[1])
        times, c0, w0 = [], cpu_seconds(), time.perf_counter()
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        print(json.dumps({"times": times, "cpu": cpu_seconds() - c0, "wall": time.perf_counter() - w0}), flush=True)


if __name__ == "__main__":
    main()
