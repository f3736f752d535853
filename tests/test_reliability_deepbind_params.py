"""Bad input to DeepBind parameter files read by ``deepbind.read_params``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, w


PARAMS = ("# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\nhas_avg_pooling = 0\nnum_hidden = 0\n"
          "detectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\nthresholds = -0.5\nweights1 = 1.5\nbiases1 = 0.1\n")
R_PAR = "DeepBind parameter file (`deepbind.read_params`)"


def _params(tmp, text, name="D00001.001.txt"):
    from keras_motifs.deepbind import read_params

    return read_params(w(tmp, name, text))


def _bad_value(id, value, match, field="thresholds = -0.5", tried=None):
    def fn(tmp):
        return _params(tmp, PARAMS.replace(field, field.split("=")[0] + "= " + value))
    case(id, R_PAR, tried or f"`{field.split('=')[0].strip()} = {value}`", DataFormatError, match)(fn)


_bad_value("params-1e999", "1e999", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-1e5000", "1e5000", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-float32-overflow", "-1e39", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-nan", "nan", r"line 8: value 0 of 'thresholds' is not a number: 'nan'")
_bad_value("params-inf", "-Infinity", r"line 8: value 0 of 'thresholds' is not a number: '-Infinity'")
_bad_value("params-code", "__import__('os').system('touch PWNED')", r"line 8: value 0 of 'thresholds' is not a number: \"__import__")
_bad_value("params-hex", "0x10", r"value 0 of 'thresholds' is not a number: '0x10'")
_bad_value("params-digit-separator", "1_0", r"value 0 of 'thresholds' is not a number: '1_0'")
_bad_value("params-non-ascii-digit", "\uff11", r"not an ASCII DeepBind parameter file", tried="full-width digit `１`")
_bad_value("params-count", "1,2", r"line 8: 'thresholds' has 2 values, expected 1")
_bad_value("params-int-as-float", "1.0", r"line 3: num_detectors must be an integer, got '1\.0'", field="num_detectors = 1")
_bad_value("params-huge-int", "9" * 5000, r"line 3: num_detectors = 9{20}\.\.\. \(5000 digits\) is larger than any DeepBind model",
           field="num_detectors = 1", tried="`num_detectors` with 5000 digits")
_bad_value("params-oversized-dims", "100000000000", r"line 4: detector_len = 100000000000 is larger than any DeepBind model",
           field="detector_len = 2")
_bad_value("params-over-scorer-cap", "65", r"line 3: num_detectors = 65 is larger than any DeepBind model \(64 at most\)",
           field="num_detectors = 1", tried="`num_detectors = 65` (before: up to 4096 accepted, beyond what the scorer holds)")
_bad_value("params-too-many-values", ",".join(["0.5"] * 300_000),
           r"line 7: 'detectors' has 300000 values, expected 8", field="detectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8",
           tried="300,000 values for 8 detector coefficients (counted before they are parsed)")
_bad_value("params-int-code", "__import__('os')", r"line 3: num_detectors must be an integer", field="num_detectors = 1")
_bad_value("params-long-digit-run", "1" * 200_000 + "x", r"line 8: value 0 of 'thresholds' is not a number: '1{40}\.\.\.'",
           tried="200,000 digits then a letter (a regular expression that back-tracks would take minutes)")


@case("params-missing-header", R_PAR, "no `# deepbind 0.1` line", DataFormatError, r"line 1: expected the header '# deepbind 0.1'")
def _(tmp):
    return _params(tmp, PARAMS.split("\n", 1)[1])


@case("params-version", R_PAR, "`# deepbind 0.2`", DataFormatError, r"line 1: parameter file is for deepbind 0\.2, not 0\.1")
def _(tmp):
    return _params(tmp, PARAMS.replace("0.1\n", "0.2\n", 1))


@case("params-empty", R_PAR, "empty file", DataFormatError, r"line 1: expected the header")
def _(tmp):
    return _params(tmp, "")


@case("params-unknown-field", R_PAR, "unknown field", DataFormatError, r"line 11: unknown field 'path'")
def _(tmp):
    return _params(tmp, PARAMS + "path = /etc/passwd\n")


@case("params-duplicate-field", R_PAR, "field given twice", DataFormatError, r"line 11: field 'biases1' given twice")
def _(tmp):
    return _params(tmp, PARAMS + "biases1 = 0.2\n")


@case("params-missing-field", R_PAR, "no `weights1`", DataFormatError, r"missing field\(s\) weights1")
def _(tmp):
    return _params(tmp, PARAMS.replace("weights1 = 1.5\n", ""))


@case("params-oversized-file", R_PAR, "a 17 MB file", DataFormatError, r"bytes, larger than any DeepBind parameter file")
def _(tmp):
    return _params(tmp, PARAMS + "#" * (17 * 1024 * 1024))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
