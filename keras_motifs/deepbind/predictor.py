"""Keras models and a batched scorer for the pretrained DeepBind v0.1 models.

``load("D00328.003")`` gives a ``keras.Model`` mapping one-hot sequences (A, C, G, T; N = 0.25)
of shape (batch, length, 4) to the original executable's score, shape (batch, 1).
:class:`Scorer` scores many sequences with many models at once: models of the same shape are
stacked into one :class:`~keras_motifs.layers.deepbind_scan.DeepBindScan` (one convolution for all of
them) and sequences are batched by length, so all 927 models build in about a second.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Iterable, Sequence

import keras
import numpy as np

from ..data import one_hot
from ..errors import InvalidSequenceError
from .database import Database
from ..layers.deepbind_scan import DeepBindScan
from ..progress import Progress
from .params import DeepBindParams

_RNA_TO_DNA = str.maketrans("Uu", "Tt")


def encode(sequences: Sequence[str], where: str = "") -> list[np.ndarray]:
    """DNA/RNA strings -> one-hot arrays (L, 4), bases A, C, G, T/U, N = 0.25, any case.

    Returns one array per sequence (lengths may differ). Any other letter raises
    :class:`InvalidSequenceError` naming the sequence and position.
    """
    out = []
    for i, s in enumerate(sequences):
        if len(s) == 0:
            raise InvalidSequenceError(f"{where}sequence {i} is empty (sequences must have length > 0)")
        try:
            out.append(one_hot(s.translate(_RNA_TO_DNA), "ACGT", n_value=0.25))
        except InvalidSequenceError as exc:
            msg = str(exc).replace("sequence 0:", f"sequence {i}:", 1)
            raise InvalidSequenceError(f"{where}{msg} (DNA/RNA letters A, C, G, T, U or N expected)") from None
    return out


def _scan_layer(plist, window_size, average, window_padding, name=None) -> DeepBindScan:
    """A stacked :class:`DeepBindScan` for models of one architecture (that of ``plist[0]``)."""
    p0 = plist[0]
    return DeepBindScan(
        num_models=len(plist),
        num_detectors=p0.num_detectors,
        detector_len=p0.detector_len,
        has_avg_pooling=p0.has_avg_pooling,
        num_hidden=p0.num_hidden,
        reverse_complement=p0.reverse_complement,
        window_size=window_size,
        average=average,
        window_padding=window_padding,
        name=name,
    )


def build_model(
    params: "DeepBindParams | Sequence[DeepBindParams]",
    window_size: int | None = None,
    average: bool = False,
    window_padding: str = "N",
    name: str | None = None,
) -> keras.Model:
    """A Keras model computing the original predictor's score(s), (B, L, 4) -> (B, K).

    ``params`` is one model or a list of models of the same shape (then K > 1 outputs).
    """
    plist = [params] if isinstance(params, DeepBindParams) else list(params)
    p0 = plist[0]
    layer = _scan_layer(plist, window_size, average, window_padding, name="deepbind_scan")
    inputs = keras.Input(shape=(None, 4), name="sequence")
    outputs = layer(inputs)
    model = keras.Model(inputs, outputs, name=name or (p0.model_id.replace(".", "_") if len(plist) == 1 else "deepbind"))
    layer.set_params(plist)
    return model


def load(
    model_id: str,
    db_dir: "str | os.PathLike | None" = None,
    window_size: int | None = None,
    average: bool = False,
    window_padding: str = "N",
) -> keras.Model:
    """Load pretrained model ``model_id`` (e.g. ``"D00328.003"``) as a Keras model.

    The model takes one-hot sequences (B, L, 4) with A, C, G, T channels and N = 0.25 (use
    :func:`encode`) and returns the original ``deepbind`` score, shape (B, 1).
    """
    params = Database(db_dir).params(model_id)
    return build_model(params, window_size=window_size, average=average, window_padding=window_padding)


def predict(model: keras.Model, sequences: Sequence[str], batch_size: int = 256) -> np.ndarray:
    """Score strings of any lengths with a model from :func:`load`/:func:`build_model`: (N, K)."""
    encoded = encode(sequences)
    out = np.zeros((len(encoded), model.output_shape[-1]), dtype=np.float32)
    for length, idx in _by_length(encoded).items():
        x = np.stack([encoded[i] for i in idx])
        for start in range(0, len(idx), batch_size):
            sl = slice(start, start + batch_size)
            out[np.asarray(idx[sl])] = keras.ops.convert_to_numpy(model(x[sl], training=False))
    return out


def _by_length(encoded: Sequence[np.ndarray]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(encoded):
        groups[len(e)].append(i)
    return groups


class Scorer:
    """Score sequences with many pretrained models at once (the original's computation).

    Models of the same shape (detector length, pooling, hidden layer, strand) share one stacked
    :class:`DeepBindScan`; each is computed on batches of equal-length sequences whose
    intermediate feature maps stay under ``max_elements`` floats.

    Example::

        scorer = Scorer([db.params(i) for i in ids])
        scores = scorer.score(["ACGT...", ...])   # (num_sequences, num_models), in ``ids`` order
    """

    def __init__(
        self,
        params: Iterable[DeepBindParams],
        window_size: int | None = None,
        average: bool = False,
        window_padding: str = "N",
        max_elements: int = 1 << 24,
        max_models_per_group: int = 128,
    ):
        self.params = list(params)
        if not self.params:
            raise ValueError("Scorer needs at least one model")
        self.window_size = window_size
        self.average = average
        self.max_elements = int(max_elements)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, p in enumerate(self.params):
            groups[p.architecture].append(i)
        self.groups: list[tuple[DeepBindScan, np.ndarray]] = []
        for key, members in groups.items():
            for start in range(0, len(members), max_models_per_group):
                chunk = members[start : start + max_models_per_group]
                members_params = [self.params[i] for i in chunk]
                layer = _scan_layer(members_params, window_size, average, window_padding)
                layer.set_params(members_params)
                self.groups.append((layer, np.asarray(chunk)))
        self._compiled: dict[int, object] = {}

    @property
    def model_ids(self) -> list[str]:
        return [p.model_id for p in self.params]

    def _batch_size(self, layer: DeepBindScan, length: int) -> int:
        m = layer.detector_len
        w = min(length, layer.effective_window_size)
        per_seq = (length - w + 1) * (w + m - 1) * layer.num_models * layer.num_detectors
        per_seq *= 2 if layer.reverse_complement else 1
        return max(1, self.max_elements // max(per_seq, 1))

    def _call(self, layer: DeepBindScan, x: np.ndarray):
        """The layer's computation as one compiled graph (any batch size and length)."""
        fn = self._compiled.get(id(layer))
        if fn is None:
            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                # one trace per stacked group; the input signature covers every batch size/length
                fn = tf.function(layer.call, input_signature=[tf.TensorSpec([None, None, 4], tf.float32)],
                                 reduce_retracing=True)
            else:
                fn = layer
            self._compiled[id(layer)] = fn
        return fn(x)

    def score_encoded(self, encoded: Sequence[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(encoded), len(self.params)), dtype=np.float32)
        by_length = _by_length(encoded)
        with Progress(len(encoded) * len(self.params), "scoring with DeepBind models", unit="score") as bar:
            for length, idx in by_length.items():
                idx = np.asarray(idx)
                x = np.stack([encoded[i] for i in idx])
                for layer, cols in self.groups:
                    bs = self._batch_size(layer, length)
                    for start in range(0, len(idx), bs):
                        rows = idx[start : start + bs]
                        y = keras.ops.convert_to_numpy(self._call(layer, x[start : start + bs]))
                        out[np.ix_(rows, cols)] = y
                        bar.update(len(rows) * len(cols))
        return out

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        """Scores (num_sequences, num_models) for DNA/RNA strings of any lengths."""
        return self.score_encoded(encode(sequences))


def score(
    model_ids: Sequence[str],
    sequences: Sequence[str],
    db_dir: "str | os.PathLike | None" = None,
    window_size: int | None = None,
    average: bool = False,
    window_padding: str = "N",
) -> np.ndarray:
    """Scores of ``sequences`` under the pretrained models ``model_ids``: (N, len(model_ids))."""
    db = Database(db_dir)
    scorer = Scorer([db.params(i) for i in model_ids], window_size=window_size, average=average,
                    window_padding=window_padding)
    return scorer.score(sequences)
