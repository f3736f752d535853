"""Filters → motifs by activation-based alignment, with each published rule as a named option.

For a convolution of any Keras model (default: its first ``Conv1D``; or a named layer, e.g. the
ReLU/BatchNorm output after a linear convolution as in Koo & Eddy), the model is run over a data
set in batches; for each filter, the input windows (the filter's receptive field, width W) at
the selected positions are added up into a position frequency matrix. Memory is bounded by the
batch size: activations are never held for the whole data set. Rules that need a data-wide
statistic (a filter's max or mean) make two passes.

Rules (``rule=``):

``"koo_eddy"`` — Koo & Eddy 2019 (p-koo/learning_sequence_motifs code/deepomics/visualize.py ``activation_pwm``):
    positions whose activation exceeds ``0.5 ×`` the filter's maximum over the whole data set;
    each window weighted by its activation; windows running over the sequence ends are
    zero-padded; each row of the PPM is divided by its summed counts — for one-hot inputs the
    sum of the weights of its non-padded positions, as the code divides (a row never covered is
    0, as the code's NaN → 0).
``"basset"`` (alias ``"ideeps"``) — Basset / iDeepS ``seq_motifs.py`` (xypan1232/iDeepS):
    threshold ``mean + 0.5·(max − mean)`` of all the filter's activations over the data set; every
    position above it is a site counted once; windows running over the ends are skipped; counts
    start at a pseudocount of 1 per letter, PPM = counts / (sites + A); filters with fewer than 10
    sites are flagged (``FilterMotifs.enough_sites``) and left out of MEME output, as the original
    left them out.
``"deepbind"`` (alias ``"danq"``) — DeepBind (Alipanahi 2015, Supplementary Notes §10.2), which
    DanQ says it followed: for each sequence, the window at the filter's *maximum* activation,
    counted once if that maximum is above 0 (the detector responded); ends zero-padded; rows
    normalised to 1.

Window (``window=``): by default a filter's window is its receptive field (the convolution's
width, placed as its padding places it). ``window=W`` instead cuts a fixed W-long window centred
on each activation position, ``[p - W//2, p + W - W//2)``, as Koo & Eddy's code does
(``activation_pwm(..., window=19)``) for every layer it analyses, 9- and 3-wide first layers and
deeper layers included; the layer must then have one output position per input position (no
pooling or stride before it).

Differences from the originals:
  * iDeepS hard-coded 7-letter k-mers (its filters are 10 wide) and read them from the unpadded
    sequence at a padded coordinate (an offset bug); we use the filter's true receptive field.
  * DeepBind's own motif-visualisation code is not public; the rule follows the paper's text.
  * Windows are read from the one-hot input as the model sees it; N positions (e.g. 0.25 rows)
    add their values to every letter.
  * Koo & Eddy's code divides a PPM row by the summed weights of the windows that cover it, an
    all-zero input row (N in the DeepSEA encoding) included, so its rows sum to less than 1 where
    windows cover N; here such a row adds nothing to the counts and the PPM rows sum to 1.

Output matrices are in the canonical order of the alphabet (A,C,G,T for DNA even when the model
reads A,G,C,T; A,C,G,U for RNA; F,T,I,H,M,S for structure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..data import Alphabet, get_alphabet
from ..errors import ModelInputError
from .batches import check_callable_source, input_batches
from .meme import MemeFile, Motif
from .pwm import canonical_alphabet, counts_to_ppm, information_content, reorder

RULES = ("koo_eddy", "basset", "deepbind")
_ALIASES = {"ideeps": "basset", "danq": "deepbind", "koo": "koo_eddy"}


def normalize_rule(rule: str) -> str:
    rule = _ALIASES.get(rule.lower(), rule.lower())
    if rule not in RULES:
        raise ValueError(f"unknown alignment rule {rule!r}; choose from {RULES + tuple(_ALIASES)}")
    return rule


@dataclass
class FilterMotifs:
    """Result of :func:`filter_motifs`; all matrices (F, W, A) in ``alphabet`` (canonical) order."""

    counts: np.ndarray
    ppm: np.ndarray
    nsites: np.ndarray  # sites (windows) counted per filter
    threshold: np.ndarray  # activation threshold used per filter
    max_activation: np.ndarray  # max activation per filter over the data
    alphabet: Alphabet
    rule: str
    layer: str
    min_sites: int = 1
    n_sequences: int = 0
    filter_names: list[str] = field(default_factory=list)

    def __post_init__(self):
        if not self.filter_names:
            self.filter_names = [f"filter{i}" for i in range(len(self.ppm))]

    @property
    def enough_sites(self) -> np.ndarray:
        return self.nsites >= self.min_sites

    def information_content(self) -> np.ndarray:
        """Total information content (bits) of each filter's PPM."""
        return information_content(self.ppm).sum(-1)

    def motifs(self, include_all: bool = False) -> list[Motif]:
        """:class:`Motif` objects (filters with fewer than ``min_sites`` sites skipped unless
        ``include_all``); ``nsites`` is the number of aligned windows."""
        out = []
        for i, name in enumerate(self.filter_names):
            if include_all or self.enough_sites[i]:
                out.append(Motif(name, self.ppm[i], nsites=int(self.nsites[i])))
        return out

    def meme(self, include_all: bool = False, background=None) -> MemeFile:
        from .meme import _default_strands

        return MemeFile(
            self.motifs(include_all),
            alphabet=self.alphabet.letters,
            strands=_default_strands(self.alphabet.letters),
            background=background,
            background_source="from uniform background" if background is None else "from the input sequences",
        )


@dataclass(frozen=True)
class ConvGeometry:
    """Where the filters of a layer look in the input: output position p covers input positions
    ``p - left .. p - left + width - 1``."""

    layer_name: str  # the layer whose output is read (activations)
    conv_name: str  # the Conv1D that defines the receptive field
    width: int
    left: int
    input_index: int  # which model input the convolution reads


def find_layer(model, layer: str | None = None):
    """The named layer, or the first ``Conv1D`` of the model (its outputs: activations (N, L', F))."""
    import keras

    if layer is not None:
        try:
            return model.get_layer(layer)
        except ValueError:
            names = [lay.name for lay in model.layers]
            raise ModelInputError(f"model {model.name!r} has no layer {layer!r}; layers: {names}") from None
    for lay in _all_layers(model):
        if isinstance(lay, keras.layers.Conv1D):
            return lay
    raise ModelInputError(f"model {model.name!r} has no Conv1D layer; name the layer to read "
                          "(keras-motifs motifs --layer NAME; layer= in Python)")


def _all_layers(model):
    import keras

    for lay in model.layers:
        if isinstance(lay, keras.Model):
            yield from _all_layers(lay)
        else:
            yield lay


def _upstream_conv(model, target):
    """The nearest Conv1D feeding ``target`` (breadth-first through the graph); error if none, or
    if two different convolutions are equally near (e.g. right after a concatenation)."""
    import keras

    frontier, seen = [target], {id(target)}
    while frontier:
        found, nxt = [], []
        for lay in frontier:
            for node in getattr(lay, "_inbound_nodes", []):
                for tensor in node.input_tensors:
                    op = tensor._keras_history.operation
                    if id(op) in seen:
                        continue
                    seen.add(id(op))
                    (found if isinstance(op, keras.layers.Conv1D) else nxt).append(op)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ModelInputError(
                f"layer {target.name!r} of model {model.name!r} is equally near to convolutions "
                f"{sorted(c.name for c in found)}; pass one of them as the layer"
            )
        frontier = nxt
    raise ModelInputError(f"layer {target.name!r} has no Conv1D before it in model {model.name!r}")


def conv_geometry(model, layer=None, input_index: int | None = None) -> ConvGeometry:
    """Receptive-field geometry of ``layer`` (a Conv1D, or a layer after one: the nearest Conv1D
    upstream of it in the model's graph defines the window; in a model with several branches
    that is the convolution of the layer's own branch): output position p of the layer's
    activations (N, L', F) covers input positions ``p - left .. p - left + width - 1`` of the
    one-hot input (N, L, A) number ``input_index``."""
    import keras

    target = find_layer(model, layer) if not hasattr(layer, "name") else layer
    conv = target if isinstance(target, keras.layers.Conv1D) else _upstream_conv(model, target)
    (width,) = conv.kernel_size
    (stride,) = conv.strides
    (dilation,) = conv.dilation_rate
    if stride != 1 or dilation != 1:
        raise ModelInputError(f"layer {conv.name!r}: strides {stride} / dilation {dilation} are not supported (need 1)")
    padding = conv.padding
    left = {"valid": 0, "same": (width - 1) // 2, "causal": width - 1}[padding]
    if input_index is None:
        conv_in = conv.input
        matches = [i for i, t in enumerate(model.inputs) if t is conv_in]
        if not matches:
            raise ModelInputError(
                f"layer {conv.name!r} does not read a model input directly (it is not a first-layer "
                "convolution); pass input_index= (Python) to read windows from a model input anyway"
            )
        input_index = matches[0]
    return ConvGeometry(target.name, conv.name, int(width), int(left), int(input_index))


def window_geometry(model, layer, window: int, input_index: int | None = None) -> ConvGeometry:
    """Geometry of a fixed ``window`` centred on each output position of ``layer`` (Koo & Eddy's
    ``activation_pwm``): output position p covers input positions ``p - window//2 ..
    p - window//2 + window - 1``. Any layer whose output has one position per input position
    (checked when the activations are read); ``input_index`` defaults to the input its nearest
    convolution reads, or the model's only input."""
    window = int(window)
    if window < 1:
        raise ValueError(f"window must be a positive number of positions, not {window}")
    target = find_layer(model, layer) if not hasattr(layer, "name") else layer
    if input_index is None:
        try:
            input_index = conv_geometry(model, target).input_index
        except ModelInputError:
            if len(model.inputs) != 1:
                raise ModelInputError(
                    f"layer {target.name!r} of model {model.name!r} does not sit on one model input; pass "
                    "input_index= to say which input the windows are read from") from None
            input_index = 0
    return ConvGeometry(target.name, target.name, window, window // 2, int(input_index))


def _activation_model(model, layer_name: str):
    import keras

    return keras.Model(model.inputs, model.get_layer(layer_name).output)


def _weights(act: np.ndarray, rule: str, threshold: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Per (sequence, position, filter) weights of the windows for one batch."""
    if rule == "koo_eddy":
        return np.where(act > threshold, act, 0.0).astype(np.float32)
    if rule == "basset":
        return ((act > threshold) & valid[None, :, None]).astype(np.float32)
    # deepbind: one window per (sequence, filter), at the max, if the max exceeds the threshold
    b, length, f = act.shape
    arg = act.argmax(1)  # (B, F)
    best = np.take_along_axis(act, arg[:, None, :], 1)[:, 0, :]
    w = np.zeros_like(act, dtype=np.float32)
    bi, fi = np.nonzero(best > threshold.reshape(1, -1))
    w[bi, arg[bi, fi], fi] = 1.0
    return w


def filter_motifs(
    model,
    data,
    layer: str | None = None,
    rule: str = "koo_eddy",
    alphabet: "str | Alphabet" = "ACGT",
    batch_size: int = 64,
    input_index: int | None = None,
    key: str | None = None,
    max_sequences: int | None = None,
    min_sites: int | None = None,
    threshold_fraction: float = 0.5,
    window: int | None = None,
) -> FilterMotifs:
    """Align input windows to the filters of a convolution and build one PFM/PPM per filter.

    Shapes: ``data`` one-hot (N, L, A) per model input; the layer's activations (N, L', F) (L' = L
    for a fixed ``window``); the result's ``counts``/``ppm`` (F, W, A) in the canonical order of
    ``alphabet`` (W = the receptive field or ``window``), ``nsites``/``threshold``/
    ``max_activation`` (F,).

    Args:
      model: a Keras model of the package (any model with a Conv1D).
      data: one-hot inputs (N, L, A) — see :mod:`keras_motifs.interpret.batches` (array, list of
        arrays, ``tf.data.Dataset``, callable); channel order = ``alphabet``.
      layer: the layer whose outputs are the activations (default: the first Conv1D). For a
        linear Conv1D followed by BatchNorm/ReLU (Koo & Eddy), name the ReLU layer.
      rule: ``"koo_eddy"``, ``"basset"`` (= ``"ideeps"``) or ``"deepbind"`` (= ``"danq"``).
      alphabet: the model's channel order, e.g. ``"AGCT"`` for DanQ; motifs come out canonical.
      batch_size: sequences per forward pass (memory ∝ batch × positions × filters).
      input_index: which model input holds the one-hot the windows are read from (default: the
        input the convolution reads).
      max_sequences: use only the first N sequences.
      min_sites: filters with fewer sites are flagged (default 10 for basset, 1 otherwise).
      threshold_fraction: the 0.5 of the koo_eddy and basset thresholds.
      window: a fixed window width centred on each activation position (Koo & Eddy's code: 19)
        instead of the convolution's receptive field; see the module docstring.
    """
    rule = normalize_rule(rule)
    check_callable_source(data)
    alpha = get_alphabet(alphabet)
    geo = conv_geometry(model, layer, input_index) if window is None else window_geometry(model, layer, window, input_index)
    act_model = _activation_model(model, geo.layer_name)
    n_filters = int(act_model.output.shape[-1])
    width, left = geo.width, geo.left
    if min_sites is None:
        min_sites = 10 if rule == "basset" else 1

    def batches():
        return input_batches(data, model, batch_size=batch_size, key=key, max_samples=max_sequences)

    def activations(inputs):
        out = act_model.predict_on_batch(inputs if len(inputs) > 1 else inputs[0])
        out = np.asarray(out)
        if out.ndim != 3:
            raise ModelInputError(f"layer {geo.layer_name!r} gives outputs of shape {out.shape}, expected (N, L, filters)")
        return out

    # Pass 1: data-wide statistics per filter.
    max_act = np.full(n_filters, -np.inf)
    total = np.zeros(n_filters)
    count = 0
    n_seq = 0
    if rule in ("koo_eddy", "basset"):
        for inputs in batches():
            act = activations(inputs)
            max_act = np.maximum(max_act, act.max((0, 1)))
            total += act.sum((0, 1), dtype=np.float64)
            count += act.shape[0] * act.shape[1]
        if count == 0:
            raise ModelInputError("the data source gave no sequences")
    if rule == "koo_eddy":
        threshold = threshold_fraction * max_act
    elif rule == "basset":
        mean = total / count
        threshold = mean + threshold_fraction * (max_act - mean)
    else:
        threshold = np.zeros(n_filters)

    # Pass 2: accumulate windows.
    counts = np.zeros((n_filters, width, len(alpha)), dtype=np.float64)
    nsites = np.zeros(n_filters, dtype=np.int64)
    deep_max = np.full(n_filters, -np.inf)
    for inputs in batches():
        act = activations(inputs)
        x = inputs[geo.input_index]
        if x.shape[-1] != len(alpha):
            raise ModelInputError(
                f"input {geo.input_index} has {x.shape[-1]} channels but alphabet {alpha.letters} has {len(alpha)}"
            )
        b, out_len, _ = act.shape
        seq_len = x.shape[1]
        if window is not None and out_len != seq_len:
            raise ModelInputError(
                f"layer {geo.layer_name!r} gives {out_len} positions for {seq_len} input positions: it is pooled or "
                "strided, so a fixed window cannot be centred on input positions")
        starts = np.arange(out_len) - left
        valid = (starts >= 0) & (starts + width <= seq_len)
        if rule == "deepbind":
            deep_max = np.maximum(deep_max, act.max((0, 1)))
        w = _weights(act, rule, threshold[None, None, :].astype(act.dtype), valid)
        nsites += (w > 0).sum((0, 1))
        # zero-pad the input so that every window start (>= -left) is inside the buffer
        pad_l, pad_r = left, max(0, out_len - left + width - seq_len)
        xp = np.pad(x, ((0, 0), (pad_l, pad_r), (0, 0)))
        w2 = w.reshape(b * out_len, n_filters)
        for k in range(width):
            xs = xp[:, k : k + out_len, :].reshape(b * out_len, -1)
            counts[:, k, :] += (w2.T @ xs).astype(np.float64)
        n_seq += b
    if rule == "deepbind":
        max_act = deep_max

    if rule == "koo_eddy":
        ppm = counts_to_ppm(counts, empty="zero")
    elif rule == "basset":
        ppm = counts_to_ppm(counts, pseudocount=1.0)
    else:
        ppm = counts_to_ppm(counts, empty="uniform")
    canon = canonical_alphabet(alpha)
    return FilterMotifs(
        counts=reorder(counts, alpha, canon),
        ppm=reorder(ppm, alpha, canon),
        nsites=nsites,
        threshold=np.asarray(threshold, dtype=np.float64),
        max_activation=max_act,
        alphabet=canon,
        rule=rule,
        layer=geo.layer_name,
        min_sites=min_sites,
        n_sequences=n_seq,
    )
