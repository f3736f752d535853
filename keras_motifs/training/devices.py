"""Device set-up and the choice of ``tf.distribute`` strategy.

``configure_logical_cpus(n)`` splits the host CPU into ``n`` logical devices so that
MirroredStrategy code paths can be exercised on a machine without accelerators. TensorFlow only
allows this before its runtime is initialised, so call it first thing in a program.
"""

from __future__ import annotations

import json
import os


def configure_logical_cpus(n: int) -> list:
    """Split the first physical CPU into ``n`` logical devices (no-op for n <= 1).

    Must run before any TensorFlow op; raises RuntimeError with advice otherwise.
    """
    import tensorflow as tf

    if n is None or n <= 1:
        return tf.config.list_logical_devices("CPU")
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError as exc:
        current = tf.config.list_logical_devices("CPU")
        if len(current) == n:
            return current
        raise RuntimeError(
            f"cannot split the CPU into {n} logical devices after TensorFlow has started "
            f"({len(current)} exist); call configure_logical_cpus() before building any model"
        ) from exc
    return tf.config.list_logical_devices("CPU")


def make_strategy(num_devices: int | None = None, kind: str = "auto") -> "tf.distribute.Strategy":
    """Choose a strategy.

    kind:
      ``"auto"``: MultiWorkerMirroredStrategy when ``TF_CONFIG`` names more than one worker,
        else MirroredStrategy over the visible GPUs, else over the logical CPUs when there is
        more than one, else the default (single-device) strategy.
      ``"mirrored"``, ``"multiworker"``, ``"default"``: force one.
    ``num_devices`` limits how many local devices MirroredStrategy uses.
    """
    import tensorflow as tf

    if kind == "auto":
        tf_config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
        workers = tf_config.get("cluster", {}).get("worker", [])
        if len(workers) > 1:
            kind = "multiworker"
        else:
            gpus = tf.config.list_logical_devices("GPU")
            cpus = tf.config.list_logical_devices("CPU")
            kind = "mirrored" if (len(gpus) > 1 or len(cpus) > 1 or gpus) else "default"
    if kind == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        if num_devices:
            if num_devices > len(devices):
                raise ValueError(f"{num_devices} devices requested, {len(devices)} visible: {devices}")
            devices = devices[:num_devices]
        # HierarchicalCopyAllReduce needs NCCL-less CPU support; ReductionToOneDevice works anywhere.
        cross = None if gpus else tf.distribute.ReductionToOneDevice()
        return tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=cross)
    raise ValueError(f"unknown strategy kind {kind!r}")
