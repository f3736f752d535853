"""Attribution scores of one-hot sequences: saliency, input × gradient, integrated gradients,
DeepLIFT (rescale rule; DeepSHAP when averaged over shuffled references) and ISM, batched.

Every method takes a model with a single one-hot input ``(L, A)`` in its channel order
``alphabet``, sequences ``x`` (L, A) or (N, L, A), and one ``target``: the index of the output
(flattened) to explain; a model with one output needs none. Each returns an array of the shape
of ``x`` (per-letter scores, columns in ``alphabet`` order), as
:func:`~keras_motifs.interpret.mutagenesis.in_silico_mutagenesis` does:

``saliency``
    ∂f/∂x at the sequence (Simonyan et al. 2014; as DeepBind's/Basset's saliency maps), signed,
    at every letter.
``input_x_gradient``
    x · ∂f/∂x (Shrikumar et al. 2016): the gradient at the present letter.
``integrated_gradients``
    (x − x′) · ∫₀¹ ∂f/∂x(x′ + α(x − x′)) dα (Sundararajan et al. 2017), the integral as a
    midpoint Riemann sum of ``steps`` points, averaged over the baselines x′. Completeness: the
    scores sum to f(x) − mean f(x′) up to the quadrature error (shrinking with ``steps``).
``deeplift``
    (x − x′) · m, with m the DeepLIFT multipliers of the rescale rule (Shrikumar et al. 2017)
    backpropagated layer by layer, averaged over the baselines x′ (with shuffled baselines this
    is DeepSHAP's estimate, Lundberg & Lee 2017). Summation to delta holds exactly (to float
    rounding) for each baseline: the scores sum to f(x) − f(x′). See :func:`deeplift` for the
    layers supported; recurrent layers (LSTM, Bidirectional) are refused.
``ism``
    f(variant) − f(reference) for every single-letter substitution (the existing ISM).

Baselines (integrated gradients, DeepLIFT): ``"shuffle"`` — ``n_shuffles`` dinucleotide-shuffled
copies of each sequence (:func:`keras_motifs.data.dinucleotide_shuffles_one_hot`, seeded),
attributions averaged over them; ``"uniform"`` — every channel 1/A (0.25 for DNA); ``"zeros"``;
or an array (L, A), (N, L, A) or (N, K, L, A).

:func:`contributions` turns any method's scores into "attribution × one-hot" letter heights (one
value per position, at the present letter), as drawn by :func:`~keras_motifs.interpret.logos.
save_attribution_logo`: the scores at the present letter, except for saliency — the gradient
at the present letter minus the position's mean gradient (the correction of Majdandzic, Rajesh &
Koo 2023, Genome Biology 24:109) — and ISM — the mean loss of output when the letter is mutated,
f(reference) − mean f(variant) over the other letters.

Everything runs with TensorFlow ``GradientTape`` in batches of ``batch_size`` model inputs (for
integrated gradients the ``steps`` × baselines interpolated inputs of the sequences).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

from ..data.shuffle import dinucleotide_shuffles_one_hot
from ..errors import ModelInputError
from .mutagenesis import one_hot_batch

METHODS = ("saliency", "input_x_gradient", "integrated_gradients", "deeplift", "ism")
BASELINES = ("shuffle", "uniform", "zeros")


# --------------------------------------------------------------------------------------------
# inputs, targets, baselines


def check_model(model, method: str = "attribution") -> None:
    """A model with one input and one output tensor (ModelInputError otherwise)."""
    if len(model.inputs) != 1:
        raise ModelInputError(f"{method} needs a model with a single one-hot input; model {model.name!r} has "
                              f"{len(model.inputs)} inputs")
    if len(model.outputs) != 1:
        raise ModelInputError(f"{method}: model {model.name!r} has {len(model.outputs)} output tensors; wrap the one "
                              "to explain in a model of its own")


def output_count(model) -> int:
    """The number of values of the model's output per sequence (targets)."""
    return int(np.prod([d for d in model.outputs[0].shape[1:] if d is not None] or [1]))


def resolve_target(model, target) -> int:
    """The output index to explain: ``target``, or 0 for a model with one output."""
    n = output_count(model)
    if target is None:
        if n != 1:
            raise ModelInputError(f"model {model.name!r} has {n} outputs: choose the one to explain with target= "
                                  f"(0 to {n - 1})")
        return 0
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise ModelInputError(f"target must be an output index (an integer), got {target!r}")
    if not 0 <= int(target) < n:
        raise ModelInputError(f"target {target} out of range: model {model.name!r} has {n} outputs (0 to {n - 1})")
    return int(target)


def check_sequences(model, x, alphabet: str = "ACGT") -> tuple[np.ndarray, bool]:
    """``x`` as float32 (N, L, A) and whether one (L, A) sequence was given; ModelInputError for
    strings, wrong ranks, non-finite values, a channel count or length the model does not take."""
    x, single = one_hot_batch(x, alphabet, "attributions take")
    if len(x) == 0:
        raise ModelInputError("no sequences to explain (the array has 0 rows)")
    expected = tuple(model.inputs[0].shape)
    if len(expected) != 3:
        raise ModelInputError(f"model {model.name!r} takes inputs of shape {expected}, not one-hot sequences "
                              "(batch, length, channels)")
    if expected[-1] is not None and expected[-1] != x.shape[-1]:
        raise ModelInputError(f"model {model.name!r} reads {expected[-1]} channels, the sequences have {x.shape[-1]}")
    if expected[1] is not None and expected[1] != x.shape[1]:
        raise ModelInputError(f"model {model.name!r} takes length {expected[1]}, sequences have length {x.shape[1]}")
    return x, single


def make_baselines(x: np.ndarray, baseline="shuffle", n_shuffles: int = 10, seed: int = 0,
                   first_index: int = 0) -> np.ndarray:
    """Reference inputs for ``x`` (N, L, A) as (N, K, L, A): K dinucleotide shuffles of each
    sequence (``"shuffle"``, K = ``n_shuffles``, shuffle k of sequence i seeded by
    (seed, first_index + i, k)), 1/A everywhere (``"uniform"``), zeros (``"zeros"``), or a given
    array (L, A), (N, L, A) or (N, K, L, A)."""
    x = np.asarray(x, dtype=np.float32)
    n, length, a = x.shape
    if isinstance(baseline, str):
        if baseline == "shuffle":
            if isinstance(n_shuffles, bool) or not isinstance(n_shuffles, (int, np.integer)) or n_shuffles < 1:
                raise ModelInputError(f"n_shuffles must be a positive integer, got {n_shuffles!r}")
            return dinucleotide_shuffles_one_hot(x, int(n_shuffles), seed=seed,
                                                 first_index=first_index).astype(np.float32)
        if baseline == "uniform":
            return np.full((n, 1, length, a), 1.0 / a, np.float32)
        if baseline == "zeros":
            return np.zeros((n, 1, length, a), np.float32)
        raise ModelInputError(f"baseline must be one of {BASELINES} or an array, not {baseline!r}")
    b = np.asarray(baseline, dtype=np.float32)
    if b.shape == (length, a):
        b = np.broadcast_to(b, (n, 1, length, a))
    elif b.shape == (n, length, a):
        b = b[:, None]
    elif b.ndim != 4 or b.shape[0] != n or b.shape[2:] != (length, a):
        raise ModelInputError(f"baseline array of shape {b.shape} does not fit sequences {x.shape}: give (L, A), "
                              "(N, L, A) or (N, K, L, A)")
    if not np.isfinite(b).all():
        raise ModelInputError("the baseline array holds NaN or infinity")
    return np.ascontiguousarray(b, dtype=np.float32)


# --------------------------------------------------------------------------------------------
# gradients, batched


def _target_fn(model, target: int, forward: Callable | None = None):
    """A compiled function: inputs (B, L, A) -> (gradient of output[target] (B, L, A), output[target] (B,))."""
    import tensorflow as tf

    forward = forward or (lambda t: model(t, training=False))

    @tf.function(reduce_retracing=True)
    def grad(xb):
        with tf.GradientTape() as tape:
            tape.watch(xb)
            out = forward(xb)
            out = tf.reshape(tf.cast(out, tf.float32), (tf.shape(xb)[0], -1))[:, target]
        g = tape.gradient(out, xb)  # the sum over the batch: each row its own gradient
        if g is None:  # found while tracing: no differentiable path from the input to the output
            raise ModelInputError(f"model {model.name!r}: output {target} has no gradient with respect to the "
                                  "input (a layer such as k-mer counting uses argmax/integer codes); gradient "
                                  "methods cannot explain it, use ism")
        return g, out

    return grad


def _batched(fn, inputs: np.ndarray, batch_size: int, *more: np.ndarray):
    """Apply ``fn`` to batches of ``inputs`` (and of the arrays ``more``), the last batch padded to
    the full size (one traced shape); concatenate each returned array."""
    import tensorflow as tf

    outs = None
    total = len(inputs)
    for start in range(0, total, batch_size):
        stop = min(start + batch_size, total)
        k = stop - start
        chunk = [inputs[start:stop], *(m[start:stop] for m in more)]
        if k < batch_size and total > batch_size:
            chunk = [np.concatenate([c, np.repeat(c[-1:], batch_size - k, 0)]) for c in chunk]
        res = fn(*(tf.constant(c) for c in chunk))
        res = [np.asarray(r)[:k] for r in (res if isinstance(res, (tuple, list)) else (res,))]
        outs = [[r] for r in res] if outs is None else [o + [r] for o, r in zip(outs, res)]
    return [np.concatenate(o) for o in outs]


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ModelInputError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def _unbatch(scores: np.ndarray, single: bool) -> np.ndarray:
    return scores[0] if single else scores


def saliency(model, x, alphabet: str = "ACGT", target=None, batch_size: int = 128) -> np.ndarray:
    """∂ output[target] / ∂x at each sequence: (L, A) or (N, L, A), every letter (see the module
    docstring)."""
    check_model(model, "saliency")
    x, single = check_sequences(model, x, alphabet)
    t = resolve_target(model, target)
    g, _ = _batched(_target_fn(model, t), x, _check_batch_size(batch_size))
    return _unbatch(g, single)


def input_x_gradient(model, x, alphabet: str = "ACGT", target=None, batch_size: int = 128) -> np.ndarray:
    """x · ∂ output[target] / ∂x: (L, A) or (N, L, A)."""
    check_model(model, "input x gradient")
    x, single = check_sequences(model, x, alphabet)
    t = resolve_target(model, target)
    g, _ = _batched(_target_fn(model, t), x, _check_batch_size(batch_size))
    return _unbatch(g * x, single)


def _groups(x: np.ndarray, baseline, n_shuffles: int, seed: int, rows_per_sequence: int, batch_size: int):
    """(start, sequences, their baselines (g, K, L, A)) in groups of sequences whose
    ``rows_per_sequence`` × K model inputs fill about one batch: the baselines are made group by
    group (memory bounded), each shuffle seeded by its sequence's index in ``x``."""
    fixed = None if isinstance(baseline, str) else make_baselines(x, baseline)
    k = int(n_shuffles) if isinstance(baseline, str) and baseline == "shuffle" else (
        1 if fixed is None else fixed.shape[1])
    group = max(1, batch_size // max(1, rows_per_sequence * k))
    for start in range(0, len(x), group):
        xs = x[start : start + group]
        refs = fixed[start : start + group] if fixed is not None else make_baselines(xs, baseline, n_shuffles, seed,
                                                                                      first_index=start)
        yield start, xs, refs


def integrated_gradients(model, x, alphabet: str = "ACGT", target=None, baseline="shuffle", n_shuffles: int = 10,
                         steps: int = 50, batch_size: int = 128, seed: int = 0, return_predictions: bool = False):
    """Integrated gradients from ``baseline`` (averaged over its K references), ``steps`` midpoint
    Riemann points per reference: (L, A) or (N, L, A). With ``return_predictions``, also
    returns f(x) (N,) and f(x′) (N, K): the scores sum to about f(x) − mean f(x′)."""
    check_model(model, "integrated gradients")
    x, single = check_sequences(model, x, alphabet)
    t = resolve_target(model, target)
    batch_size = _check_batch_size(batch_size)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ModelInputError(f"steps must be a positive integer, got {steps!r}")
    alphas = ((np.arange(steps, dtype=np.float32) + 0.5) / steps)[:, None, None]  # midpoints
    fn = _target_fn(model, t)
    out = np.empty_like(x)
    fx, fr = [], []
    for start, xs, rs in _groups(x, baseline, n_shuffles, seed, steps, batch_size):
        diff = xs[:, None] - rs  # (g, K, L, A)
        path = rs[:, :, None] + alphas[None, None] * diff[:, :, None]  # (g, K, steps, L, A)
        g, _ = _batched(fn, path.reshape((-1,) + x.shape[1:]), batch_size)
        mean_grad = g.reshape(path.shape).mean(axis=2)  # (g, K, L, A)
        out[start : start + len(xs)] = (diff * mean_grad).mean(axis=1)
        if return_predictions:
            fx.append(_batched(fn, xs, batch_size)[1])
            fr.append(_batched(fn, rs.reshape((-1,) + x.shape[1:]), batch_size)[1].reshape(rs.shape[:2]))
    scores = _unbatch(out, single)
    if return_predictions:
        fx, fr = np.concatenate(fx), np.concatenate(fr)
        return (scores, fx[0], fr[0]) if single else (scores, fx, fr)
    return scores


# --------------------------------------------------------------------------------------------
# DeepLIFT (rescale rule), layer by layer through the Keras graph

# elementwise activations (by name) the rescale rule applies to
ELEMENTWISE = {
    "relu", "sigmoid", "tanh", "linear", "elu", "selu", "softplus", "softsign", "exponential", "swish", "silu",
    "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "relu6", "leaky_relu", "mish", "log_sigmoid", "celu",
    "hard_tanh", "soft_shrink", "hard_shrink", "tanh_shrink", "squareplus", "sparse_plus",
    "threshold_relu", "hard_sigmoid_keras2",  # keras_motifs.layers.activations
}
# layers linear (affine) in their input at inference, applied to each sequence alone: the
# DeepLIFT multipliers are their gradient
LINEAR_LAYERS = {
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "ActivityRegularization", "Flatten", "Reshape", "Permute", "RepeatVector", "Concatenate", "Add", "Subtract",
    "Average", "ZeroPadding1D", "Cropping1D", "UpSampling1D", "AveragePooling1D", "GlobalAveragePooling1D",
    "BatchNormalization", "Identity", "Normalization", "Rescaling",
    # keras_motifs.layers: reverse complement (a flip), N padding (a constant), a fixed mask, an
    # identity that adds a training loss
    "DeepBindReverseComplement", "ReverseComplement", "DeepBindNPadding", "NPadding", "MaskLayer",
    "L1ActivityPenalty",
}
# layers computing a linear function followed by their ``activation``
AFFINE_WITH_ACTIVATION = {"Dense", "Conv1D", "Conv2D", "L1OutputDense"}
# elementwise activation layers
ACTIVATION_LAYERS = {"Activation", "ReLU", "LeakyReLU", "ELU", "PReLU"}
# maxima over windows or axes: DeepLIFT's max rule (see _max_rule)
MAX_LAYERS = {"MaxPooling1D", "MaxPooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "DeepBindStrandMax",
              "StrandMax"}


def _activation_name(fn) -> str:
    import keras

    try:
        name = keras.activations.serialize(fn)
    except Exception:  # noqa: BLE001 - an unregistered callable: use its own name
        name = getattr(fn, "__name__", repr(fn))
    if isinstance(name, dict):  # a registered function: {"class_name": "function", "config": "name", ...}
        config = name.get("config")
        name = config if isinstance(config, str) else (config or {}).get("name") or name.get("class_name")
    return str(name).split(">")[-1]


def _layer_kind(layer) -> str:
    """'model', 'linear', 'affine', 'activation', 'max' or the reason the rescale rule does not fit."""
    import keras

    own = type(layer).__name__
    if isinstance(layer, keras.Model):
        return "model"
    if own == "InputLayer":
        return "linear"
    if own in LINEAR_LAYERS:
        return "linear"
    if own in MAX_LAYERS:
        return "max"
    if own in AFFINE_WITH_ACTIVATION:
        act = _activation_name(getattr(layer, "activation", None))
        if act not in ELEMENTWISE:
            return f"its activation {act!r} is not elementwise (softmax: explain a model without it)"
        return "affine"
    if own in ACTIVATION_LAYERS:
        if own == "Activation":
            act = _activation_name(layer.activation)
            if act not in ELEMENTWISE:
                return f"its activation {act!r} is not elementwise (softmax: explain a model without it)"
        return "activation"
    if own in ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN", "FusedBidirectionalLSTM", "ConvLSTM1D"):
        return "it is recurrent"
    return "the rescale rule is not implemented for this layer type"


def check_deeplift_model(model) -> None:
    """ModelInputError naming the first layer DeepLIFT's rescale rule cannot go through."""
    check_model(model, "DeepLIFT")
    for layer in _all_layers(model):
        kind = _layer_kind(layer)
        if kind not in ("model", "linear", "affine", "activation", "max"):
            raise ModelInputError(
                f"DeepLIFT (rescale) supports feed-forward models (Conv1D, Dense, elementwise activations, "
                f"max/average pooling, dropout, batch normalization, flatten/reshape/concatenate); layer "
                f"{layer.name!r} ({type(layer).__name__}) of model {model.name!r} cannot be explained: {kind}. "
                "Use integrated_gradients, input_x_gradient, saliency or ism for this model")


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers") and _layer_kind(layer) == "model":
            yield from _all_layers(layer)


def _split(t):
    import tensorflow as tf

    return tf.split(t, 2, axis=0)


def _rescale(f):
    """``f`` (elementwise) on the paired batch [x; x′] with the rescale rule as its gradient:
    multiplier (f(z) − f(z′)) / (z − z′), or f′ at the midpoint where z ≈ z′."""
    import tensorflow as tf

    @tf.custom_gradient
    def op(z2):
        y2 = f(z2)

        def grad(g2, variables=None):
            zx, zr = _split(z2)
            yx, yr = _split(y2)
            gx = _split(g2)[0]
            dz = zx - zr
            near = tf.abs(dz) < 1e-6
            mid = (zx + zr) / 2.0
            with tf.GradientTape() as tape:
                tape.watch(mid)
                fm = f(mid)
            slope = tape.gradient(fm, mid)
            slope = tf.zeros_like(mid) if slope is None else slope
            m = tf.where(near, slope, (yx - yr) / tf.where(near, tf.ones_like(dz), dz))
            gm = gx * m
            dx = tf.concat([gm, gm], axis=0)
            if variables:
                return dx, [tf.zeros_like(v) for v in variables]
            return dx

        return y2, grad

    return op


def _max_rule(f):
    """A max over windows/axes ``f`` on the paired batch [x; x′], with the rule: each output's
    contribution g · (y − y′) goes wholly to the arg-max input of x where y ≥ y′, else to the
    arg-max input of x′ (routed by the gradient of ``f`` at x or x′: a max pooling window sends it
    to one arg max, a global max shares it equally among tied maxima). An input gets a
    contribution only where x ≠ x′ (if y ≥ y′ the arg max a of x has x_a − x′_a ≥ y − y′ ≥ 0,
    and x_a = x′_a forces y = y′: nothing to route; likewise for y < y′), so dividing by
    x − x′ gives multipliers whose sum of contributions is exactly Σ g · (y − y′)."""
    import tensorflow as tf

    @tf.custom_gradient
    def op(x2):
        y2 = f(x2)

        def grad(g2):
            xx, xr = _split(x2)
            yx, yr = _split(y2)
            gx = _split(g2)[0]
            c = gx * (yx - yr)
            up = yx >= yr
            zero = tf.zeros_like(c)
            with tf.GradientTape(persistent=True) as tape:
                tape.watch(xx)
                tape.watch(xr)
                ox, orr = f(xx), f(xr)
            u = tape.gradient(ox, xx, output_gradients=tf.where(up, c, zero))
            v = tape.gradient(orr, xr, output_gradients=tf.where(up, zero, c))
            del tape
            dx = xx - xr
            same = tf.equal(dx, 0.0)
            m = tf.where(same, tf.zeros_like(dx), (u + v) / tf.where(same, tf.ones_like(dx), dx))
            return tf.concat([m, m], axis=0)

        return y2, grad

    return op


@contextlib.contextmanager
def _linear_activation(layer):
    """The layer with a linear activation for the duration (its pre-activation output)."""
    import keras

    saved = layer.activation
    layer.activation = keras.activations.linear
    try:
        yield layer
    finally:
        layer.activation = saved


def _call(layer, args, kwargs):
    if getattr(layer, "_call_has_training_arg", False):
        kwargs = {**kwargs, "training": False}
    return layer(*args, **kwargs)


def _wrap(layer):
    """The callable that stands for ``layer`` in the DeepLIFT pass over paired batches."""
    kind = _layer_kind(layer)
    if kind == "model":
        return lambda *args, **kwargs: _run_graph(layer, args[0] if len(args) == 1 else list(args))
    if kind == "linear":
        return lambda *args, **kwargs: _call(layer, args, kwargs)
    if kind == "max":
        return lambda *args, **kwargs: _max_rule(lambda t: _call(layer, (t,), kwargs))(args[0])
    if kind == "activation":
        return lambda *args, **kwargs: _rescale(lambda t: _call(layer, (t,), kwargs))(args[0])
    if kind == "affine":
        act = layer.activation

        def affine(*args, **kwargs):
            with _linear_activation(layer):
                z = _call(layer, args, kwargs)
            if _activation_name(act) == "linear":
                return z
            return _rescale(act)(z)

        return affine
    raise ModelInputError(f"DeepLIFT: layer {layer.name!r} ({type(layer).__name__}): {kind}")


def _run_graph(model, inputs):
    """Run ``model``'s layers on ``inputs`` with each layer replaced by its DeepLIFT stand-in."""
    import keras

    if isinstance(model, keras.Sequential):
        t = inputs
        for layer in model.layers:
            t = _wrap(layer)(t)
        return t
    if not hasattr(model, "_run_through_graph"):
        raise ModelInputError(f"DeepLIFT: model {model.name!r} ({type(model).__name__}) is not a functional or "
                              "sequential Keras model; subclassed models cannot be walked layer by layer")
    return model._run_through_graph(inputs if isinstance(inputs, (list, tuple)) else [inputs],
                                    operation_fn=_wrap)


def _deeplift_fn(model, target: int):
    """A compiled function (x (B, L, A), x′ (B, L, A)) -> (contributions (B, L, A), f(x), f(x′))."""
    import tensorflow as tf

    @tf.function(reduce_retracing=True)
    def fn(xb, rb):
        x2 = tf.concat([xb, rb], axis=0)
        with tf.GradientTape() as tape:
            tape.watch(x2)
            out = _run_graph(model, x2)
            if isinstance(out, (list, tuple)):
                out = out[0]
            out = tf.reshape(tf.cast(out, tf.float32), (tf.shape(x2)[0], -1))[:, target]
        g = tape.gradient(out, x2)
        if g is None:
            raise ModelInputError(f"DeepLIFT: output {target} of model {model.name!r} does not depend on its input")
        m = _split(g)[0]
        fx, fr = _split(out)
        return (xb - rb) * m, fx, fr

    return fn


def deeplift(model, x, alphabet: str = "ACGT", target=None, baseline="shuffle", n_shuffles: int = 10,
             batch_size: int = 128, seed: int = 0, return_predictions: bool = False):
    """DeepLIFT contributions (rescale rule), averaged over the K baselines: (L, A) or (N, L, A).

    The multipliers go back through the model layer by layer: linear layers (Conv1D/Dense before
    their activation, batch normalization at inference, dropout, flatten, reshape, concatenate,
    average pooling, padding, reverse complement, masks) by their gradient; elementwise
    activations by the rescale rule Δy/Δz; maxima (max pooling, global max pooling, DeepBind's
    strand max) by the max rule of :func:`_max_rule`. For each baseline the contributions sum
    exactly (to float rounding) to f(x) − f(x′) (summation to delta). Recurrent layers (LSTM,
    Bidirectional), softmax, multiplicative and unknown layers are refused with
    ModelInputError (use integrated gradients for them).

    With ``return_predictions``, also returns f(x) (N,) and f(x′) (N, K).
    """
    check_deeplift_model(model)
    x, single = check_sequences(model, x, alphabet)
    t = resolve_target(model, target)
    batch_size = _check_batch_size(batch_size)
    fn = _deeplift_fn(model, t)
    out = np.empty_like(x)
    fx, fr = [], []
    for start, xs, rs in _groups(x, baseline, n_shuffles, seed, 2, batch_size):  # x and x′ in one batch
        k = rs.shape[1]
        rep = np.repeat(xs, k, axis=0)  # (g·K, L, A), sequence-major like rs
        contrib, fxs, frs = _batched(fn, rep, max(1, batch_size // 2), rs.reshape(rep.shape))
        out[start : start + len(xs)] = contrib.reshape(rs.shape).mean(axis=1)
        fx.append(fxs.reshape(len(xs), k)[:, 0])
        fr.append(frs.reshape(len(xs), k))
    scores = _unbatch(out, single)
    if return_predictions:
        fx, fr = np.concatenate(fx), np.concatenate(fr)
        return (scores, fx[0], fr[0]) if single else (scores, fx, fr)
    return scores


# --------------------------------------------------------------------------------------------
# one entry point, letter heights


def attribute(model, x, method: str = "integrated_gradients", alphabet: str = "ACGT", target=None, *,
              baseline="shuffle", n_shuffles: int = 10, steps: int = 50, batch_size: int = 128,
              seed: int = 0) -> np.ndarray:
    """Scores of ``method`` (one of :data:`METHODS`) for ``x`` (L, A) or (N, L, A): an array of
    the same shape (see the module docstring; ``ism`` gives f(variant) − f(reference))."""
    if method not in METHODS:
        raise ModelInputError(f"unknown attribution method {method!r}; use one of {', '.join(METHODS)}")
    if method == "saliency":
        return saliency(model, x, alphabet, target, batch_size)
    if method == "input_x_gradient":
        return input_x_gradient(model, x, alphabet, target, batch_size)
    if method == "integrated_gradients":
        return integrated_gradients(model, x, alphabet, target, baseline, n_shuffles, steps, batch_size, seed)
    if method == "deeplift":
        return deeplift(model, x, alphabet, target, baseline, n_shuffles, batch_size, seed)
    from .mutagenesis import in_silico_mutagenesis

    check_model(model, "ISM")
    xs, single = check_sequences(model, x, alphabet)
    t = resolve_target(model, target)
    effect = in_silico_mutagenesis(model, xs, alphabet, target="all", batch_size=_check_batch_size(batch_size))
    return _unbatch(effect[..., t], single)


def contributions(scores: np.ndarray, x: np.ndarray, method: str) -> np.ndarray:
    """"Attribution × one-hot" letter heights (same shape as ``x``): the value of each position
    at its present letter, 0 elsewhere (see the module docstring for each method's value)."""
    scores = np.asarray(scores, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if scores.shape != x.shape:
        raise ModelInputError(f"scores {scores.shape} and sequences {x.shape} differ in shape")
    if method not in METHODS:
        raise ModelInputError(f"unknown attribution method {method!r}; use one of {', '.join(METHODS)}")
    if method == "saliency":
        return (scores - scores.mean(axis=-1, keepdims=True)) * x
    if method == "ism":
        present = x == 1.0
        n_alt = np.maximum(1, scores.shape[-1] - present.sum(axis=-1, keepdims=True))
        mean_loss = -(scores * ~present).sum(axis=-1, keepdims=True) / n_alt
        return mean_loss * present
    return scores * x


def per_base(scores: np.ndarray, x: np.ndarray, method: str) -> np.ndarray:
    """One score per position (…, L): the sum of :func:`contributions` over the letters."""
    return contributions(scores, x, method).sum(axis=-1)


__all__ = [
    "BASELINES",
    "METHODS",
    "attribute",
    "check_deeplift_model",
    "contributions",
    "deeplift",
    "input_x_gradient",
    "integrated_gradients",
    "make_baselines",
    "output_count",
    "per_base",
    "resolve_target",
    "saliency",
]
