"""Filter activation alignment: each rule against a direct per-window loop, alphabets, layers."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import ModelInputError
from keras_motifs.interpret import filter_motifs, pwm


def _random_seqs(n, length, letters="ACGT", seed=0):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list(letters), length)) for _ in range(n)]


def _conv_model(width=5, filters=3, length=30, channels=4, padding="valid", seed=1):
    keras.utils.set_random_seed(seed)
    inp = keras.Input((length, channels), name="sequence")
    x = keras.layers.Conv1D(filters, width, padding=padding, activation="relu", name="conv",
                            kernel_initializer=keras.initializers.RandomNormal(0, 0.5, seed=seed),
                            bias_initializer=keras.initializers.Constant(0.1))(inp)
    out = keras.layers.Dense(1, activation="sigmoid", name="out")(keras.layers.GlobalMaxPooling1D()(x))
    return keras.Model(inp, out)


def _brute(model, x, rule, width, left):
    """Straight loops over sequences, positions and filters (the definition of each rule)."""
    act = keras.Model(model.inputs, model.get_layer("conv").output).predict(x, verbose=0)
    n, out_len, nf = act.shape
    length, a = x.shape[1], x.shape[2]
    counts = np.zeros((nf, width, a))
    nsites = np.zeros(nf, int)
    for f in range(nf):
        mx, mean = act[..., f].max(), act[..., f].mean()
        thr = {"koo_eddy": 0.5 * mx, "basset": mean + 0.5 * (mx - mean), "deepbind": 0.0}[rule]
        for i in range(n):
            positions = range(out_len)
            if rule == "deepbind":
                p = int(np.argmax(act[i, :, f]))
                positions = [p] if act[i, p, f] > thr else []
            for p in positions:
                if act[i, p, f] <= thr:
                    continue
                s = p - left
                if rule == "basset" and (s < 0 or s + width > length):
                    continue
                wgt = act[i, p, f] if rule == "koo_eddy" else 1.0
                nsites[f] += 1
                for k in range(width):
                    if 0 <= s + k < length:
                        counts[f, k] += wgt * x[i, s + k]
    return counts, nsites


@pytest.mark.parametrize("rule", ["koo_eddy", "basset", "deepbind"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_rules_match_direct_loop(rule, padding):
    width = 5
    model = _conv_model(width=width, padding=padding)
    x = one_hot(_random_seqs(23, 30), "ACGT")
    got = filter_motifs(model, x, rule=rule, alphabet="ACGT", batch_size=7)
    counts, nsites = _brute(model, x, rule, width, 0 if padding == "valid" else (width - 1) // 2)
    np.testing.assert_allclose(got.counts, counts, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(got.nsites, nsites)
    expected = {
        "koo_eddy": pwm.counts_to_ppm(counts, empty="zero"),
        "basset": pwm.counts_to_ppm(counts, pseudocount=1),
        "deepbind": pwm.counts_to_ppm(counts),
    }[rule]
    np.testing.assert_allclose(got.ppm, expected, rtol=1e-4, atol=1e-5)
    assert got.n_sequences == 23 and got.layer == "conv"


def test_planted_filter_recovers_its_motif_in_agct_order():
    """A filter that matches ACGTA exactly, in a model reading A,G,C,T channels: the motif comes
    out as ACGTA in A,C,G,T columns, whatever the rule."""
    motif = "ACGTA"
    model = _conv_model(width=5, filters=1, length=40)
    kernel = one_hot(motif, "AGCT")[:, :, None] * 2.0 - 1.0  # +1 on the motif letter, -1 elsewhere
    model.get_layer("conv").set_weights([kernel.astype("float32"), np.array([-4.0], "float32")])
    seqs = _random_seqs(40, 40, seed=3)
    seqs = [s[:10] + motif + s[15:] for s in seqs]
    x = one_hot(seqs, "AGCT")
    for rule in ("koo_eddy", "basset", "deepbind"):
        got = filter_motifs(model, x, rule=rule, alphabet="AGCT", batch_size=16)
        assert got.alphabet.letters == "ACGT"
        assert pwm.consensus(got.ppm[0], "ACGT") == motif, rule
        if rule != "basset":  # basset adds a pseudocount
            np.testing.assert_allclose(got.ppm[0], one_hot(motif, "ACGT"))
        assert got.nsites[0] >= 40


def test_rna_and_structure_alphabets_and_named_layer():
    # iDeepS-like two-input model: sequence (ACGU) and structure (FTIHMS) branches
    keras.utils.set_random_seed(0)
    seq_in = keras.Input((20, 4), name="seq")
    str_in = keras.Input((20, 6), name="structure")
    a = keras.layers.Conv1D(2, 4, name="seq_conv")(seq_in)
    a = keras.layers.Activation("relu", name="seq_relu")(a)
    b = keras.layers.Conv1D(2, 4, activation="relu", name="str_conv")(str_in)
    merged = keras.layers.Concatenate(axis=1)([a, b])
    model = keras.Model([seq_in, str_in], keras.layers.Dense(1)(keras.layers.Flatten()(merged)))
    xs = one_hot(_random_seqs(12, 20, "ACGU"), "ACGU")
    xt = one_hot(_random_seqs(12, 20, "FTIHMS", seed=5), "FTIHMS")
    seq_m = filter_motifs(model, [xs, xt], layer="seq_relu", rule="koo_eddy", alphabet="ACGU")
    assert seq_m.alphabet.letters == "ACGU" and seq_m.ppm.shape == (2, 4, 4) and seq_m.layer == "seq_relu"
    str_m = filter_motifs(model, [xs, xt], layer="str_conv", rule="basset", alphabet="FTIHMS", min_sites=1)
    assert str_m.alphabet.letters == "FTIHMS" and str_m.ppm.shape == (2, 4, 6)
    np.testing.assert_allclose(str_m.ppm.sum(-1), 1.0)
    meme = str_m.meme(include_all=True)
    assert meme.alphabet == "FTIHMS" and len(meme) == 2


def test_basset_min_sites_flags_filters_and_errors():
    model = _conv_model()
    x = one_hot(_random_seqs(3, 30), "ACGT")
    got = filter_motifs(model, x, rule="ideeps", alphabet="ACGT")
    assert got.rule == "basset" and got.min_sites == 10
    assert len(got.motifs()) == int((got.nsites >= 10).sum())
    with pytest.raises(ModelInputError, match="no layer 'nope'"):
        filter_motifs(model, x, layer="nope")
    with pytest.raises(ModelInputError, match="channels"):
        filter_motifs(model, x, alphabet="FTIHMS")
    with pytest.raises(ValueError, match="unknown alignment rule"):
        filter_motifs(model, x, rule="magic")


def test_tf_dataset_source_and_max_sequences():
    import tensorflow as tf

    model = _conv_model()
    x = one_hot(_random_seqs(20, 30), "ACGT")
    y = np.zeros((20, 1), "float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y))  # unbatched (x, y) pairs
    a = filter_motifs(model, ds, rule="koo_eddy", batch_size=6, max_sequences=15)
    b = filter_motifs(model, x[:15], rule="koo_eddy", batch_size=15)
    assert a.n_sequences == 15
    np.testing.assert_allclose(a.counts, b.counts, rtol=1e-5)


def test_conv_geometry_follows_the_layers_own_branch():
    """In a two-branch model a ReLU after branch A's conv takes A's window, not the later B conv."""
    from keras_motifs.interpret.alignment import conv_geometry

    seq = keras.Input((50, 4), name="seq")
    struct = keras.Input((50, 6), name="struct")
    a = keras.layers.Conv1D(3, 7, name="conv_a")(seq)
    b = keras.layers.Conv1D(2, 5, padding="same", name="conv_b")(struct)
    ra = keras.layers.ReLU(name="relu_a")(a)
    rb = keras.layers.ReLU(name="relu_b")(b)
    pa = keras.layers.GlobalMaxPooling1D()(ra)
    pb = keras.layers.GlobalMaxPooling1D()(rb)
    model = keras.Model([seq, struct], keras.layers.Dense(1)(keras.layers.Concatenate()([pa, pb])))
    g = conv_geometry(model, "relu_a")  # layer order: conv_a, conv_b, relu_a, ... (B's conv is nearer in order)
    assert (g.conv_name, g.width, g.left, g.input_index) == ("conv_a", 7, 0, 0)
    g = conv_geometry(model, "relu_b")
    assert (g.conv_name, g.width, g.left, g.input_index) == ("conv_b", 5, 2, 1)
    rc = keras.layers.ReLU(name="relu_c")(keras.layers.Conv1D(2, 7, name="conv_c")(struct))
    merged = keras.layers.Concatenate(name="both")([ra, rc])
    model2 = keras.Model([seq, struct], merged)
    with pytest.raises(ModelInputError, match="equally near"):
        conv_geometry(model2, "both")
