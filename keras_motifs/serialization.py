"""Registration of every custom Keras object of the package (layers, activations, initializers,
losses, optimizers), so that ``.keras`` files of any model family load.

All of them live on the ground floor (:mod:`keras_motifs.layers`, :mod:`keras_motifs.initializers`,
:mod:`keras_motifs.losses`, :mod:`keras_motifs.optimizers`) and register themselves with
``keras.saving.register_keras_serializable(package="keras_motifs")`` when imported; this module
imports them all. No model builder is needed to load a saved model: :func:`load_model` loads a
``.keras`` file of any family; :func:`export_model` / :func:`load_exported` share a trained
model without its optimizer state.
"""

from __future__ import annotations

import os


def register_custom_objects() -> None:
    """Import the modules that hold the package's registered Keras objects (cheap after the first call)."""
    from . import initializers, layers, losses, optimizers  # noqa: F401  (registration on import)


def load_model(path: "str | os.PathLike"):
    """Load a ``.keras`` model of any family (uncompiled), every custom object of the package registered.

    Safe mode: a model file never deserialises Python code (lambda layers). Clear errors: a missing
    file (FileNotFoundError), another file type (ModelInputError), a damaged file or unknown
    layers (DataFormatError naming the file).
    """
    import zipfile
    from pathlib import Path

    import keras

    from .errors import DataFormatError, ModelInputError

    register_custom_objects()
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file '{path}' not found")
    if path.suffix != ".keras":
        raise ModelInputError(f"file '{path}': expected a Keras 3 '.keras' model file")
    if not zipfile.is_zipfile(path):
        raise DataFormatError(f"file '{path}': not a Keras 3 '.keras' model (a zip archive); the file is "
                              "empty, truncated or of another kind")
    try:
        # safe_mode: never deserialise Python code (lambda layers) stored in a model file
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for damaged or unsafe files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{path}': cannot load the model ({first})") from None


EXPORT_FORMAT = "keras_motifs-export"
EXPORT_WEIGHTS = "model.weights.h5"
EXPORT_CONFIG = "model.json"
EXPORT_SAVEDMODEL = "savedmodel"


def export_model(model, folder, *, preset: str | None = None, savedmodel: bool = False) -> dict:
    """Export a trained model for sharing, without the optimizer state a ``.keras`` checkpoint carries.

    Writes into ``folder``:

    * ``model.weights.h5`` — the weights only (``model.save_weights``; DanQ: ~188 MB instead of
      the ~375 MB of a checkpoint with its RMSprop state);
    * ``model.json`` — the architecture (Keras's serialised config of the model), the preset name
      (``preset``, default the model's name when it is a registered preset) and the versions;
    * with ``savedmodel=True``, ``savedmodel/`` — a TensorFlow SavedModel from
      ``model.export(..., format="tf_saved_model")`` (serving endpoint ``serve``), for TF Serving,
      TFLite or any TensorFlow program without this package.

    :func:`load_exported` reads the first two back. Every file is written atomically. Returns the
    written description (the content of ``model.json``).
    """
    import json
    from pathlib import Path

    import keras

    from .version import __version__
    from .io import atomic_open, atomic_path
    from .registry import find_by_model_name

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if preset is None and find_by_model_name(model.name) is not None:
        preset = model.name
    description = {
        "format": EXPORT_FORMAT,
        "format_version": 1,
        "preset": preset,
        "keras_motifs": __version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "model": keras.saving.serialize_keras_object(model),
    }
    with atomic_path(folder / EXPORT_WEIGHTS, suffix=".weights.h5") as tmp:
        model.save_weights(tmp)
    with atomic_open(folder / EXPORT_CONFIG, "w") as fh:
        json.dump(description, fh, indent=1)
        fh.write("\n")
    if savedmodel:
        import shutil
        import tempfile

        target = folder / EXPORT_SAVEDMODEL
        tmp_dir = Path(tempfile.mkdtemp(prefix=".savedmodel.", dir=folder))
        try:
            model.export(str(tmp_dir / "export"), format="tf_saved_model", verbose=False)
            if target.exists():
                shutil.rmtree(target)
            (tmp_dir / "export").rename(target)
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)
    return description


def load_exported(folder):
    """The model of an :func:`export_model` folder (uncompiled), weights loaded."""
    import json
    from pathlib import Path

    import keras

    from .errors import DataFormatError

    folder = Path(folder)
    config_path, weights_path = folder / EXPORT_CONFIG, folder / EXPORT_WEIGHTS
    for p in (config_path, weights_path):
        if not p.is_file():
            raise FileNotFoundError(f"'{p}' not found: '{folder}' is not a folder written by export_model")
    try:
        description = json.loads(config_path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"file '{config_path}': not valid JSON ({exc})") from None
    if not isinstance(description, dict) or description.get("format") != EXPORT_FORMAT:
        raise DataFormatError(f"file '{config_path}': not a keras_motifs export description "
                              f"(format {description.get('format') if isinstance(description, dict) else None!r})")
    register_custom_objects()
    try:
        # safe_mode: a description never deserialises Python code (lambda layers)
        model = keras.saving.deserialize_keras_object(description["model"], safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for unknown or unsafe configs
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{config_path}': cannot rebuild the model ({first})") from None
    try:
        model.load_weights(weights_path)
    except Exception as exc:  # noqa: BLE001 - h5py/Keras raise many types for damaged files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{weights_path}': cannot load the weights ({first})") from None
    return model

