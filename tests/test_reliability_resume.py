"""Crashes and resumes, determinism (bad input and faults).

* A training process killed hard (SIGKILL) in the middle of an epoch resumes from its last backup
  (``ResumableBackup``, taken every 2 batches) and ends with exactly the metrics, weights, CSV log
  and best checkpoint of an uninterrupted run with the same seed.
* Same seed twice -> the same metrics, under MirroredStrategy over 2 logical CPUs (the single
  device case is ``tests/test_training.py::test_same_seed_same_history``).
* NaN loss stops training with a clear message and keeps the last good checkpoint.

One child process trains the uninterrupted run, the two mirrored runs and then the run that is
killed; a second child resumes it. Logical devices must be set before TensorFlow starts, hence the
child processes. The rows are shuffled in full every epoch (``shuffle_buffer="full"``: the order of
an epoch is drawn from (seed, epoch), so the resumed process serves the interrupted epoch in the
interrupted run's order); a ``Dataset.shuffle`` buffer with ``reshuffle_each_iteration`` would
restart its sequence of orders in a new process (docs/RELIABILITY.md).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    from keras_motifs.training import configure_logical_cpus
    configure_logical_cpus(2)
    import numpy as np, keras
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    mode, root = sys.argv[1], sys.argv[2]
    TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3,
                sequence_length=50)
    CFG = {"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 3,
           "early_stopping_patience": 5}
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (64, 50))]
    y = ((x[:, :, 0].sum(1, keepdims=True) > 12) * np.ones((1, 3))).astype(np.float32)

    def run(name, strategy="default", callbacks=(), epochs=3):
        # the mirrored runs (slow to trace) train 1 epoch without validation
        val = (x[:32], y[:32]) if strategy == "default" else None
        r = train(lambda: DanQ(**TINY), (x, y), val, output_dir=os.path.join(root, name),
                  training=dict(CFG, epochs=epochs), seed=11, verbose=0, tensorboard=False, shuffle_buffer="full",
                  backup_every_steps=2, strategy=strategy, callbacks=list(callbacks))
        return {"history": r.history, "epochs_run": r.epochs_run, "replicas": r.replicas,
                "strategy": r.strategy, "weights": [float(np.sum(w, dtype=np.float64)) for w in r.model.get_weights()]}

    class Stall(keras.callbacks.Callback):
        # epoch 1, batch 3: batches 0-2 of the epoch are trained, the last backup is after batch 1
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
        def on_train_batch_begin(self, batch, logs=None):
            if self.epoch == 1 and batch == 3:
                with open(os.path.join(root, "STALLED"), "w") as fh:
                    fh.write("waiting for SIGKILL")
                time.sleep(600)

    if mode == "first":
        res = {"full": run("full"), "mirrored_a": run("mirrored_a", "mirrored", epochs=1),
               "mirrored_b": run("mirrored_b", "mirrored", epochs=1)}
        with open(os.path.join(root, "first.json"), "w") as fh:
            json.dump(res, fh)
        run("killed", callbacks=[Stall()])
    else:
        print("RESULT " + json.dumps(run("killed")))
    """
)


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("resume")
    log = open(root / "first.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, "first", str(root)], stdout=log, stderr=subprocess.STDOUT,
                            env=_env())
    deadline = time.time() + 300
    while not (root / "STALLED").exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail("first child ended before stalling:\n" + (root / "first.log").read_text()[-4000:])
        time.sleep(0.2)
    after_kill = {}
    os.kill(proc.pid, signal.SIGKILL)  # hard: no Python cleanup, no callbacks, no on_train_end
    proc.wait(60)
    log.close()
    killed = root / "killed"
    after_kill["returncode"] = proc.returncode
    after_kill["files"] = sorted(p.name for p in killed.iterdir())
    after_kill["pointer"] = json.loads((killed / "backup" / "latest.json").read_text())
    after_kill["backup_files"] = sorted(p.name for p in (killed / "backup" / after_kill["pointer"]["checkpoint"]).iterdir())
    first = json.loads((root / "first.json").read_text())
    out = subprocess.run([sys.executable, "-c", CHILD, "resume", str(root)], capture_output=True, text=True,
                         env=_env(), timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]
    resumed = json.loads([line for line in out.stdout.splitlines() if line.startswith("RESULT ")][-1][7:])
    return root, first, after_kill, resumed


def test_sigkill_mid_epoch_leaves_a_complete_backup_and_no_done_marker(runs):
    _, _, after, _ = runs
    assert after["returncode"] == -signal.SIGKILL
    assert "DONE" not in after["files"] and "backup" in after["files"]
    # the last backup: epoch 1 (0-based) after 2 of its 4 batches; batch 2 was trained after it
    assert after["pointer"]["epoch"] == 1 and after["pointer"]["batches_done"] == 2
    assert after["backup_files"] == ["state.npz", "variables.npz"]


def test_sigkill_mid_epoch_resume_matches_uninterrupted_run_exactly(runs):
    root, first, _, resumed = runs
    full = first["full"]
    # the run's 3 epochs, of which epochs 1 and 2 were trained by this process: resumed, not restarted
    assert resumed["epochs_run"] == 3 and len(resumed["history"]["loss"]) == 2
    for key, values in full["history"].items():
        assert resumed["history"][key] == values[1:], key  # exact float equality
    assert resumed["weights"] == full["weights"]  # the best checkpoint, reloaded: bit for bit
    assert (root / "killed" / "training_log.csv").read_text() == (root / "full" / "training_log.csv").read_text()
    assert json.loads((root / "killed" / "best.keras.json").read_text()) == json.loads(
        (root / "full" / "best.keras.json").read_text())
    assert (root / "killed" / "DONE").exists() and not (root / "killed" / "backup").exists()


def test_same_seed_same_metrics_under_mirrored_strategy(runs):
    _, first, _, _ = runs
    a, b = first["mirrored_a"], first["mirrored_b"]
    assert a["strategy"] == "MirroredStrategy" and a["replicas"] == 2
    assert a["history"] == b["history"] and a["weights"] == b["weights"]
    assert all(np.isfinite(a["history"]["loss"])) and a["epochs_run"] == 1


def test_nan_loss_stops_with_message_and_keeps_last_good_checkpoint(tmp_path):
    import keras

    from keras_motifs.interpret import load_model
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    class PoisonWeights(keras.callbacks.Callback):  # epoch 2: the output layer's weights become NaN
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                # the output layer: a NaN kernel before a ReLU can be zeroed by the ReLU (oneDNN
                # relu(NaN) = 0 on some CPUs), so the loss would stay finite
                w = self.model.get_layer("targets").kernel
                w.assign(np.full(w.shape, np.nan, dtype="float32"))

    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (48, 50))]
    y = (rng.random((48, 3)) < 0.5).astype(np.float32)
    tiny = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3,
                sequence_length=50)
    with pytest.raises(FloatingPointError, match=r"loss became NaN; the last good model is .*best\.keras"):
        train(lambda: DanQ(**tiny), (x, y), (x, y), output_dir=tmp_path, seed=1, verbose=0, tensorboard=False,
              training={"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 4},
              callbacks=[PoisonWeights()])
    assert not (tmp_path / "DONE").exists()
    state = json.loads((tmp_path / "best.keras.json").read_text())
    assert state["epoch"] <= 2 and np.isfinite(state["best"])
    best = load_model(tmp_path / "best.keras")
    assert all(np.isfinite(w).all() for w in best.get_weights())
    assert np.isfinite(best.predict(x[:4], verbose=0)).all()


def test_clipped_bce_clips_probabilities_at_1e7_like_the_originals():
    import keras

    from keras_motifs.losses import ClippedBinaryCrossentropy

    loss = ClippedBinaryCrossentropy()
    y_true = np.array([[1.0, 0.0]], np.float32)
    worst = float(keras.ops.convert_to_numpy(loss(y_true, np.array([[0.0, 1.0]], np.float32))))
    # p clipped to [1e-7, 1 - 1e-7] in float32 before the logs: finite, not log(0)
    lo, hi = np.float32(1e-7), np.float32(1) - np.float32(1e-7)
    want = (-np.log(lo) - np.log(np.float32(1) - hi)) / 2  # mean over the two targets
    assert worst == pytest.approx(float(want), rel=1e-5)
    best = float(keras.ops.convert_to_numpy(loss(y_true, np.array([[1.0, 0.0]], np.float32))))
    assert best == pytest.approx(float(-np.log(hi)), abs=1e-6)
    assert loss.epsilon == 1e-7
