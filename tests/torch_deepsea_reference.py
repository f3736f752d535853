"""PyTorch reference for ``tests/test_deepsea_original_weights.py``, run in its own process
(PyTorch and TensorFlow in one process can crash): DeepSEA as Kipoi converted it, written out here.

Layer sequence of kipoi/models ``DeepSEA/model_architecture.py`` (``get_model`` /
``get_seqpred_model``), rewritten: ``Conv2d(4, c1, (1, 8))``, ``Threshold(0, 1e-6)``,
``MaxPool2d((1, 4), (1, 4))``, ``Dropout(0.2)``, the same with c2, ``Conv2d(c2, c3, (1, 8))``,
Threshold, ``Dropout(0.5)``, a reshape to (N, -1), ``Sequential(reshape, Linear(., hidden))``,
Threshold, ``Sequential(reshape, Linear(hidden, targets))``, ``Sigmoid``; wrapped as Kipoi's
variant-effect model ``Sequential(ReCodeAlphabet, net)`` (input A, C, G, T reordered to A, G, C, T)
and its prediction model ``Sequential(ReCodeAlphabet, ConcatenateRC, net, AverageRC)``.

Writes to OUT: ``veff.pth`` (zip format, keys ``1.*``), ``predict_legacy.pth`` (PyTorch's legacy
format, keys ``2.*``), ``cpu.pth`` (zip, keys ``0.*``), ``bn.pth`` (a state dict with a batch-norm
layer, as Selene's DeepSEA class has) and ``reference.npz`` (the input sequences as A, C, G, T
indices, the variant-effect model's and the prediction model's outputs in eval mode).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import torch
from torch import nn


class Lambda(nn.Module):  # no parameters, like Kipoi's LambdaBase (an empty nn.Sequential)
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class ReCodeAlphabet(nn.Module):  # A, C, G, T -> A, G, C, T on axis 1 of (N, 4, 1, L)
    def forward(self, x):
        return torch.stack([x[:, i] for i in (0, 2, 1, 3)], dim=1)


class ConcatenateRC(nn.Module):  # the batch followed by its reverse complement (flip channels and positions)
    def forward(self, x):
        return torch.cat([x, x.flip(1).flip(3)], dim=0)


class AverageRC(nn.Module):
    def forward(self, x):
        half = x.shape[0] // 2
        return x[:half] / 2 + x[half:] / 2


def deepsea_net(filters, hidden, targets, flat):
    c1, c2, c3 = filters
    return nn.Sequential(
        nn.Conv2d(4, c1, (1, 8), (1, 1)), nn.Threshold(0, 1e-06), nn.MaxPool2d((1, 4), (1, 4)), nn.Dropout(0.2),
        nn.Conv2d(c1, c2, (1, 8), (1, 1)), nn.Threshold(0, 1e-06), nn.MaxPool2d((1, 4), (1, 4)), nn.Dropout(0.2),
        nn.Conv2d(c2, c3, (1, 8), (1, 1)), nn.Threshold(0, 1e-06), nn.Dropout(0.5),
        Lambda(lambda x: x.view(x.size(0), -1)),
        nn.Sequential(Lambda(lambda x: x.view(1, -1) if 1 == len(x.size()) else x), nn.Linear(flat, hidden)),
        nn.Threshold(0, 1e-06),
        nn.Sequential(Lambda(lambda x: x.view(1, -1) if 1 == len(x.size()) else x), nn.Linear(hidden, targets)),
        nn.Sigmoid(),
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--length", type=int, default=1000)
    p.add_argument("--filters", default="320,480,960")
    p.add_argument("--hidden", type=int, default=925)
    p.add_argument("--targets", type=int, default=919)
    p.add_argument("--n", type=int, default=4)
    p.add_argument("--only-veff", action="store_true", help="write veff.pth alone (the full-size test)")
    p.add_argument("--scale", type=float, default=3.0, help="weights x this (spread the outputs)")
    args = p.parse_args()
    torch.manual_seed(0)
    filters = [int(f) for f in args.filters.split(",")]
    steps = ((args.length - 7) // 4 - 7) // 4 - 7
    net = deepsea_net(filters, args.hidden, args.targets, filters[2] * steps)
    with torch.no_grad():
        for prm in net.parameters():
            prm.mul_(args.scale)
    veff = nn.Sequential(ReCodeAlphabet(), net).eval()
    predict = nn.Sequential(ReCodeAlphabet(), ConcatenateRC(), net, AverageRC()).eval()
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 4, size=(args.n, args.length))
    x = np.zeros((args.n, 4, 1, args.length), np.float32)  # Kipoi's input: (N, 4, 1, L), A, C, G, T
    x[np.arange(args.n)[:, None], idx, 0, np.arange(args.length)[None, :]] = 1.0
    with torch.no_grad():
        out_veff = veff(torch.from_numpy(x)).numpy()
        out_predict = predict(torch.from_numpy(x)).numpy()
    torch.save(veff.state_dict(), os.path.join(args.out, "veff.pth"))
    if not args.only_veff:
        torch.save(predict.state_dict(), os.path.join(args.out, "predict_legacy.pth"),
                   _use_new_zipfile_serialization=False)
        torch.save(net.state_dict(), os.path.join(args.out, "cpu.pth"))
        bn = nn.Sequential(nn.Conv1d(4, filters[0], 8), nn.ReLU(), nn.BatchNorm1d(filters[0]))
        torch.save(bn.state_dict(), os.path.join(args.out, "bn.pth"))
    np.savez(os.path.join(args.out, "reference.npz"), acgt=idx, veff=out_veff, predict=out_predict,
             keys=np.array(list(veff.state_dict())))


if __name__ == "__main__":
    main()
