"""Bad input to ``.keras`` model files read by ``interpret.load_model``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError, ModelInputError
from reliability_cases import case, cases_in, check_bad_input, save_tiny, w


R_KERAS = "`.keras` model (`interpret.load_model`)"


@case("keras-truncated", R_KERAS, "file cut short", DataFormatError, r"t\.keras': not a Keras 3 '\.keras' model .*truncated")
def _(tmp):
    from keras_motifs.interpret import load_model

    data = save_tiny(tmp).read_bytes()
    return load_model(w(tmp, "t.keras", data[: len(data) // 2]))


@case("keras-empty", R_KERAS, "empty file", DataFormatError, r"e\.keras': not a Keras 3 '\.keras' model")
def _(tmp):
    from keras_motifs.interpret import load_model

    return load_model(w(tmp, "e.keras", b""))


@case("keras-lambda-unsafe", R_KERAS, "model with a Lambda layer (Python code)", DataFormatError,
      r"l\.keras': cannot load the model \(.*(Lambda|unsafe|safe_mode)")
def _(tmp):
    import keras

    from keras_motifs.interpret import load_model

    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    model.save(tmp / "l.keras")
    return load_model(tmp / "l.keras")


@case("keras-wrong-suffix", R_KERAS, "an `.h5` file", ModelInputError, r"m\.h5': expected a Keras 3 '\.keras' model file")
def _(tmp):
    from keras_motifs.interpret import load_model

    return load_model(w(tmp, "m.h5", b"\x89HDF\r\n"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
