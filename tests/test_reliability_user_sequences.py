"""Bad input to sequences and one-hot arrays given to a model: ISM
(``interpret.in_silico_mutagenesis``), sequence pairs (``interpret.score_sequence_pairs``),
filter motifs (``interpret.filter_motifs``) and DeepBind (``deepbind.predict``,
``keras-motifs deepbind``).

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import InvalidSequenceError, ModelInputError
from reliability_cases import case, cases_in, check_bad_input, onehot, tiny_model, w


R_ISM = "sequences for ISM (`interpret.in_silico_mutagenesis`)"
R_PAIRS = "sequence pairs (`interpret.score_sequence_pairs`)"
R_BATCH = "data for filter motifs (`interpret.filter_motifs`)"


def _ism(x):
    from keras_motifs.interpret import in_silico_mutagenesis

    return in_silico_mutagenesis(tiny_model(), x, target=0)


@case("ism-nan", R_ISM, "NaN in the one-hot array", ModelInputError, r"sequence 0: position 3, channel 1 holds nan")
def _(tmp):
    x = onehot(1, 8)[0]
    x[3, 1] = np.nan
    return _ism(x)


@case("ism-wrong-length", R_ISM, "length 6 for a length-8 model", ModelInputError, r"model input 0 takes length 8, sequences have length 6")
def _(tmp):
    return _ism(onehot(1, 6)[0])


@case("ism-wrong-alphabet", R_ISM, "3 channels", ModelInputError, r"sequences have 3 channels, alphabet ACGT has 4")
def _(tmp):
    return _ism(onehot(1, 8)[0][:, :3])


@case("ism-strings", R_ISM, "a string instead of one-hot", ModelInputError, r"ISM takes one-hot arrays .* encode strings first")
def _(tmp):
    return _ism("ACGTACGT")


@case("ism-rank", R_ISM, "a 1-D array", ModelInputError, r"ISM takes one-hot arrays \(L, A\) or \(N, L, A\); got shape \(8,\)")
def _(tmp):
    return _ism(np.zeros(8))


def _pairs_score(refs, alts, alphabet="ACGT"):
    from keras_motifs.interpret import score_sequence_pairs

    return score_sequence_pairs(tiny_model(), refs, alts, alphabet)


@case("pairs-bad-letter", R_PAIRS, "letter `X`", InvalidSequenceError, r"pair 0 \(0\), alternative sequence: letter 'X' at position 4")
def _(tmp):
    return _pairs_score(["ACGTACGT"], ["ACGTXCGT"])


@case("pairs-wrong-length", R_PAIRS, "length 9 for a length-8 model", ModelInputError,
      r"variant sequences of shape \(N, 9, 4\) do not fit the model's input \(N, 8, 4\)")
def _(tmp):
    return _pairs_score(["ACGTACGTA"], ["ACGTTCGTA"])


@case("pairs-rna-for-dna-model", R_PAIRS, "RNA letter for a DNA model", InvalidSequenceError,
      r"pair 0 \(0\), reference sequence: letter 'U' at position 3 .*an RNA letter")
def _(tmp):
    return _pairs_score(["ACGUACGU"], ["ACGUACGA"])


@case("pairs-unequal", R_PAIRS, "reference and alternative of different lengths", ModelInputError,
      r"pair 0: reference length 8 != alternative length 7")
def _(tmp):
    return _pairs_score(["ACGTACGT"], ["ACGTACG"])


def _fm(x):
    from keras_motifs.interpret import filter_motifs

    return filter_motifs(tiny_model(), x, alphabet="ACGT")


@case("batches-wrong-length", R_BATCH, "length 12 for a length-8 model", ModelInputError,
      r"data of shape \('N', 12, 4\) do not fit the model's input \('N', 8, 4\): sequences of length 12")
def _(tmp):
    return _fm(onehot(5, 12))


@case("batches-wrong-alphabet", R_BATCH, "5 channels", ModelInputError, r"5 channels \(letters\), the model takes 4")
def _(tmp):
    return _fm(np.ones((5, 8, 5), np.float32))


@case("batches-nan", R_BATCH, "NaN in record 3", ModelInputError, r"input 'sequence', record 3: value nan")
def _(tmp):
    x = onehot(5, 8)
    x[3, 2, 1] = np.nan
    return _fm(x)


@case("deepbind-bad-letter", "sequences for DeepBind (`deepbind.predict`)", "letter `X`", InvalidSequenceError,
      r"sequence 1: letter 'X' at position 2 .*A, C, G, T, U or N expected")
def _(tmp):
    from keras_motifs.deepbind.predictor import encode

    return encode(["ACGT", "ACXT"])


@case("deepbind-empty-sequence", "sequences for DeepBind (`deepbind.predict`)", "empty sequence", InvalidSequenceError,
      r"sequence 1 is empty")
def _(tmp):
    from keras_motifs.deepbind.predictor import encode

    return encode(["ACGT", ""])


@case("deepbind-cli-empty-record", "sequences for `keras-motifs deepbind`", "FASTA record without sequence",
      InvalidSequenceError, r"s\.fa', line 1: FASTA record has no sequence")
def _(tmp):
    from keras_motifs.commands.deepbind import read_sequences

    with open(w(tmp, "s.fa", ">a\n>b\nACGT\n")) as fh:
        return read_sequences(fh, str(tmp / "s.fa"))


@case("deepbind-window-too-long", "sequences for DeepBind (`deepbind.Scorer`, `keras-motifs deepbind`)",
      "`--window-size 70000` on a 70 kb sequence (one window larger than a call holds)", ModelInputError,
      r"sequence 0 \(length 70000\): a window of 70000 bases is more than the scorer holds at once for model "
      r"D00001\.001 \(detector length 24, 16 detectors\): at most \d+ bases; give a smaller window size \(--window-size\)")
def _(tmp):
    from keras_motifs.deepbind import Scorer, parse_params
    from test_deepbind_pretrained import make_params_text

    p = parse_params(make_params_text(np.random.default_rng(0), 1, 16, 24, 0, 32), model_id="D00001.001")
    return Scorer([p], window_size=70_000).score(["ACGT" * 17_500])


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
