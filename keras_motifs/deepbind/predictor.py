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
from ..errors import InvalidSequenceError, ModelInputError
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
    """Score sequences with many pretrained models at once (the original's computation), in
    bounded memory.

    Models of the same shape (detector length, pooling, hidden layer, strand) share one stacked
    :class:`DeepBindScan`. Each call scores a batch of windows whose intermediate feature maps
    stay under about ``max_elements`` floats: many equal-length sequences at once, or, for a long
    sequence, consecutive stretches of its windows (each stretch overlapping the next by the
    window's frame length minus one, so that every window is scored exactly as in the whole
    sequence) — memory does not grow with the sequence length. The scores are reduced on the
    host: the max over windows, or for ``average=True`` the sum over windows accumulated in
    float64 in window order (then divided by the sequence length as the original does), so a
    sequence gives the same score however it is cut. A single window too large for the budget
    (a long ``window_size``) is refused with :class:`~keras_motifs.errors.ModelInputError`.

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
        if window_padding not in ("N", "flank"):
            raise ValueError(f"window_padding must be 'N' or 'flank', got {window_padding!r}")
        self.window_size = window_size
        self.average = average
        self.window_padding = window_padding
        self.max_elements = int(max_elements)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, p in enumerate(self.params):
            groups[p.architecture].append(i)
        # (params of the group's models, their columns); layers are built per number of models per call
        self.groups: list[tuple[list[DeepBindParams], np.ndarray]] = []
        for key, members in groups.items():
            for start in range(0, len(members), max_models_per_group):
                chunk = members[start : start + max_models_per_group]
                self.groups.append(([self.params[i] for i in chunk], np.asarray(chunk)))
        self._layers: dict[tuple[int, int, int], DeepBindScan] = {}
        self._compiled: dict[tuple[int, bool], object] = {}

    @property
    def model_ids(self) -> list[str]:
        return [p.model_id for p in self.params]

    # ------------------------------------------------------------------ memory plan
    def _window_cost(self, p: DeepBindParams, window: int, n_models: int) -> int:
        """Floats held per window and strand while scoring ``n_models`` models of ``p``'s shape:
        the padded frame and the convolution's output (with the thresholds added and rectified)."""
        m = p.detector_len
        frame = window + 2 * (m - 1)
        return frame * 4 * 2 + (window + m - 1) * (n_models * p.num_detectors * 2 + 4 * m)

    def max_window(self, p: DeepBindParams) -> int:
        """The longest window one call can score for a model of ``p``'s shape (both strands)."""
        strands = 2 if p.reverse_complement else 1
        lo, hi = 1, 1 << 40
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._window_cost(p, mid, 1) * strands <= self.max_elements:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _layer(self, g: int, start: int, stop: int) -> DeepBindScan:
        key = (g, start, stop)
        layer = self._layers.get(key)
        if layer is None:
            plist = self.groups[g][0][start:stop]
            # one strand per row: the reverse complement is scored as its own rows
            layer = DeepBindScan(
                num_models=len(plist), num_detectors=plist[0].num_detectors, detector_len=plist[0].detector_len,
                has_avg_pooling=plist[0].has_avg_pooling, num_hidden=plist[0].num_hidden, reverse_complement=False,
                window_size=self.window_size, average=self.average, window_padding=self.window_padding,
            )
            layer.set_params([_single_strand(q) for q in plist])
            self._layers[key] = layer
        return layer

    def _call(self, layer: DeepBindScan, x: np.ndarray, window: int, per_window: bool) -> np.ndarray:
        """Window scores (B, nwin, K) of ``x`` (flank-padded when the padding is 'flank'), or their
        max (B, K); one compiled graph per layer and output kind (any batch size, length, window)."""
        key = (id(layer), per_window)
        fn = self._compiled.get(key)
        flank = self.window_padding == "flank"
        if fn is None:
            def run(x, window, layer=layer):
                scores = layer.window_scores(x, window, flank_padded=flank)
                return scores if per_window else keras.ops.max(scores, axis=1)

            if keras.backend.backend() == "tensorflow":
                import tensorflow as tf

                fn = tf.function(run, input_signature=[tf.TensorSpec([None, None, 4], tf.float32),
                                                       tf.TensorSpec([], tf.int32)], reduce_retracing=True)
                # one trace per layer by design: no "frequent retracing" warning (keyed by the code object)
                fn._omit_frequent_tracing_warning = True
            else:
                fn = run
            self._compiled[key] = fn
        return keras.ops.convert_to_numpy(fn(x, np.int32(window)))

    # ------------------------------------------------------------------ scoring
    def _strands(self, x: np.ndarray, p: DeepBindParams) -> np.ndarray:
        """Rows to score: the sequences (B, L, 4), then their reverse complements for RC models;
        with flank padding each row carries detector_len - 1 N's on both sides."""
        rows = np.concatenate([x, x[:, ::-1, ::-1]], axis=0) if p.reverse_complement else x
        if self.window_padding == "flank":
            m = p.detector_len
            rows = np.pad(rows, ((0, 0), (m - 1, m - 1), (0, 0)), constant_values=0.25)
        return np.ascontiguousarray(rows, dtype=np.float32)

    def _reduce_strands(self, scores: np.ndarray, n_seqs: int, p: DeepBindParams) -> np.ndarray:
        return np.maximum(scores[:n_seqs], scores[n_seqs:]) if p.reverse_complement else scores

    def _score_group(self, g: int, encoded, idx: np.ndarray, length: int, out: np.ndarray, bar) -> None:
        plist, cols = self.groups[g]
        p = plist[0]
        w = self.window_size if self.window_size is not None else p.default_window_size
        window = min(length, w)
        if window > self.max_window(p):
            raise ModelInputError(
                f"sequence {int(idx[0])} (length {length}): a window of {window} bases is more than the scorer holds at once for "
                f"model {p.model_id} (detector length {p.detector_len}, {p.num_detectors} detectors): at most "
                f"{self.max_window(p)} bases; give a smaller window size (--window-size)")
        nwin = length - window + 1
        frame = window + 2 * (p.detector_len - 1) if self.window_padding == "flank" else window
        strands = 2 if p.reverse_complement else 1
        divisor = float(length) if length > w else 1.0
        # models per call: as many as fit with one window per strand
        base = self._window_cost(p, window, 0)
        per_model = self._window_cost(p, window, 1) - base
        per_call = max(1, min(len(plist), (self.max_elements // strands - base) // per_model))
        for m0 in range(0, len(plist), per_call):
            m1 = min(len(plist), m0 + per_call)
            layer = self._layer(g, m0, m1)
            cost = self._window_cost(p, window, m1 - m0) * strands  # per window of one sequence
            seqs_per_call = self.max_elements // max(1, cost * nwin)
            if seqs_per_call >= 1:  # whole sequences, many at a time
                for s0 in range(0, len(idx), seqs_per_call):
                    rows = idx[s0 : s0 + seqs_per_call]
                    x = self._strands(np.stack([encoded[i] for i in rows]), p)
                    if self.average:
                        acc = np.add.accumulate(self._call(layer, x, window, True).astype(np.float64), axis=1)[:, -1]
                        y = (acc / divisor).astype(np.float32)
                    else:
                        y = self._call(layer, x, window, False)
                    out[np.ix_(rows, cols[m0:m1])] = self._reduce_strands(y, len(rows), p)
                    bar.update(len(rows) * (m1 - m0))
                continue
            # one long sequence at a time, in stretches of its windows
            wins_per_call = max(1, self.max_elements // cost)
            for i in idx:
                rows = self._strands(encoded[i][None], p)
                acc = np.zeros((len(rows), m1 - m0), np.float64)
                best = np.full((len(rows), m1 - m0), -np.inf, np.float32)
                for a in range(0, nwin, wins_per_call):
                    b = min(nwin, a + wins_per_call)
                    chunk = rows[:, a : b - 1 + frame]  # windows a .. b-1 and nothing else
                    if self.average:
                        scores = self._call(layer, chunk, window, True).astype(np.float64)
                        acc = np.add.accumulate(np.concatenate([acc[:, None], scores], axis=1), axis=1)[:, -1]
                    else:
                        best = np.maximum(best, self._call(layer, chunk, window, False))
                y = (acc / divisor).astype(np.float32) if self.average else best
                out[i, cols[m0:m1]] = self._reduce_strands(y, 1, p)[0]
                bar.update(m1 - m0)

    def score_encoded(self, encoded: Sequence[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(encoded), len(self.params)), dtype=np.float32)
        by_length = _by_length(encoded)
        with Progress(len(encoded) * len(self.params), "scoring with DeepBind models", unit="score") as bar:
            for length, idx in by_length.items():
                idx = np.asarray(idx)
                for g in range(len(self.groups)):
                    self._score_group(g, encoded, idx, length, out, bar)
        return out

    def score(self, sequences: Sequence[str]) -> np.ndarray:
        """Scores (num_sequences, num_models) for DNA/RNA strings of any lengths."""
        return self.score_encoded(encode(sequences))


def _single_strand(p: DeepBindParams) -> DeepBindParams:
    """``p`` as a single-strand model (the scorer scores the reverse complement as its own rows)."""
    import dataclasses

    return dataclasses.replace(p, reverse_complement=False)


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
