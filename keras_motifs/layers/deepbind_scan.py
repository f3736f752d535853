"""The DeepBind v0.1 predictor as a Keras layer (scores of the original C ``deepbind``).

:class:`DeepBindScan` holds ``num_models`` pretrained DeepBind models of the same shape, stacked,
and computes for a batch of one-hot sequences (bases A, C, G, T; N = 0.25 in every channel) the
score that the original executable prints:

1. windows: every subsequence of ``window_size`` bases (default ``int(1.5 * detector_len)``);
   a sequence not longer than the window is one window;
2. each window is padded with ``detector_len - 1`` N's on both sides ("full" convolution),
   convolved with the detectors, shifted by the thresholds and rectified;
3. pooling over all ``window + detector_len - 1`` positions: max, or interleaved
   ``[max_k, mean_k]`` per detector;
4. ``weights1``/``biases1``: the output when ``num_hidden`` = 0, otherwise a ReLU hidden layer
   followed by ``weights2``/``biases2``; raw score, no sigmoid;
5. the sequence score is the max over windows, or with ``average=True`` the *sum* over windows
   divided by the *sequence length* (the original's formula; it is not the mean over windows
   unless there is a single window, which is returned undivided);
6. reverse-complement models score ``max(forward, reverse complement)``.

``window_padding="flank"`` instead pads each window with the sequence around it (N only past
the sequence ends): the behaviour of the Kundaje-lab modification of the executable.

Differences from the original:
  * Arithmetic is float32 like the C code but summed in another order (convolution/GEMM), so
    scores differ in the last printed digit at most: max 1.6e-6 over 4 x 927 scores measured
    against the compiled original (docs/RESULTS.md).
  * The original's in-place reverse complement (a single-strand model listed after an odd number
    of reverse-complement models scores the reverse strand) is not reproduced here; the command
    has ``--emulate-strand-bug`` for it.
  * No 1,000-base limit on sequence length (a fixed buffer in the original).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="keras_motifs", name="DeepBindScan")
class DeepBindScan(keras.layers.Layer):
    """``num_models`` stacked DeepBind v0.1 predictors: (B, L, 4) one-hot -> (B, num_models)."""

    def __init__(
        self,
        num_models: int = 1,
        num_detectors: int = 16,
        detector_len: int = 24,
        has_avg_pooling: bool = False,
        num_hidden: int = 0,
        reverse_complement: bool = True,
        window_size: int | None = None,
        average: bool = False,
        window_padding: str = "N",
        **kwargs,
    ):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if window_padding not in ("N", "flank"):
            raise ValueError(f"window_padding must be 'N' or 'flank', got {window_padding!r}")
        if window_size is not None and int(window_size) < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}")
        self.num_models = int(num_models)
        self.num_detectors = int(num_detectors)
        self.detector_len = int(detector_len)
        self.has_avg_pooling = bool(has_avg_pooling)
        self.num_hidden = int(num_hidden)
        self.reverse_complement = bool(reverse_complement)
        self.window_size = None if window_size is None else int(window_size)
        self.average = bool(average)
        self.window_padding = window_padding

    @property
    def effective_window_size(self) -> int:
        return self.window_size if self.window_size is not None else int(self.detector_len * 1.5)

    def build(self, input_shape):
        k, d, m = self.num_models, self.num_detectors, self.detector_len
        h1 = d * (2 if self.has_avg_pooling else 1)
        h2 = self.num_hidden or 1
        self.detectors = self.add_weight(name="detectors", shape=(m, 4, k * d), initializer="zeros")
        self.thresholds = self.add_weight(name="thresholds", shape=(k * d,), initializer="zeros")
        self.weights1 = self.add_weight(name="weights1", shape=(k, h1, h2), initializer="zeros")
        self.biases1 = self.add_weight(name="biases1", shape=(k, h2), initializer="zeros")
        if self.num_hidden:
            self.weights2 = self.add_weight(name="weights2", shape=(k, self.num_hidden), initializer="zeros")
            self.biases2 = self.add_weight(name="biases2", shape=(k,), initializer="zeros")

    def set_params(self, params_list) -> None:
        """Load a list of :class:`~keras_motifs.deepbind.params.DeepBindParams` (same shape)."""
        if len(params_list) != self.num_models:
            raise ValueError(f"{len(params_list)} parameter sets for a layer of {self.num_models} models")
        for p in params_list:
            shape = (p.detector_len, p.num_detectors, p.has_avg_pooling, p.num_hidden, p.reverse_complement)
            mine = (self.detector_len, self.num_detectors, self.has_avg_pooling, self.num_hidden, self.reverse_complement)
            if shape != mine:
                raise ValueError(f"model {p.model_id} has shape {shape}, the layer {mine}")
        if not self.built:
            self.build((None, None, 4))
        self.detectors.assign(np.concatenate([p.detectors for p in params_list], axis=-1))
        self.thresholds.assign(np.concatenate([p.thresholds for p in params_list]))
        self.weights1.assign(np.stack([p.weights1 for p in params_list]))
        self.biases1.assign(np.stack([p.biases1 for p in params_list]))
        if self.num_hidden:
            self.weights2.assign(np.stack([p.weights2 for p in params_list]))
            self.biases2.assign(np.concatenate([p.biases2 for p in params_list]))

    def window_scores(self, x, window, flank_padded: bool = False):
        """Scores of every window of ``window`` bases of ``x``: (B, L, 4) -> (B, nwin, K).

        ``window`` (an int or a scalar tensor, at most L) is the window actually used, i.e.
        ``min(L, effective_window_size)`` for the whole sequence. With ``window_padding="N"`` each
        window is padded with ``detector_len - 1`` N's on both sides (nwin = L - window + 1); with
        ``flank_padded=True`` ``x`` already holds the ``detector_len - 1`` flanking positions on
        both sides of its windows (N past the sequence ends) and each frame is ``window +
        2 * (detector_len - 1)`` consecutive positions of ``x``. A window's score depends only on
        its own frame, so any stretch of a sequence, overlapping the next one by the frame length
        minus one, gives the same scores for its windows as the whole sequence does.
        """
        m = self.detector_len
        n = ops.shape(x)[1]
        frame = window + 2 * (m - 1) if flank_padded else window
        nwin = n - frame + 1
        idx = ops.expand_dims(ops.arange(nwin), 1) + ops.expand_dims(ops.arange(frame), 0)
        frames = ops.take(x, idx, axis=1)  # (B, nwin, frame, 4)
        if not flank_padded:
            frames = ops.pad(frames, [[0, 0], [0, 0], [m - 1, m - 1], [0, 0]], constant_values=0.25)
        batch = ops.shape(x)[0]
        frames = ops.reshape(frames, (batch * nwin, window + 2 * (m - 1), 4))
        z = ops.conv(frames, self.detectors, strides=1, padding="valid")  # (B*nwin, window+m-1, K*D)
        z = ops.relu(z + self.thresholds)
        k, d = self.num_models, self.num_detectors
        zmax = ops.reshape(ops.max(z, axis=1), (-1, k, d))
        if self.has_avg_pooling:
            zmean = ops.reshape(ops.mean(z, axis=1), (-1, k, d))
            pooled = ops.reshape(ops.stack([zmax, zmean], axis=-1), (-1, k, 2 * d))  # interleaved
        else:
            pooled = zmax
        h = ops.einsum("bki,kij->bkj", pooled, self.weights1) + self.biases1
        if self.num_hidden:
            score = ops.sum(ops.relu(h) * self.weights2, axis=-1) + self.biases2
        else:
            score = h[..., 0]
        return ops.reshape(score, (batch, nwin, k))

    def _score_windows(self, x):
        """(B, n, 4) -> (B, nwin, K) window scores and the divisor of the --average mode."""
        m = self.detector_len
        n = ops.shape(x)[1]
        w = self.effective_window_size
        we = ops.minimum(n, w)  # a sequence not longer than the window is a single window
        if self.window_padding == "N":
            score = self.window_scores(x, we)
        else:
            padded = ops.pad(x, [[0, 0], [m - 1, m - 1], [0, 0]], constant_values=0.25)
            score = self.window_scores(padded, we, flank_padded=True)
        divisor = ops.cast(ops.where(n > w, n, 1), score.dtype)
        return score, divisor

    def call(self, inputs):
        x = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        batch = ops.shape(x)[0]
        if self.reverse_complement:
            # bases A, C, G, T: the complement is the reversed channel order; N (0.25) stays N.
            x = ops.concatenate([x, ops.flip(ops.flip(x, axis=1), axis=2)], axis=0)
        windows, divisor = self._score_windows(x)
        if self.average:
            score = ops.sum(windows, axis=1) / divisor
        else:
            score = ops.max(windows, axis=1)
        if self.reverse_complement:
            score = ops.maximum(score[:batch], score[batch:])
        return score

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_models)

    def get_config(self):
        return {
            **super().get_config(),
            "num_models": self.num_models,
            "num_detectors": self.num_detectors,
            "detector_len": self.detector_len,
            "has_avg_pooling": self.has_avg_pooling,
            "num_hidden": self.num_hidden,
            "reverse_complement": self.reverse_complement,
            "window_size": self.window_size,
            "average": self.average,
            "window_padding": self.window_padding,
        }
