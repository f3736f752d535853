"""Koo & Eddy's original TF1 checkpoints in our KooEddyCNN: the same predictions as the original graph.

The original graph runs in its own process (``tests/koo_eddy_tf1_reference.py``: the deepomics
layers written out in ``tf.compat.v1`` graph mode, random values, saved with ``Saver`` under the
original variable names); this process reads the checkpoints with ``load_original_weights`` and
compares predictions. ``EXPECTED_NAMES`` is the variable list of the released
``results/synthetic/model_params/cnn_25_best.ckpt`` (p-koo/learning_sequence_motifs at
``30b2384e``), read with ``tf.train.list_variables``: the reference graph must produce exactly it.

With ``KERAS_MOTIFS_KOO_EDDY_CHECKPOINTS`` set to a folder holding released checkpoints
(``<model>_best.ckpt.index`` + ``.data-00000-of-00001``), the last test compares them too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, ModelInputError

HERE = Path(__file__).parent
ENV = "KERAS_MOTIFS_KOO_EDDY_CHECKPOINTS"
# Each a different shape of the mapping: pools 25/4 (the 6 pool-pair models share its variables),
# VALID k=1 second layer, pool stride 2 and 96 units, no second pool, three conv layers and no first pool.
PRESETS = ("koo_eddy_cnn_25", "koo_eddy_cnn_2_1", "koo_eddy_cnn_50_2", "koo_eddy_cnn_100", "koo_eddy_cnn_1_3")


def _expected_names(blocks: int) -> list[str]:
    names = ["beta1_power", "beta2_power"]
    scopes = [(f"conv1d_{i}", "conv1d") for i in range(blocks)] + [("dense_0", "dense")]
    for scope, kind in scopes:
        for var in (f"{scope}/{kind}/Variable", f"{scope}/norm/Variable", f"{scope}/norm/Variable_1"):
            names += [var, var + "/adam", var + "/adam_1"]
        names += [f"{scope}/moments/Squeeze/ExponentialMovingAverage",
                  f"{scope}/moments/Squeeze_1/ExponentialMovingAverage"]
    for var in ("dense_1/dense/Variable", "dense_1/bias/Variable"):
        names += [var, var + "/adam", var + "/adam_1"]
    return sorted(names)


# the 41 variables of the released cnn_25_best.ckpt (tf.train.list_variables), names only
EXPECTED_NAMES = sorted("""beta1_power beta2_power conv1d_0/conv1d/Variable conv1d_0/conv1d/Variable/adam
conv1d_0/conv1d/Variable/adam_1 conv1d_0/moments/Squeeze/ExponentialMovingAverage
conv1d_0/moments/Squeeze_1/ExponentialMovingAverage conv1d_0/norm/Variable conv1d_0/norm/Variable/adam
conv1d_0/norm/Variable/adam_1 conv1d_0/norm/Variable_1 conv1d_0/norm/Variable_1/adam conv1d_0/norm/Variable_1/adam_1
conv1d_1/conv1d/Variable conv1d_1/conv1d/Variable/adam conv1d_1/conv1d/Variable/adam_1
conv1d_1/moments/Squeeze/ExponentialMovingAverage conv1d_1/moments/Squeeze_1/ExponentialMovingAverage
conv1d_1/norm/Variable conv1d_1/norm/Variable/adam conv1d_1/norm/Variable/adam_1 conv1d_1/norm/Variable_1
conv1d_1/norm/Variable_1/adam conv1d_1/norm/Variable_1/adam_1 dense_0/dense/Variable dense_0/dense/Variable/adam
dense_0/dense/Variable/adam_1 dense_0/moments/Squeeze/ExponentialMovingAverage
dense_0/moments/Squeeze_1/ExponentialMovingAverage dense_0/norm/Variable dense_0/norm/Variable/adam
dense_0/norm/Variable/adam_1 dense_0/norm/Variable_1 dense_0/norm/Variable_1/adam dense_0/norm/Variable_1/adam_1
dense_1/bias/Variable dense_1/bias/Variable/adam dense_1/bias/Variable/adam_1 dense_1/dense/Variable
dense_1/dense/Variable/adam dense_1/dense/Variable/adam_1""".split())  # noqa: SIM905


def _spec(preset: str) -> dict:
    import keras_motifs.models  # noqa: F401  (fills the preset registry)
    from keras_motifs.registry import get_preset

    cfg = get_preset(preset, "koo_eddy")
    blocks = [{"filters": b["filters"], "size": b["size"], "padding": b["padding"], "pool": b["pool"],
               "stride": b["pool_stride"]} for b in cfg["conv_blocks"]]
    return {"name": preset[len("koo_eddy_"):], "length": cfg["sequence_length"], "targets": cfg["num_targets"],
            "dense": cfg["dense_units"], "blocks": blocks}


def _reference(out: Path, specs: list[dict], *extra) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "specs.json").write_text(json.dumps(specs))
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    r = subprocess.run([sys.executable, str(HERE / "koo_eddy_tf1_reference.py"), str(out), "--spec",
                        str(out / "specs.json"), *extra], check=False, capture_output=True, text=True, timeout=600,
                       env=env)
    assert r.returncode == 0, r.stderr[-3000:]


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    out = tmp_path_factory.mktemp("koo_eddy_tf1")
    _reference(out, [_spec(p) for p in PRESETS])
    return out


def test_reference_graph_has_the_released_variable_names(checkpoints):
    import tensorflow as tf

    assert _expected_names(2) == EXPECTED_NAMES  # the rule the loader reads by, on the released list
    names = sorted(n for n, _ in tf.train.list_variables(str(checkpoints / "cnn_25_best.ckpt")))
    assert names == EXPECTED_NAMES
    assert sorted(np.load(checkpoints / "cnn_1_3_reference.npz")["names"].tolist()) == _expected_names(3)


@pytest.mark.parametrize("preset", PRESETS)
def test_original_checkpoint_predicts_as_the_original_graph(checkpoints, preset):
    from keras_motifs.models import KooEddyCNN
    from keras_motifs.models.koo_eddy import load_original_model, load_original_weights

    name = preset[len("koo_eddy_"):]
    ref = np.load(checkpoints / f"{name}_reference.npz")
    untrained = KooEddyCNN(preset)
    before = untrained.predict(ref["x"], verbose=0)
    for model in (load_original_weights(untrained, checkpoints / f"{name}_best.ckpt"),
                  load_original_model(checkpoints / f"{name}_best.ckpt.index")):
        assert model.name == preset
        ours = model.predict(ref["x"], verbose=0)
        np.testing.assert_allclose(ours, ref["prediction"], rtol=1e-4, atol=1e-5)
    # the comparison is sensitive: the outputs are spread, and a freshly built model differs
    assert 0.05 < float(ref["prediction"].std()) and np.abs(before - ref["prediction"]).max() > 0.05


def test_bad_checkpoints_and_models_are_refused(checkpoints, tmp_path):
    import shutil

    from keras_motifs.models import DeepBind, KooEddyCNN
    from keras_motifs.models.koo_eddy import load_original_weights

    ckpt = checkpoints / "cnn_25_best.ckpt"
    with pytest.raises(ModelInputError, match=r"holds the original 'cnn_25' model .*build KooEddyCNN\('koo_eddy_cnn_25'\)"):
        load_original_weights(KooEddyCNN("koo_eddy_cnn_2"), ckpt)  # same shapes, other pooling
    with pytest.raises(ModelInputError, match="not a Koo & Eddy CNN"):
        load_original_weights(DeepBind("deepbind_encode"), ckpt)
    with pytest.raises(FileNotFoundError, match=r"no file '.*nothing\.ckpt\.index'"):
        load_original_weights(KooEddyCNN("koo_eddy_cnn_25"), tmp_path / "nothing.ckpt")
    # renamed (the name says nothing): shapes decide
    for src, dst in (("cnn_50_2", "a"), ("cnn_1_3", "b")):
        for f in checkpoints.glob(f"{src}_best.ckpt.*"):
            shutil.copy(f, tmp_path / f.name.replace(f"{src}_best", dst))
    model = KooEddyCNN("koo_eddy_cnn_25")
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(DataFormatError, match=r"a\.ckpt': conv1d_1/conv1d/Variable \(5, 1, 30, 64\) do not fit layer conv1"):
        load_original_weights(model, tmp_path / "a.ckpt")
    with pytest.raises(DataFormatError, match=r"b\.ckpt\.index': variables of conv1d_2, but model 'koo_eddy_cnn_25' has 2"):
        load_original_weights(model, tmp_path / "b.ckpt.index")
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))  # untouched
    (tmp_path / "c.ckpt.index").write_bytes(b"not a checkpoint index\n" * 3)
    with pytest.raises(DataFormatError, match=r"c\.ckpt': not a readable TensorFlow checkpoint"):
        load_original_weights(model, tmp_path / "c.ckpt")
    shutil.copy(ckpt.with_name("cnn_25_best.ckpt.index"), tmp_path / "d.ckpt.index")  # no data file
    with pytest.raises(DataFormatError, match=r"d\.ckpt': not a readable TensorFlow checkpoint"):
        load_original_weights(model, tmp_path / "d.ckpt")


@pytest.mark.skipif(not os.environ.get(ENV), reason=f"set {ENV} to a folder of the released checkpoints "
                    "(results/synthetic/model_params of p-koo/learning_sequence_motifs at 30b2384e)")
def test_released_checkpoints_predict_as_the_original_graph(tmp_path):
    from keras_motifs.models.koo_eddy import ORIGINAL_CHECKPOINTS, load_original_model

    folder = Path(os.environ[ENV])
    names = [n for n in ORIGINAL_CHECKPOINTS if (folder / f"{n}_best.ckpt.index").exists()]
    assert names, f"no <model>_best.ckpt.index in {folder}"
    _reference(tmp_path, [_spec("koo_eddy_" + n) for n in names], "--restore", str(folder), "--n", "64")
    for n in names:
        ref = np.load(tmp_path / f"{n}_reference.npz")
        ours = load_original_model(folder / f"{n}_best.ckpt").predict(ref["x"], verbose=0)
        np.testing.assert_allclose(ours, ref["prediction"], rtol=1e-4, atol=1e-5, err_msg=n)
