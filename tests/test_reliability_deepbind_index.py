"""Bad input to DeepBind's model index ``db.tsv`` read by ``deepbind.database.read_index``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, w


DB_HEADER = "ID\tProtein\tType\tSpecies\tFamily\tClass\tExperiment\tExperiment Details\tModel\tCite\tLabels\tPath\tComment\n"
DB_ROW = "D00001.001\tX\tTF\tHomo sapiens\tF\tC\tChIP-seq\t['Lab=Y']\tm\tc\t\t/etc/passwd\t\n"
R_DB = "DeepBind index `db.tsv` (`deepbind.database.read_index`)"


def _db(tmp, text):
    from keras_motifs.deepbind.database import read_index

    return read_index(w(tmp, "db.tsv", text))


@case("dbtsv-empty", R_DB, "empty file", DataFormatError, r"db\.tsv': no 'ID\\tProtein\\t\.\.\.' header line")
def _(tmp):
    return _db(tmp, "")


@case("dbtsv-missing-header", R_DB, "no header", DataFormatError, r"line 1: data line before the 'ID \.\.\.' header")
def _(tmp):
    return _db(tmp, DB_ROW)


@case("dbtsv-wrong-header", R_DB, "a column renamed", DataFormatError, r"line 1: unexpected header")
def _(tmp):
    return _db(tmp, DB_HEADER.replace("Species", "Organism") + DB_ROW)


@case("dbtsv-path-id", R_DB, "ID `../../etc/passwd`", DataFormatError, r"line 2: invalid model id '\.\./\.\./etc/passwd'")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("D00001.001", "../../etc/passwd"))


@case("dbtsv-details-code", R_DB, "Experiment Details `__import__('os')...`", DataFormatError,
      r"line 2: cannot read Experiment Details")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("['Lab=Y']", "__import__('os').system('touch PWNED')"))


@case("dbtsv-details-nested", R_DB, "Experiment Details nested 100,000 deep", DataFormatError,
      r"line 2: Experiment Details of 200000 characters; too long")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("['Lab=Y']", "[" * 100_000 + "]" * 100_000))


@case("dbtsv-duplicate-id", R_DB, "an ID listed twice", DataFormatError, r"line 3: model id D00001\.001 listed twice")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW + DB_ROW)


@case("dbtsv-non-utf8", R_DB, "non-UTF-8 bytes", DataFormatError, r"db\.tsv': not UTF-8 text")
def _(tmp):
    return _db(tmp, (DB_HEADER + DB_ROW).encode().replace(b"Homo", b"H\xffmo"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
