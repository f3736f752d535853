"""PyTorch reference for benchmarks/stacked_throughput.py: N DeepBind models (M1 or M2) stacked in
one graph, as ours: one conv1d with N*16 output channels on both strands of the shared batch
(padded with 0.25), global max pooling, per-model dense layers as batched matmuls, the max over
strands, 0.5 * BCE-with-logits, SGD with Nesterov momentum and per-model learning rates.

Run by the benchmark in its own process (torch and TensorFlow in one process crash); prints one
JSON line: {"ms_per_step": ...} for ``--n`` models, ``--steps`` timed steps after ``--warmup``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--hidden", type=int, default=0)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n, f, w, b, length = a.n, 16, 24, 64, 101
    conv = torch.nn.Parameter(torch.randn(n * f, 4, w) * 1e-2)
    cbias = torch.nn.Parameter(torch.zeros(n * f))
    params = [conv, cbias]
    if a.hidden:
        w1 = torch.nn.Parameter(torch.randn(n, f, a.hidden) * 1e-2)
        b1 = torch.nn.Parameter(torch.zeros(n, 1, a.hidden))
        params += [w1, b1]
    w2 = torch.nn.Parameter(torch.randn(n, a.hidden or f, 1) * 1e-2)
    b2 = torch.nn.Parameter(torch.zeros(n, 1, 1))
    params += [w2, b2]
    lr = torch.exp(torch.empty(n).uniform_(np.log(5e-4), np.log(5e-2)))
    groups = [{"params": params, "lr": 1.0}]
    opt = torch.optim.SGD(groups, lr=1.0, momentum=0.97, nesterov=True)
    for p in params:  # per-model learning rates: scale the gradients (same update as per-model lr)
        per = lr.repeat_interleave(f) if p.shape[0] == n * f else lr
        scale = per.view(-1, *([1] * (p.dim() - 1)))
        p.register_hook(lambda g, s=scale: g * s)
    rng = np.random.default_rng(0)
    x = torch.tensor(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (b, length))]).permute(0, 2, 1).contiguous()
    y = torch.tensor((rng.random(b) < 0.5).astype(np.float32))

    def step():
        xs = torch.cat([x, x.flip(1).flip(2)], 0)  # both strands (channels A,C,G,T reversed = complement)
        xs = torch.nn.functional.pad(xs, (w - 1, w - 1), value=0.25)
        z = torch.relu(torch.nn.functional.conv1d(xs, conv, cbias))  # (2B, N*F, L')
        p = z.amax(dim=2).view(2, b, n, f).permute(2, 0, 1, 3).reshape(n, 2 * b, f)
        if a.hidden:
            p = torch.relu(torch.bmm(p, w1) + b1)
        logit = (torch.bmm(p, w2) + b2).view(n, 2, b).amax(dim=1)  # (N, B)
        loss = 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(logit, y.expand(n, b), reduction="none").mean(1).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    t = time.perf_counter()
    for _ in range(a.steps):
        step()
    print(json.dumps({"ms_per_step": (time.perf_counter() - t) / a.steps * 1e3, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
