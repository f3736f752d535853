"""Dinucleotide shuffles of one-hot sequences (keras_motifs.data.shuffle): the rows' pair counts
are kept exactly, N rows included; deterministic per (seed, sequence, draw)."""

from collections import Counter

import numpy as np
import pytest

from keras_motifs.data import (
    decode,
    dinucleotide_counts,
    dinucleotide_counts_one_hot,
    dinucleotide_shuffle,
    dinucleotide_shuffle_one_hot,
    dinucleotide_shuffles_one_hot,
    one_hot,
)


def _random_seq(rng, n, letters="ACGT"):
    return "".join(rng.choice(list(letters), n))


@pytest.mark.parametrize("alphabet,n_value", [("ACGT", 0.0), ("AGCT", 0.25), ("ACGU", 0.0)])
def test_one_hot_shuffle_keeps_dinucleotide_counts_exactly(alphabet, n_value):
    rng = np.random.default_rng(0)
    letters = alphabet + "N"
    for n in [3, 4, 7, 50, 201]:
        for _ in range(10):
            s = _random_seq(rng, n, letters)
            x = one_hot([s], alphabet, n_value=n_value)[0]
            y = dinucleotide_shuffle_one_hot(x, rng)
            assert y.shape == x.shape and y.dtype == x.dtype
            assert dinucleotide_counts_one_hot(y) == dinucleotide_counts_one_hot(x)
            assert Counter(map(tuple, y.tolist())) == Counter(map(tuple, x.tolist()))
            assert (y[0] == x[0]).all() and (y[-1] == x[-1]).all()
            # decoded, the letters' dinucleotide counts agree too (N rows decode as N)
            assert dinucleotide_counts(decode(y, alphabet)) == dinucleotide_counts(decode(x, alphabet))


def test_batched_shuffles_deterministic_and_different():
    rng = np.random.default_rng(1)
    x = one_hot([_random_seq(rng, 100) for _ in range(6)], "ACGT")
    a = dinucleotide_shuffles_one_hot(x, 3, seed=4)
    assert a.shape == (6, 3, 100, 4)
    np.testing.assert_array_equal(a, dinucleotide_shuffles_one_hot(x, 3, seed=4))
    # sequence i's draws do not depend on the other sequences
    np.testing.assert_array_equal(dinucleotide_shuffles_one_hot(x[:2], 3, seed=4), a[:2])
    b = dinucleotide_shuffles_one_hot(x, 3, seed=5)
    assert (a != b).any(axis=(2, 3)).all()
    assert (a[:, 0] != a[:, 1]).any(axis=(1, 2)).all()  # the draws differ
    assert (a[:, 0] != x).any(axis=(1, 2)).all()  # and differ from the input
    for i in range(6):
        for k in range(3):
            assert dinucleotide_counts_one_hot(a[i, k]) == dinucleotide_counts_one_hot(x[i])


def test_same_draws_as_the_string_shuffle():
    # the one-hot shuffle walks the same Eulerian algorithm: with a fixed generator and the rows
    # of A,C,G,T in the alphabet's sort order, it gives a shuffle with the string shuffle's counts
    s = "ACGTTGCAACGGTACCATGA" * 3
    x = one_hot([s], "ACGT")[0]
    y = decode(dinucleotide_shuffle_one_hot(x, 9), "ACGT")
    assert dinucleotide_counts(y) == dinucleotide_counts(s) == dinucleotide_counts(dinucleotide_shuffle(s, 9))


def test_short_and_bad_shapes():
    x = np.eye(4, dtype=np.float32)[[0, 1]]
    np.testing.assert_array_equal(dinucleotide_shuffle_one_hot(x, 0), x)
    with pytest.raises(ValueError, match="shape"):
        dinucleotide_shuffle_one_hot(np.zeros(5), 0)
    with pytest.raises(ValueError, match="shape"):
        dinucleotide_shuffles_one_hot(np.zeros((5, 4)), 2)
    with pytest.raises(ValueError, match="at least 1"):
        dinucleotide_shuffles_one_hot(np.zeros((1, 5, 4)), 0)
