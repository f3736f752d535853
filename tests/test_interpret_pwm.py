"""PWM maths on hand-made inputs with known answers."""

import numpy as np
import pytest

from keras_motifs.interpret import pwm


def test_counts_to_ppm_known_values():
    counts = np.array([[2, 0, 0, 2], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=float)
    ppm = pwm.counts_to_ppm(counts)
    np.testing.assert_allclose(ppm, [[0.5, 0, 0, 0.5], [0.25] * 4, [0.25] * 4])
    # pseudocount 1 per letter: (2+1)/(4+4)
    np.testing.assert_allclose(pwm.counts_to_ppm(counts, pseudocount=1)[0], [3 / 8, 1 / 8, 1 / 8, 3 / 8])
    np.testing.assert_allclose(pwm.counts_to_ppm(counts, empty="zero")[1], [0, 0, 0, 0])
    with pytest.raises(ValueError):
        pwm.counts_to_ppm(-counts)


def test_information_content_known_values():
    ppm = np.array([[1, 0, 0, 0], [0.25] * 4, [0.5, 0.5, 0, 0], [0.5, 0.25, 0.25, 0]])
    np.testing.assert_allclose(pwm.information_content(ppm), [2.0, 0.0, 1.0, 0.5])
    # non-uniform background: p = b gives 0; a certain letter with b = 0.1 gives log2(10)
    bg = [0.1, 0.4, 0.4, 0.1]
    np.testing.assert_allclose(pwm.information_content(np.array([bg, [1, 0, 0, 0]]), bg), [0, np.log2(10)])
    # six-letter structure alphabet: a certain letter carries log2(6) bits
    np.testing.assert_allclose(pwm.information_content(np.eye(6)[:1]), [np.log2(6)])
    heights = pwm.ic_heights(ppm)
    np.testing.assert_allclose(heights[2], [0.5, 0.5, 0, 0])


def test_trim_koo_eddy_rule():
    uniform = [0.25] * 4
    certain = [1, 0, 0, 0]
    ppm = np.array([uniform] * 6 + [certain, uniform, certain] + [uniform] * 6)  # 15 positions
    trimmed, start, end = pwm.trim(ppm, threshold=0.5, pad=3)
    assert (start, end) == (3, 12)  # informative 6..8, padded by 3
    assert trimmed.shape == (9, 4)
    # padding bounded by the motif ends
    _, start, end = pwm.trim(ppm[5:], 0.5, 3)
    assert (start, end) == (0, 7)
    # nothing informative: whole motif kept
    flat = np.full((5, 4), 0.25)
    assert pwm.trim(flat)[1:] == (0, 5)


def test_reverse_complement_any_order():
    ppm = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1]])  # ACGT
    rc = pwm.reverse_complement(ppm, "ACGT")
    np.testing.assert_allclose(rc, [[0.1, 0.2, 0.6, 0.1], [0.1, 0.1, 0.1, 0.7]])
    # same motif in AGCT order gives the same answer after reordering
    agct = pwm.reorder(ppm, "ACGT", "AGCT")
    np.testing.assert_allclose(pwm.reorder(pwm.reverse_complement(agct, "AGCT"), "AGCT", "ACGT"), rc)
    np.testing.assert_allclose(pwm.reverse_complement(rc, "ACGT"), ppm)
    np.testing.assert_allclose(pwm.reverse_complement(ppm, "ACGU"), rc)
    with pytest.raises(ValueError):
        pwm.reverse_complement(np.ones((2, 6)) / 6, "FTIHMS")


def test_reorder_and_canonical():
    m = np.array([[1, 2, 3, 4]])  # A G C T
    np.testing.assert_array_equal(pwm.reorder(m, "AGCT", "ACGT"), [[1, 3, 2, 4]])
    out, alpha = pwm.to_canonical(m, "AGCT")
    assert alpha.letters == "ACGT"
    np.testing.assert_array_equal(out, [[1, 3, 2, 4]])
    assert pwm.canonical_alphabet("ACGU").letters == "ACGU"
    assert pwm.canonical_alphabet("FTIHMS").letters == "FTIHMS"
    with pytest.raises(ValueError):
        pwm.reorder(m, "ACGT", "ACGU")


def test_consensus_and_background():
    ppm = np.array([[0.7, 0.1, 0.1, 0.1], [0.25] * 4, [0, 0, 0, 1]])
    assert pwm.consensus(ppm, "ACGT") == "AAT"
    assert pwm.consensus(ppm, "ACGT", min_probability=0.3) == "ANT"
    x = np.zeros((1, 4, 4))
    x[0, [0, 1, 2, 3], [0, 0, 0, 3]] = 1  # AAAT
    np.testing.assert_allclose(pwm.letter_frequencies(x), [0.75, 0, 0, 0.25])
    np.testing.assert_allclose(pwm.letter_frequencies(x, pseudocount=1), [4 / 8, 1 / 8, 1 / 8, 2 / 8])
