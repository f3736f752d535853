"""Probe (not a timed benchmark): two long trainings side by side on the 2-core machine — a
DeepBind calibration stack (15 M1 settings, StackedDeepBind, 200 steps per call) and the Koo &
Eddy CNN-25 training step (batch 100) — run (a) each alone with TensorFlow's default threads,
(b) together unpinned with default threads at nice 5 / nice 10 (how the paper-budget runs were
started until 2026-11-30), (c) together, each pinned to its own core (taskset) with one intra-
and one inter-op thread. The two children of a pair warm up, then time the same wall-clock window.
Prints each one's rate and its fraction of its alone rate. Usage:
python benchmarks/probes/two_runs_pinned.py [SECONDS]"""
import os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
CHILD = r'''
import os, sys, time, numpy as np
which, t0, dur = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
sys.path.insert(0, os.path.join(sys.argv[4], ".."))
from keras_motifs import logs
tf = logs.import_tensorflow_quietly()
import keras_motifs.models  # noqa: F401
rng = np.random.default_rng(0)
if which == "deepbind":
    from keras_motifs.models.deepbind import sample_setting
    from keras_motifs.training.stacked import StackedDeepBind
    x = rng.integers(0, 4, size=(12800, 101)).astype(np.uint8); y = (rng.random(len(x)) < 0.5).astype(np.float32)
    r = np.random.default_rng(2); settings = [dict(sample_setting(r), num_hidden=0) for _ in range(15)]
    stack = StackedDeepBind(settings, list(range(15)))
    def work():
        stack.fit(x, y, steps=200, steps_per_execution=50); return 200
    unit = "stacked steps/s (15 models)"
else:
    from _common import koo_eddy_batch, koo_eddy_step
    from keras_motifs.papers.koo_eddy import training_settings
    cfg = dict(training_settings("koo_eddy_cnn_25"))
    xb, yb, _ = koo_eddy_batch(100)
    step = koo_eddy_step("koo_eddy_cnn_25", cfg, xb, yb, 0)
    def work():
        for _ in range(20): out = step()
        out.numpy(); return 2000
    unit = "samples/s"
work()
while time.time() < t0: work()  # keep warm until the common window opens
t, n = time.perf_counter(), 0
while time.perf_counter() - t < dur: n += work()
print(f"{n / (time.perf_counter() - t):.1f} {unit}", flush=True)
'''


def run(configs, dur):
    t0 = time.time() + 45  # both children imported and warm by then
    procs = []
    for which, prefix, env in configs:
        procs.append(subprocess.Popen(prefix + [sys.executable, "-c", CHILD, which, str(t0), str(dur), HERE],
                                      env={**os.environ, **env}, stdout=subprocess.PIPE, text=True))
    return [float(p.communicate()[0].split()[0]) for p in procs]


def main():
    dur = float(sys.argv[1]) if len(sys.argv) > 1 else 40
    one = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    print("load avg %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    alone = {w: run([(w, [], {})], dur)[0] for w in ("deepbind", "koo")}
    print(f"alone, default threads: DeepBind {alone['deepbind']:.1f} stacked steps/s, Koo & Eddy {alone['koo']:.0f} samples/s", flush=True)
    for name, cfg in (("together, unpinned, default threads, nice 5 / 10",
                       [("deepbind", ["nice", "-n", "5"], {}), ("koo", ["nice", "-n", "10"], {})]),
                      ("together, pinned to cores 0 / 1, one thread each",
                       [("deepbind", ["taskset", "-c", "0"], one), ("koo", ["taskset", "-c", "1"], one)])):
        db, koo = run(cfg, dur)
        print(f"{name}: DeepBind {db:.1f} ({db / alone['deepbind']:.0%} of alone), Koo & Eddy {koo:.0f} "
              f"({koo / alone['koo']:.0%}); sum of fractions {db / alone['deepbind'] + koo / alone['koo']:.2f}", flush=True)
    print("load avg %.2f %.2f %.2f" % os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
