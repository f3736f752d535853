"""Bad input to the iONMF CLIP-seq FASTA read by ``rbp_clip.read_ionmf_fasta``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError
from reliability_cases import case, cases_in, check_bad_input, truncated_gzip, w


ION = "> chr1,+,100,107; class:0\nACGTACGT\n> chr1,-,200,207; class:1\nACGTACGA\n"


def _ion(path):
    from tfds_builders.rbp_clip.rbp_clip_dataset_builder import read_ionmf_fasta

    return read_ionmf_fasta(path)


R_ION = "iONMF FASTA (`rbp_clip.read_ionmf_fasta`)"


@case("ionmf-truncated-gzip", R_ION, "gzip cut short", DataFormatError, r"t\.fa\.gz': not a readable gzip file")
def _(tmp):
    return _ion(w(tmp, "t.fa.gz", truncated_gzip(ION * 20)))


@case("ionmf-empty", R_ION, "empty file", DataFormatError, r"e\.fa\.gz': no FASTA records")
def _(tmp):
    return _ion(w(tmp, "e.fa.gz", b""))


@case("ionmf-wrong-header", R_ION, "header without `; class:`", DataFormatError,
      r"h\.fa', line 1: header '> chr1,\+,100,107' is not '> chrom,strand,start,end; class:0\|1'")
def _(tmp):
    return _ion(w(tmp, "h.fa", ION.replace("; class:0", "")))


@case("ionmf-label-not-01", R_ION, "label 2", DataFormatError, r"l\.fa', line 3: label '2' is not 0 or 1")
def _(tmp):
    return _ion(w(tmp, "l.fa", ION.replace("class:1", "class:2")))


@case("ionmf-label-nan", R_ION, "label nan", DataFormatError, r"line 1: label 'nan' is not 0 or 1")
def _(tmp):
    return _ion(w(tmp, "l.fa", ION.replace("class:0", "class:nan")))


@case("ionmf-bad-letter", R_ION, "letter outside A,C,G,T,U,N", InvalidSequenceError,
      r"x\.fa', line 4: letter 'X' at column 5 is not A, C, G, T, U or N")
def _(tmp):
    return _ion(w(tmp, "x.fa", ION.replace("ACGTACGA", "ACGTXCGA")))


@case("ionmf-mixed-lengths", R_ION, "record shorter than its header's span", InvalidSequenceError,
      r"m\.fa', line 3: the sequence has 5 letters but its header chr1:200-207 spans 8")
def _(tmp):
    return _ion(w(tmp, "m.fa", ION.replace("ACGTACGA", "ACGTA")))


@case("ionmf-start-after-end", R_ION, "header end before start", DataFormatError,
      r"line 1: header end 100 is before start 107")
def _(tmp):
    return _ion(w(tmp, "se.fa", ION.replace("100,107", "107,100")))


@case("ionmf-non-ascii", R_ION, "non-ASCII byte", DataFormatError, r"n\.fa', line 2: non-ASCII byte")
def _(tmp):
    return _ion(w(tmp, "n.fa", ION.encode().replace(b"ACGTACGT", b"ACG\xe9ACGT")))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
