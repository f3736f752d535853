"""The Altschul-Erickson dinucleotide shuffle used for DeepBind's negatives."""

from collections import Counter
from itertools import permutations

import numpy as np
import pytest

from keras_motifs.deepbind.shuffle import dinucleotide_counts, dinucleotide_shuffle, dinucleotide_shuffles


def _random_seq(rng, n, letters="ACGT"):
    return "".join(rng.choice(list(letters), n))


@pytest.mark.parametrize("letters", ["ACGT", "ACGTN", "AT", "AAAC"])
def test_preserves_dinucleotide_counts_exactly(letters):
    rng = np.random.default_rng(0)
    for n in [3, 4, 5, 10, 101, 500]:
        for _ in range(20):
            s = _random_seq(rng, n, letters)
            t = dinucleotide_shuffle(s, rng)
            assert len(t) == len(s)
            assert dinucleotide_counts(t) == dinucleotide_counts(s)
            assert Counter(t) == Counter(s)
            assert t[0] == s[0] and t[-1] == s[-1]


def test_deterministic_from_seed_and_actually_shuffles():
    rng = np.random.default_rng(1)
    seqs = [_random_seq(rng, 101) for _ in range(50)]
    a = dinucleotide_shuffles(seqs, seed=5)
    assert a == dinucleotide_shuffles(seqs, seed=5)
    assert a[10:] == dinucleotide_shuffles(seqs, seed=5)[10:]
    assert dinucleotide_shuffles(seqs[:10], seed=5) == a[:10]  # per-index generator
    b = dinucleotide_shuffles(seqs, seed=6)
    assert sum(x != y for x, y in zip(a, b)) >= 49
    assert sum(x != s for x, s in zip(a, seqs)) >= 49
    assert dinucleotide_shuffles(seqs, seed=5, stream=1) != a


def test_all_valid_shuffles_reachable_roughly_uniformly():
    s = "AACGACAG"  # 8 letters: 40,320 permutations to enumerate, 12 valid shuffles
    want = dinucleotide_counts(s)
    valid = {"".join(p) for p in permutations(s) if p[0] == s[0] and p[-1] == s[-1]
             and dinucleotide_counts("".join(p)) == want}
    rng = np.random.default_rng(2)
    draws = Counter(dinucleotide_shuffle(s, rng) for _ in range(3000))
    assert set(draws) == valid
    expected = 3000 / len(valid)
    assert min(draws.values()) > 0.6 * expected and max(draws.values()) < 1.4 * expected


def test_short_sequences_unchanged():
    assert dinucleotide_shuffle("", 0) == "" and dinucleotide_shuffle("AC", 0) == "AC"
