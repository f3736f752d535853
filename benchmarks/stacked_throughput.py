"""Many small models trained as one: DeepBind model-steps/s, today's single-model path vs stacked.

For DeepBind M1 (``deepbind_encode``) and M2 (``deepbind_encode_hidden``), batch 64, on 101-bp
base-index rows:

* ``single``: today's default training path, ``keras_motifs.papers.deepbind.fit_deepbind`` (one
  model, one ``tf.function`` call per step, the batch fed from NumPy);
* ``stacked N``: :class:`keras_motifs.training.stacked.StackedDeepBind` with N calibration
  settings (``sample_setting``), ``steps_per_execution`` steps per call;
* ``torch N``: the same stacked computation in PyTorch (``_torch_stacked.py``, its own process).

Model-steps/s = N x steps / seconds; ratios are against ``single`` measured in the same run, one
after the other (the machine is shared: the load average is printed at start and end). Each rate
is printed with its CPU seconds per model-step (steadier than wall time under load), the GFLOP/s
it implies (:func:`deepbind_flops`) and that rate as a fraction of the float32 2048 x 2048
TensorFlow matmul peak measured in the same run, before and after the variants; the line
``bound`` gives the model-steps/s at 100 % of that peak, the most any formulation of the same
float32 arithmetic could reach, and its ratio to ``single``.

    python benchmarks/stacked_throughput.py                       # N = 1 10 30 90, M1 and M2
    python benchmarks/stacked_throughput.py --n 1 10 --steps 100 --presets deepbind_encode
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _common import load, machine, matmul_peak

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options, positive_int


def deepbind_flops(batch: int = 64, length: int = 101, width: int = 24, filters: int = 16, hidden: int = 0) -> float:
    """Floating-point operations (2 per multiply-add) of one DeepBind model's training step.

    Both strands; the sequence padded by ``width - 1`` on each side, so ``length + width - 1``
    positions per strand. Counted: the convolution forward and its weight gradient (its input is
    the data: no input gradient), the dense layers forward and both gradients (3x). Elementwise
    work (bias, ReLU, pooling and its gradient, dropout, the update) is not counted. M1, batch 64:
    97.5 MFLOP; M2: 97.9 MFLOP.
    """
    rows = 2 * batch  # strands
    conv = 2 * rows * (length + width - 1) * width * 4 * filters
    dense = 2 * rows * (filters * hidden + hidden) if hidden else 2 * rows * filters
    return 2 * conv + 3 * dense


def main(argv=None):
    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False, seed=0, out="write the results as JSON to this file too")
    ap.add_argument("--presets", nargs="+", default=["deepbind_encode", "deepbind_encode_hidden"])
    ap.add_argument("--n", nargs="+", type=positive_int, default=[1, 10, 30, 90], help="models stacked")
    ap.add_argument("--steps", type=positive_int, default=200,
                    help="timed model-steps per variant (stacked: steps = this / N, >= 20)")
    ap.add_argument("--steps-per-execution", type=positive_int, default=50)
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch reference")
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    import keras_motifs.models  # noqa: F401
    from keras_motifs.models.deepbind import sample_setting
    from keras_motifs.papers import deepbind as paper
    from keras_motifs.training.stacked import StackedDeepBind

    print(machine())
    print("start:", load(), flush=True)
    peaks = [matmul_peak()]
    print(f"fp32 matmul peak (TensorFlow, 2048 x 2048): {peaks[0]['tf']:.1f} GFLOP/s", flush=True)
    rng = np.random.default_rng(args.seed or 0)
    x = rng.integers(0, 4, size=(12800, 101)).astype(np.uint8)
    y = (rng.random(len(x)) < 0.5).astype(np.float32)
    results = []
    for preset in args.presets:
        hidden = 32 if preset.endswith("hidden") else 0
        setting = sample_setting(np.random.default_rng(1))
        setting["num_hidden"] = hidden
        model = paper.build_model(setting)
        kw = {"learning_rate": setting["learning_rate"], "momentum": setting["momentum"]}
        flops = deepbind_flops(hidden=hidden)
        paper.fit_deepbind(model, x, y, steps=20, **kw)  # trace, warm up
        t, c = time.perf_counter(), time.process_time()
        paper.fit_deepbind(model, x, y, steps=args.steps, **kw)
        single = args.steps / (time.perf_counter() - t)
        single_cpu = (time.process_time() - c) / args.steps
        row = {"preset": preset, "flops_per_model_step": flops, "single_model_steps_per_s": single,
               "single_cpu_s_per_model_step": single_cpu, "stacked": {}, "stacked_cpu_s_per_model_step": {},
               "torch": {}}
        print(f"{preset} ({flops / 1e6:.1f} MFLOP per model-step): single (fit_deepbind) {single:.1f} model-steps/s "
              f"({1e3 / single:.2f} ms/step, {1e3 * single_cpu:.2f} CPU ms/step, {single * flops / 1e9:.1f} GFLOP/s)",
              flush=True)
        for n in args.n:
            r = np.random.default_rng([2, n])
            settings = []
            for _ in range(n):
                s = sample_setting(r)
                s["num_hidden"] = hidden
                settings.append(s)
            stack = StackedDeepBind(settings, list(range(n)))
            steps = max(20, args.steps // n)
            stack.fit(x, y, steps=min(steps, args.steps_per_execution), steps_per_execution=args.steps_per_execution)
            t, c = time.perf_counter(), time.process_time()
            stack.fit(x, y, steps=steps, steps_per_execution=args.steps_per_execution)
            rate = n * steps / (time.perf_counter() - t)
            cpu = (time.process_time() - c) / (n * steps)
            row["stacked"][n] = rate
            row["stacked_cpu_s_per_model_step"][n] = cpu
            line = (f"  stacked N={n:3d}: {rate:8.1f} model-steps/s  {rate / single:5.2f}x single; "
                    f"{1e3 * cpu:.2f} CPU ms/step ({single_cpu / cpu:.2f}x single per CPU s); "
                    f"{rate * flops / 1e9:.1f} GFLOP/s = {rate * flops / 1e9 / peaks[0]['tf']:.0%} of peak")
            if not args.no_torch:
                cmd = [sys.executable, str(Path(__file__).with_name("_torch_stacked.py")), "--n", str(n),
                       "--hidden", str(hidden), "--steps", str(steps), "--warmup", "5"]
                out = subprocess.run(cmd, check=False, capture_output=True, text=True)
                if out.returncode == 0:
                    ms = json.loads(out.stdout.strip().splitlines()[-1])["ms_per_step"]
                    trate = n * 1e3 / ms
                    row["torch"][n] = trate
                    line += f" | torch {trate:8.1f} model-steps/s, ours/torch {rate / trate:5.2f}x"
                else:
                    line += f" | torch failed: {out.stderr.strip().splitlines()[-1:]}"
            print(line, flush=True)
        results.append(row)
    peaks.append(matmul_peak())
    peak = max(p["tf"] for p in peaks)
    print(f"fp32 matmul peak at the end: {peaks[-1]['tf']:.1f} GFLOP/s; bound (100% of the better, {peak:.1f}):")
    for row in results:
        bound = peak * 1e9 / row["flops_per_model_step"]
        row["bound_model_steps_per_s"] = bound
        print(f"  {row['preset']}: {bound:.0f} model-steps/s = {bound / row['single_model_steps_per_s']:.1f}x single "
              f"(best stacked {max(row['stacked'].values(), default=float('nan')) / bound:.0%} of it)")
    print("end:", load(), flush=True)
    if args.out:
        from keras_motifs.io import write_json

        write_json(args.out, {"results": results, "matmul_peak": peaks, "machine": machine()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
