"""Multi-worker training with ``tf.distribute.MultiWorkerMirroredStrategy`` (TF_CONFIG).

:func:`keras_motifs.training.train` already picks ``MultiWorkerMirroredStrategy`` when the
``TF_CONFIG`` environment variable names more than one worker (``strategy="auto"``). This module
adds what a multi-worker job needs around it:

* :func:`tf_config` / :func:`local_cluster` — the TF_CONFIG of each worker (loopback ports for a
  local demonstration; real host names on a cluster),
* :func:`worker_output_dir` — one output folder per worker. The backup callback
  (``ResumableBackup``, like Keras 3's ``BackupAndRestore``) is not worker-aware (every worker
  writes its own backup files), so workers must not share a folder;
  worker 0 is the chief, and its ``best.keras`` is the result (all workers hold identical
  weights: gradients are all-reduced every step),
* :func:`launch_local_workers` — start N worker processes on this machine, and
* a demonstration worker: ``python -m keras_motifs.training.multiworker worker ...`` trains a
  (by default tiny) DanQ on synthetic data with :func:`train`.

Fault tolerance: when a worker dies, the collectives of the others fail or block, so the whole job
is restarted (by hand, or by the cluster manager: Kubernetes, Slurm ``--requeue``, Vertex AI,
...) with the same TF_CONFIG and output folders. Each worker's ``ResumableBackup`` then restores
the weights, optimizer and random state and the epoch (and batch) of the last backup, and training continues
from there (per epoch by default; ``train(backup_every_steps=N)`` for long epochs).

Local demonstration (two workers over 127.0.0.1)::

    python -m keras_motifs.training.multiworker launch --workers 2 --output_dir runs/mw -- --epochs 3

On a cluster, run the same ``train(...)`` program on every host with its own ``TF_CONFIG``::

    TF_CONFIG='{"cluster": {"worker": ["host0:12345", "host1:12345"]}, "task": {"type": "worker", "index": 0}}'

The same strategy API drives GPU fleets (``MultiWorkerMirroredStrategy`` uses NCCL between GPUs
when it finds them) and, with ``tf.distribute.TPUStrategy`` passed as ``train(strategy=...)``, TPUs.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """``n`` currently free TCP ports on ``host`` (loopback by default)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def tf_config(workers: list[str], index: int) -> str:
    """The TF_CONFIG JSON for worker ``index`` of a cluster of ``workers`` ("host:port")."""
    if not 0 <= index < len(workers):
        raise ValueError(f"worker index {index} outside the cluster of {len(workers)} workers")
    return json.dumps({"cluster": {"worker": list(workers)}, "task": {"type": "worker", "index": index}})


def local_cluster(n: int, host: str = "127.0.0.1") -> list[str]:
    """Addresses for ``n`` workers on this machine (free loopback ports)."""
    return [f"{host}:{p}" for p in free_ports(n, host)]


def task_index() -> int:
    """This process's worker index from TF_CONFIG (0 when TF_CONFIG is absent)."""
    cfg = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
    return int(cfg.get("task", {}).get("index", 0))


def worker_output_dir(output_dir: "str | os.PathLike") -> Path:
    """``<output_dir>/worker_<index>``: a worker's own folder (backups must not be shared)."""
    return Path(output_dir) / f"worker_{task_index()}"


def launch_local_workers(worker_args: list[str], n: int = 2, env: dict | None = None,
                         log_dir: "str | os.PathLike | None" = None, workers: list[str] | None = None):
    """Start ``n`` demonstration workers (``python -m keras_motifs.training.multiworker worker``).

    Returns ``(processes, workers)``; stdout/stderr go to ``<log_dir>/worker_<i>.log`` if given.
    Pass the previous ``workers`` to restart a job on the same addresses.
    """
    workers = workers or local_cluster(n)
    procs = []
    for i in range(len(workers)):
        e = dict(os.environ if env is None else env)
        e["TF_CONFIG"] = tf_config(workers, i)
        e.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        out = subprocess.DEVNULL
        if log_dir is not None:
            Path(log_dir).mkdir(parents=True, exist_ok=True)
            out = open(Path(log_dir) / f"worker_{i}.log", "ab")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "keras_motifs.training.multiworker", "worker", *worker_args],
            env=e, stdout=out, stderr=subprocess.STDOUT,
        ))
    return procs, workers


def fix_keras_symbolic_build(model) -> None:
    """Work around a Keras 3.15 bug that stops ``fit`` under MultiWorkerMirroredStrategy.

    Before the first step, Keras's TF trainer (``_maybe_symbolic_build``) takes one distributed
    batch and calls ``strategy.reduce("MEAN", batch, axis=None)`` on the whole ``(x, y)`` tuple
    only to learn the shapes; CollectiveAllReduceStrategy cannot reduce a nested structure and
    raises "Attempt to convert a value (PerReplica...) ... to a Tensor" as soon as there are two
    or more workers. This replaces that reduction, for this model only, with the batch's local
    component, which has the same shapes. No-op for other strategies.
    """
    import tensorflow as tf
    from keras import tree

    original = model._maybe_symbolic_build

    def local_part(v):
        if isinstance(v, tf.distribute.DistributedValues):
            return model.distribute_strategy.experimental_local_results(v)[0]
        return v

    def patched(iterator=None, data_batch=None):
        if iterator is not None and getattr(model, "_distribute_strategy", None) is not None:
            for _, _, it in iterator:
                return original(data_batch=tree.map_structure(local_part, next(it)))
        return original(iterator=iterator, data_batch=data_batch)

    object.__setattr__(model, "_maybe_symbolic_build", patched)
    _fix_keras_scalar_reduce()


def _fix_keras_scalar_reduce() -> None:
    """Second Keras 3.15 bug under multi-worker ``fit``: the per-step logs (scalars: loss and
    metrics) are reduced with ``strategy.reduce("MEAN", v, axis=0)``, which fails on 0-d values
    ("Invalid reduction dimension 0 for input with 0 dimensions"). Reduce scalars with
    ``axis=None`` (the mean over replicas) instead; everything else goes to Keras unchanged.
    Patches ``keras.src.backend.tensorflow.trainer.reduce_per_replica`` once per process.
    """
    import tensorflow as tf
    from keras import tree
    from keras.src.backend.tensorflow import trainer as tf_trainer

    if getattr(tf_trainer.reduce_per_replica, "_keras_motifs_fixed", False):
        return
    original = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        multi = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()
        if not multi or reduction not in ("auto", "mean"):
            return original(values, strategy, reduction)

        def _reduce(v):
            if v.shape.rank == 0:
                return strategy.reduce("MEAN", v, axis=None)
            return original(v, strategy, reduction)

        return tree.map_structure(_reduce, values)

    reduce_per_replica._keras_motifs_fixed = True
    tf_trainer.reduce_per_replica = reduce_per_replica


# ----------------------------------------------------------------------- demonstration worker
def _synthetic(n: int, length: int, targets: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 4, (n, length))
    x = np.eye(4, dtype=np.float32)[idx]
    # Learnable labels: target t is 1 when base t % 4 is frequent in the first half.
    frac = (idx[:, : length // 2, None] == (np.arange(targets) % 4)).mean(axis=1)
    y = (frac > 0.25).astype(np.float32)
    return x, y


def run_worker(args) -> dict:
    import keras

    from ..io import write_json
    from .fit import train


    class _Pause(keras.callbacks.Callback):
        """After epoch ``k`` ends (and its backup is written), note it in a file and sleep:
        gives a test a window to kill a worker at a known point."""

        def __init__(self, k, seconds, marker):
            super().__init__()
            self.k, self.seconds, self.marker = k, seconds, marker

        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == self.k:
                Path(self.marker).write_text(f"{epoch + 1}\n")
                time.sleep(self.seconds)

    out = worker_output_dir(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    x, y = _synthetic(args.samples, args.length, args.targets, seed=args.seed)
    cut = int(0.8 * len(x))
    cbs = []
    if args.pause_after_epoch:
        cbs.append(_Pause(args.pause_after_epoch, args.pause_seconds, out / "PAUSED"))
    model_kwargs = {"sequence_length": args.length, "num_targets": args.targets}
    if not args.full_size:
        model_kwargs.update(conv_filters=8, conv_width=9, pool_size=5, lstm_units=4, dense_units=8)
    result = train(
        "danq",
        (x[:cut], y[:cut]),
        (x[cut:], y[cut:]),
        output_dir=out,
        model_kwargs=model_kwargs,
        epochs=args.epochs,
        batch_size=args.batch_size,
        early_stopping_patience=None,
        shuffle_buffer=None,
        seed=args.seed,
        strategy="auto",
        tensorboard=False,
        callbacks=cbs,
        verbose=0,
    )
    import numpy as np

    weights = result.model.get_weights()
    summary = {
        "worker": task_index(),
        "strategy": result.strategy,
        "replicas": result.replicas,
        "epochs_run": result.epochs_run,
        "val_loss": [float(v) for v in result.history.get("val_loss", [])],
        "samples_per_second": result.train_samples_per_second,
        "weights_checksum": float(sum(float(np.sum(np.abs(w), dtype=np.float64)) for w in weights)),
    }
    write_json(out / "summary.json", summary)
    print(json.dumps(summary), flush=True)
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m keras_motifs.training.multiworker", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker", help="one demonstration worker (reads TF_CONFIG)")
    w.add_argument("--output_dir", required=True, help="job folder; this worker writes <output_dir>/worker_<i>")
    w.add_argument("--epochs", type=int, default=3)
    w.add_argument("--batch_size", type=int, default=32, help="global batch (split across workers)")
    w.add_argument("--samples", type=int, default=320)
    w.add_argument("--length", type=int, default=100)
    w.add_argument("--targets", type=int, default=4)
    w.add_argument("--seed", type=int, default=1337)
    w.add_argument("--full_size", action="store_true", help="the real DanQ layer sizes (slow on CPU)")
    w.add_argument("--pause_after_epoch", type=int, default=0, help=argparse.SUPPRESS)
    w.add_argument("--pause_seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    la = sub.add_parser("launch", help="start N local workers over loopback and wait for them")
    la.add_argument("--workers", type=int, default=2)
    la.add_argument("--output_dir", required=True)
    la.add_argument("worker_args", nargs=argparse.REMAINDER, help="after --: extra worker arguments")
    args = ap.parse_args(argv)
    if args.cmd == "worker":
        run_worker(args)
        return 0
    extra = [a for a in args.worker_args if a != "--"]
    procs, workers = launch_local_workers(["--output_dir", args.output_dir, *extra], args.workers,
                                          log_dir=Path(args.output_dir) / "logs")
    print(f"started {len(procs)} workers on {workers}; logs in {Path(args.output_dir) / 'logs'}")
    codes = [p.wait() for p in procs]
    print(f"exit codes {codes}")
    return max(abs(c) for c in codes)


if __name__ == "__main__":
    sys.exit(main())
