"""Bad input to DeepBind's ENCODE ``.seq.gz`` TSV read by
``deepbind_encode_chipseq.read_seq_file``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import gzip

import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError
from reliability_cases import case, cases_in, check_bad_input, truncated_gzip, w


SEQ = "FoldID\tEventID\tseq\tBound\n" + "".join(f"A\tseq_{i:05d}_peak\t{'ACGT' * 25}A\t1\n" for i in range(3))
R_SEQ = "DeepBind `.seq.gz` TSV (`deepbind_encode_chipseq.read_seq_file`)"


def _seq(path):
    from tfds_builders.deepbind_encode_chipseq.deepbind_encode_chipseq_dataset_builder import read_seq_file

    return read_seq_file(path)


@case("seq-truncated-gzip", R_SEQ, "gzip cut short", DataFormatError, r"t\.seq\.gz': not a readable gzip file .*cut short")
def _(tmp):
    return _seq(w(tmp, "t.seq.gz", truncated_gzip(SEQ * 20)))


@case("seq-empty", R_SEQ, "empty file", DataFormatError, r"e\.seq\.gz': no records")
def _(tmp):
    return _seq(w(tmp, "e.seq.gz", gzip.compress(b"")))


@case("seq-header-only", R_SEQ, "header, no records", DataFormatError, r"h\.seq': no records")
def _(tmp):
    return _seq(w(tmp, "h.seq", "FoldID\tEventID\tseq\tBound\n"))


@case("seq-missing-header", R_SEQ, "no header line", DataFormatError,
      r"nh\.seq', line 1: expected the header 'FoldID\\tEventID\\tseq\\tBound'")
def _(tmp):
    return _seq(w(tmp, "nh.seq", SEQ.split("\n", 1)[1]))


@case("seq-wrong-header", R_SEQ, "wrong column names", DataFormatError, r"wh\.seq', line 1: expected the header")
def _(tmp):
    return _seq(w(tmp, "wh.seq", SEQ.replace("Bound", "Label", 1)))


@case("seq-label-not-01", R_SEQ, "Bound 0.5", DataFormatError, r"line 3: Bound must be 0 or 1, got '0\.5'")
def _(tmp):
    rows = SEQ.splitlines(True)
    rows[2] = rows[2].replace("\t1\n", "\t0.5\n")
    return _seq(w(tmp, "lb.seq", "".join(rows)))


@case("seq-label-nan", R_SEQ, "Bound NaN", DataFormatError, r"line 2: Bound must be 0 or 1, got 'NaN'")
def _(tmp):
    return _seq(w(tmp, "ln.seq", SEQ.replace("\t1\n", "\tNaN\n", 1)))


@case("seq-bad-letter", R_SEQ, "letter outside A,C,G,T,N", InvalidSequenceError,
      r"x\.seq', line 2: letter 'X' at position 4 is not in alphabet ACGT")
def _(tmp):
    return _seq(w(tmp, "x.seq", SEQ.replace("ACGTA", "ACGTX", 1)))


@case("seq-wrong-length", R_SEQ, "100-nt sequence (101 required)", InvalidSequenceError,
      r"line 2: sequence has length 100, expected 101")
def _(tmp):
    return _seq(w(tmp, "ln.seq", SEQ.replace("ACGTA\t", "ACGT\t", 1)))


@case("seq-fields", R_SEQ, "3 fields on a line", DataFormatError, r"line 2: expected 4 tab-separated fields, got 3")
def _(tmp):
    return _seq(w(tmp, "f.seq", SEQ.replace("A\tseq_00000", "seq_00000", 1)))


@case("seq-non-ascii", R_SEQ, "non-ASCII byte", DataFormatError, r"na\.seq': not an ASCII text file")
def _(tmp):
    return _seq(w(tmp, "na.seq", SEQ.encode().replace(b"seq_00001", b"seq_\xff0001")))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
