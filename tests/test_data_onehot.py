"""One-hot encoding, decoding and reverse complements (keras_motifs.data)."""

import numpy as np
import pytest

from keras_motifs.data import (
    decode, encode_indices, get_alphabet, one_hot, reverse_complement, reverse_complement_strings,
)
from keras_motifs.errors import InvalidSequenceError


def test_acgt_known_values():
    x = one_hot("ACGTN")
    expected = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], np.float32)
    np.testing.assert_array_equal(x, expected)
    assert x.dtype == np.float32


def test_deepsea_channel_order_agct():
    x = one_hot(["AGCT"], alphabet="AGCT")[0]
    np.testing.assert_array_equal(x, np.eye(4))
    y = one_hot(["ACGT"], alphabet="AGCT")[0]
    np.testing.assert_array_equal(y.argmax(1), [0, 2, 1, 3])


def test_lowercase_bytes_and_numpy_inputs_agree():
    a = one_hot(["acgtn", "TTGCA"])
    b = one_hot([b"ACGTN", b"ttgca"])
    c = one_hot(np.array(["ACGTN", "TTGCA"]))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a, c)


def test_n_value_and_padding_values():
    x = one_hot(["ANC"], n_value=0.25, length=5, pad_value=0.0)[0]
    np.testing.assert_allclose(x[1], [0.25] * 4)
    np.testing.assert_array_equal(x[3:], 0)
    y = one_hot(["AC"], alphabet="ACGU", n_value=0.25, flank=2)[0]  # iDeepS-style padding
    assert y.shape == (6, 4)
    np.testing.assert_allclose(y[:2], 0.25)
    np.testing.assert_allclose(y[-2:], 0.25)
    np.testing.assert_array_equal(y[2], [1, 0, 0, 0])


def test_structure_alphabet_and_its_padding():
    x = one_hot(["FTIHMS"], alphabet="FTIHMS", n_value=0.16, flank=1)[0]
    assert x.shape == (8, 6)
    np.testing.assert_array_equal(x[1:7], np.eye(6))
    np.testing.assert_allclose(x[0], [0.16] * 6)


def test_invalid_letter_names_sequence_position_and_letter():
    with pytest.raises(InvalidSequenceError, match=r"sequence 1: letter 'X' at position 2 is not in alphabet ACGT or N"):
        one_hot(["ACGT", "ACXT"])


def test_rna_letter_in_dna_alphabet_gets_a_hint():
    with pytest.raises(InvalidSequenceError, match="RNA letter"):
        one_hot(["ACGU"])
    with pytest.raises(InvalidSequenceError, match="DNA letter"):
        one_hot(["ACGT"], alphabet="ACGU")


def test_iupac_other_than_n_is_an_error():
    with pytest.raises(InvalidSequenceError, match="'R'"):
        one_hot(["ACRT"])


def test_mixed_lengths_need_length_argument():
    with pytest.raises(InvalidSequenceError, match="sequence 1 has length 3 but sequence 0 has length 4"):
        one_hot(["ACGT", "ACG"])
    x = one_hot(["ACGT", "ACG"], length=4)
    np.testing.assert_array_equal(x[1, 3], 0)
    with pytest.raises(InvalidSequenceError, match="longer than the required length 3"):
        one_hot(["ACGT"], length=3)


def test_decode_round_trip_and_n():
    seqs = ["ACGTNACGT", "TTTTGGGGA"]
    for alphabet in ("ACGT", "AGCT"):
        assert decode(one_hot(seqs, alphabet=alphabet), alphabet) == seqs
    assert decode(one_hot("ANA", n_value=0.25)) == "ANA"


@pytest.mark.parametrize("alphabet", ["ACGT", "AGCT", "ACGU"])
def test_reverse_complement_matches_string_reverse_complement(alphabet):
    rng = np.random.default_rng(0)
    letters = np.array(list(alphabet.replace("U", "T") if "U" not in alphabet else alphabet))
    seqs = ["".join(rng.choice(letters, 50)) + "N" for _ in range(5)]
    x = one_hot(seqs, alphabet=alphabet)
    rc = reverse_complement(x, alphabet)
    np.testing.assert_array_equal(rc, one_hot(reverse_complement_strings(seqs), alphabet=alphabet))
    np.testing.assert_array_equal(reverse_complement(rc, alphabet), x)


def test_reverse_complement_strings_rna_and_dna():
    assert reverse_complement_strings("AACGTN") == "NACGTT"
    assert reverse_complement_strings("AACGU") == "ACGUU"


def test_structure_alphabet_has_no_complement():
    with pytest.raises(ValueError, match="no complement"):
        reverse_complement(one_hot("FTIH", alphabet="FTIHMS"), "FTIHMS")


def test_encode_indices_codes():
    idx = encode_indices(["ACGTN"], "ACGT")
    np.testing.assert_array_equal(idx[0], [0, 1, 2, 3, 4])
    assert get_alphabet("DNA_AGCT").letters == "AGCT"
    with pytest.raises(ValueError):
        get_alphabet("XYZ")


def test_large_input_is_vectorised():
    """10 Mbp encodes in well under a second-scale budget (no per-base Python loop)."""
    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGT"), 1000)) for _ in range(200)]
    x = one_hot(seqs * 50)
    assert x.shape == (10000, 1000, 4)
    np.testing.assert_array_equal(x.sum(-1), 1)


def test_encoder_errors_carry_the_index_and_the_detail():
    from keras_motifs.data import encode_indices
    from keras_motifs.errors import InvalidSequenceError

    for seqs, detail in ((["ACGT", "ACXT"], ": letter 'X' at position 2 is not in alphabet ACGT or N"),
                         (["ACGT", "ACG"], " has length 3 but sequence 0 has length 4; pass length= to pad to a fixed length"),
                         (["ACGT", "ACGTAC"], " has length 6, longer than the required length 4"),
                         (["ACGT", "AC\u00e9T"], ": letter '\u00e9' at position 2 is not a nucleotide letter")):
        with pytest.raises(InvalidSequenceError) as info:
            encode_indices(seqs, "ACGT", length=4 if len(seqs[1]) == 6 else None)
        assert info.value.index == 1 and info.value.detail == detail
        assert str(info.value) == "sequence 1" + detail
