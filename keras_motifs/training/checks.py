"""Checks of the data given to :func:`keras_motifs.training.train`, run before anything is fitted.

Arrays are checked completely (shapes against the model, NaN/inf, labels 0/1 for the default
binary cross-entropy), in chunks so that memory does not double (arrays inside a
:class:`~keras_motifs.training.shuffle.FullShuffle` too). For a ``tf.data.Dataset`` or another
``FullShuffle`` only the element shapes are checked against the model: its values come from the package's readers,
which check them while reading, or from the user's own pipeline.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelInputError

_CHUNK_ELEMENTS = 1 << 22


def _shape_str(shape) -> str:
    return "(" + ", ".join("N" if d is None else str(d) for d in shape) + ")"


def _compatible(data_shape, model_shape) -> bool:
    if len(data_shape) != len(model_shape):
        return False
    return all(m is None or d is None or int(d) == int(m) for d, m in zip(data_shape[1:], model_shape[1:]))


def _first_bad(arr: np.ndarray, bad_fn) -> tuple | None:
    """Index (tuple) of the first element where ``bad_fn`` is true, scanning in row chunks."""
    if arr.size == 0:
        return None
    rows = max(1, _CHUNK_ELEMENTS // max(1, int(np.prod(arr.shape[1:]))))
    for start in range(0, len(arr), rows):
        chunk = np.asarray(arr[start : start + rows])
        bad = bad_fn(chunk)
        if bad.any():
            idx = np.argwhere(bad)[0]
            return (start + int(idx[0]),) + tuple(int(i) for i in idx[1:])
    return None


def _not_finite(chunk):
    return ~np.isfinite(chunk) if np.issubdtype(chunk.dtype, np.floating) else np.zeros(chunk.shape, bool)


def _inputs_list(x, model) -> list:
    if isinstance(x, dict):
        names = [t.name.split(":")[0] for t in model.inputs]
        layer_names = [getattr(getattr(t, "_keras_history", [None])[0], "name", None) for t in model.inputs]
        out = []
        for name, lname in zip(names, layer_names):
            if lname in x:
                out.append((lname, x[lname]))
            elif name in x:
                out.append((name, x[name]))
            else:
                raise ModelInputError(f"the model takes an input {lname or name!r}; the data gives {sorted(x)}")
        return out
    if isinstance(x, (list, tuple)):
        return [(f"input {i}", a) for i, a in enumerate(x)]
    return [("x", x)]


def check_arrays(model, x, y, what: str = "training data", binary_labels: bool = True) -> None:
    """Check ``(x, y)`` arrays against ``model``; raise :class:`ModelInputError` naming the row."""
    inputs = _inputs_list(x, model)
    if len(inputs) != len(model.inputs):
        raise ModelInputError(f"{what}: the model takes {len(model.inputs)} inputs, the data gives {len(inputs)}")
    n = None
    for (name, arr), spec in zip(inputs, model.inputs):
        arr = arr if hasattr(arr, "shape") and hasattr(arr, "dtype") else np.asarray(arr)
        shape = tuple(arr.shape)
        want = tuple(spec.shape)
        if not _compatible(shape, want):
            raise ModelInputError(
                f"{what}: {name} has shape {_shape_str(shape)}, the model takes {_shape_str(want)}"
                + (f" (sequence length {want[1]}, {want[-1]} channels)" if len(want) == 3 else "")
            )
        if n is not None and shape[0] != n:
            raise ModelInputError(f"{what}: the inputs have {n} and {shape[0]} rows")
        n = shape[0]
        bad = _first_bad(arr, _not_finite)
        if bad is not None:
            at = f", position {bad[1]}, channel {bad[2]}" if len(bad) == 3 else (f", index {bad[1:]}" if len(bad) > 1 else "")
            raise ModelInputError(f"{what}: {name}, record {bad[0]}{at}: value {np.asarray(arr[bad]).item()!r} "
                                  "is not a finite number (NaN or infinity)")
    y_arr = y if hasattr(y, "shape") and hasattr(y, "dtype") else np.asarray(y)
    if n == 0:
        shown = f"{inputs[0][0]} has shape {_shape_str(tuple(inputs[0][1].shape))}"
        hint = "there is nothing to train on" if what == "training data" else "pass None for no validation"
        raise ModelInputError(f"{what}: no rows ({shown}); {hint}")
    if y_arr.shape[0] != n:
        raise ModelInputError(f"{what}: {n} input rows but {y_arr.shape[0]} label rows")
    out_shape = tuple(model.outputs[0].shape) if len(model.outputs) == 1 else None
    if out_shape is not None and y_arr.ndim == len(out_shape) and not _compatible(y_arr.shape, out_shape):
        raise ModelInputError(
            f"{what}: labels have shape {_shape_str(y_arr.shape)}, the model predicts {_shape_str(out_shape)}"
            + (f" ({out_shape[-1]} targets)" if len(out_shape) == 2 else "")
        )
    bad = _first_bad(y_arr, _not_finite)
    if bad is not None:
        raise ModelInputError(f"{what}: record {bad[0]}: label {np.asarray(y_arr[bad]).item()!r} is not a finite number")
    if binary_labels:
        bad = _first_bad(y_arr, lambda c: (c != 0) & (c != 1))
        if bad is not None:
            where = f", target {bad[1]}" if len(bad) > 1 else ""
            raise ModelInputError(f"{what}: record {bad[0]}{where}: label {np.asarray(y_arr[bad]).item()!r}; labels must be 0 or 1 "
                                  "for the binary cross-entropy loss")


def check_dataset_spec(model, ds, what: str = "training data") -> None:
    """Check the element shapes of an unbatched ``(x, y)`` dataset against ``model``, and that it
    is not known to be empty."""
    cardinality = getattr(ds, "cardinality", None)
    if cardinality is not None and int(cardinality()) == 0:
        raise ModelInputError(f"{what}: the dataset has no elements (cardinality 0)"
                              + ("; there is nothing to train on" if what == "training data" else "; pass None for no validation"))
    spec = ds.element_spec
    if not isinstance(spec, tuple) or len(spec) < 2:
        return  # other layouts (dicts for multi-input models) are left to Keras
    x_spec, y_spec = spec[0], spec[1]
    if hasattr(x_spec, "shape") and len(model.inputs) == 1:
        want = tuple(model.inputs[0].shape)
        shape = (None,) + tuple(x_spec.shape)  # train() takes unbatched elements
        if not _compatible(shape, want):
            raise ModelInputError(f"{what}: dataset elements have shape {_shape_str(tuple(x_spec.shape))}, "
                                  f"the model takes {_shape_str(want[1:])} per sequence")
    if hasattr(y_spec, "shape") and len(model.outputs) == 1:
        want = tuple(model.outputs[0].shape)
        shape = (None,) + tuple(y_spec.shape)
        if len(shape) == len(want) and not _compatible(shape, want):
            raise ModelInputError(f"{what}: dataset labels have shape {_shape_str(tuple(y_spec.shape))}, "
                                  f"the model predicts {_shape_str(want[1:])} per sequence")


def check_training_data(model, train_data, validation_data=None, binary_labels: bool = True) -> None:
    """Run the checks on what :func:`~keras_motifs.training.train` was given."""
    from .shuffle import ArrayRows, FullShuffle

    for what, data in (("training data", train_data), ("validation data", validation_data)):
        if data is None:
            continue
        if isinstance(data, FullShuffle) and isinstance(data.rows, ArrayRows) and data.transform is None \
                and len(data.rows.arrays) == 2:
            data = data.rows.arrays  # arrays served in a full shuffle: checked as arrays
        if isinstance(data, (tuple, list)) and len(data) == 2:
            check_arrays(model, data[0], data[1], what, binary_labels)
        elif hasattr(data, "element_spec"):
            check_dataset_spec(model, data, what)
