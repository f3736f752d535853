"""Iterate a data source as batches of model inputs (numpy), with bounded memory.

A *data source* is any of:

* a numpy array ``(N, L, A)`` of one-hot inputs (single-input models);
* a list/tuple of arrays, one per model input (multi-input models such as iDeepS);
* a ``tf.data.Dataset`` (batched or not) whose elements are the inputs, ``(inputs, labels)``
  pairs, or dicts (the inputs are then taken by model input name, or by ``key``);
* a callable returning a fresh iterable of batches (each batch as above, numpy or tensors).

Interpretation passes over the data more than once (e.g. the filter maxima, then the counts):
every source above is re-iterable; a bare generator is not and is refused.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from ..errors import ModelInputError


def _to_numpy(x):
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


def _select(element, input_names: list[str], key: str | None):
    """Model inputs (a list of arrays) from one dataset element."""
    n_inputs = len(input_names)
    if isinstance(element, dict):
        if key is not None:
            if key not in element:
                raise ModelInputError(f"data element has no feature {key!r}; features: {sorted(element)}")
            return [element[key]]
        if all(name in element for name in input_names):
            return [element[name] for name in input_names]
        for guess in ("sequence", "inputs", "x", "one_hot"):
            if n_inputs == 1 and guess in element:
                return [element[guess]]
        raise ModelInputError(
            f"cannot tell which features of the data are the model inputs {input_names}; "
            f"features: {sorted(element)} (pass key=...)"
        )
    if isinstance(element, (tuple, list)):
        if n_inputs == 1:
            # (x,), (x, y) or (x, y, weights)
            return _select(element[0], input_names, key) if isinstance(element[0], dict) else [element[0]]
        if len(element) == n_inputs and not isinstance(element[0], (tuple, list, dict)):
            return list(element)
        first = element[0]
        if isinstance(first, dict):
            return _select(first, input_names, key)
        if isinstance(first, (tuple, list)) and len(first) == n_inputs:
            return list(first)
        raise ModelInputError(f"data elements do not hold the {n_inputs} inputs of the model {input_names}")
    if n_inputs != 1:
        raise ModelInputError(f"the model takes {n_inputs} inputs {input_names} but the data gives one array")
    return [element]


def check_batch(batch: list[np.ndarray], model, input_names: list[str], first_row: int = 0) -> list[np.ndarray]:
    """Each array must have the model input's shape and finite values, else ModelInputError naming
    the input, the record (row counted over the whole data) and the problem."""
    for i, (b, t) in enumerate(zip(batch, model.inputs)):
        want = tuple(t.shape)
        got = tuple(b.shape)
        if len(got) != len(want) or any(w is not None and g != w for g, w in zip(got[1:], want[1:])):
            detail = ""
            if len(got) == len(want) == 3 and got[1] != want[1] and want[1] is not None:
                detail = f": sequences of length {got[1]}, the model takes length {want[1]}"
            elif len(got) == len(want) == 3 and got[2] != want[2]:
                detail = f": {got[2]} channels (letters), the model takes {want[2]}"
            raise ModelInputError(
                f"input {input_names[i]!r}: data of shape {('N',) + got[1:]} do not fit the model's input "
                f"{('N',) + want[1:]}{detail}"
            )
        if b.dtype.kind == "f":
            bad = ~np.isfinite(b)
            if bad.any():
                idx = np.argwhere(bad)[0]
                raise ModelInputError(
                    f"input {input_names[i]!r}, record {first_row + int(idx[0])}: value {b[tuple(idx)].item()!r} at "
                    f"position {tuple(int(v) for v in idx[1:])} is not a finite number (NaN or infinity)"
                )
    return batch


def input_batches(
    data,
    model,
    batch_size: int = 128,
    key: str | None = None,
    max_samples: int | None = None,
) -> Iterator[list[np.ndarray]]:
    """Yield lists of numpy arrays (one per model input), at most ``batch_size`` rows each.

    Every batch is checked against the model's inputs (shape, finite values) before it is yielded.
    """
    input_names = [getattr(layer, "name", None) or f"input_{i}" for i, layer in enumerate(_input_layers(model))]
    yield from _input_batches(data, model, batch_size, key, max_samples, input_names)


def _input_batches(data, model, batch_size, key, max_samples, input_names):
    n_inputs = len(input_names)
    seen = 0

    def _limit(batch):
        nonlocal seen
        if max_samples is not None:
            batch = [b[: max_samples - seen] for b in batch]
        check_batch(batch, model, input_names, seen)
        seen += len(batch[0])
        return batch

    if isinstance(data, np.ndarray) or (isinstance(data, (list, tuple)) and data and isinstance(data[0], np.ndarray)):
        arrays = [data] if isinstance(data, np.ndarray) else list(data)
        if len(arrays) != n_inputs:
            raise ModelInputError(f"the model takes {n_inputs} inputs {input_names}; {len(arrays)} arrays given")
        n = len(arrays[0])
        if any(len(a) != n for a in arrays):
            raise ModelInputError(f"input arrays have different numbers of rows: {[len(a) for a in arrays]}")
        if max_samples is not None:
            n = min(n, max_samples)
        for start in range(0, n, batch_size):
            yield check_batch([np.asarray(a[start : start + batch_size], dtype=np.float32) for a in arrays],
                              model, input_names, start)
        return

    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover
        tf = None
    if tf is not None and isinstance(data, tf.data.Dataset):
        expected_rank = len(model.inputs[0].shape)
        first_spec = data.element_spec
        probe = _select(first_spec, input_names, key)[0]
        if len(probe.shape) == expected_rank - 1:  # unbatched
            data = data.batch(batch_size)
    elif callable(data):
        data = data()
    else:
        raise TypeError(
            "data must be a numpy array, a list of arrays (one per model input), a tf.data.Dataset, or a "
            f"callable returning an iterable of batches; got {type(data).__name__}"
        )
    for element in data:
        if max_samples is not None and seen >= max_samples:
            return
        batch = [_to_numpy(b).astype(np.float32) for b in _select(element, input_names, key)]
        for start in range(0, len(batch[0]), batch_size):
            if max_samples is not None and seen >= max_samples:
                return
            yield _limit([b[start : start + batch_size] for b in batch])


def _input_layers(model):
    layers = []
    for t in model.inputs:
        hist = getattr(t, "_keras_history", None)
        layers.append(hist[0] if hist else None)
    return [layer if layer is not None else t for layer, t in zip(layers, model.inputs)]


def check_callable_source(data) -> None:
    """Refuse one-shot generators (they cannot be read twice)."""
    import types

    if isinstance(data, (types.GeneratorType, Iterator)) and not hasattr(data, "element_spec"):
        raise TypeError("data is a one-shot iterator; pass an array, a tf.data.Dataset or a callable returning batches")

