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
* a demonstration worker, :mod:`keras_motifs.commands.multiworker_demo` (``python -m
  keras_motifs.commands.multiworker_demo worker ...``), which trains a (by default tiny) DanQ on
  synthetic data with :func:`train`.

Fault tolerance: when a worker dies, the collectives of the others fail or block, so the whole job
is restarted (by hand, or by the cluster manager: Kubernetes, Slurm ``--requeue``, Vertex AI,
...) with the same TF_CONFIG and output folders. Each worker's ``ResumableBackup`` then restores
the weights, optimizer and random state and the epoch (and batch) of the last backup, and training continues
from there (per epoch by default; ``train(backup_every_steps=N)`` for long epochs).

Local demonstration (two workers over 127.0.0.1)::

    python -m keras_motifs.commands.multiworker_demo launch --workers 2 --output_dir runs/mw -- --epochs 3

On a cluster, run the same ``train(...)`` program on every host with its own ``TF_CONFIG``::

    TF_CONFIG='{"cluster": {"worker": ["host0:12345", "host1:12345"]}, "task": {"type": "worker", "index": 0}}'

The same strategy API drives GPU fleets (``MultiWorkerMirroredStrategy`` uses NCCL between GPUs
when it finds them) and, with ``tf.distribute.TPUStrategy`` passed as ``train(strategy=...)``, TPUs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
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
                         log_dir: "str | os.PathLike | None" = None, workers: list[str] | None = None,
                         module: str = "keras_motifs.commands.multiworker_demo"):
    """Start ``n`` worker processes, ``python -m <module> worker <worker_args>`` (default: the
    demonstration worker, :mod:`keras_motifs.commands.multiworker_demo`).

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
            [sys.executable, "-m", module, "worker", *worker_args],
            env=e, stdout=out, stderr=subprocess.STDOUT,
        ))
    return procs, workers
