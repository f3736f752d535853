"""train() and the models outside TensorFlow: the one-device array path, other Keras backends."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


def _toy(n=240, length=40, seed=0):
    rng = np.random.default_rng(seed)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]
    y = (x[:, :, 0].sum(1, keepdims=True) > length / 4).astype(np.float32)  # A-rich sequences
    return x, y


def _tiny_model():
    import keras

    inp = keras.Input((40, 4))
    h = keras.layers.Conv1D(4, 5, activation="relu")(inp)
    h = keras.layers.GlobalMaxPooling1D()(h)
    return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(h))


def test_array_path_without_strategy_is_deterministic(tmp_path, monkeypatch):
    """The path other backends take (arrays, Keras shuffling, no tf.distribute), run under TF."""
    from keras_motifs.training import fit

    monkeypatch.setattr(fit, "_tensorflow_backend", lambda: False)
    x, y = _toy()
    runs = []
    for k in range(2):
        r = fit.train(_tiny_model, (x[:200], y[:200]), (x[200:], y[200:]), output_dir=tmp_path / f"r{k}",
                      epochs=2, batch_size=20, learning_rate=0.01, seed=5, tensorboard=False, verbose=0)
        assert r.strategy == "_NoStrategy" and r.replicas == 1
        assert (tmp_path / f"r{k}" / "best.keras").exists() and (tmp_path / f"r{k}" / "DONE").exists()
        runs.append(r.history["val_loss"])
    assert runs[0] == runs[1]


def test_array_path_rejects_strategies_and_bad_data(tmp_path, monkeypatch):
    from keras_motifs.training import fit

    monkeypatch.setattr(fit, "_tensorflow_backend", lambda: False)
    x, y = _toy(40)
    with pytest.raises(ValueError, match="need the TensorFlow backend"):
        fit.train(_tiny_model, (x, y), output_dir=tmp_path / "a", strategy="mirrored", tensorboard=False, verbose=0)
    with pytest.raises(TypeError, match="tuple \\(x, y\\) of arrays"):
        fit.train(_tiny_model, [x], output_dir=tmp_path / "b", tensorboard=False, verbose=0)


def _other_backend():
    for name in ("jax", "torch"):
        if importlib.util.find_spec(name) is not None:
            return name
    return None


@pytest.mark.skipif(_other_backend() is None, reason="needs jax or torch installed (an optional Keras backend)")
def test_models_and_train_without_tensorflow(tmp_path):
    """With TensorFlow made unimportable, the models build and train() trains under jax/torch."""
    script = textwrap.dedent(f"""
        import sys, json
        sys.modules["tensorflow"] = None  # as on a machine without TensorFlow
        sys.modules["tensorflow_datasets"] = None
        import numpy as np, keras
        from keras_motifs import models
        from keras_motifs.training import train
        counts = {{n: models.build(n).count_params() for n in ("koo_eddy_cnn_50_2", "deepbind_encode", "ideeps")}}
        rng = np.random.default_rng(0)
        x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (120, 200))]
        y = (rng.random((120, 12)) < 0.3).astype(np.float32)
        r = train("koo_eddy_cnn_50_2", (x[:100], y[:100]), (x[100:], y[100:]), output_dir=r"{tmp_path}",
                  epochs=1, seed=1, tensorboard=False, verbose=0)
        print(json.dumps({{"backend": keras.backend.backend(), "counts": counts, "epochs": r.epochs_run,
                          "val_loss": r.history["val_loss"]}}))
    """)
    env = dict(os.environ, KERAS_BACKEND=_other_backend(), PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["backend"] == _other_backend()
    assert res["counts"]["koo_eddy_cnn_50_2"] == 26092  # same as under TensorFlow (25,712 trainable)
    assert res["epochs"] == 1 and np.isfinite(res["val_loss"][0])
    assert (tmp_path / "best.keras").exists() and (tmp_path / "DONE").exists()


def test_splits_round_trip_and_errors(tmp_path):
    from keras_motifs.errors import DataFormatError
    from keras_motifs.io import load_splits, save_splits

    rng = np.random.default_rng(1)
    splits = {"train": (rng.integers(0, 5, (7, 11)).astype(np.uint8), rng.random((7, 3)).astype(np.float32)),
              "test": (rng.integers(0, 5, (2, 11)).astype(np.uint8), np.array([0, 1], np.int8))}
    path = save_splits(tmp_path / "s.npz", splits, meta={"dataset": "toy", "seed": 1})
    got, meta = load_splits(path)
    assert meta == {"dataset": "toy", "seed": 1} and sorted(got) == ["test", "train"]
    for k in splits:
        np.testing.assert_array_equal(got[k][0], splits[k][0])
        np.testing.assert_array_equal(got[k][1], splits[k][1])
    with pytest.raises(DataFormatError, match="uint8 letter indices"):
        save_splits(tmp_path / "bad.npz", {"train": (np.zeros((2, 3), np.float32), np.zeros(2))})
    with pytest.raises(DataFormatError, match="2 sequences but 3 label rows"):
        save_splits(tmp_path / "bad.npz", {"train": (np.zeros((2, 3), np.uint8), np.zeros(3))})
    assert not (tmp_path / "bad.npz").exists()
    truncated = tmp_path / "t.npz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataFormatError, match="t.npz"):
        load_splits(truncated)
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(DataFormatError, match="not written by save_splits"):
        load_splits(tmp_path / "other.npz")


def test_atomic_outputs_get_a_normal_file_mode(tmp_path):
    """Files written through a temporary file keep the umask's mode (mkstemp alone gives 0600)."""
    from keras_motifs.io import write_json

    old = os.umask(0o022)
    try:
        write_json(tmp_path / "r.json", {"a": 1})
    finally:
        os.umask(old)
    assert (tmp_path / "r.json").stat().st_mode & 0o777 == 0o644
