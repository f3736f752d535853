"""StackedDeepBind.fit(checkpoint_path=...): a run stopped after a checkpoint and started again
ends bit for bit where the uninterrupted run ends (weights, history, best weights, per-step
losses), and a checkpoint of another run is refused by name."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest

import keras_motifs.models  # noqa: F401  (registers the DeepBind presets)
from keras_motifs.training.stacked import StackedDeepBind, fixed_batches

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="needs the TensorFlow backend")


class Crash(Exception):
    pass


def _data(rows, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 5, size=(rows, 101)).astype(np.uint8)
    y = (rng.random(rows) < 0.5).astype(np.float32)
    x[y == 1, 30:38] = [0, 1, 2, 3, 3, 2, 1, 0]
    return x, y


def _settings():
    return [{"num_hidden": 32, "dropout": d, "conv_weight_decay": 1e-5, "conv_init_scale": 1e-2,
             "dense_weight_decay": 1e-4, "dense_init_scale": 1e-2, "learning_rate": lr, "momentum": 0.95}
            for d, lr in [(0.5, 0.03), (0.0, 0.01), (0.25, 0.3)]]


def _fit(path, on_checkpoint=None, steps=210):
    x, y = _data(600, 1)  # 9 full batches of 64 and one of 24 per epoch: the stream wraps mid-run
    val = _data(200, 2)
    stack = StackedDeepBind(_settings(), [5, 6, 7])
    hist = stack.fit(x, y, steps=steps, batch_size=64, checkpoints=6, validation=val, patience=1,
                     weight_decay_start=50, steps_per_execution=16, record_steps=True,
                     on_checkpoint=on_checkpoint, checkpoint_path=path)
    return stack, hist


def _same(a, b):
    sa, ha = a
    sb, hb = b
    for k in sa._names:
        assert np.array_equal(sa._vars[k].numpy(), sb._vars[k].numpy()), k
        assert np.array_equal(sa._momenta[k].numpy(), sb._momenta[k].numpy()), k
    assert ha.steps == hb.steps
    for f in ("train_loss", "val_loss"):
        assert [list(r) for r in getattr(ha, f)] == [list(r) for r in getattr(hb, f)], f
    assert (ha.best_step, ha.best_val_loss, ha.stopped_at) == (hb.best_step, hb.best_val_loss, hb.stopped_at)
    assert np.array_equal(ha.step_loss, hb.step_loss)
    for i in range(sa.n):
        wa, wb = sa.best_weights(i), sb.best_weights(i)
        assert (wa is None) == (wb is None)
        for layer in wa or {}:
            assert all(np.array_equal(p, q) for p, q in zip(wa[layer], wb[layer]))


def test_fixed_batches_start_continues_the_stream():
    whole = [b.tolist() for b in itertools.islice(fixed_batches(150, 64), 12)]
    for start in (0, 1, 2, 3, 7):
        assert [b.tolist() for b in itertools.islice(fixed_batches(150, 64, start=start), 12 - start)] == whole[start:]


def test_a_stopped_run_resumes_bit_for_bit(tmp_path):
    reference = _fit(None)
    assert reference[1].steps == [35, 70, 105, 140, 175, 210]
    path = tmp_path / "unit.npz"
    seen = []

    def crash_at_third(step, hist):
        seen.append(step)
        if len(seen) == 3:
            raise Crash

    with pytest.raises(Crash):
        _fit(path, crash_at_third)
    assert path.is_file() and seen == [35, 70, 105]
    again = []
    resumed = _fit(path, lambda step, hist: again.append(step))
    assert again and again[0] == 140  # continued after the last written checkpoint, not from 0
    _same(reference, resumed)
    # a finished run's state: the history at once, no step trained
    calls = []
    finished = _fit(path, lambda step, hist: calls.append(step))
    assert calls == []
    _same(reference, finished)


def test_another_runs_checkpoint_is_refused(tmp_path):
    path = tmp_path / "unit.npz"
    _fit(path, steps=70)
    with pytest.raises(ValueError, match=r"unit\.npz' holds the state of another run \(it differs in steps\)"):
        _fit(path, steps=140)
    x, y = _data(600, 1)
    stack = StackedDeepBind(_settings(), [5, 6, 8])
    with pytest.raises(ValueError, match=r"differs in seeds"):
        stack.fit(x, y, steps=70, batch_size=64, checkpoints=6, validation=_data(200, 2), patience=1,
                  weight_decay_start=50, steps_per_execution=16, record_steps=True, checkpoint_path=path)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"bad\.npz' is not a readable training state"):
        stack.fit(x, y, steps=70, checkpoint_path=bad)
    with pytest.raises(ValueError, match="checkpoint_path needs the default batch stream"):
        stack.fit(x, y, steps=70, batches=fixed_batches(600, 64), checkpoint_path=tmp_path / "c.npz")
