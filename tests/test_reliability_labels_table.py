"""Bad input to the labels table of a FASTA (``io.labels.read_label_table``: ``keras-motifs train
--fasta X.fa --labels Y.tsv`` and the ``labelled_sequences`` dataset).

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, w

R = "labels table (`io.labels.read_label_table`)"


def table(path):
    from keras_motifs.io.labels import read_label_table

    return read_label_table(path)


@case("labels-empty", R, "empty file", DataFormatError, r"e\.tsv': empty")
def _(tmp):
    return table(w(tmp, "e.tsv", ""))


@case("labels-no-header", R, "no header line (numbers first)", DataFormatError,
      r"nh\.tsv', line 1: the first line holds numbers")
def _(tmp):
    return table(w(tmp, "nh.tsv", "s1\t1\t0\ns2\t0\t1\n"))


@case("labels-one-column", R, "a header of one column", DataFormatError, r"one\.tsv', line 1: the header has 1")
def _(tmp):
    return table(w(tmp, "one.tsv", "id\ns1\n"))


@case("labels-repeated-target", R, "a target named twice", DataFormatError,
      r"rt\.tsv', line 1: target 'a' is named twice")
def _(tmp):
    return table(w(tmp, "rt.tsv", "id\ta\ta\ns1\t1\t0\n"))


@case("labels-short-row", R, "a row with a column missing", DataFormatError,
      r"sr\.tsv', line 3: 2 tab-separated columns")
def _(tmp):
    return table(w(tmp, "sr.tsv", "id\ta\tb\ns1\t1\t0\ns2\t1\n"))


@case("labels-repeated-id", R, "an ID listed twice", DataFormatError,
      r"ri\.tsv', line 3: sequence ID 's1' is listed twice")
def _(tmp):
    return table(w(tmp, "ri.tsv", "id\ta\ns1\t1\ns1\t0\n"))


@case("labels-not-number", R, "a value `yes`", DataFormatError, r"nn\.tsv', line 2: target 'a': 'yes' is not a number")
def _(tmp):
    return table(w(tmp, "nn.tsv", "id\ta\ns1\tyes\n"))


@case("labels-nan", R, "NaN", DataFormatError, r"na\.tsv', line 2: target 'a': 'NaN' must be a number from 0 to 1")
def _(tmp):
    return table(w(tmp, "na.tsv", "id\ta\ns1\tNaN\n"))


@case("labels-out-of-range", R, "a value of 2", DataFormatError, r"or\.tsv', line 2: target 'a': '2' must be")
def _(tmp):
    return table(w(tmp, "or.tsv", "id\ta\ns1\t2\n"))


@case("labels-header-only", R, "a header but no rows", DataFormatError, r"ho\.tsv': a header but no rows")
def _(tmp):
    return table(w(tmp, "ho.tsv", "id\ta\tb\n"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
