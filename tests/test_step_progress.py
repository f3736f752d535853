"""Progress inside a training epoch (keras_motifs.training.step_progress.StepProgress) and the
TFDS bars kept out of logs (keras_motifs.logs.quiet_progress)."""

import io
import logging
import os

import numpy as np


def _tiny_fit(callback, epochs=2, steps_per_execution=1):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", steps_per_execution=steps_per_execution)
    x = np.random.default_rng(0).random((40, 3)).astype("float32")
    y = (x[:, :1] > 0.5).astype("float32")
    model.fit(x, y, batch_size=10, epochs=epochs, verbose=0, callbacks=[callback])


def test_step_progress_logs_steps_rate_and_eta_when_not_a_terminal(caplog):
    from keras_motifs.training.step_progress import StepProgress

    caplog.set_level(logging.INFO, logger="keras_motifs.progress")
    _tiny_fit(StepProgress(10, interval=0.0, terminal=False))
    lines = [r.getMessage() for r in caplog.records if r.name == "keras_motifs.progress"]
    assert any(m.startswith("epoch 1/2: 10/40 (25%)") and "samples/s" in m and "ETA" in m for m in lines), lines
    assert any(m.startswith("epoch 2/2: 40/40 (100%)") for m in lines), lines


def test_step_progress_counts_steps_not_calls_with_steps_per_execution(caplog):
    """With steps_per_execution 2 Keras reports every second step: the epoch still ends at 40/40
    (it ended at 20/40, one batch per call, as a Koo & Eddy run showed: "700/17500 (4%) (done)")."""
    from keras_motifs.training.step_progress import StepProgress

    caplog.set_level(logging.INFO, logger="keras_motifs.progress")
    _tiny_fit(StepProgress(10, interval=0.0, terminal=False), steps_per_execution=2)
    lines = [r.getMessage() for r in caplog.records if r.name == "keras_motifs.progress"]
    assert any(m.startswith("epoch 1/2: 20/40 (50%)") for m in lines), lines
    assert any(m.startswith("epoch 2/2: 40/40 (100%)") for m in lines), lines
    done = [m for m in lines if m.endswith("(done)")]
    assert len(done) == 2 and all(": 40/40 (100%)" in m for m in done), lines


def test_step_progress_is_rate_limited(caplog):
    from keras_motifs.training.step_progress import StepProgress

    caplog.set_level(logging.INFO, logger="keras_motifs.progress")
    _tiny_fit(StepProgress(10, interval=3600.0, terminal=False))
    assert not [r for r in caplog.records if r.name == "keras_motifs.progress"]


def test_step_progress_can_be_turned_off(caplog, monkeypatch):
    from keras_motifs.training.step_progress import StepProgress

    monkeypatch.setenv("KERAS_MOTIFS_PROGRESS", "0")
    caplog.set_level(logging.INFO, logger="keras_motifs.progress")
    _tiny_fit(StepProgress(10, interval=0.0, terminal=False))
    assert not [r for r in caplog.records if r.name == "keras_motifs.progress"]


def test_train_adds_step_progress_only_without_keras_bar(tmp_path, monkeypatch):
    """train(verbose=2) reports inside the epoch; verbose=1 (Keras's bar) and 0 (silent) do not."""
    import keras

    from keras_motifs.training import fit as fit_module
    from keras_motifs.training import train

    seen = []
    real = fit_module.StepProgress
    monkeypatch.setattr(fit_module, "StepProgress", lambda *a, **k: seen.append(1) or real(*a, **k))
    x = np.random.default_rng(0).random((20, 5, 4)).astype("float32")
    y = (x[:, 0, :1] > 0.5).astype("float32")

    def build():
        return keras.Sequential([keras.Input((5, 4)), keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])

    for verbose, expected in ((2, 1), (0, 0)):
        seen.clear()
        train(build, (x, y), (x, y), output_dir=tmp_path / f"v{verbose}", seed=0, verbose=verbose,
              training={"optimizer": "sgd", "learning_rate": 0.1, "batch_size": 10, "epochs": 1})
        assert len(seen) == expected, verbose


def test_quiet_progress_turns_tfds_bars_off_off_a_terminal(monkeypatch):
    import tensorflow_datasets as tfds

    from keras_motifs import logs

    calls = []
    monkeypatch.setattr(tfds, "disable_progress_bar", lambda: calls.append("off"))
    monkeypatch.setenv("KERAS_MOTIFS_PROGRESS", "1")  # restored after the test
    logs.quiet_progress(0, stream=io.StringIO())  # a log file: no bars
    assert calls == ["off"]

    class Tty(io.StringIO):
        def isatty(self):
            return True

    calls.clear()
    logs.quiet_progress(0, stream=Tty())  # a terminal: bars stay
    assert calls == [] and os.environ["KERAS_MOTIFS_PROGRESS"] == "1"
    logs.quiet_progress(-1, stream=Tty())  # -q: no bars, no package progress
    assert calls == ["off"] and os.environ["KERAS_MOTIFS_PROGRESS"] == "0"
