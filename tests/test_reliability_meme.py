"""Bad input to MEME motif files read by ``interpret.read_meme`` (also as Tomtom targets),
and Tomtom result tables read by ``interpret.read_tomtom_table``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import gzip

import pytest

from keras_motifs.errors import DataFormatError, FileAccessError
from reliability_cases import case, cases_in, check_bad_input, fifo, w, MEME


R_MEME = "MEME minimal (`interpret.read_meme`)"


def _meme(tmp, text, name="m.meme"):
    from keras_motifs.interpret import read_meme

    return read_meme(w(tmp, name, text))


@case("meme-empty", R_MEME, "empty file", DataFormatError, r"m\.meme': no 'MEME version' line")
def _(tmp):
    return _meme(tmp, "")


@case("meme-truncated", R_MEME, "file ends inside a matrix", DataFormatError, r"line 12: motif m1: file ends after 1 of 2 matrix rows")
def _(tmp):
    return _meme(tmp, MEME.rsplit("0.1", 1)[0])


@case("meme-truncated-row", R_MEME, "file cut inside a row", DataFormatError, r"line 13: motif m1: matrix row 2 has 2 values, expected 4")
def _(tmp):
    return _meme(tmp, MEME[:-9])


@case("meme-no-alphabet", R_MEME, "no `ALPHABET=` line", DataFormatError, r"m\.meme': no 'ALPHABET=' line")
def _(tmp):
    return _meme(tmp, MEME.replace("ALPHABET= ACGT", "").replace("Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n", ""))


# MEME files that differ from the good one by one replacement: (case arguments, old text, new text)
MEME_EDITS = [
    (("meme-nan", R_MEME, "NaN probability", DataFormatError, r"line 13: motif m1: matrix row 2 is not numeric: 'nan 0\.2 0\.3 0\.4'"), "0.1 ", "nan "),
    (("meme-inf", R_MEME, "inf probability", DataFormatError, r"line 13: motif m1: matrix row 2 is not numeric"), "0.1 ", "inf "),
    (("meme-negative", R_MEME, "negative probability", DataFormatError, r"line 13: motif m1: matrix row 2 .* outside \[0, 1\]"), "0.1 ", "-0.1 "),
    (("meme-row-sum", R_MEME, "row summing to 1.8", DataFormatError, r"line 13: motif m1: matrix row 2 .* sums to 1\.8"), "0.1 ", "0.9 "),
    (("meme-row-length", R_MEME, "3 values for a 4-letter alphabet", DataFormatError, r"line 13: motif m1: matrix row 2 has 3 values, expected 4"), "0.1 0.2 0.3 0.4", "0.2 0.3 0.5"),
    (("meme-width", R_MEME, "w= 0", DataFormatError, r"line 11: motif m1: width w= 0 must be between 1 and"), "w= 2", "w= 0"),
    (("meme-alength", R_MEME, "alength= x", DataFormatError, r"line 11: motif m1: alength= 'x' is not an integer"), "alength= 4", "alength= x"),
    (("meme-alength-mismatch", R_MEME, "alength= 5 for ACGT", DataFormatError, r"line 11: motif m1: alength= 5 but alphabet ACGT has 4 letters"), "alength= 4", "alength= 5"),
    (("meme-nsites", R_MEME, "nsites= 1e999", DataFormatError, r"line 11: motif m1: nsites= 1e999 must be a finite number"), "nsites= 10", "nsites= 1e999"),
]


def _meme_edit(old, new):
    return lambda tmp: _meme(tmp, MEME.replace(old, new))


for _args, _old, _new in MEME_EDITS:
    case(*_args)(_meme_edit(_old, _new))


@case("meme-background", R_MEME, "background frequency nan", DataFormatError,
      r"line 8: background frequency 'nan' of letter 'C' is not a number between 0 and 1")
def _(tmp):
    return _meme(tmp, MEME.replace("C 0.25", "C nan"))


@case("meme-duplicate-name", R_MEME, "two motifs named m1", DataFormatError, r"line 15: motif name 'm1' is used twice \(first on line 10\)")
def _(tmp):
    return _meme(tmp, MEME + "\n" + MEME[MEME.index("MOTIF"):])


@case("meme-gzip", R_MEME, "gzip-compressed file", DataFormatError, r"m\.meme\.gz': gzip-compressed")
def _(tmp):
    return _meme(tmp, gzip.compress(MEME.encode()), "m.meme.gz")


@case("meme-non-utf8", R_MEME, "non-UTF-8 byte", DataFormatError, r"line 10: not UTF-8 text")
def _(tmp):
    return _meme(tmp, MEME.encode().replace(b"MOTIF m1", b"MOTIF m\xff1"))


@case("meme-tomtom-targets", "MEME as Tomtom targets (`keras-motifs motifs --targets`)", "bad MEME targets file",
      DataFormatError, r"t\.meme', line 13: motif m1: matrix row 2 .* sums to 1\.8")
def _(tmp):
    from keras_motifs.interpret.tomtom import load_targets

    return load_targets(w(tmp, "t.meme", MEME.replace("0.1 ", "0.9 ")))


@case("tomtom-table-empty", "Tomtom table (`interpret.read_tomtom_table`)", "empty file", DataFormatError,
      r"tt\.txt': not a Tomtom tab-separated table")
def _(tmp):
    from keras_motifs.interpret.tomtom import read_tomtom_table

    return read_tomtom_table(w(tmp, "tt.txt", ""))


@case("tomtom-table-number", "Tomtom table (`interpret.read_tomtom_table`)", "p-value `abc`", DataFormatError,
      r"tt\.txt', data row 1: p_value 'abc' is not a number")
def _(tmp):
    from keras_motifs.interpret.tomtom import read_tomtom_table

    head = "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
    return read_tomtom_table(w(tmp, "tt.txt", head + "q\tt\t0\tabc\t1\t1\t5\tACGT\tACGT\t+\n"))


@case("meme-w-smaller-than-rows", R_MEME, "w= 1 for a 2-row matrix (was truncated)", DataFormatError,
      r"line 13: motif m1: w= 1 but the matrix has more rows \(line 13 is another row")
def _(tmp):
    return _meme(tmp, MEME.replace("w= 2", "w= 1"))


@case("meme-w-larger-than-rows", R_MEME, "w= 3 for a 2-row matrix followed by another motif", DataFormatError,
      r"line 14: motif m1: w= 3 but the matrix has 2 rows \(line 14 is 'MOTIF m2'\)")
def _(tmp):
    return _meme(tmp, MEME.replace("w= 2", "w= 3") + "MOTIF m2\nletter-probability matrix: alength= 4 w= 1\n1 0 0 0\n")


@case("meme-utf16", R_MEME, "UTF-16 text (byte-order mark)", DataFormatError, r"m\.meme': UTF-16 text")
def _(tmp):
    return _meme(tmp, MEME.encode("utf-16"))


@case("meme-fifo", R_MEME, "a named pipe (FIFO)", FileAccessError, r"MEME file '.*p\.meme': is a named pipe \(FIFO\)")
def _(tmp):
    from keras_motifs.interpret import read_meme

    return read_meme(fifo(tmp, "p.meme"))


@case("meme-targets-no-motifs", "MEME as Tomtom targets (`interpret.load_targets`)", "a targets file with zero motifs",
      DataFormatError, r"z\.meme': no motifs .*Tomtom needs at least one target motif")
def _(tmp):
    from keras_motifs.interpret.tomtom import load_targets

    return load_targets(w(tmp, "z.meme", MEME.split("MOTIF")[0]))


@case("jaspar-misspelt-release", "JASPAR targets (`interpret.load_targets`)", "release `JASPAR2061`", DataFormatError,
      r"Tomtom targets 'JASPAR2061': no such JASPAR release; pyjaspar has JASPAR2014, ")
def _(tmp):
    from keras_motifs.interpret.tomtom import load_targets

    return load_targets("JASPAR2061")


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
