"""Batched ISM against a brute-force loop on a tiny model; mutation-map plot."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import ModelInputError
from keras_motifs.interpret import (
    deepbind_scaled, importance, in_silico_mutagenesis, ism_predictions, plot_mutation_map,
)
from keras_motifs.models import DanQ


@pytest.fixture(scope="module")
def tiny_danq():
    keras.utils.set_random_seed(0)
    return DanQ(conv_filters=8, conv_width=6, pool_size=3, lstm_units=4, dense_units=8, num_targets=3,
                sequence_length=20)


def _seqs(n, length, seed=0):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


def _brute(model, x, alphabet_size=4):
    """One prediction per variant, no batching: the definition of ISM."""
    import tensorflow as tf

    call = tf.function(lambda v: model(v, training=False))
    ref = np.asarray(call(x[None]))[0]
    out = np.zeros(x.shape + ref.shape)
    for p in range(x.shape[0]):
        for a in range(alphabet_size):
            if x[p, a] == 1:
                continue
            v = x.copy()
            v[p] = 0
            v[p, a] = 1
            out[p, a] = np.asarray(call(v[None]))[0] - ref
    return out


def test_ism_matches_brute_force_loop(tiny_danq):
    seq = _seqs(1, 20)[0]
    seq = seq[:5] + "N" + seq[6:]  # an N position gets all four substitutions
    x = one_hot(seq, "AGCT")
    got = in_silico_mutagenesis(tiny_danq, x, alphabet="AGCT", target="all", batch_size=17)
    want = _brute(tiny_danq, x)
    assert got.shape == (20, 4, 3)
    np.testing.assert_allclose(got, want, atol=2e-6)
    assert np.abs(want[5]).min() > 0  # the N row: every letter is a real substitution
    # one target → (L, A); the reference letters have effect 0
    t1 = in_silico_mutagenesis(tiny_danq, x, alphabet="AGCT", target=1)
    np.testing.assert_allclose(t1, want[..., 1], atol=2e-6)
    assert np.all(t1[x == 1] == 0)


def test_ism_many_sequences_and_rc_average(tiny_danq):
    x = one_hot(_seqs(3, 20, seed=1), "AGCT")
    ref, var = ism_predictions(tiny_danq, x, alphabet="AGCT", batch_size=64)
    assert ref.shape == (3, 3) and var.shape == (3, 20, 4, 3)
    single = in_silico_mutagenesis(tiny_danq, x[2], "AGCT", target="all")
    np.testing.assert_allclose(var[2] - ref[2], single, atol=2e-6)
    from keras_motifs.data import reverse_complement

    rc_ref, _ = ism_predictions(tiny_danq, x[:1], alphabet="AGCT", rc_average=True)
    direct = (tiny_danq.predict(x[:1], verbose=0) + tiny_danq.predict(reverse_complement(x[:1], "AGCT"), verbose=0)) / 2
    np.testing.assert_allclose(rc_ref, direct, atol=1e-6)


def test_errors(tiny_danq):
    x = one_hot(_seqs(1, 20)[0], "AGCT")
    with pytest.raises(ModelInputError, match="3 outputs"):
        in_silico_mutagenesis(tiny_danq, x, "AGCT")
    with pytest.raises(ModelInputError, match="length 20"):
        in_silico_mutagenesis(tiny_danq, x[:15], "AGCT", target=0)


def test_deepbind_scaling_and_importance():
    ref = np.array(2.0)
    var = np.array([[2.0, 1.0, 3.0, -1.0]])
    np.testing.assert_allclose(deepbind_scaled(ref, var), [[0.0, -2.0, 3.0, -6.0]])
    np.testing.assert_allclose(importance(np.array([[0, -2, 3, -6], [0, 1, 1, 1]])), [6, 0])


def test_mutation_map_png(tmp_path, tiny_danq):
    x = one_hot(_seqs(1, 20)[0], "AGCT")
    eff = in_silico_mutagenesis(tiny_danq, x, "AGCT", target=0)
    out = tmp_path / "map.png"
    plot_mutation_map(out, x, eff, alphabet="AGCT", title="test", region=(5, 18))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        plot_mutation_map(out, x, eff, alphabet="AGCT", region=(15, 25))
