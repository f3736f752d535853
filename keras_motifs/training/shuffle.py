"""A full shuffle every epoch: each epoch serves every training row exactly once, in a new order.

This is what the old Keras ``fit(..., shuffle=True)`` did (keras-team/keras 0.2.0
``keras/models.py``, ``Model._fit``: ``np.random.shuffle(index_array)`` at the start of every
epoch, then batches ``index_array[start:end]``) and what the deepomics trainer of Koo & Eddy does
(``BatchGenerator.generate_minibatches``: ``np.random.permutation(num_data)`` every epoch). A
``tf.data`` shuffle buffer smaller than the data only mixes rows within a sliding window of the
file: on a file stored in blocks (DeepSEA's ``train.mat``: 2.2M forward strands, then their 2.2M
reverse complements) every epoch starts with rows of the first block only.

:class:`FullShuffle` serves the rows of a random-access source in the order
:func:`epoch_permutation` ``(n, seed, epoch)`` — a function of the seed and the epoch only, so it
is the same in every run with the same seed, differs from epoch to epoch, and a run resumed by
:class:`~keras_motifs.training.callbacks.ResumableBackup` sees the interrupted epoch in the
interrupted run's order. The epoch is told to it by a callback (:meth:`FullShuffle.callback`;
:func:`keras_motifs.training.train` adds it) at ``on_epoch_begin``; Keras 3 creates each epoch's
training iterator after that, and the order is read when the iterator starts.

The source needs ``len()`` and ``read(indices)`` returning one array (or a tuple/dict of arrays)
of those rows, indices given in increasing order: :class:`ArrayRows` for arrays in memory or
``numpy.memmap`` files, ``tfds_builders.deepsea.random_access`` for the DeepSEA splits (4.4M rows
of 1,000 bp do not fit in memory as one-hot). Rows are read in blocks of ``block`` consecutive
positions of the permutation, each block's indices sorted for locality in a memory-mapped file and
its rows put back into the permutation's order, so the rows come out in exactly the permutation.
Only the indices of one epoch (8 bytes a row: 35 MB for 4.4M rows) are held in memory.
"""

from __future__ import annotations

import numpy as np

IN_MEMORY_BYTES = 1 << 30  # FullShuffle.batched_dataset: arrays up to 1 GiB are held as tensors


def epoch_permutation(n: int, seed: int, epoch: int) -> np.ndarray:
    """The order of epoch ``epoch``: a permutation of ``range(n)`` drawn from ``(seed, epoch)``."""
    if seed is None:
        raise ValueError("a full shuffle needs an integer seed (the order of each epoch is drawn from (seed, epoch))")
    return np.random.default_rng([int(seed), int(epoch)]).permutation(int(n))


class ArrayRows:
    """Random access to the rows of arrays of equal length (in memory or ``numpy.memmap``)."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("ArrayRows needs at least one array")
        lengths = {len(a) for a in arrays}
        if len(lengths) != 1:
            raise ValueError(f"ArrayRows: the arrays have different numbers of rows {sorted(lengths)}")
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def fingerprint_parts(self) -> dict:
        """What identifies the data (keras_motifs.training.ownership: the run's data record)."""
        return {"arrays": list(self.arrays)}

    def read(self, indices: np.ndarray):
        rows = tuple(np.asarray(a[indices]) for a in self.arrays)
        return rows[0] if len(rows) == 1 else rows


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [structure[k] for k in sorted(structure)]
    if isinstance(structure, (tuple, list)):
        return list(structure)
    return [structure]


def _pack(template, flat):
    if isinstance(template, dict):
        return dict(zip(sorted(template), flat))
    if isinstance(template, (tuple, list)):
        return tuple(flat)
    return flat[0]


def _op_determinism() -> bool:
    """Whether TensorFlow's op determinism is on (``keras_motifs.training.set_seed``)."""
    from tensorflow.python.framework import config as tf_config  # no public query (TF 2.21)

    return bool(tf_config.is_op_determinism_enabled())


class FullShuffle:
    """A training set served in a new full permutation every epoch (see the module docstring).

    Args:
      rows: the source: ``len(rows)`` and ``rows.read(sorted_indices)`` (see :class:`ArrayRows`).
      seed: the order of epoch ``e`` is :func:`epoch_permutation` ``(len(rows), seed, e)``.
      transform: a function mapping one row (the structure ``read`` gives, without the batch
        axis, as tensors) to the ``(x, y)`` element the model trains on, applied in ``tf.data``;
        None = the rows are already ``(x, y)``.
      vectorized: the transform also maps a block of rows (tensors with a leading row axis) and
        is applied to each block before it is split into rows: for the one-hot decoding of
        DeepSEA rows about 3.5 times less CPU than one call per row (measured: ~57,000 against
        ~16,000 rows per CPU-second, whole pipeline).
      block: rows read per call of ``rows.read``.

    Pass it to :func:`keras_motifs.training.train` as ``train_data``; ``train`` batches
    :meth:`dataset` and adds :meth:`callback`. Used by hand: call :meth:`set_epoch` (or add the
    callback to ``fit``) before iterating :meth:`dataset` for an epoch.
    """

    def __init__(self, rows, *, seed: int, transform=None, vectorized: bool = False, block: int = 1000):
        self.rows = rows
        self.n = len(rows)
        if self.n < 1:
            raise ValueError("FullShuffle: the source has no rows")
        if seed is None:
            raise ValueError("FullShuffle needs an integer seed")
        self.seed = int(seed)
        self.transform = transform
        self.vectorized = bool(vectorized)
        self.block = int(block)
        if self.block < 1:
            raise ValueError(f"block must be >= 1, got {block}")
        self.epoch = 0
        sample = rows.read(np.array([0], dtype=np.int64))
        self._template = sample
        self._specs = [(np.asarray(a).dtype, np.asarray(a).shape[1:]) for a in _flatten(sample)]

    @classmethod
    def from_arrays(cls, x, y, *, seed: int, block: int = 1000) -> "FullShuffle":
        """Full shuffle of ``(x, y)`` arrays (or memmaps); elements are ``(x[i], y[i])``."""
        return cls(ArrayRows(x, y), seed=seed, block=block)

    def __len__(self) -> int:
        return self.n

    def order(self, epoch: int | None = None) -> np.ndarray:
        """The row order of ``epoch`` (default: the current one)."""
        return epoch_permutation(self.n, self.seed, self.epoch if epoch is None else epoch)

    def fingerprint_parts(self) -> dict:
        """What identifies the data (keras_motifs.training.ownership: the run's data record): the
        rows and the order's seed (the transform is code, identified by its name)."""
        name = getattr(self.transform, "__qualname__", type(self.transform).__name__) if self.transform else None
        return {"rows": self.rows, "n": self.n, "seed": self.seed, "transform": name, "vectorized": self.vectorized}

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose order the next iteration of :meth:`dataset` serves."""
        self.epoch = int(epoch)

    def _read_block(self, indices: np.ndarray) -> list:
        indices = np.asarray(indices, dtype=np.int64)
        by_index = np.argsort(indices, kind="stable")
        rows = _flatten(self.rows.read(indices[by_index]))
        back = np.empty_like(by_index)
        back[by_index] = np.arange(len(by_index))
        out = []
        for a, (dtype, shape) in zip(rows, self._specs):
            a = np.asarray(a)
            if a.shape[1:] != shape or len(a) != len(indices):
                raise ValueError(f"FullShuffle: the source returned rows of shape {a.shape} for {len(indices)} "
                                 f"indices, expected ({len(indices)}, {', '.join(map(str, shape))})")
            out.append(np.ascontiguousarray(a[back], dtype=dtype))
        return out

    def in_memory(self) -> bool:
        """Whether the rows are arrays in memory (:class:`ArrayRows` of NumPy arrays, not memmaps,
        of at most :data:`IN_MEMORY_BYTES` together: a distribution strategy may serialise the
        dataset's graph, constants included, under protobuf's 2 GB limit) served without a transform: :meth:`batched_dataset` then gathers the batches in the graph."""
        arrays = getattr(self.rows, "arrays", None)
        return (type(self.rows) is ArrayRows and self.transform is None and arrays is not None
                and all(type(a) is np.ndarray for a in arrays) and sum(a.nbytes for a in arrays) <= IN_MEMORY_BYTES)

    def batched_dataset(self, batch_size: int, drop_remainder: bool = False):
        """Batches of :meth:`dataset` — the same rows in the same order, batch ``k`` the order's rows
        ``k * batch_size ..`` — gathered in the graph from the arrays held as tensors (one
        ``tf.gather`` per batch instead of a Python read of 1,000-row blocks, split into rows and
        batched again); only for :meth:`in_memory` rows, else None."""
        import tensorflow as tf

        if not self.in_memory():
            return None
        n, b = self.n, int(batch_size)
        tensors = [tf.constant(a) for a in self.rows.arrays]
        stop = n - n % b if drop_remainder else n

        def index_batches():
            order = self.order()  # read when the iterator starts, after the callback set the epoch
            for start in range(0, stop, b):
                yield order[start:start + b]

        ds = tf.data.Dataset.from_generator(index_batches, output_signature=tf.TensorSpec([None], tf.int64))
        ds = ds.map(lambda idx: _pack(self._template, [tf.gather(t, idx) for t in tensors]))
        return ds.apply(tf.data.experimental.assert_cardinality(-(-stop // b)))

    def dataset(self):
        """An unbatched ``tf.data.Dataset`` that, each time it is iterated, yields every row once
        in the order of the epoch current when the iteration starts."""
        import tensorflow as tf

        n, block = self.n, self.block

        def index_blocks():
            order = self.order()  # read when the iterator starts, after the callback set the epoch
            for start in range(0, n, block):
                yield order[start:start + block]

        specs = self._specs
        ds = tf.data.Dataset.from_generator(index_blocks, output_signature=tf.TensorSpec([None], tf.int64))

        def read(indices):
            flat = tf.numpy_function(self._read_block, [indices], [tf.as_dtype(d) for d, _ in specs], stateful=False)
            flat = [tf.ensure_shape(t, (None,) + tuple(s)) for t, (_, s) in zip(flat, specs)]
            return _pack(self._template, flat)

        # One reader, a few blocks ahead; the transform in parallel -- except under op determinism:
        # the generator and the reader are Python functions (stateful ops), and a graph holding one
        # makes tf.data's make_deterministic rewrite turn every parallel map into a sequential one
        # (and every prefetch into none) when an iterator is created. The transform is then a
        # sequential map from the start: the same computation, without the rewrite's C++ warning
        # on every iterator ("NodeDef mentions attribute use_unbounded_threadpool ... MapDataset").
        parallel = {} if _op_determinism() else {"num_parallel_calls": tf.data.AUTOTUNE, "deterministic": True}
        ds = ds.map(read).prefetch(2)
        if self.transform is not None and self.vectorized:
            ds = ds.map(self.transform, **parallel)
        ds = ds.unbatch()
        if self.transform is not None and not self.vectorized:
            ds = ds.map(self.transform, **parallel)
        return ds.apply(tf.data.experimental.assert_cardinality(n))

    @property
    def element_spec(self):
        """The element spec of :meth:`dataset` (one unbatched element)."""
        return self.dataset().element_spec

    def callback(self):
        """A Keras callback that sets the epoch at ``on_epoch_begin``."""
        import keras

        shuffle = self

        class _SetEpoch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                shuffle.set_epoch(epoch)

        return _SetEpoch()
