"""Koo & Eddy CNN training samples/s: today's default pipeline vs in-memory batches + steps_per_execution.

One Koo & Eddy model (default ``koo_eddy_cnn_25``), its paper training settings (Adam, batch
100; ``keras_motifs.papers.koo_eddy.training_settings``), through ``keras_motifs.training.train``
with the full per-epoch shuffle (``shuffle: "full"``), on random one-hot rows of the synthetic
set's shape (17,500 training and 2,500 validation rows of 200 nt, 12 labels):

* ``default``: the rows served by :meth:`FullShuffle.dataset` (a Python read of 1,000-row blocks
  of the epoch's permutation, split into rows and batched again) — the pipeline ``train`` used for
  arrays before the in-memory path, forced here by wrapping the arrays so they do not count as
  in memory; one step per call;
* ``in-memory``: arrays given as they are: :meth:`FullShuffle.batched_dataset` (one ``tf.gather``
  per batch from the arrays held as tensors), one step per call;
* ``in-memory + spe K``: the same with ``steps_per_execution=K``;
* ``floor``: the training step alone (the model's forward and backward pass and the Adam update
  in one ``tf.function`` on a fixed batch, no Keras ``fit``, no pipeline, no callbacks);
* with ``--torch``, the reference: the same network in PyTorch (``_torch_koo_eddy.py``, its own
  process, run in each round after ours): a plain training loop over the rows in memory (no
  validation, checkpoint or callbacks) and its step alone, with ``--torch-threads`` threads.

The three ``train`` variants give bitwise the same weights (tests/test_full_shuffle.py). Each
round runs every variant for ``--epochs`` epochs (fresh model, same seed); samples/s is the
training rows over the wall time of an epoch (its validation and end-of-epoch checkpoint and
backup included), epoch 0 (tracing) left out; the median over rounds is reported, the variants
interleaved so that they share the machine's load. On a shared machine the wall-clock rates
vary by 2-3x from epoch to epoch; the rates per CPU second of this process (all its threads)
vary much less and are printed beside them.

    nice -n 15 python benchmarks/koo_eddy_throughput.py --rounds 3 [--torch]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from _common import koo_eddy_step, load, machine

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, models="preset (default koo_eddy_cnn_25)", models_default=["koo_eddy_cnn_25"], seed=0, tfds_dir=False,
                   out="write the results as JSON to this file too")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3, help="epochs per variant and round (the first not timed)")
    ap.add_argument("--spe", type=int, nargs="+", default=[25, 175], help="steps_per_execution values tried")
    ap.add_argument("--rows", type=int, default=17500)
    ap.add_argument("--torch", action="store_true", help="add the PyTorch reference (_torch_koo_eddy.py, own process)")
    ap.add_argument("--torch-threads", type=int, default=2)
    args = ap.parse_args(argv)
    if args.torch and args.models[0] != "koo_eddy_cnn_25":
        ap.error("--torch: the PyTorch reference is CNN-25 only (--models koo_eddy_cnn_25)")
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    import keras
    import tensorflow as tf

    from keras_motifs.papers.koo_eddy import training_settings
    from keras_motifs.training import train
    from keras_motifs.training.shuffle import ArrayRows, FullShuffle

    class WrappedRows(ArrayRows):
        """The arrays, not counted as in memory: served by the row-by-row pipeline (the old default)."""

    preset = args.models[0]
    seed = args.seed or 0
    rng = np.random.default_rng(seed)
    eye = np.eye(4, dtype=np.float32)
    x = eye[rng.integers(0, 4, (args.rows, 200))]
    y = (rng.random((args.rows, 12)) < 0.2).astype(np.float32)
    xv = eye[rng.integers(0, 4, (2500, 200))]
    yv = (rng.random((2500, 12)) < 0.2).astype(np.float32)
    cfg = dict(training_settings(preset), epochs=args.epochs, early_stopping_patience=None)
    print(machine())
    print("start:", load(), flush=True)

    class EpochTimes(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0, self.c0 = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            self.times.append((time.perf_counter() - self.t0, time.process_time() - self.c0))

    variants = [("default", {"wrapped": True, "spe": 1}), ("in-memory", {"wrapped": False, "spe": 1})]
    variants += [(f"in-memory + spe {k}", {"wrapped": False, "spe": k}) for k in args.spe]
    rates = {name: [] for name, _ in variants}
    cpu_rates = {name: [] for name, _ in variants}
    torch_names = ("PyTorch loop (in memory)", "PyTorch step alone")
    if args.torch:
        rates.update({k: [] for k in torch_names})
        cpu_rates.update({k: [] for k in torch_names})
        ours = _parameters(preset)
    for r in range(args.rounds):
        for name, v in variants:
            data = FullShuffle(WrappedRows(x, y), seed=seed) if v["wrapped"] else (x, y)
            timer = EpochTimes()
            train(preset, data, (xv, yv), output_dir=tempfile.mkdtemp(prefix="koo_tp_"), training=cfg,
                  model_kwargs={"sequence_length": 200}, seed=seed, tensorboard=False, verbose=0,
                  shuffle_buffer="full", callbacks=[timer], steps_per_execution=v["spe"])
            rates[name] += [args.rows / t for t, _ in timer.times[1:]]
            cpu_rates[name] += [args.rows / c for _, c in timer.times[1:]]
            print(f"round {r + 1} {name}: " + ", ".join(f"{args.rows / t:.0f} ({args.rows / c:.0f})"
                                                        for t, c in timer.times[1:])
                  + f" samples per wall (CPU) second  [{load()}]", flush=True)
        if args.torch:
            ref = _torch_round(args, seed, cfg["batch_size"])
            if ref["parameters"] != ours:
                raise SystemExit(f"the PyTorch reference has {ref['parameters']} parameters, ours {ours}: not the same model")
            per = {torch_names[0]: (ref["loop"], args.rows), torch_names[1]: (ref["step"], 100 * cfg["batch_size"])}
            for name, (times, n) in per.items():
                rates[name] += [n / t for t, _ in times]
                cpu_rates[name] += [n / c for _, c in times]
                print(f"round {r + 1} {name}: " + ", ".join(f"{n / t:.0f} ({n / c:.0f})" for t, c in times)
                      + f" samples per wall (CPU) second  [torch {ref['torch']}, {ref['threads']} threads; {load()}]",
                      flush=True)

    # the floor: the step alone
    step = koo_eddy_step(preset, cfg, tf.constant(x[:cfg["batch_size"]]), tf.constant(y[:cfg["batch_size"]]), seed)

    for _ in range(5):
        step()
    floor, floor_cpu = [], []
    for _ in range(args.rounds):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(100):
            out = step()
        out.numpy()
        floor.append(100 * cfg["batch_size"] / (time.perf_counter() - t))
        floor_cpu.append(100 * cfg["batch_size"] / (time.process_time() - c))
    rates["floor (step alone)"] = floor
    cpu_rates["floor (step alone)"] = floor_cpu

    base = statistics.median(rates["default"])
    cbase = statistics.median(cpu_rates["default"])
    print(f"\n{preset}, batch {cfg['batch_size']}, {args.rows} rows/epoch: median over {args.rounds} rounds of "
          "samples per wall second and per CPU second of this process (all its threads)")
    results = {}
    for name, v in rates.items():
        med, cmed = statistics.median(v), statistics.median(cpu_rates[name])
        results[name] = {"median": med, "all": v, "vs_default": med / base, "cpu_median": cmed,
                         "cpu_all": cpu_rates[name], "cpu_vs_default": cmed / cbase}
        print(f"  {name:24s} wall {med:6.0f} ({med / base:4.2f}x; {min(v):.0f}-{max(v):.0f})   "
              f"CPU {cmed:6.0f} ({cmed / cbase:4.2f}x)")
    print("end:", load(), flush=True)
    if args.out:
        from keras_motifs.io import write_json

        write_json(args.out, {"preset": preset, "results": results, "machine": machine()})
    return 0


def _torch_round(args, seed: int, batch_size: int) -> dict:
    from pathlib import Path

    cmd = [sys.executable, str(Path(__file__).with_name("_torch_koo_eddy.py")), "--rows", str(args.rows),
           "--epochs", str(args.epochs), "--batch", str(batch_size), "--rounds", "1", "--step-calls", "100",
           "--threads", str(args.torch_threads), "--seed", str(seed)]
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"the PyTorch reference failed (is torch installed?):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _parameters(preset: str) -> int:
    import keras_motifs.models  # noqa: F401  (registers the presets)
    from keras_motifs import registry
    from keras_motifs.models.koo_eddy import trainable_parameter_count

    return trainable_parameter_count(registry.build(preset, sequence_length=200))


if __name__ == "__main__":
    sys.exit(main())
