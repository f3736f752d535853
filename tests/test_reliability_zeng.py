"""Bad input to Zeng's ``.data`` files read by ``zeng_chipseq.read_data_file``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import gzip

import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError
from reliability_cases import case, cases_in, check_bad_input, truncated_gzip, w


ZENG = "".join(f"chr1:{i}-{i + 101} {'ACGT' * 25}A {i % 2}\n" for i in range(3))
R_ZENG = "Zeng `.data` (`zeng_chipseq.read_data_file`)"


def _zeng(path):
    from tfds_builders.zeng_chipseq.zeng_chipseq_dataset_builder import read_data_file

    return read_data_file(path)


@case("zeng-empty", R_ZENG, "empty file", DataFormatError, r"e\.data': no records")
def _(tmp):
    return _zeng(w(tmp, "e.data", ""))


@case("zeng-gzip", R_ZENG, "gzip-compressed file", DataFormatError, r"g\.data': gzip-compressed")
def _(tmp):
    return _zeng(w(tmp, "g.data", gzip.compress(ZENG.encode())))


@case("zeng-truncated-gzip", R_ZENG, "gzip cut short", DataFormatError, r"t\.data': gzip-compressed")
def _(tmp):
    return _zeng(w(tmp, "t.data", truncated_gzip(ZENG * 10)))


@case("zeng-non-ascii", R_ZENG, "non-ASCII byte", DataFormatError, r"na\.data', line 2: not ASCII text")
def _(tmp):
    return _zeng(w(tmp, "na.data", ZENG.encode().replace(b"chr1:1-", b"chr\xe91:1-")))


@case("zeng-header-line", R_ZENG, "a header line `name sequence label`", DataFormatError,
      r"line 1: label must be 0 or 1, got 'label'")
def _(tmp):
    return _zeng(w(tmp, "h.data", "name sequence label\n" + ZENG))


@case("zeng-label-not-01", R_ZENG, "label 2", DataFormatError, r"line 3: label must be 0 or 1, got '2'")
def _(tmp):
    return _zeng(w(tmp, "l.data", ZENG.replace("A 0\n", "A 2\n").replace("A 2\n", "A 0\n", 1)))


@case("zeng-label-nan", R_ZENG, "label nan", DataFormatError, r"line 2: label must be 0 or 1, got 'nan'")
def _(tmp):
    return _zeng(w(tmp, "l.data", ZENG.replace(" 1\n", " nan\n")))


@case("zeng-bad-letter", R_ZENG, "letter outside A,C,G,T,N", InvalidSequenceError,
      r"x\.data', line 3: letter 'Z' at position 100 is not in alphabet ACGT")
def _(tmp):
    return _zeng(w(tmp, "x.data", "\n" + ZENG.replace("A 1\n", "Z 1\n")))


@case("zeng-wrong-length", R_ZENG, "100-nt sequence (101 required)", InvalidSequenceError,
      r"line 2: sequence has length 100, expected 101")
def _(tmp):
    return _zeng(w(tmp, "len.data", ZENG.replace("ACGTA 1", "ACGT 1")))


@case("zeng-fields", R_ZENG, "2 fields on a line", DataFormatError, r"line 2: expected 3 fields 'name sequence label', got 2")
def _(tmp):
    return _zeng(w(tmp, "f.data", ZENG.replace(" 1\n", "\n")))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
