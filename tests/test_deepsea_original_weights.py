"""The original DeepSEA weights (Kipoi's PyTorch state dict) in our DeepSEA: the same predictions.

PyTorch runs in its own process (``tests/torch_deepsea_reference.py``: Kipoi's layer sequence
written out in PyTorch, random weights, state dicts saved in Kipoi's three key layouts and both of
``torch.save``'s formats); this process reads them without PyTorch and compares predictions.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import DataFormatError, ModelInputError

HERE = Path(__file__).parent
TINY = {"length": 300, "filters": (8, 12, 16), "hidden": 10, "targets": 6}  # flatten: 9 positions x 16 channels

pytestmark = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                reason="PyTorch is not installed (pip install torch --index-url "
                                       "https://download.pytorch.org/whl/cpu); it writes the reference state dicts")


def _reference(out: Path, length, filters, hidden, targets, n=4, *extra) -> dict:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    r = subprocess.run([sys.executable, str(HERE / "torch_deepsea_reference.py"), str(out), "--length", str(length),
                        "--filters", ",".join(map(str, filters)), "--hidden", str(hidden), "--targets", str(targets),
                        "--n", str(n), *extra], check=False, capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(np.load(out / "reference.npz"))


def _ours(length, filters, hidden, targets):
    from keras_motifs.models import DeepSEA

    return DeepSEA(sequence_length=length, conv_filters=tuple(filters), dense_units=hidden, num_targets=targets)


def _agct(ref) -> np.ndarray:
    seqs = ["".join("ACGT"[i] for i in row) for row in ref["acgt"]]
    return one_hot(seqs, "AGCT")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("deepsea_torch")
    return out, _reference(out, **TINY)


@pytest.mark.parametrize("fname", ["veff.pth", "predict_legacy.pth", "cpu.pth"])
def test_predictions_equal_kipoi_layer_sequence(tiny, fname):
    from keras_motifs.metrics import predict_rc_averaged
    from keras_motifs.models.deepsea import load_original_weights

    out, ref = tiny
    assert ref["veff"].std() > 0.05  # outputs spread out: a wrong mapping cannot hide in rounding
    model = load_original_weights(_ours(**TINY), out / fname)
    x = _agct(ref)
    got = model.predict(x, verbose=0)
    np.testing.assert_allclose(got, ref["veff"], rtol=1e-5, atol=2e-6)
    # Kipoi's prediction model (reverse-complement average) = ours through predict_rc_averaged
    np.testing.assert_allclose(predict_rc_averaged(model, x, alphabet="AGCT"), ref["predict"], rtol=1e-5, atol=2e-6)


def test_position_major_flatten_is_needed(tiny):
    """Control: without reordering the dense layer's rows (torch's channel-major flatten taken as
    ours) the predictions differ, so the test above can fail."""
    from keras_motifs.models.deepsea.weights import converted_weights

    out, ref = tiny
    model = _ours(**TINY)
    weights = converted_weights(out / "veff.pth", model)
    from keras_motifs.io.torch_state import read_torch_state_dict

    weights["dense"][0] = read_torch_state_dict(out / "veff.pth")["1.12.1.weight"].T
    for name, values in weights.items():
        model.get_layer(name).set_weights(values)
    assert np.abs(model.predict(_agct(ref), verbose=0) - ref["veff"]).max() > 1e-3


def test_kipoi_key_names(tiny):
    from keras_motifs.io.torch_state import read_torch_state_dict

    out, _ = tiny
    assert list(read_torch_state_dict(out / "veff.pth")) == [
        f"1.{m}.{k}" for m in ("0", "4", "8", "12.1", "14.1") for k in ("weight", "bias")]
    assert next(iter(read_torch_state_dict(out / "predict_legacy.pth"))) == "2.0.weight"


def test_wrong_files_are_refused(tiny, tmp_path):
    from keras_motifs.models.deepsea import load_original_weights

    out, _ = tiny
    with pytest.raises(DataFormatError, match=r"bn\.pth': entry '2\.running_mean' holds batch-normalisation"):
        load_original_weights(_ours(**TINY), out / "bn.pth")
    # a model of other sizes: the first mismatching layer is named
    with pytest.raises(DataFormatError, match=r"'1\.0\.weight' .* do not fit layer conv1"):
        load_original_weights(_ours(TINY["length"], (9, 12, 16), 10, 6), out / "veff.pth")
    with pytest.raises(DataFormatError, match=r"the model's dense layer reads 15 x 16 = 240"):
        load_original_weights(_ours(400, (8, 12, 16), 10, 6), out / "veff.pth")
    import keras

    inp = keras.Input((300, 4))
    with pytest.raises(ModelInputError, match="not a DeepSEA model"):
        load_original_weights(keras.Model(inp, keras.layers.Dense(2)(inp)), out / "veff.pth")
    cut = tmp_path / "cut.pth"
    cut.write_bytes((out / "veff.pth").read_bytes()[:5000])
    with pytest.raises(DataFormatError, match=r"cut\.pth'"):
        load_original_weights(_ours(**TINY), cut)
    legacy_cut = tmp_path / "legacy_cut.pth"
    legacy_cut.write_bytes((out / "predict_legacy.pth").read_bytes()[:-100])
    with pytest.raises(DataFormatError, match=r"legacy_cut\.pth': storage .* the file is truncated"):
        load_original_weights(_ours(**TINY), legacy_cut)


def test_full_size_original_shapes(tmp_path):
    """The released model's exact shapes (52,843,119 parameters; 1,000 bp, 919 outputs; a 211 MB
    state dict, about 20 s)."""
    from keras_motifs.models import DeepSEA
    from keras_motifs.models.deepsea import load_original_weights

    ref = _reference(tmp_path, 1000, (320, 480, 960), 925, 919, 3, "--only-veff")
    model = load_original_weights(DeepSEA(), tmp_path / "veff.pth")
    assert model.count_params() == 52_843_119
    np.testing.assert_allclose(model.predict(_agct(ref), verbose=0), ref["veff"], rtol=1e-4, atol=1e-5)
