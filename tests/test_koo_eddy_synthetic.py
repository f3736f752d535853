"""The Koo & Eddy 2019 synthetic-set recipe and the in-vivo DeepSEA subset."""

import numpy as np
import pytest

from tfds_builders.deepsea import koo_eddy_invivo as invivo
from tfds_builders.koo_eddy_synthetic import synthetic

WIDTHS = [6, 10, 11, 11, 15, 10, 12, 15, 11, 16, 11, 12]  # p-koo/learning_sequence_motifs data/pfm_vertebrates.txt widths


@pytest.fixture(scope="module")
def pwms():
    return synthetic.core_pwms()


def test_core_pwms_are_the_12_jaspar2016_motifs_and_their_reverse_complements(pwms):
    assert len(pwms) == 24
    assert [p.shape[1] for p in pwms[::2]] == WIDTHS
    for k in range(12):
        fwd, rc = pwms[2 * k], pwms[2 * k + 1]
        np.testing.assert_allclose(fwd.sum(0), 1)
        np.testing.assert_array_equal(rc, fwd[::-1, ::-1])  # rows A,C,G,T -> T,G,C,A; positions reversed
    # Arid3a MA0151.1 position 1 is all T (27/27 sites)
    np.testing.assert_array_equal(pwms[0][:, 1], [0, 0, 0, 1])


def test_pwms_match_the_originals_pfm_file(shared_data, pwms):
    """pyjaspar's JASPAR2016 counts equal the pfm_vertebrates.txt the notebook parsed by name."""
    path = shared_data / "motifs" / "pfm_vertebrates.txt"
    lines = path.read_text().splitlines()
    by_name = {}
    i = 0
    while i < len(lines):
        if lines[i].startswith(">"):
            name = lines[i].split()[1]
            rows = [np.array(lines[i + 1 + r].split("[")[1].split("]")[0].split(), dtype=float) for r in range(4)]
            by_name.setdefault(name, np.vstack(rows))  # first match, as the notebook's list.index(name)
            i += 5
        else:
            i += 1
    for k, (name, _) in enumerate(synthetic.CORE_MOTIFS):
        counts = by_name[name]
        np.testing.assert_allclose(pwms[2 * k], counts / counts.sum(0), err_msg=name)


def test_number_of_motifs_follows_the_recipe(pwms):
    rng = np.random.RandomState(0)
    n = np.array([len(synthetic.sample_grammar(rng, pwms, 200)[1]) for _ in range(4000)])
    freq = np.bincount(n, minlength=6)[1:] / len(n)
    np.testing.assert_allclose(freq, [0.50, 0.25, 0.17, 0.05, 0.03], atol=0.025)


def test_grammar_layout_and_sampling(pwms):
    rng = np.random.RandomState(5)
    for _ in range(50):
        model, chosen = synthetic.sample_grammar(rng, pwms, 200)
        assert model.shape == (4, 200)
        np.testing.assert_allclose(model.sum(0), 1)
        # every embedded motif appears verbatim, in order, separated by uniform gaps
        motif_cols = ~np.all(model == 0.25, axis=0)
        assert motif_cols.sum() <= sum(pwms[i].shape[1] for i in chosen)
    # sampling: certain positions give their base; uniform positions give all four
    model = np.full((4, 4000), 0.25)
    model[:, :4] = np.eye(4)
    seq = synthetic.sample_sequence(np.random.RandomState(1), model)
    np.testing.assert_array_equal(seq[:4], [0, 1, 2, 3])
    np.testing.assert_allclose(np.bincount(seq[4:], minlength=4) / 3996, 0.25, atol=0.03)


def test_generate_is_deterministic_split_and_labelled(pwms):
    a = synthetic.generate(num_sequences=300, seed=11, motifs=pwms)
    b = synthetic.generate(num_sequences=300, seed=11, motifs=pwms)
    c = synthetic.generate(num_sequences=300, seed=12, motifs=pwms)
    assert [len(a[s]["sequence"]) for s in ("train", "valid", "test")] == [210, 30, 60]
    for s in a:
        for k in a[s]:
            np.testing.assert_array_equal(a[s][k], b[s][k])
    assert not np.array_equal(a["train"]["sequence"], c["train"]["sequence"])
    idx = np.concatenate([a[s]["index"] for s in a])
    assert sorted(idx) == list(range(300))  # a permutation: nothing dropped or repeated
    for s in a:
        y, seq, model = a[s]["label"], a[s]["sequence"], a[s]["pwm"]
        assert y.shape[1] == 12 and set(np.unique(y)) <= {0, 1} and (y.sum(1) >= 1).all()
        # a base with probability 1 in the generating model is always the sampled base
        certain = model.max(-1) == 1
        np.testing.assert_array_equal(seq[certain], model.argmax(-1)[certain])
        # the labelled TFs' motifs can be found in the generating model
        for i in range(3):
            for k in np.flatnonzero(y[i]):
                found = False
                for cand in (pwms[2 * k], pwms[2 * k + 1]):
                    w = cand.shape[1]
                    found |= any(np.allclose(model[i, j : j + w].T, cand) for j in range(200 - w + 1))
                assert found, (s, i, synthetic.TF_NAMES[k])


def test_invivo_selects_the_12_targets_and_reorders_channels():
    rng = np.random.default_rng(0)
    labels = np.zeros((5, 919), np.uint8)
    labels[0, 592] = 1  # ARID3A -> class 0
    labels[2, 369] = 1  # YY1 -> class 11
    labels[3, 100] = 1  # another target only: dropped
    seqs = rng.integers(0, 5, (5, 1000)).astype(np.uint8)  # A,G,C,T indices (4 = N)
    x, y = invivo.select(seqs, labels)
    assert y.shape == (2, 12) and y[0, 0] == 1 and y[1, 11] == 1 and y.sum() == 2
    # A,G,C,T -> A,C,G,T: G (1) becomes 2, C (2) becomes 1, A and T and N unchanged
    np.testing.assert_array_equal(x[0], np.array([0, 2, 1, 3, 4])[seqs[0]])
    with pytest.raises(ValueError):
        invivo.select(seqs, labels[:, :100])
    assert len(set(invivo.TARGET_INDICES)) == 12


def test_invivo_loader_through_the_deepsea_builder(tmp_path):
    """The in-vivo path end to end on the deepsea builder's offline ``synthetic_tiny`` config."""
    out = invivo.load_invivo(data_dir=str(tmp_path), config="synthetic_tiny")
    assert len(out["train"][0]) > 0
    for split in ("train", "validation", "test"):
        x, y = out[split]
        assert x.shape[1:] == (1000, 4) and y.shape[1] == 12 and len(x) == len(y)
        assert (y.max(1) == 1).all()
        assert set(np.unique(x.sum(-1))) <= {0.0, 1.0}
