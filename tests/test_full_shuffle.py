"""The full per-epoch shuffle (keras_motifs.training.shuffle) and DanQ's use of it on the deepsea
rows (tfds_builders.deepsea.random_access, keras_motifs.papers.danq.full_shuffle).

The original DanQ (Keras 0.2 ``fit(shuffle=True)``) permuted all 4.4M training rows every epoch;
the deepsea file holds the forward strands first, then their reverse complements, so a 200,000-row
shuffle buffer starts every epoch with forward strands from the first 6 % of the file only
(its first 1 %, 44,000 rows, all come from the first 5.5 %).
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from keras_motifs.papers import danq as paper
from keras_motifs.training import FullShuffle, epoch_permutation, train


class _Positions:
    """A random-access source whose row i is the number i (a file of n rows, no data)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def read(self, indices):
        return np.asarray(indices, dtype=np.int64)


def _rows(ds) -> np.ndarray:
    return np.concatenate(list(ds.batch(4096).as_numpy_iterator()))


def _served(fs: FullShuffle, count=None) -> np.ndarray:
    return _rows(fs.dataset() if count is None else fs.dataset().take(count))


def _spread(positions: np.ndarray, n: int) -> dict:
    return {"reverse_share": float(np.mean(positions >= n // 2)), "tenths": len(np.unique(positions * 10 // n)),
            "lowest": positions.min() / n, "highest": positions.max() / n}


def test_first_percent_of_an_epoch_reaches_both_strands_and_the_whole_deepsea_file():
    """At DeepSEA's size (indices only): the reproduction's order vs the 200,000-row buffer it had."""
    n, k = 4_400_000, 44_000  # the first 1 % of an epoch
    fs = paper.full_shuffle(_Positions(n), seed=1337)
    for epoch in (0, 1):
        fs.set_epoch(epoch)
        s = _spread(_served(fs, k), n)
        assert 0.45 < s["reverse_share"] < 0.55  # both strand halves, in proportion
        assert s["tenths"] == 10 and s["lowest"] < 0.001 and s["highest"] > 0.999  # the whole file
    # what the reproduction did before: file order through a shuffle buffer of 200,000 rows
    old = _rows(tf.data.Dataset.range(n).shuffle(200_000, seed=1337).take(k))
    s = _spread(old, n)
    assert s["reverse_share"] == 0.0 and s["highest"] < 0.06 and s["tenths"] == 1


def test_epoch_orders_are_permutations_seeded_and_new_every_epoch():
    n = 2_345
    fs = FullShuffle(_Positions(n), seed=5, block=100)
    orders = []
    for epoch in range(3):
        fs.set_epoch(epoch)
        got = _served(fs)
        assert np.array_equal(np.sort(got), np.arange(n))  # every row exactly once
        assert np.array_equal(got, epoch_permutation(n, 5, epoch))
        orders.append(got)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    again = FullShuffle(_Positions(n), seed=5, block=7)  # the block size does not change the order
    again.set_epoch(1)
    assert np.array_equal(_served(again), orders[1])
    other = FullShuffle(_Positions(n), seed=6)
    assert not np.array_equal(_served(other), orders[0])


def _bundle(folder, n_forward, seed=0):
    """A real-layout DeepSEA bundle: train.mat (MATLAB v7.3/HDF5) with n_forward sequences then their
    reverse complements, distinct sequences, no N; small valid.mat/test.mat (v5)."""
    from tfds_builders.deepsea.dummy_data_generation import write_train_v73, write_v5

    rng = np.random.default_rng(seed)
    eye = np.eye(4, dtype=np.uint8)
    x = eye[rng.integers(0, 4, (n_forward, 1000))]
    y = (rng.random((n_forward, 919)) < 0.1).astype(np.uint8)
    folder.mkdir(parents=True)
    write_train_v73(folder / "train.mat", np.concatenate([x, x[:, ::-1, ::-1]]), np.concatenate([y, y]))
    for prefix in ("valid", "test"):
        xs = eye[rng.integers(0, 4, (4, 1000))]
        write_v5(folder / f"{prefix}.mat", prefix, np.concatenate([xs, xs[:, ::-1, ::-1]]),
                 np.zeros((8, 919), np.uint8))


def test_deepsea_rows_served_in_a_full_shuffle_from_a_generated_bundle(tmp_path):
    import tensorflow_datasets as tfds

    import tfds_builders  # noqa: F401
    from tfds_builders.deepsea import to_one_hot
    from tfds_builders.deepsea.random_access import random_access

    n_forward = 2_500
    n = 2 * n_forward
    _bundle(tmp_path / "manual", n_forward)
    builder = tfds.builder("deepsea/full", data_dir=str(tmp_path / "tfds"))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
        manual_dir=str(tmp_path / "manual"), try_download_gcs=False))
    stored = tfds.as_numpy(builder.as_dataset(split="train", batch_size=-1))
    assert np.array_equal(stored["strand"], np.arange(n) >= n_forward)  # the file's layout
    where = {bytes(s): i for i, s in enumerate(stored["sequence"])}  # sequence -> position in the file
    assert len(where) == n

    rows = random_access(builder, "train")
    stamp = (rows.folder / "sequence.npy").stat().st_mtime_ns
    assert (random_access(builder, "train").folder / "sequence.npy").stat().st_mtime_ns == stamp  # reused
    seq_file = rows.folder / "sequence.npy"
    seq_file.write_bytes(seq_file.read_bytes()[:-5000])  # damaged: exported again
    del rows
    rows = random_access(builder, "train")
    assert seq_file.stat().st_size == 128 + n * 1000 and np.array_equal(rows.sequence, stored["sequence"])
    fs = paper.full_shuffle(rows, seed=1337, transform=to_one_hot)
    epochs = []
    for epoch in (0, 1):
        fs.set_epoch(epoch)
        xs, ys = [], []
        for x, y in fs.dataset().batch(100).as_numpy_iterator():
            xs.append(x)
            ys.append(y)
        x, y = np.concatenate(xs), np.concatenate(ys)
        assert x.shape == (n, 1000, 4) and x.dtype == np.float32 and y.shape == (n, 919)
        positions = np.array([where[bytes(r.argmax(-1).astype(np.uint8))] for r in x])
        assert np.array_equal(np.sort(positions), np.arange(n))  # every row exactly once
        assert np.array_equal(positions, epoch_permutation(n, 1337, epoch))  # seeded
        assert np.array_equal(y, stored["label"][positions])  # each row with its own labels
        s = _spread(positions[: n // 100], n)  # the first 1 % of the epoch
        assert 0.3 < s["reverse_share"] < 0.7  # both strand halves
        assert s["tenths"] >= 8 and s["lowest"] < 0.1 and s["highest"] > 0.9  # from across the file
        epochs.append(positions)
    assert not np.array_equal(epochs[0], epochs[1])  # a new order every epoch


def test_train_serves_each_epoch_its_permutation(tmp_path):
    """Through ``train()``: the callback sets the epoch before Keras starts the epoch's iterator."""
    import keras

    seen = []

    @keras.saving.register_keras_serializable(package="test_full_shuffle")
    class Record(keras.layers.Layer):
        def call(self, x, training=None):
            if training:
                tf.py_function(lambda v: seen.append(v.numpy()[:, 0].astype(np.int64)), [x], [])
            return x

    n = 250
    x = np.arange(n, dtype=np.float32)[:, None]
    y = (np.arange(n) % 3 == 0).astype(np.float32)[:, None]

    def model():
        inp = keras.Input((1,))
        return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(Record()(inp)))

    cfg = {"optimizer": "sgd", "learning_rate": 1e-3, "batch_size": 32, "epochs": 3}
    train(model, (x, y), (x[:20], y[:20]), output_dir=tmp_path / "a", training=cfg, seed=3, verbose=0,
          tensorboard=False, shuffle_buffer="full")
    served = np.concatenate(seen)
    assert len(served) == 3 * n
    for epoch in range(3):
        assert np.array_equal(served[epoch * n:(epoch + 1) * n], epoch_permutation(n, 3, epoch))
    seen.clear()
    fs = FullShuffle.from_arrays(x, y, seed=4)
    train(model, fs, None, output_dir=tmp_path / "b", training=dict(cfg, epochs=2), seed=9, verbose=0,
          tensorboard=False)
    served = np.concatenate(seen)
    assert np.array_equal(served, np.concatenate([fs.order(0), fs.order(1)]))  # its own seed


def test_in_memory_batches_and_steps_per_execution_keep_the_arithmetic(tmp_path):
    """Arrays in memory are batched in the graph (FullShuffle.batched_dataset) and several steps
    may run per call (steps_per_execution): the same batches in the same order as the row-by-row
    pipeline, so a conv + batch-norm model ends with bitwise the same weights after 3 epochs."""
    import keras

    from keras_motifs.training.shuffle import ArrayRows

    class Rows(ArrayRows):  # not ArrayRows itself: served by the row-by-row pipeline
        pass

    rng = np.random.default_rng(0)
    n = 230  # not a multiple of the batch size: a shorter last batch every epoch
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, 30))]
    y = (rng.random((n, 3)) < 0.3).astype(np.float32)

    def model():
        inp = keras.Input((30, 4))
        h = keras.layers.Conv1D(6, 5, use_bias=False)(inp)
        h = keras.layers.Activation("relu")(keras.layers.BatchNormalization()(h))
        h = keras.layers.Dropout(0.2)(keras.layers.MaxPooling1D(4)(h))
        return keras.Model(inp, keras.layers.Dense(3, activation="sigmoid")(keras.layers.Flatten()(h)))

    cfg = {"optimizer": "adam", "learning_rate": 1e-2, "batch_size": 32, "epochs": 3}
    kw = {"training": cfg, "seed": 5, "verbose": 0, "tensorboard": False}
    slow = FullShuffle(Rows(x, y), seed=5)
    assert not slow.in_memory() and FullShuffle.from_arrays(x, y, seed=5).in_memory()
    ref = train(model, slow, (x[:50], y[:50]), output_dir=tmp_path / "rows", **kw)
    for spe in (1, 3):
        got = train(model, (x, y), (x[:50], y[:50]), output_dir=tmp_path / f"spe{spe}", shuffle_buffer="full",
                    steps_per_execution=spe, **kw)
        assert all(np.array_equal(a, b) for a, b in zip(ref.model.get_weights(), got.model.get_weights()))
        assert got.history["val_loss"] == ref.history["val_loss"]


def test_full_shuffle_needs_random_access(tmp_path):
    x, y = np.zeros((4, 1), np.float32), np.zeros((4, 1), np.float32)
    with pytest.raises(TypeError, match="random access"):
        train(lambda: None, tf.data.Dataset.from_tensor_slices((x, y)), None, output_dir=tmp_path,
              shuffle_buffer="full")
    with pytest.raises(TypeError, match="full_shuffle"):
        paper.train_model("danq", tf.data.Dataset.from_tensor_slices((x, y)), None, {}, output_dir=tmp_path)


def test_to_one_hot_maps_a_row_or_a_block():
    """The deepsea decoder serves the full shuffle on blocks of rows (``vectorized=True``)."""
    from tfds_builders.deepsea import to_one_hot

    block = {"sequence": np.array([[0, 4, 2], [3, 1, 4]], np.uint8), "label": np.array([[1, 0], [0, 1]], np.uint8)}
    x, y = to_one_hot(block, n_value=0.25)
    assert x.shape == (2, 3, 4) and y.shape == (2, 2) and y.dtype == tf.float32
    np.testing.assert_array_equal(x[0, 1], [0.25] * 4)
    np.testing.assert_array_equal(x[1, 0], [0, 0, 0, 1])
    for i in range(2):  # one row at a time gives the same
        xi, yi = to_one_hot({k: v[i] for k, v in block.items()}, n_value=0.25)
        np.testing.assert_array_equal(xi, x[i])
        np.testing.assert_array_equal(yi, y[i])


def test_a_full_shuffle_is_the_same_data_in_a_new_process_and_other_data_when_it_differs():
    """train()'s folder ownership (OWNER.json) recognises a FullShuffle by its rows and seed, not by
    the object's address: the same run resumes, another seed or other rows is another run."""
    from keras_motifs.training import ownership
    from keras_motifs.training.shuffle import ArrayRows, FullShuffle

    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    y = (x[:, :1] > 10).astype(np.float32)
    fp = ownership.data_record(FullShuffle(ArrayRows(x, y), seed=3), None)
    assert fp == ownership.data_record(FullShuffle(ArrayRows(x.copy(), y.copy()), seed=3), None)
    assert fp != ownership.data_record(FullShuffle(ArrayRows(x, y), seed=4), None)
    x2 = x.copy()
    x2[5, 1] = -1
    assert fp != ownership.data_record(FullShuffle(ArrayRows(x2, y), seed=3), None)
    assert " at 0x" not in repr(fp)


_NO_REWRITE_WARNING = """
import numpy as np, keras
from keras_motifs.training import FullShuffle, train
from tfds_builders.deepsea.pipeline import to_one_hot

class Rows:  # deepsea-like rows read by index: the row-by-row pipeline (generator, reader, transform)
    def __init__(self, seq, label):
        self.seq, self.label = seq, label
    def __len__(self):
        return len(self.seq)
    def read(self, indices):
        return {"sequence": self.seq[indices], "label": self.label[indices]}

rng = np.random.default_rng(0)
rows = Rows(rng.integers(0, 4, (64, 20)).astype(np.uint8), (rng.random((64, 3)) < 0.3).astype(np.uint8))
data = FullShuffle(rows, seed=1, transform=to_one_hot, vectorized=True)

def model():
    inp = keras.Input((20, 4))
    return keras.Model(inp, keras.layers.Dense(3, activation="sigmoid")(keras.layers.Flatten()(inp)))

train(model, data, None, output_dir=OUT, training={"optimizer": "sgd", "learning_rate": 0.01,
      "batch_size": 16, "epochs": 2}, seed=1, verbose=0, tensorboard=False)
print("trained")
"""


def test_op_determinism_with_a_transform_prints_no_tf_data_rewrite_error(tmp_path):
    """Under op determinism (train's default), a pipeline holding a Python function has its parallel
    maps made sequential by tf.data's make_deterministic rewrite, which printed a C++ error line per
    iterator ("NodeDef mentions attribute use_unbounded_threadpool ... MapDataset") into every DanQ
    run's output; the transform is now a sequential map from the start. In a fresh process, with
    TensorFlow's C++ log at the level the scripts use (errors shown)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-c", _NO_REWRITE_WARNING.replace("OUT", repr(str(tmp_path / "run")))],
                       capture_output=True, text=True, env=env, timeout=300, cwd=repo)
    assert r.returncode == 0 and "trained" in r.stdout, r.stderr[-3000:]
    assert "use_unbounded_threadpool" not in r.stderr and "node_def_util" not in r.stderr, r.stderr[-3000:]
