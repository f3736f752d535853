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


def input_batches(
    data,
    model,
    batch_size: int = 128,
    key: str | None = None,
    max_samples: int | None = None,
) -> Iterator[list[np.ndarray]]:
    """Yield lists of numpy arrays (one per model input), at most ``batch_size`` rows each."""
    input_names = [getattr(layer, "name", None) or f"input_{i}" for i, layer in enumerate(_input_layers(model))]
    n_inputs = len(input_names)
    seen = 0

    def _limit(batch):
        nonlocal seen
        if max_samples is not None:
            batch = [b[: max_samples - seen] for b in batch]
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
            yield [np.asarray(a[start : start + batch_size], dtype=np.float32) for a in arrays]
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
        for element in data:
            if max_samples is not None and seen >= max_samples:
                return
            batch = [_to_numpy(b).astype(np.float32) for b in _select(element, input_names, key)]
            for start in range(0, len(batch[0]), batch_size):
                if max_samples is not None and seen >= max_samples:
                    return
                yield _limit([b[start : start + batch_size] for b in batch])
        return

    if callable(data):
        for element in data():
            if max_samples is not None and seen >= max_samples:
                return
            batch = [_to_numpy(b).astype(np.float32) for b in _select(element, input_names, key)]
            for start in range(0, len(batch[0]), batch_size):
                if max_samples is not None and seen >= max_samples:
                    return
                yield _limit([b[start : start + batch_size] for b in batch])
        return
    raise TypeError(
        "data must be a numpy array, a list of arrays (one per model input), a tf.data.Dataset, or a "
        f"callable returning an iterable of batches; got {type(data).__name__}"
    )


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

