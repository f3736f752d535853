"""Shared model test harness (the idea of keras-hub's ``run_backbone_test`` /
``run_model_saving_test``): every model test builds, runs and round-trips its model the same way.

Not a test module (no ``test_`` prefix): test modules import it as ``from model_harness import ...``
(pytest puts ``tests/`` on ``sys.path`` for the test modules of this folder, which has no
``__init__.py``).

* :func:`run_model_test` — build a registered preset (with small ``overrides`` where the full model
  is big), check its name, input channels, output shape, finite outputs, optionally its parameter
  count, then (given ``tmp_path``) run :func:`run_model_saving_test`.
* :func:`run_model_saving_test` — save with :func:`keras_motifs.io.save_model`, load with
  :func:`keras_motifs.interpret.sources.load_model` (the package's loader: safe mode, uncompiled),
  and assert the same class, config, weights and *identical* outputs; ``compile=True`` also loads
  the compiled model (loss, optimizer) and returns it.
* :func:`run_fresh_process_loading_test` — load saved models in a new Python process that
  imports only :mod:`keras_motifs.serialization` (no model builder) and compare its outputs exactly.
* :func:`random_inputs` — one-hot batches for every input of a model (a dict for multi-input models).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np

REPO = Path(__file__).resolve().parent.parent

__all__ = ["random_inputs", "outputs_of", "trainable_params", "run_model_test", "run_model_saving_test",
           "run_fresh_process_loading_test"]


def random_inputs(model: keras.Model, batch_size: int = 2, seed: int = 0, length: int | None = None):
    """Random one-hot data for each input of ``model``: an array for a single-tensor input, else a
    dict by input name. ``length`` is needed only for inputs of variable length."""
    rng = np.random.default_rng(seed)
    data = {}
    for inp in model.inputs:
        steps, channels = inp.shape[1] or length, inp.shape[-1]
        if steps is None:
            raise ValueError(f"input {inp.name!r} has a variable length: pass length=")
        data[inp.name] = np.eye(channels, dtype=np.float32)[rng.integers(0, channels, (batch_size, steps))]
    single = not isinstance(model.input, (list, tuple, dict))  # a model built on a list of one input takes a dict
    return next(iter(data.values())) if single else data


def outputs_of(model: keras.Model, input_data) -> np.ndarray:
    """The model's inference output (``training=False``) as a numpy array."""
    return keras.ops.convert_to_numpy(model(input_data, training=False))


def trainable_params(model: keras.Model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def _batch_size(input_data) -> int:
    first = next(iter(input_data.values())) if isinstance(input_data, dict) else input_data
    return len(first)


def run_model_test(preset: str, overrides: dict | None = None, input_data=None, expected_output_shape=None, *,
                   expected_num_params: int | None = None, expected_trainable_params: int | None = None,
                   tmp_path: Path | None = None, **saving_kwargs) -> keras.Model:
    """Build the registered ``preset`` with ``overrides`` and check it; returns the model.

    Checks: the model is named after its preset (the registry finds a loaded model's preset by
    name), the first input has one channel per letter of the preset's alphabet (and the preset's
    length, plus flanks, unless ``sequence_length`` is overridden), ``model.output_shape ==
    expected_output_shape`` (e.g. ``(None, 919)``), a forward pass on ``input_data`` (default:
    :func:`random_inputs`) gives finite outputs of shape ``(batch,) + expected_output_shape[1:]``,
    and the parameter counts when given. With ``tmp_path``, also :func:`run_model_saving_test`
    (``saving_kwargs`` go to it).
    """
    from keras_motifs.registry import build, preset_info

    overrides = dict(overrides or {})
    info = preset_info(preset)
    model = build(preset, **overrides)
    assert isinstance(model, keras.Model)
    if "name" not in overrides:
        assert model.name == preset, f"{preset}: the model is named {model.name!r}"
    first = model.inputs[0]
    if info.alphabet:
        assert first.shape[-1] == len(info.alphabet), f"{preset}: input {first.shape} for alphabet {info.alphabet}"
    if info.input_shape and "sequence_length" not in overrides:
        flank = info.hyperparameters.get("flank", 0)
        assert first.shape[1] == info.input_shape[0] + 2 * flank, f"{preset}: input {first.shape}"
    if expected_output_shape is not None:
        assert tuple(model.output_shape) == tuple(expected_output_shape), f"{preset}: {model.output_shape}"
    if input_data is None:
        input_data = random_inputs(model)
    out = outputs_of(model, input_data)
    if expected_output_shape is not None:
        assert out.shape == (_batch_size(input_data), *tuple(expected_output_shape)[1:]), f"{preset}: {out.shape}"
    assert np.isfinite(out).all(), f"{preset}: non-finite outputs"
    if expected_num_params is not None:
        assert model.count_params() == expected_num_params, f"{preset}: {model.count_params():,} parameters"
    if expected_trainable_params is not None:
        n = trainable_params(model)
        assert n == expected_trainable_params, f"{preset}: {n:,} trainable parameters"
    if tmp_path is not None:
        run_model_saving_test(model, input_data, tmp_path, **saving_kwargs)
    return model


def run_model_saving_test(model: keras.Model, input_data, tmp_path: Path, *, compile: bool = False,
                          fresh_process: bool = False, filename: str | None = None) -> keras.Model:
    """Save ``model`` as ``.keras`` under ``tmp_path``, load it back and assert it is the same
    model: same class, config and weights, and bit-identical outputs on ``input_data``. The write is
    atomic (no temporary file is left). Returns the loaded model: uncompiled, from
    :func:`keras_motifs.interpret.sources.load_model`; with ``compile=True`` the compiled one
    (``keras.saving.load_model`` with safe mode), whose outputs are checked as well.
    ``fresh_process=True`` also loads the file in a new Python process
    (:func:`run_fresh_process_loading_test`).
    """
    from keras_motifs.interpret.sources import load_model
    from keras_motifs.io import save_model

    tmp_path = Path(tmp_path)
    path = tmp_path / (filename or f"{model.name}.keras")
    before = outputs_of(model, input_data)
    leftovers = set(tmp_path.glob(".*"))
    save_model(model, path)
    assert set(tmp_path.glob(".*")) == leftovers, "the atomic write left a temporary file"

    loaded = load_model(path)
    _assert_same_model(model, loaded)
    np.testing.assert_array_equal(outputs_of(loaded, input_data), before, err_msg=f"{model.name}: outputs changed")
    if compile:
        from keras_motifs.serialization import register_custom_objects

        register_custom_objects()
        loaded = keras.saving.load_model(path, safe_mode=True)
        _assert_same_model(model, loaded)
        np.testing.assert_array_equal(outputs_of(loaded, input_data), before, err_msg=f"{model.name}: outputs changed")
        assert loaded.compiled == model.compiled
    if fresh_process:
        run_fresh_process_loading_test([(path, input_data, before)], tmp_path)
    return loaded


def _assert_same_model(model: keras.Model, loaded: keras.Model) -> None:
    assert type(loaded) is type(model), f"loaded a {type(loaded).__name__}, saved a {type(model).__name__}"
    assert loaded.name == model.name
    a, b = _json(model.get_config()), _json(loaded.get_config())
    if a != b:  # name the first difference (how the PerGateInitializer shared_object_id flake was found)
        import difflib

        a_lines = json.dumps(json.loads(a), sort_keys=True, indent=1).splitlines()
        b_lines = json.dumps(json.loads(b), sort_keys=True, indent=1).splitlines()
        diff = "\n".join(list(difflib.unified_diff(a_lines, b_lines, "saved", "loaded", lineterm=""))[:60])
        raise AssertionError(f"{model.name}: the config changed in the round trip:\n{diff}")
    saved, restored = model.get_weights(), loaded.get_weights()
    assert len(saved) == len(restored)
    for w1, w2 in zip(saved, restored):
        np.testing.assert_array_equal(w2, w1)


def _json(config) -> str:
    """A config as saved (JSON: tuples become lists)."""
    return json.dumps(config, sort_keys=True)


_FRESH_LOADER = """
import json, sys
import numpy as np
import keras
import keras_motifs  # the one import a user needs: registers every custom object

for model_path, input_path, output_path in json.loads(sys.argv[1]):
    model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    with np.load(input_path) as f:
        data = {k: f[k] for k in f.files}
    x = data.pop("__array__") if "__array__" in data else data
    y = keras.ops.convert_to_numpy(model(x, training=False))
    same = keras.ops.convert_to_numpy(keras_motifs.load_model(model_path)(x, training=False))
    assert np.array_equal(y, same), f"{model_path}: keras_motifs.load_model differs from keras.saving.load_model"
    np.save(output_path, y)
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("keras_motifs.models", "keras_motifs.papers")))))
"""


def run_fresh_process_loading_test(cases, tmp_path: Path, timeout: float = 300) -> None:
    """Load each saved model of ``cases`` — ``(path, input_data, expected_outputs)`` — in one new
    Python process that imports only ``keras`` and ``keras_motifs`` (which registers every custom
    object) and loads with ``keras.saving.load_model`` and ``keras_motifs.load_model``, and assert its outputs are identical to
    ``expected_outputs``. The process must not import any model builder."""
    tmp_path = Path(tmp_path)
    jobs = []
    for i, (path, input_data, _) in enumerate(cases):
        arrays = input_data if isinstance(input_data, dict) else {"__array__": input_data}
        np.savez(tmp_path / f"fresh_in_{i}.npz", **arrays)
        jobs.append([str(path), str(tmp_path / f"fresh_in_{i}.npz"), str(tmp_path / f"fresh_out_{i}.npy")])
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    r = subprocess.run([sys.executable, "-c", _FRESH_LOADER, json.dumps(jobs)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"loading in a fresh process failed:\n{r.stderr[-3000:]}"
    assert json.loads(r.stdout.strip().splitlines()[-1]) == [], f"the loader imported model code: {r.stdout}"
    for (path, _, expected), (_, _, out) in zip(cases, jobs):
        np.testing.assert_array_equal(np.load(out), expected, err_msg=f"{path}: outputs differ in a fresh process")
