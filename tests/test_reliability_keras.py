"""Bad input to ``.keras`` model files read by ``interpret.load_model``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, ModelInputError
from reliability_cases import case, cases_in, check_bad_input, fifo, save_tiny, w


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
      r"l\.keras': refuses to load Functional '\w+' > Lambda '\w+': a Lambda layer runs Python code")
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


def _rewrite_config(src, dst, edit):
    """A copy of the .keras file ``src`` at ``dst`` with its config.json changed by ``edit``."""
    import json
    import zipfile

    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
        for name in zi.namelist():
            data = zi.read(name)
            if name == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config)
            zo.writestr(name, data)
    return dst


@case("keras-unsafe-function", R_KERAS, "an activation `os.system` in config.json", DataFormatError,
      r"e\.keras': refuses to load 'os\.system' \(module 'os'\) in Functional 'tiny' > Conv1D 'conv'")
def _(tmp):
    from keras_motifs.interpret import load_model

    def edit(config):
        conv = next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Conv1D")
        conv["config"]["activation"] = {"module": "os", "class_name": "function", "config": "system",
                                        "registered_name": "system"}
    return load_model(_rewrite_config(save_tiny(tmp), tmp / "e.keras", edit))


@case("keras-unsafe-class", R_KERAS, "a layer class from module `subprocess`", DataFormatError,
      r"c\.keras': refuses to load 'subprocess\.Popen' \(module 'subprocess'\)")
def _(tmp):
    from keras_motifs.interpret import load_model

    def edit(config):
        layer = config["config"]["layers"][1]
        layer["module"], layer["class_name"] = "subprocess", "Popen"
    return load_model(_rewrite_config(save_tiny(tmp), tmp / "c.keras", edit))


@case("keras-weights-external-link", R_KERAS, "weights HDF5 with an external link to another file", DataFormatError,
      r"x\.keras!model\.weights\.h5': '/.*evil' is an external link to '.*secret\.h5'")
def _(tmp):
    import io
    import zipfile

    import h5py

    from keras_motifs.interpret import load_model

    src = save_tiny(tmp)
    with h5py.File(tmp / "secret.h5", "w") as f:
        f["data"] = [1, 2, 3]
    with zipfile.ZipFile(src) as zi:
        weights = io.BytesIO(zi.read("model.weights.h5"))
        with h5py.File(weights, "a") as f:
            f["evil"] = h5py.ExternalLink(str(tmp / "secret.h5"), "/data")
        with zipfile.ZipFile(tmp / "x.keras", "w") as zo:
            for name in zi.namelist():
                zo.writestr(name, weights.getvalue() if name == "model.weights.h5" else zi.read(name))
    return load_model(tmp / "x.keras")


@case("keras-folder", R_KERAS, "a folder named `.keras`", FileAccessError, r"model file '.*d\.keras': is a folder")
def _(tmp):
    from keras_motifs.interpret import load_model

    (tmp / "d.keras").mkdir()
    return load_model(tmp / "d.keras")


@case("keras-fifo", R_KERAS, "a named pipe (FIFO) named `.keras`", FileAccessError,
      r"model file '.*p\.keras': is a named pipe \(FIFO\)")
def _(tmp):
    from keras_motifs.interpret import load_model

    return load_model(fifo(tmp, "p.keras"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
