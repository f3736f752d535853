"""Helpers shared by the benchmark scripts: machine description, load, timing statistics."""

from __future__ import annotations

import os
import resource
import statistics
import time


def machine() -> str:
    """One line describing this machine as measured now (CPU model, vector extensions, cores, RAM)."""
    from keras_motifs.reporting.machine import describe_machine

    return describe_machine()


def load() -> str:
    try:
        return "load avg %.2f %.2f %.2f" % os.getloadavg()
    except OSError:  # pragma: no cover
        return "load avg ?"


def peak_rss_mb() -> float:
    """Peak resident set size of this process image so far, in MB: ``VmHWM`` of /proc/self/status
    where there is one. Not ``ru_maxrss`` first: Linux carries the forking parent's peak across exec,
    so a child started by a large parent would report the parent's size (seen in
    tests/test_deepbind_memory.py: 2.9 GB for a 0.8 GB child)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def summarize(times: list[float]) -> dict:
    return {
        "n": len(times),
        "median": statistics.median(times),
        "mean": statistics.fmean(times),
        "min": min(times),
        "max": max(times),
    }


def median_step_seconds(step, warmup: int, steps: int) -> float:
    """Run ``step()`` ``warmup`` times untimed, then ``steps`` times timed; median seconds per call."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0


def koo_eddy_step(preset: str, cfg: dict, xb, yb, seed: int, *, jit_compile: bool = False):
    """The training step of a Koo & Eddy preset alone, as one ``tf.function`` on the fixed batch
    ``(xb, yb)``: forward and backward pass (clipped BCE + the model's L2 losses) and the optimizer
    update of ``cfg`` (its paper settings); no ``fit``, pipeline or callbacks. Returns ``step()``."""
    import keras
    import tensorflow as tf

    import keras_motifs.models  # noqa: F401  (registers the presets)
    from keras_motifs import registry
    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.training.optimizers import make_optimizer

    keras.utils.set_random_seed(seed)
    net = registry.build(preset, sequence_length=int(xb.shape[1]))
    opt = make_optimizer(cfg)
    opt.build(net.trainable_variables)
    lossf = ClippedBinaryCrossentropy()

    @tf.function(jit_compile=jit_compile)
    def step():
        with tf.GradientTape() as tape:
            loss = lossf(yb, net(xb, training=True)) + tf.add_n(net.losses)
        grads = tape.gradient(loss, net.trainable_variables)
        opt.apply_gradients(zip(grads, net.trainable_variables))
        return loss

    return step


def matmul_peak(n: int = 2048, repeats: int = 8) -> dict:
    """float32 n x n matmul rate (GFLOP/s, best of ``repeats`` calls) in TensorFlow and in NumPy,
    with each one's CPU utilisation (process CPU seconds / wall seconds) over its calls; TensorFlow
    runs on the thread pools it was configured with before this call."""
    import numpy as np
    import tensorflow as tf

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    at = tf.constant(a)
    mm = tf.function(lambda: tf.matmul(at, at))
    out = {}
    for name, fn in (("tf", lambda: mm().numpy()), ("numpy", lambda: a @ a)):
        fn()
        best, c0, w0 = float("inf"), time.process_time(), time.perf_counter()
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        out[name] = 2 * n**3 / best / 1e9
        out[f"{name}_cpu_util"] = (time.process_time() - c0) / (time.perf_counter() - w0)
    return out


def koo_eddy_batch(batch: int = 100, seed: int = 0):
    """A fixed random Koo & Eddy batch as TensorFlow constants: one-hot (batch, 200, 4) rows and
    (batch, 12) labels (each 1 with probability 0.2), drawn in that order from ``default_rng(seed)``;
    returns (rows, labels, the generator) so a caller can draw more from the same stream."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    xb = tf.constant(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, 200))])
    return xb, tf.constant((rng.random((batch, 12)) < 0.2).astype(np.float32)), rng
