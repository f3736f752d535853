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


# Modules a model file may name for its classes and functions: Keras's own and this package's.
SAFE_MODULE_PREFIXES = ("keras", "keras_motifs")


def find_unsafe_object(config, where: str = "") -> str | None:
    """The first object of a serialised Keras config (``config.json`` of a ``.keras`` file, or an
    export description) that safe loading refuses, described in words with its place in the
    model (layer name); None when there is none.

    Refused: Python bytecode (``__lambda__`` functions, a ``Lambda`` layer's function) and any
    class or function of a module outside Keras and keras_motifs (e.g. ``os.system``; the
    package's registered functions are stored as ``builtins`` ``keras_motifs>name``). Keras's own
    safe mode refuses these too, but reports them as "Functional could not be deserialized
    properly"; this names what was refused.
    """
    stack = [(config, where)]
    while stack:
        node, place = stack.pop()
        if isinstance(node, list):
            stack.extend((v, place) for v in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        cls, module = node.get("class_name"), node.get("module")
        here = place
        if isinstance(node.get("config"), dict) and isinstance(node["config"].get("name"), str) and cls:
            here = f"{place + ' > ' if place else ''}{cls} '{node['config']['name']}'"
        if cls == "__lambda__":
            return f"a Python lambda (bytecode) in {here or 'the model'}"
        if cls == "Lambda" and isinstance(node.get("config"), dict) and node["config"].get("function") is not None:
            return f"{here or 'a Lambda layer'}: a Lambda layer runs Python code"
        registered_fn = (module == "builtins" and cls == "function" and isinstance(node.get("config"), str)
                         and node["config"].startswith("keras_motifs>"))  # this package's registered functions
        if isinstance(module, str) and module and not registered_fn and not any(
                module == p or module.startswith(p + ".") for p in SAFE_MODULE_PREFIXES):
            what = node.get("config") if cls == "function" and isinstance(node.get("config"), str) else cls
            return f"'{module}.{what}' (module {module!r}) in {here or 'the model'}"
        stack.extend((v, here) for k, v in reversed(list(node.items())) if k not in ("module", "class_name"))
    return None


def check_keras_archive(path) -> None:
    """Refuse a ``.keras`` file that safe loading must not open, naming what was refused
    (DataFormatError): an unsafe class or Python code in ``config.json``
    (:func:`find_unsafe_object`), or a weights file that reads other files (HDF5 external links
    or storage, :func:`keras_motifs.io.check_hdf5_contained`)."""
    import json
    import zipfile

    from .errors import DataFormatError

    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "config.json" not in names:
                raise DataFormatError(f"file '{path}': no config.json; not a Keras 3 '.keras' model")
            info = zf.getinfo("config.json")
            if info.file_size > 256 * 2**20:
                raise DataFormatError(f"file '{path}': config.json of {info.file_size} bytes; too large for a model")
            try:
                config = json.loads(zf.read("config.json"))
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                raise DataFormatError(f"file '{path}': config.json is not valid JSON ({exc})") from None
            unsafe = find_unsafe_object(config)
            if unsafe is not None:
                raise DataFormatError(f"file '{path}': refuses to load {unsafe}; only Keras's and keras_motifs's "
                                      "own classes are loaded (safe mode: a model file must not run code)")
            if "model.weights.h5" in names:
                import h5py

                from .io.hdf5 import check_hdf5_contained

                with zf.open("model.weights.h5") as fh:
                    try:
                        weights = h5py.File(fh, "r")
                    except OSError as exc:
                        raise DataFormatError(f"file '{path}': model.weights.h5 is not a readable HDF5 file "
                                              f"({exc})") from None
                    with weights:
                        check_hdf5_contained(weights, f"{path}!model.weights.h5")
    except zipfile.BadZipFile as exc:
        raise DataFormatError(f"file '{path}': not a Keras 3 '.keras' model (a zip archive): {exc}") from None


def load_model(path: "str | os.PathLike"):
    """Load a ``.keras`` model of any family (uncompiled), every custom object of the package registered.

    Safe mode: a model file never deserialises Python code (lambda layers) nor classes outside
    Keras and keras_motifs, and its weights may not read other files (refused naming what was
    refused, :func:`check_keras_archive`). Clear errors: a missing file (FileNotFoundError), a
    folder, FIFO or device (FileAccessError), another file type (ModelInputError), a damaged file
    or unknown layers (DataFormatError naming the file).
    """
    import zipfile
    from pathlib import Path

    import keras

    from .errors import DataFormatError, ModelInputError
    from .io.files import check_input_file

    register_custom_objects()
    path = Path(path)
    if not os.path.lexists(path):
        raise FileNotFoundError(f"model file '{path}' not found")
    check_input_file(path, "model file")
    if path.suffix != ".keras":
        raise ModelInputError(f"file '{path}': expected a Keras 3 '.keras' model file")
    if not zipfile.is_zipfile(path):
        raise DataFormatError(f"file '{path}': not a Keras 3 '.keras' model (a zip archive); the file is "
                              "empty, truncated or of another kind")
    check_keras_archive(path)
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
    unsafe = find_unsafe_object(description.get("model"))
    if unsafe is not None:
        raise DataFormatError(f"file '{config_path}': refuses to load {unsafe}; only Keras's and keras_motifs's "
                              "own classes are loaded (safe mode: a model file must not run code)")
    register_custom_objects()
    try:
        # safe_mode: a description never deserialises Python code (lambda layers)
        model = keras.saving.deserialize_keras_object(description["model"], safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for unknown or unsafe configs
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{config_path}': cannot rebuild the model ({first})") from None
    from .io import open_hdf5

    open_hdf5(weights_path).close()  # refuses weights that read other files (external links or storage)
    try:
        model.load_weights(weights_path)
    except Exception as exc:  # noqa: BLE001 - h5py/Keras raise many types for damaged files
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{weights_path}': cannot load the weights ({first})") from None
    return model

