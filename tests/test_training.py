"""keras_motifs.training.train: outputs, determinism, resume, distribution (small models)."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from keras_motifs.models import DanQ
from keras_motifs.training import train

TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3, sequence_length=50)


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, 50))]
    y = (x[:, :, 0].sum(1, keepdims=True) > 12).astype(np.float32) * np.ones((1, 3), np.float32)
    return x, y


def _tiny():
    return DanQ(**TINY)


CFG = {"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 3, "early_stopping_patience": 5}


def test_train_writes_outputs_and_restores_best(tmp_path):
    x, y = _data()
    r = train(_tiny, (x, y), (x[:32], y[:32]), output_dir=tmp_path, training=CFG, seed=1, verbose=0, tensorboard=False)
    assert r.epochs_run == 3
    assert (tmp_path / "best.keras").exists() and (tmp_path / "DONE").exists()
    assert not (tmp_path / "backup").exists()  # resume state removed after a finished run
    log = (tmp_path / "training_log.csv").read_text().splitlines()
    assert log[0].startswith("epoch") and len(log) == 4
    best = json.loads((tmp_path / "best.keras.json").read_text())
    assert best["best"] == pytest.approx(min(r.history["val_loss"]), rel=1e-6)
    assert r.model.evaluate(x[:32], y[:32], verbose=0)[0] == pytest.approx(best["best"], rel=1e-4)


def test_same_seed_same_history(tmp_path):
    x, y = _data()
    h1 = train(_tiny, (x, y), (x, y), output_dir=tmp_path / "a", training=CFG, seed=7, verbose=0, tensorboard=False).history
    h2 = train(_tiny, (x, y), (x, y), output_dir=tmp_path / "b", training=CFG, seed=7, verbose=0, tensorboard=False).history
    h3 = train(_tiny, (x, y), (x, y), output_dir=tmp_path / "c", training=CFG, seed=8, verbose=0, tensorboard=False).history
    assert h1["loss"] == h2["loss"] and h1["val_loss"] == h2["val_loss"]
    assert h1["loss"] != h3["loss"]


class _Crash(Exception):
    pass


def test_interrupted_run_resumes_from_backup(tmp_path):
    import keras

    class CrashAfterEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise _Crash()

    x, y = _data()
    cfg = dict(CFG, epochs=4)
    with pytest.raises(_Crash):
        train(_tiny, (x, y), (x, y), output_dir=tmp_path, training=cfg, seed=3, verbose=0, tensorboard=False, callbacks=[CrashAfterEpoch()])
    assert (tmp_path / "backup").exists() and not (tmp_path / "DONE").exists()
    r = train(_tiny, (x, y), (x, y), output_dir=tmp_path, training=cfg, seed=3, verbose=0, tensorboard=False)
    assert r.epochs_run == 4 and len(r.history["loss"]) == 2  # epochs 3 and 4 trained here: resumed, not restarted
    # run_history is the whole run's: the two epochs before the crash from the log, then this process's
    whole = train(_tiny, (x, y), (x, y), output_dir=tmp_path / "whole", training=cfg, seed=3, verbose=0,
                  tensorboard=False)
    assert whole.run_history == whole.history
    assert sorted(r.run_history) == sorted(r.history) and len(r.run_history["val_loss"]) == 4
    assert r.run_history["loss"][2:] == r.history["loss"]
    # the epochs before the crash: the same seed's uninterrupted run has them too
    np.testing.assert_allclose(r.run_history["val_loss"][:2], whole.history["val_loss"][:2], rtol=1e-6)
    epochs = [int(l.split(",")[0]) for l in (tmp_path / "training_log.csv").read_text().splitlines()[1:] if not l.startswith("epoch")]
    assert epochs == [0, 1, 2, 3]
    assert (tmp_path / "DONE").exists()


def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    script = textwrap.dedent(
        f"""
        import json, numpy as np
        from keras_motifs.training import configure_logical_cpus, train
        configure_logical_cpus(2)
        import keras
        from keras_motifs.models import DanQ
        rng = np.random.default_rng(0)
        x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (64, 50))]
        y = (x[:, :, 0].sum(1, keepdims=True) > 12).astype(np.float32) * np.ones((1, 3), np.float32)
        r = train(lambda: DanQ(**{TINY!r}), (x, y), (x, y), output_dir={str(tmp_path)!r},
                  training={CFG!r}, seed=1, verbose=0, strategy="mirrored", tensorboard=False)
        loaded = keras.models.load_model({str(tmp_path / 'best.keras')!r}, safe_mode=True)
        same = bool(np.allclose(loaded.predict(x, verbose=0), r.model.predict(x, verbose=0)))
        print(json.dumps({{"strategy": r.strategy, "replicas": r.replicas, "loss": r.history["loss"], "same": same}}))
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["strategy"] == "MirroredStrategy" and res["replicas"] == 2
    assert all(np.isfinite(res["loss"])) and res["same"]


def test_throughput_of_a_run_shorter_than_the_warm_up_is_a_number():
    """A 4-batch run (shorter than the 15-batch warm-up) used to report 'nan samples/s'."""
    from keras_motifs.training.callbacks import ThroughputLogger

    t = ThroughputLogger(batch_size=10)
    for b in range(4):
        t.on_train_batch_begin(b)
        t.on_train_batch_end(b)
    assert np.isfinite(t.samples_per_second()) and t.samples_per_second() > 0
    assert np.isnan(ThroughputLogger(batch_size=10).samples_per_second())  # no batch at all


def test_run_history_puts_the_logged_epochs_before_this_process(tmp_path, caplog):
    from keras_motifs.training.fit import run_history

    log = tmp_path / "training_log.csv"
    log.write_text("epoch,loss,val_loss\n0,0.9,0.8\n1,0.7,NA\n")
    here = {"loss": [0.5], "val_loss": [0.4]}
    assert run_history(log, here, 0) is here  # a run from the start: this process's epochs are the run's
    got = run_history(log, here, 2)
    assert got["loss"] == [0.9, 0.7, 0.5] and got["val_loss"][0] == 0.8 and np.isnan(got["val_loss"][1])
    with caplog.at_level("WARNING"):
        assert run_history(log, here, 3) == here  # the log lacks an epoch before the resume: said, not invented
        assert run_history(tmp_path / "missing.csv", here, 2) == here
    assert "holds 2 of the 3 epochs" in caplog.text and "missing.csv" in caplog.text
