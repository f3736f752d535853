"""Bad input to BED files (``io.bed.read_bed``: the intervals of ``keras-motifs train``/``predict``
and the ``labelled_sequences`` dataset): each a clear error naming the file and line.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError, FileAccessError
from reliability_cases import case, cases_in, check_bad_input, fifo, truncated_gzip, w

R = "BED intervals (`io.bed.read_bed`)"


def bed(path, label_columns=None):
    from keras_motifs.io.bed import read_bed

    return read_bed(path, label_columns)


@case("bed-empty", R, "empty file (comments only)", DataFormatError, r"e\.bed': no intervals")
def _(tmp):
    return bed(w(tmp, "e.bed", "# nothing\ntrack name=x\n"))


@case("bed-two-columns", R, "a line of two columns", DataFormatError, r"c\.bed', line 2: 2 column\(s\)")
def _(tmp):
    return bed(w(tmp, "c.bed", "chr1\t0\t10\nchr1\t5\n"))


@case("bed-start-not-integer", R, "start `1.5`", DataFormatError, r"s\.bed', line 1: start '1\.5' is not a whole")
def _(tmp):
    return bed(w(tmp, "s.bed", "chr1\t1.5\t10\n"))


@case("bed-negative-start", R, "start `-5`", DataFormatError, r"n\.bed', line 1: start '-5' is not a whole number >= 0")
def _(tmp):
    return bed(w(tmp, "n.bed", "chr1\t-5\t10\n"))


@case("bed-end-before-start", R, "end before start", DataFormatError, r"r\.bed', line 1: end 5 is before start 10")
def _(tmp):
    return bed(w(tmp, "r.bed", "chr1\t10\t5\n"))


@case("bed-header-line", R, "an unmarked header line", DataFormatError, r"h\.bed', line 1: start 'start' is not")
def _(tmp):
    return bed(w(tmp, "h.bed", "chrom\tstart\tend\nchr1\t0\t10\n"))


@case("bed-bad-strand", R, "strand `x`", DataFormatError, r"st\.bed', line 1: strand 'x' \(column 6\)")
def _(tmp):
    return bed(w(tmp, "st.bed", "chr1\t0\t10\tp\t0\tx\n"))


@case("bed-label-missing", R, "a label column past the line's columns", DataFormatError,
      r"l\.bed', line 2: no label column 7 \(the line has 6 columns\)")
def _(tmp):
    return bed(w(tmp, "l.bed", "chr1\t0\t10\tp\t0\t+\t1\nchr1\t20\t30\tq\t0\t+\n"), [7])


@case("bed-label-not-number", R, "label `yes`", DataFormatError, r"ln\.bed', line 1: label 'yes' in column 4")
def _(tmp):
    return bed(w(tmp, "ln.bed", "chr1\t0\t10\tyes\n"), [4])


@case("bed-label-nan", R, "label NaN", DataFormatError, r"nan\.bed', line 1: label 'nan' in column 4 must be .* 0 to 1")
def _(tmp):
    return bed(w(tmp, "nan.bed", "chr1\t0\t10\tnan\n"), [4])


@case("bed-label-out-of-range", R, "label 2", DataFormatError, r"two\.bed', line 1: label '2' .* from 0 to 1")
def _(tmp):
    return bed(w(tmp, "two.bed", "chr1\t0\t10\t2\n"), [4])


@case("bed-label-position-column", R, "label column 2 (the start)", DataFormatError,
      r"lc\.bed': label column 2 is one of the BED's chrom, start or end")
def _(tmp):
    return bed(w(tmp, "lc.bed", "chr1\t0\t10\n"), [2])


@case("bed-truncated-gzip", R, "gzip cut short", DataFormatError, r"t\.bed\.gz': not a readable gzip file")
def _(tmp):
    return bed(w(tmp, "t.bed.gz", truncated_gzip("chr1\t0\t10\n" * 200)))


@case("bed-utf16", R, "UTF-16 text", DataFormatError, r"u\.bed': UTF-16 text")
def _(tmp):
    return bed(w(tmp, "u.bed", "chr1\t0\t10\n".encode("utf-16")))


@case("bed-nul-byte", R, "a NUL byte", DataFormatError, r"z\.bed', line 2: a NUL byte")
def _(tmp):
    return bed(w(tmp, "z.bed", "chr1\t0\t10\nchr1\t0\x00\t10\n"))


@case("bed-fifo", R, "a FIFO (would block)", FileAccessError, r"BED file '.*f\.bed': is a named pipe")
def _(tmp):
    return bed(fifo(tmp, "f.bed"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


def test_a_good_bed_keeps_names_strands_labels_and_lines(tmp_path):
    from keras_motifs.io.bed import read_bed

    p = w(tmp_path, "g.bed", "# peaks\ntrack name=x\nchr1\t10\t20\tp1\t5\t-\t1\t0\n\nchr2 0 4\n")
    ivs = read_bed(p)
    assert [(i.chrom, i.start, i.end, i.name, i.strand, i.line) for i in ivs] == [
        ("chr1", 10, 20, "p1", "-", 3), ("chr2", 0, 4, "chr2:0-4", ".", 5)]
    assert read_bed(w(tmp_path, "l.bed", "chr1\t10\t20\tp1\t5\t-\t1\t0\n"), [7, 8])[0].labels == (1.0, 0.0)
