"""Probe (not a timed benchmark): the Koo & Eddy training step alone, Keras default vs jit_compile=True, 3 interleaved rounds of 60 steps; samples per wall and per CPU second. Usage: python benchmarks/probes/koo_eddy_xla_step.py [PRESET]"""
import os, sys, time
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # benchmarks/_common.py
from _common import koo_eddy_batch, koo_eddy_step
from keras_motifs import logs
tf = logs.import_tensorflow_quietly()
from keras_motifs.papers.koo_eddy import training_settings
preset = sys.argv[1] if len(sys.argv) > 1 else "koo_eddy_cnn_25"
cfg = dict(training_settings(preset))
B = cfg["batch_size"]
xb, yb, _ = koo_eddy_batch(B)
steps = {jit: koo_eddy_step(preset, cfg, xb, yb, 0, jit_compile=jit) for jit in (False, True)}
for step in steps.values():
    for _ in range(5): step()
for r in range(3):
    for jit, step in steps.items():
        t, c = time.perf_counter(), time.process_time()
        for _ in range(60): out = step()
        out.numpy()
        print(preset, "jit" if jit else "default", f"wall {60*B/(time.perf_counter()-t):.0f} cpu {60*B/(time.process_time()-c):.0f} samples/s", flush=True)
