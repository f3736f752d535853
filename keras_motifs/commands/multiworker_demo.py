"""Multi-worker demonstration: N local workers train a (by default tiny) DanQ together.

``python -m keras_motifs.commands.multiworker_demo launch --workers 2 --output_dir runs/mw -- --epochs 3``
starts the workers over 127.0.0.1 (TF_CONFIG per worker, see :mod:`keras_motifs.training.multiworker`);
``... worker`` is one worker (reads TF_CONFIG), as a cluster would start it on each host.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..training.multiworker import launch_local_workers, task_index, worker_output_dir


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

    from .. import models  # noqa: F401  (registers the "danq" preset)
    from ..io import write_json
    from ..training import train


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
        fresh=args.fresh,
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
    ap = argparse.ArgumentParser(prog="python -m keras_motifs.commands.multiworker_demo", description=__doc__.split("\n")[0])
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
    w.add_argument("--fresh", action="store_true",
                   help="start afresh when the worker's folder holds another run's training outputs (deleted)")
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
