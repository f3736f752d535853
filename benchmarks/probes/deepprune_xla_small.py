"""Probe (not a timed benchmark): one Deepprune fit (``keras_motifs.pruning.fit_model``, 5,000 random one-hot
rows of 101 bp, batch 256, 10 % validation) with and without XLA (``jit_compile``), for 2 and 12 epochs, so
that the fixed cost of a fit (tracing, XLA compiling) and the cost per epoch can be told apart; CPU seconds
of this process. Usage: TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python
benchmarks/probes/deepprune_xla_small.py [KERNELS,...]"""
import sys
import time

import numpy as np

from keras_motifs import logs

logs.import_tensorflow_quietly()
import keras  # noqa: E402

from keras_motifs.models.deepprune import Deepprune  # noqa: E402
from keras_motifs.pruning.fitting import fit_model  # noqa: E402

kernels = [int(k) for k in (sys.argv[1] if len(sys.argv) > 1 else "4,16,64").split(",")]
rng = np.random.default_rng(0)
x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (5000, 101))]
y = rng.integers(0, 2, 5000).astype(np.float32)
cpu = {}
for epochs in (2, 12):
    for k in kernels:
        for jit in (True, False):
            keras.utils.set_random_seed(0)
            model = Deepprune("deepprune", kernels=k, with_mask=False)
            c0 = time.process_time()
            fit_model(model, x, y, 0.01, {"epochs": epochs, "early_stopping_patience": 100, "jit_compile": jit})
            cpu[(epochs, k, jit)] = time.process_time() - c0
            print(f"kernels {k:4d} jit {jit!s:5}: {epochs:2d} epochs {cpu[(epochs, k, jit)]:.2f} CPU s", flush=True)
for k in kernels:
    for jit in (True, False):
        per_epoch = (cpu[(12, k, jit)] - cpu[(2, k, jit)]) / 10
        print(f"kernels {k:4d} jit {jit!s:5}: {per_epoch:.3f} CPU s per epoch, "
              f"{cpu[(2, k, jit)] - 2 * per_epoch:.2f} CPU s fixed per fit")
