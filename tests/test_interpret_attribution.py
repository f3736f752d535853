"""Attributions (keras_motifs.interpret.attribution) on a tiny CNN trained in seconds on a
planted-motif task: every method puts its top scores on the planted site and agrees with ISM;
integrated gradients' completeness, DeepLIFT's summation to delta (also on the package's
feed-forward families), multi-output targets, refusals, logos, and the ``attribute`` command in a
fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import ModelInputError
from keras_motifs.interpret.attribution import (
    METHODS,
    attribute,
    contributions,
    deeplift,
    integrated_gradients,
    make_baselines,
    per_base,
)

MOTIF = "TGACTCAGCA"  # planted in every positive
LENGTH = 60


def _planted(n, rng):
    """n sequences; even ones carry MOTIF at a random position (label 1, its start), odd ones not."""
    seqs, y, starts = [], [], []
    for i in range(n):
        s = list(rng.choice(list("ACGT"), LENGTH))
        if i % 2 == 0:
            p = int(rng.integers(0, LENGTH - len(MOTIF) + 1))
            s[p : p + len(MOTIF)] = MOTIF
            starts.append(p)
        else:
            starts.append(-1)
        y.append(float(i % 2 == 0))
        seqs.append("".join(s))
    return one_hot(seqs, "ACGT"), np.array(y, np.float32), np.array(starts)


def _cnn():
    inp = keras.Input((LENGTH, 4), name="sequence")
    h = keras.layers.Conv1D(16, 10, activation="relu", name="conv")(inp)
    h = keras.layers.MaxPooling1D(10)(h)
    h = keras.layers.Dropout(0.1)(h)
    h = keras.layers.Flatten()(h)
    h = keras.layers.Dense(16, activation="relu")(h)
    return keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(h), name="planted_cnn")


@pytest.fixture(scope="module")
def trained():
    keras.utils.set_random_seed(0)
    x, y, _ = _planted(2000, np.random.default_rng(0))
    model = _cnn()
    model.compile(keras.optimizers.Adam(5e-3), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    xt, yt, starts = _planted(40, np.random.default_rng(1))
    acc = model.evaluate(xt, yt, verbose=0)[1]
    assert acc >= 0.95, f"the tiny CNN did not learn the planted motif (test accuracy {acc})"
    pos = np.flatnonzero(yt == 1)
    return model, xt[pos], starts[pos]


@pytest.fixture(scope="module")
def all_scores(trained):
    model, x, _ = trained
    return {m: attribute(model, x, m, "ACGT", target=0, n_shuffles=10, steps=50) for m in METHODS}


def test_shapes_and_single_sequence(trained, all_scores):
    model, x, _ = trained
    for method, s in all_scores.items():
        assert s.shape == x.shape and np.isfinite(s).all(), method
        one = attribute(model, x[3], method, "ACGT", n_shuffles=10, steps=50)
        assert one.shape == x[3].shape
        # shuffle k of sequence i is seeded by (seed, i, k): a lone sequence is sequence 0, so compare
        # the deterministic methods only
        if method in ("saliency", "input_x_gradient", "ism"):
            np.testing.assert_allclose(one, s[3], rtol=1e-4, atol=1e-6)
    assert per_base(all_scores["deeplift"], x, "deeplift").shape == x.shape[:2]


def test_top_attributions_fall_in_the_planted_site(trained, all_scores):
    # measured (3 training seeds): each method's top-10 positions lie in the 10-bp site for
    # 95-99 % of their number on average, at least 80 % for every sequence; a method that
    # scored positions at random would average 17 % (10 of 60)
    _, x, starts = trained
    k = len(MOTIF)
    for method, s in all_scores.items():
        pb = per_base(s, x, method)
        inside = [np.mean((top >= p) & (top < p + k)) for top, p in zip(np.argsort(-pb, axis=1)[:, :k], starts)]
        assert np.mean(inside) >= 0.85, (method, np.round(inside, 2))
        assert np.mean(np.array(inside) >= 0.7) >= 0.9, (method, np.round(inside, 2))


def test_methods_correlate_with_ism(trained, all_scores):
    # measured (3 training seeds): Pearson r of per-base scores with ISM's, median 0.78-0.93,
    # lowest sequence 0.59-0.82
    _, x, _ = trained
    ism = per_base(all_scores["ism"], x, "ism")
    for method in ("saliency", "input_x_gradient", "integrated_gradients", "deeplift"):
        pb = per_base(all_scores[method], x, method)
        r = np.array([np.corrcoef(a, b)[0, 1] for a, b in zip(pb, ism)])
        assert np.median(r) > 0.7, (method, np.round(r, 2))
        assert r.min() > 0.4, (method, np.round(r, 2))


def _predict(model, x):
    return np.asarray(model(np.asarray(x, np.float32), training=False)).reshape(len(x), -1)[:, 0]


@pytest.mark.parametrize("baseline", ["shuffle", "uniform"])
def test_integrated_gradients_completeness(trained, baseline):
    model, x, _ = trained
    x = x[:6]
    refs = make_baselines(x, baseline, n_shuffles=3, seed=0)
    delta = _predict(model, x) - _predict(model, refs.reshape(-1, LENGTH, 4)).reshape(refs.shape[:2]).mean(1)
    errors = {}
    for steps in (8, 256):
        s = integrated_gradients(model, x, "ACGT", baseline=baseline, n_shuffles=3, steps=steps, batch_size=512)
        errors[steps] = np.abs(s.sum(axis=(1, 2)) - delta)
    # measured: with 256 steps |sum - delta| < 0.004 for |delta| up to 1
    assert (errors[256] <= 0.01 + 0.01 * np.abs(delta)).all(), (errors, delta)
    assert errors[256].max() < errors[8].max() or errors[8].max() < 1e-3


def test_deeplift_summation_to_delta(trained):
    model, x, _ = trained
    for baseline in ("shuffle", "uniform", "zeros"):
        s, fx, fr = deeplift(model, x, "ACGT", baseline=baseline, n_shuffles=4, return_predictions=True)
        np.testing.assert_allclose(fx, _predict(model, x), rtol=1e-5, atol=1e-6)
        refs = make_baselines(x, baseline, n_shuffles=4, seed=0)
        np.testing.assert_allclose(fr, _predict(model, refs.reshape(-1, LENGTH, 4)).reshape(fr.shape), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(s.sum(axis=(1, 2)), fx - fr.mean(1), rtol=1e-3, atol=2e-5)
        assert np.abs(fx - fr.mean(1)).max() > 0.1  # a real difference was distributed


def test_deeplift_equals_exact_values_on_a_linear_model():
    # linear model: every rule reduces to (x - x') * w; integrated gradients give the same
    keras.utils.set_random_seed(3)
    inp = keras.Input((12, 4))
    h = keras.layers.Conv1D(3, 4)(inp)
    out = keras.layers.Dense(1)(keras.layers.Flatten()(h))
    model = keras.Model(inp, out)
    x = one_hot(["ACGTACGTTTGA", "GGGCCCATATAT"], "ACGT")
    dl = deeplift(model, x, baseline="uniform")
    ig = integrated_gradients(model, x, baseline="uniform", steps=4)
    ixg = attribute(model, x - 0.25, "saliency") * (x - 0.25)
    np.testing.assert_allclose(dl, ixg, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ig, ixg, rtol=1e-4, atol=1e-6)


def test_deeplift_rescale_and_max_rules_by_hand():
    # f(x) = v · max_p relu(w · x_p + b) + c, one filter of width 1: the multipliers worked out in numpy
    rng = np.random.default_rng(4)
    w, b, v, c = rng.normal(size=4).astype(np.float32), np.float32(-0.3), np.float32(1.7), np.float32(0.2)
    inp = keras.Input((9, 4))
    h = keras.layers.Conv1D(1, 1, activation="relu", name="conv")(inp)
    out = keras.layers.Dense(1, name="out")(keras.layers.GlobalMaxPooling1D()(h))
    model = keras.Model(inp, out)
    model.get_layer("conv").set_weights([w.reshape(1, 4, 1), np.array([b])])
    model.get_layer("out").set_weights([np.array([[v]]), np.array([c])])
    x = one_hot(["ACGTTGCAG", "TTTTATTTT", "GGGGCGGGG"], "ACGT")
    ref = one_hot(["CATGACGTA", "AAAAAAAAA", "GGGGGGGGG"], "ACGT")
    got = deeplift(model, x, baseline=ref)
    for xi, ri, gi in zip(x, ref, got):
        zx, zr = xi @ w + b, ri @ w + b
        ax, ar = np.maximum(zx, 0), np.maximum(zr, 0)
        # rescale: Δrelu / Δz (0 where Δz = 0); max rule: the output's difference goes to the arg max
        # of x when max(x) >= max(x'), else to the arg max of x' (shared equally by tied maxima, as
        # the gradient of a global max does; sequence 1 has eight)
        m_relu = np.divide(ax - ar, zx - zr, out=np.zeros_like(zx), where=zx != zr)
        dy = ax.max() - ar.max()
        at = ax == ax.max() if ax.max() >= ar.max() else ar == ar.max()
        share = np.where(at, dy / at.sum(), 0.0)
        m_pool = np.divide(share, ax - ar, out=np.zeros_like(zx), where=ax != ar)
        assert np.isclose((m_pool * (ax - ar)).sum(), dy)
        want = (xi - ri) * (v * m_pool * m_relu)[:, None] * w[None, :]
        np.testing.assert_allclose(gi, want, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(gi.sum(), v * dy, rtol=1e-5, atol=1e-6)


def _random_weights(model, rng):
    for w in model.weights:
        if w.trainable:
            w.assign(rng.normal(0, 0.5, w.shape).astype(np.float32))


@pytest.mark.parametrize("preset,overrides", [
    ("deepsea", dict(conv_filters=(6, 6, 6), conv_width=5, pool_size=2, dense_units=8, num_targets=3,
                     sequence_length=60)),
    ("deepbind_encode", dict(sequence_length=60)),
    ("deepprune", dict(kernels=6, sequence_length=60)),
    ("koo_eddy_cnn_25", dict(sequence_length=60)),
])
def test_deeplift_summation_on_the_feed_forward_families(preset, overrides):
    import keras_motifs.models  # noqa: F401
    from keras_motifs.registry import build, preset_info

    keras.utils.set_random_seed(1)
    try:
        model = build(preset, **overrides)
    except TypeError:
        model = build(preset, **{k: v for k, v in overrides.items() if k != "sequence_length"})
    _random_weights(model, np.random.default_rng(1))
    alphabet = preset_info(preset).alphabet
    length = model.inputs[0].shape[1]
    rng = np.random.default_rng(2)
    x = one_hot(["".join(rng.choice(list("ACGT"), length)) for _ in range(4)], alphabet)
    target = model.outputs[0].shape[-1] - 1
    s, fx, fr = deeplift(model, x, alphabet, target=target, n_shuffles=3, return_predictions=True)
    np.testing.assert_allclose(s.sum(axis=(1, 2)), fx - fr.mean(1), rtol=2e-3, atol=5e-5)


def test_recurrent_and_other_models_refused():
    inp = keras.Input((20, 4))
    lstm = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Bidirectional(keras.layers.LSTM(2))(inp)))
    x = one_hot(["ACGT" * 5], "ACGT")
    with pytest.raises(ModelInputError, match="recurrent.*integrated_gradients"):
        deeplift(lstm, x)
    assert attribute(lstm, x, "integrated_gradients", steps=4, n_shuffles=2).shape == x.shape  # others work
    soft = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(keras.layers.Flatten()(inp)))
    with pytest.raises(ModelInputError, match="softmax"):
        deeplift(soft, x, target=0)
    a, b = keras.Input((20, 4)), keras.Input((20, 4))
    two = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Add()([a, b]))))
    with pytest.raises(ModelInputError, match="single one-hot input"):
        attribute(two, x, "saliency")


def test_targets_of_a_multi_output_model(trained, all_scores):
    model, x, _ = trained
    # a two-output model whose output 1 is the trained model (nested) and output 0 something else
    inp = keras.Input((LENGTH, 4))
    other = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(inp))
    multi = keras.Model(inp, keras.layers.Concatenate()([other, model(inp)]), name="two_outputs")
    for method in METHODS:
        s = attribute(multi, x, method, target=1, n_shuffles=10, steps=50)
        np.testing.assert_allclose(s, all_scores[method], rtol=1e-3, atol=1e-5, err_msg=method)
    assert not np.allclose(attribute(multi, x, "saliency", target=0), all_scores["saliency"], atol=1e-4)
    with pytest.raises(ModelInputError, match="2 outputs"):
        attribute(multi, x, "saliency")
    with pytest.raises(ModelInputError, match="out of range"):
        attribute(multi, x, "deeplift", target=2)


def test_bad_inputs(trained):
    model, x, _ = trained
    with pytest.raises(ModelInputError, match="channels"):
        attribute(model, x[..., :3], "saliency", "ACGT")
    with pytest.raises(ModelInputError, match="length"):
        attribute(model, x[:, :50], "saliency")
    bad = x.copy()
    bad[1, 5, 2] = np.nan
    with pytest.raises(ModelInputError, match="sequence 1: position 5, channel 2"):
        attribute(model, bad, "integrated_gradients")
    with pytest.raises(ModelInputError, match="encode strings"):
        attribute(model, ["ACGT"], "saliency")
    with pytest.raises(ModelInputError, match="unknown attribution method"):
        attribute(model, x, "gradcam")
    with pytest.raises(ModelInputError, match="baseline"):
        attribute(model, x, "deeplift", baseline=np.zeros((3, 3)))


def test_letter_heights():
    x = one_hot(["ACGN"], "ACGT")[0]
    s = np.array([[1.0, 2.0, 3.0, 6.0]] * 4)
    np.testing.assert_allclose(contributions(s, x, "input_x_gradient")[0], [1, 0, 0, 0])
    np.testing.assert_allclose(contributions(s, x, "saliency")[1], [0, 2 - 3, 0, 0])  # minus the mean gradient
    ism = np.array([[0.0, -1.0, -2.0, -3.0]] * 4)
    # f(reference) - mean f(variant) over the other three letters; N (no letter) gets nothing
    np.testing.assert_allclose(contributions(ism, x, "ism")[0], [2.0, 0, 0, 0])
    np.testing.assert_allclose(contributions(ism, x, "ism")[3], [0, 0, 0, 0])


def test_attribution_logo(trained, all_scores, tmp_path):
    from keras_motifs.interpret.logos import save_attribution_logo

    _, x, starts = trained
    h = contributions(all_scores["deeplift"], x, "deeplift")[0]
    save_attribution_logo(tmp_path / "a.png", h, "ACGT", region=(max(0, starts[0] - 5), starts[0] + 15), title="t")
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    save_attribution_logo(tmp_path / "agct.png", h[:, [0, 2, 1, 3]], "AGCT")
    with pytest.raises(ValueError, match="outside"):
        save_attribution_logo(tmp_path / "b.png", h, "ACGT", region=(50, 70))
    assert not (tmp_path / "b.png").exists()


def test_attribute_command_in_a_fresh_process(trained, tmp_path):
    from keras_motifs.data import decode
    from keras_motifs.io import save_model

    model, x, starts = trained
    save_model(model, tmp_path / "m.keras")
    (tmp_path / "s.fa").write_text("".join(f">p{i}\n{s}\n" for i, s in enumerate(decode(x[:5], "ACGT"))))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_MOTIFS_PROGRESS": "0"}
    methods = ("deeplift", "integrated_gradients", "ism")
    calls = [["attribute", str(tmp_path / "m.keras"), str(tmp_path / "s.fa"), "--alphabet", "ACGT", "--method", m,
              "--shuffles", "4", "--steps", "20", "--index", "0,2", "--out", str(tmp_path / m)] for m in methods]
    # one process for the three calls (a TensorFlow import each would cost seconds), as a user runs them
    runner = ("import json, sys\nfrom keras_motifs import cli\n"
              "print(json.dumps([cli.main(argv) for argv in json.loads(sys.argv[1])]))")
    r = subprocess.run([sys.executable, "-c", runner, json.dumps(calls)], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0 and json.loads(r.stdout.strip().splitlines()[-1]) == [0, 0, 0], r.stderr[-2000:]
    runs = {}
    for method in methods:
        out = tmp_path / method
        runs[method] = out
        assert sorted(p.name for p in (out / "logos").iterdir()) == ["logo_0.png", "logo_2.png"]
        with np.load(out / "attributions.npz") as z:
            assert z["scores"].shape == (5, LENGTH, 4) and str(z["method"]) == method
            assert list(z["names"]) == [f"p{i}" for i in range(5)]
            np.testing.assert_allclose(z["x"], x[:5])
            np.testing.assert_allclose(z["prediction"], _predict(model, x[:5]), rtol=1e-5)
            np.testing.assert_allclose(z["per_base"], z["heights"].sum(-1), rtol=1e-5, atol=1e-7)
            if method == "deeplift":
                np.testing.assert_allclose(z["scores"].sum(axis=(1, 2)), z["prediction"] - z["baseline_prediction"],
                                           rtol=1e-3, atol=2e-5)
                np.testing.assert_allclose(z["scores"], deeplift(model, x[:5], n_shuffles=4), rtol=1e-4, atol=1e-6)
            top = np.argmax(z["per_base"], axis=1)
            assert np.mean((top >= starts[:5]) & (top < starts[:5] + len(MOTIF))) >= 0.8, method
    assert json.dumps(sorted(os.listdir(runs["ism"]))) == json.dumps(["attributions.npz", "logos"])


def test_batches_do_not_change_the_scores(trained):
    # baselines are made group by group, each shuffle seeded by its sequence's index in x
    model, x, _ = trained
    x = x[:5]
    for method in ("integrated_gradients", "deeplift"):
        big = attribute(model, x, method, n_shuffles=3, steps=10, batch_size=512)
        small = attribute(model, x, method, n_shuffles=3, steps=10, batch_size=7)
        np.testing.assert_allclose(small, big, rtol=1e-4, atol=1e-6, err_msg=method)
    s, fx, fr = integrated_gradients(model, x, n_shuffles=3, steps=10, return_predictions=True)
    np.testing.assert_allclose(fx, _predict(model, x), rtol=1e-5, atol=1e-6)
    refs = make_baselines(x, "shuffle", 3, 0)
    np.testing.assert_allclose(fr, _predict(model, refs.reshape(-1, LENGTH, 4)).reshape(5, 3), rtol=1e-5, atol=1e-6)
