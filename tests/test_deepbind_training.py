"""DeepBind's trainer (keras_motifs.papers.deepbind): it learns from the paper's tiny
initialisation, its objective is deepity's, and scores are read from logits."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.metrics import roc_auc_score

from keras_motifs.data import encode_indices
from keras_motifs.deepbind.shuffle import dinucleotide_shuffles
from keras_motifs.models.deepbind import DeepBind
from keras_motifs.papers.deepbind import fit_deepbind, logit_model, nll, predict_logits

MOTIF = "TGACGTCA"  # a CREB-like palindrome planted in the positives


def _planted(n: int, length: int, seed: int):
    """n positives with MOTIF at a random place, each followed by its own dinucleotide shuffle
    (the negatives and row layout of the ENCODE protocol, which fit_deepbind serves in fixed
    batches); base indices (2n, length), labels (2n,)."""
    rng = np.random.default_rng(seed)
    pos = []
    for _ in range(n):
        s = list(rng.choice(list("ACGT"), length))
        at = int(rng.integers(0, length - len(MOTIF)))
        s[at:at + len(MOTIF)] = MOTIF
        pos.append("".join(s))
    neg = dinucleotide_shuffles(pos, seed=seed)
    x = encode_indices([s for pair in zip(pos, neg) for s in pair], "ACGT")
    y = np.tile(np.array([1, 0], np.float32), n)
    return x, y


def test_learns_planted_motif_from_paper_initialisation():
    """The regression test for the 'constant output' failure: with the preset's init scales
    (conv 1e-5, dense 1e-3: the paper's tiny initialisation), learning rate and momentum, a
    small M1 DeepBind must leave its constant start and separate a planted motif (AUC > 0.9)."""
    x, y = _planted(400, 40, seed=0)
    xt, yt = _planted(200, 40, seed=1)
    keras.utils.set_random_seed(0)
    model = DeepBind("deepbind_encode", sequence_length=40, num_detectors=4, detector_len=12, dropout=0.0)
    start = predict_logits(model, xt)
    assert start.std() < 1e-3  # the tiny initialisation: a (nearly) constant output
    hist = fit_deepbind(model, x, y, steps=600, learning_rate=0.005, momentum=0.97, seed=0, checkpoints=3,
                        validation=(xt, yt))
    logits = predict_logits(model, xt)
    assert roc_auc_score(yt, logits) > 0.9
    assert logits.std() > 0.5  # left the constant output
    assert hist["val_loss"][-1] < 0.5 < np.log(2) - 1e-3 < hist["val_loss"][0] + 1e-3
    # the model's probability output is the sigmoid of these logits
    p = model.predict(np.eye(4, dtype=np.float32)[xt[:20]], verbose=0)[:, 0]
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-logits[:20])), rtol=1e-5, atol=1e-6)


def test_objective_is_half_the_nll_and_decay_starts_at_step_100():
    """One step with momentum 0 moves the weights by lr * grad(0.5 * mean NLL) (deepity averages
    the loss over the 2B strand rows, the smaller strand masked), with no L1 before step 100."""
    x, y = _planted(32, 30, seed=3)
    kw = dict(sequence_length=30, num_detectors=3, detector_len=6, dropout=0.0, conv_init_scale=0.3,
              dense_init_scale=0.3, conv_weight_decay=1.0, dense_weight_decay=1.0)
    keras.utils.set_random_seed(1)
    model = DeepBind("deepbind_encode", **kw)
    before = [v.numpy().copy() for v in model.trainable_variables]
    xo = tf.constant(np.eye(4, dtype=np.float32)[x])
    with tf.GradientTape() as tape:
        logits = logit_model(model)(xo)[:, 0]
        cost = 0.5 * tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    grads = [g.numpy() for g in tape.gradient(cost, model.trainable_variables)]
    fit_deepbind(model, x, y, steps=1, learning_rate=0.1, momentum=0.0, batch_size=64, seed=0)
    for b, g, v in zip(before, grads, model.trainable_variables):
        np.testing.assert_allclose(v.numpy(), b - 0.1 * g, rtol=1e-4, atol=1e-6)


def test_weight_decay_is_on_after_step_100():
    x, y = _planted(32, 30, seed=4)
    kw = dict(sequence_length=30, num_detectors=3, detector_len=6, dropout=0.0, conv_init_scale=0.3,
              dense_init_scale=0.3, conv_weight_decay=0.05, dense_weight_decay=0.05)
    norms = {}
    for start in (0, 1000):
        keras.utils.set_random_seed(2)
        model = DeepBind("deepbind_encode", **kw)
        fit_deepbind(model, x, y, steps=150, learning_rate=0.01, momentum=0.9, seed=0, weight_decay_start=start)
        norms[start] = float(np.abs(model.get_layer("motif_scan").kernel.numpy()).sum())
    assert norms[0] < 0.8 * norms[1000]  # the L1 penalty shrinks the filters only when it is on


def test_logits_rank_where_float32_probabilities_tie():
    """Near the paper's initialisation the sigmoid output is 0.5 to float32 precision for every
    sequence; AUCs and losses are therefore computed from the logits."""
    x, y = _planted(50, 40, seed=5)
    keras.utils.set_random_seed(3)
    model = DeepBind("deepbind_encode", sequence_length=40, conv_init_scale=1e-7, dense_init_scale=1e-5)
    logits = predict_logits(model, x)
    assert np.unique(logits).size > 50
    assert abs(nll(logits, y) - np.log(2)) < 1e-6
    np.testing.assert_allclose(nll(np.array([0.0, 2.0]), np.array([1, 0])),
                               np.mean([np.log(2), np.log1p(np.exp(2.0))]), rtol=1e-9)


def test_calibration_splits_settings_between_m1_and_m2():
    from keras_motifs.papers.deepbind import calibration_settings

    settings = calibration_settings(6, np.random.default_rng(0))
    assert [s["num_hidden"] for s in settings] == [0, 0, 0, 32, 32, 32]
    assert [s["num_hidden"] for s in calibration_settings(3, np.random.default_rng(0))] == [0, 0, 32]


@pytest.mark.parametrize("bad", [(np.zeros((3, 10), np.uint8), np.zeros(2))])
def test_rejects_mismatched_rows(bad):
    with pytest.raises(ValueError):
        fit_deepbind(DeepBind(sequence_length=10, detector_len=4), *bad, steps=1, learning_rate=0.01, momentum=0.9)
