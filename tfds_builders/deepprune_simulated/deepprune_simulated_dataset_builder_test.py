"""deepprune_simulated: builder on tiny configs, generator properties, determinism."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from . import deepprune_simulated_dataset_builder as sb


class TinyBuilder(sb.Builder):
    """The same builder with small configs (the real ones have 5,000 + 5,000 sequences)."""

    BUILDER_CONFIGS = [sb.SimConfig(name="set1", num_train=12, num_test=8, seed=1),
                       sb.SimConfig(name="set5", num_train=10, num_test=10, seed=5)]


class DeeppruneSimulatedTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = TinyBuilder
    SPLITS = {"train": 12, "test": 8}
    BUILDER_CONFIG_NAMES_TO_TEST = ["set1"]
    EXAMPLE_DIR = str(__import__("pathlib").Path(__file__).parent / "dummy_data")


class DeeppruneSimulatedSet5Test(DeeppruneSimulatedTest):
    SPLITS = {"train": 10, "test": 10}
    BUILDER_CONFIG_NAMES_TO_TEST = ["set5"]


def test_real_configs_follow_the_paper():
    names = [c.name for c in sb.Builder.BUILDER_CONFIGS]
    assert names == ["set1", "set2", "set3", "set4", "set5"]
    assert [len(sb.MOTIFS[n]) for n in names] == [2, 2, 2, 4, 8]
    for c in sb.Builder.BUILDER_CONFIGS:
        assert c.num_train == c.num_test and c.sequence_length == 101


def test_planted_motifs_from_jaspar_2016():
    motifs = sb.planted_motifs("set2")
    assert [(m[0], m[1]) for m in motifs] == [("MA0139.1", "CTCF"), ("MA0035.3", "Gata1")]
    assert motifs[0][2].shape == (19, 4)
    np.testing.assert_allclose(motifs[0][2].sum(1), 1.0)


def test_generate_plants_motifs_deterministically():
    # two deterministic "motifs": AAAAAAAA and CCCCGGGG
    m0 = np.tile([1.0, 0, 0, 0], (8, 1))
    m1 = np.array([[0, 1.0, 0, 0]] * 4 + [[0, 0, 1.0, 0]] * 4)
    idx, y, which, start = sb.generate([m0, m1], 400, 101, np.random.default_rng(0))
    assert idx.shape == (400, 101) and y.sum() == 200
    assert set(which[y == 0]) == {-1} and set(start[y == 0]) == {-1}
    assert set(which[y == 1]) == {0, 1}
    assert abs((which[y == 1] == 0).mean() - 0.5) < 0.1  # motif chosen with equal probability
    for i in np.flatnonzero(y):
        s = start[i]
        assert 0 <= s <= 101 - 8
        expect = [0] * 8 if which[i] == 0 else [1] * 4 + [2] * 4
        assert idx[i, s : s + 8].tolist() == expect
    starts = start[y == 1]
    assert starts.min() <= 5 and starts.max() >= 88  # uniform over every position that fits
    # background is uniform
    freq = np.bincount(idx[y == 0].ravel(), minlength=4) / idx[y == 0].size
    np.testing.assert_allclose(freq, 0.25, atol=0.01)
    idx2, *_ = sb.generate([m0, m1], 400, 101, np.random.default_rng(0))
    np.testing.assert_array_equal(idx, idx2)


def test_sampled_instances_follow_the_pfm():
    pfm = np.array([[0.7, 0.1, 0.1, 0.1], [0.0, 0.0, 0.5, 0.5]])
    idx, y, which, start = sb.generate([pfm], 4000, 10, np.random.default_rng(1))
    inst = np.stack([idx[i, start[i] : start[i] + 2] for i in np.flatnonzero(y)])
    f0 = np.bincount(inst[:, 0], minlength=4) / len(inst)
    f1 = np.bincount(inst[:, 1], minlength=4) / len(inst)
    np.testing.assert_allclose(f0, pfm[0], atol=0.03)
    np.testing.assert_allclose(f1, pfm[1], atol=0.03)
    with pytest.raises(ValueError, match="longer"):
        sb.generate([np.full((12, 4), 0.25)], 4, 10, np.random.default_rng(0))
