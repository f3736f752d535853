"""PyTorch reference for benchmarks/koo_eddy_throughput.py: Koo & Eddy CNN-25 trained in PyTorch.

The same network as ``keras_motifs.models.koo_eddy`` (preset ``koo_eddy_cnn_25``): conv 30 x 19
(same padding, no bias) -> batch norm -> ReLU -> max pool 25 -> dropout 0.1; conv 128 x 5 -> batch
norm -> ReLU -> max pool 4 -> dropout 0.1; dense 512 (no bias) -> batch norm -> ReLU -> dropout 0.5
-> dense 12 -> sigmoid; clipped binary cross-entropy plus 1e-6 x the squared kernel weights; Adam
(lr 0.001, beta1 0.95, as the code's effective settings), batch 100, on random one-hot rows of the
synthetic set's shape (the benchmark's). Two rates, as the benchmark's ``in-memory`` and ``floor``:

* ``loop``: a plain PyTorch training loop over the rows held in memory, a new permutation every
  epoch, one gather per batch (no validation, checkpoint or callbacks: less work than our
  ``train`` epoch, which includes those);
* ``step``: the training step alone on a fixed batch.

Run by the benchmark in its own process (torch and TensorFlow in one process crash); prints one
JSON line: {"loop": [[wall_s, cpu_s], ...] per timed epoch, "step": [[wall_s, cpu_s], ...] per
round of ``--step-calls`` steps, "parameters": trainable parameters (the benchmark checks ours match)}.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from torch import nn


def cnn25() -> nn.Module:
    def block(c_in, c_out, size, pool):
        return [nn.Conv1d(c_in, c_out, size, padding="same", bias=False), nn.BatchNorm1d(c_out, eps=1e-8, momentum=0.01),
                nn.ReLU(), nn.MaxPool1d(pool, pool, ceil_mode=True), nn.Dropout(0.1)]

    return nn.Sequential(*block(4, 30, 19, 25), *block(30, 128, 5, 4), nn.Flatten(),
                         nn.Linear(128 * 2, 512, bias=False), nn.BatchNorm1d(512, eps=1e-8, momentum=0.01), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(512, 12))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=17500)
    ap.add_argument("--epochs", type=int, default=3, help="epochs (the first not timed)")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of --step-calls steps for the step alone")
    ap.add_argument("--step-calls", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    eye = np.eye(4, dtype=np.float32)
    x = torch.from_numpy(np.ascontiguousarray(eye[rng.integers(0, 4, (a.rows, 200))].transpose(0, 2, 1)))  # (N, 4, L)
    y = torch.from_numpy((rng.random((a.rows, 12)) < 0.2).astype(np.float32))
    net = cnn25()
    kernels = [m.weight for m in net.modules() if isinstance(m, (nn.Conv1d, nn.Linear))]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.95, 0.999), eps=1e-7)
    net.train()

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        p = torch.sigmoid(net(xb)).clamp(1e-7, 1 - 1e-7)
        loss = -(yb * torch.log(p) + (1 - yb) * torch.log(1 - p)).mean()
        loss = loss + 1e-6 * sum((k * k).sum() for k in kernels)
        loss.backward()
        opt.step()
        return loss

    loop = []
    for epoch in range(a.epochs):
        t, c = time.perf_counter(), time.process_time()
        order = torch.randperm(a.rows)
        for i in range(0, a.rows, a.batch):
            idx = order[i : i + a.batch]
            step(x[idx], y[idx])
        if epoch:  # the first epoch warms up
            loop.append([time.perf_counter() - t, time.process_time() - c])
    xb, yb = x[: a.batch].clone(), y[: a.batch].clone()
    for _ in range(5):
        step(xb, yb)
    fixed = []
    for _ in range(a.rounds):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(a.step_calls):
            loss = step(xb, yb)
        float(loss.detach())
        fixed.append([time.perf_counter() - t, time.process_time() - c])
    parameters = sum(p.numel() for p in net.parameters() if p.requires_grad)
    print(json.dumps({"loop": loop, "step": fixed, "parameters": parameters, "torch": torch.__version__,
                      "threads": a.threads}))


if __name__ == "__main__":
    main()
