"""keras_motifs.training.stacked: N DeepBind models trained as one equal their single runs
(keras_motifs.papers.deepbind.train_once / fit_deepbind, the package's single-model path)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import keras_motifs.models  # noqa: F401  (registers the DeepBind presets)
from keras_motifs.papers import deepbind as paper
from keras_motifs.training.stacked import StackedDeepBind

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="needs the TensorFlow backend")


def _data(rows=640, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(rows, 101)).astype(np.uint8)
    # a planted motif in the positives, so that the models learn something
    y = (rng.random(rows) < 0.5).astype(np.float32)
    x[y == 1, 40:48] = [0, 1, 2, 3, 3, 2, 1, 0]
    return x, y


def _setting(hidden=0, dropout=0.0, lr=0.02, momentum=0.95, init=1e-2, l1=1e-6):
    return {"num_hidden": hidden, "dropout": dropout, "conv_weight_decay": l1, "conv_init_scale": init,
            "dense_weight_decay": l1 * 10, "dense_init_scale": init, "learning_rate": lr, "momentum": momentum}


@pytest.mark.parametrize("hidden,dropout", [(0, 0.5), (32, 0.0)])
def test_one_model_is_bitwise_its_single_run(hidden, dropout):
    """N = 1: the same initial weights, batches, dropout masks and arithmetic as train_once: the
    weights are bitwise equal for the steps before the L1 decay starts (see the module docstring
    for why not after), and within float32 rounding after it."""
    x, y = _data()
    s = _setting(hidden, dropout)
    for steps in (60, 130):
        model, hist = paper.train_once(s, x, y, steps, 64, seed=11, checkpoints=2, weight_decay_start=100)
        stack = StackedDeepBind([s], [11], exact_ties=True)
        sh = stack.fit(x, y, steps=steps, checkpoints=2, steps_per_execution=25, weight_decay_start=100)
        ours = stack.single_model(0).get_weights()
        ref = model.get_weights()
        if steps < 100:
            assert all(np.array_equal(a, b) for a, b in zip(ref, ours))
            assert sh.model(0)["train_loss"] == hist["train_loss"]
        else:
            for a, b in zip(ref, ours):
                np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-7)
            np.testing.assert_allclose(sh.model(0)["train_loss"], hist["train_loss"], rtol=1e-6)


def test_four_models_follow_their_single_runs_step_by_step():
    """N = 4, dropout off, shared data order: every step's loss within 1e-5 relative of the
    model's own single run over 200 steps (L1 decay on from step 100)."""
    x, y = _data()
    settings = [_setting(lr=lr, momentum=m, init=i, l1=l1)
                for lr, m, i, l1 in [(0.02, 0.95, 1e-2, 1e-6), (0.005, 0.99, 1e-3, 1e-4),
                                     (0.05, 0.9, 1e-4, 1e-9), (0.01, 0.97, 3e-3, 1e-3)]]
    seeds = [3, 4, 5, 6]
    stack = StackedDeepBind(settings, seeds)
    sh = stack.fit(x, y, steps=200, record_steps=True, steps_per_execution=40)
    assert sh.step_loss.shape == (200, 4)
    for i, (s, seed) in enumerate(zip(settings, seeds)):
        _, hist = paper.train_once(s, x, y, 200, 64, seed=seed, checkpoints=200)  # one checkpoint per step
        np.testing.assert_allclose(sh.step_loss[:, i], hist["train_loss"], rtol=1e-5)
    # they learnt, differently
    assert len({round(float(v), 6) for v in sh.step_loss[-1]}) == 4


def test_dropout_masks_are_each_models_own():
    """Each model draws its own masks (different across models and steps), and with 8 seeds the
    stacked models' final losses overlap (here: equal to 1e-5) those of 8 single runs."""
    import tensorflow as tf

    x, y = _data(256)
    settings = [_setting(dropout=0.5) for _ in range(8)]
    seeds = list(range(20, 28))
    stack = StackedDeepBind(settings, seeds)
    ones = tf.ones((64, 8, 2, stack.features))
    m0 = stack._dropout(ones, 0).numpy()
    m1 = stack._dropout(ones, 1).numpy()
    kept = m0 != 0
    assert np.array_equal(kept[:, :, 0], kept[:, :, 1])  # one mask for both strands
    flat = kept[:, :, 0].transpose(1, 0, 2).reshape(8, -1)
    assert len({row.tobytes() for row in flat}) == 8  # every model its own
    assert not np.array_equal(kept, m1 != 0)  # a new one every step
    assert 0.35 < kept.mean() < 0.65
    np.testing.assert_allclose(m0[kept], 2.0)  # kept units scaled by 1 / (1 - rate)

    sh = stack.fit(x, y, steps=40, checkpoints=1)
    ours = np.array(sh.train_loss[-1])
    single = np.array([paper.train_once(s, x, y, 40, 64, seed=seed, checkpoints=1)[1]["train_loss"][-1]
                       for s, seed in zip(settings, seeds)])
    assert max(ours.min(), single.min()) <= min(ours.max(), single.max())  # the ranges overlap
    np.testing.assert_allclose(ours, single, rtol=1e-5)


def test_best_checkpoint_and_early_stopping_per_model():
    x, y = _data()
    xv, yv = _data(256, seed=1)
    settings = [_setting(lr=0.05), _setting(lr=1e-6)]  # one learns, one barely moves
    stack = StackedDeepBind(settings, [1, 2])
    sh = stack.fit(x, y, steps=120, checkpoints=6, validation=(xv, yv), patience=1, restore_best=True,
                   steps_per_execution=10)
    val = np.array(sh.val_loss)
    for i in range(2):
        seen = val[: len(val), i]
        k = int(np.argmin(seen))
        assert sh.best_step[i] == sh.steps[k]
        assert sh.best_val_loss[i] == pytest.approx(float(seen[k]))
        # restored: the model's own Keras copy scores the best validation loss again
        lg = paper.predict_logits(stack.single_model(i), xv)
        assert paper.nll(lg, yv) == pytest.approx(sh.best_val_loss[i], rel=1e-5)
    assert sh.stopped_at[0] is None or sh.stopped_at[0] > sh.best_step[0]


def test_refuses_mixed_architectures_and_bad_input():
    with pytest.raises(ValueError, match="architecture"):
        StackedDeepBind([_setting(0), _setting(32)], [0, 1])
    with pytest.raises(ValueError, match="seeds"):
        StackedDeepBind([_setting(0)], [0, 1])
    stack = StackedDeepBind([_setting(0)], [0])
    with pytest.raises(ValueError, match="base indices"):
        stack.fit(np.zeros((10, 101, 4), np.float32), np.zeros(10), steps=1)
    with pytest.raises(ValueError, match="patience needs validation"):
        stack.fit(np.zeros((10, 101), np.uint8), np.zeros(10), steps=1, patience=2)


def test_unique_rows_scores_repeated_validation_rows_once():
    from keras_motifs.training.stacked import unique_rows

    x, _ = _data(40)
    rep = np.concatenate([x, x[:30], x[5:25]])
    rows, index = unique_rows(rep)
    assert len(rows) == 40 and np.array_equal(rows[index], rep)
    rows, index = unique_rows(x)  # nothing repeats: the rows as they are
    assert rows is x and index.tolist() == list(range(40))
