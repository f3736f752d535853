"""One Deepprune pruning step on a model with a ``MaskLayer``, and export to a plain smaller model.

The original code (klovbe/Deepprune ``prune_sim.py``, its pruning loop) prunes
structurally: it builds a new model with the kept kernels and copies ``conv kernel[:, :, keep]``,
``conv bias[keep]``, ``dense kernel[keep]`` and the dense bias into it. :func:`rebuild_and_copy` is
that procedure; :func:`prune_step` does the same thing with the mask layer; the two give the same
predictions (tests/test_pruning.py).
"""

from __future__ import annotations

import keras
import numpy as np

from ..errors import ModelInputError
from ..layers.mask import MaskLayer
from ..metrics.predict import predict_arrays
from .criteria import CRITERIA, median_keep, score_importance, score_weight_importance, weight_importance

SCORE_LAYER = "score"  # the global max pooling layer of the Deepprune model


def find_mask_layer(model) -> MaskLayer:
    masks = [layer for layer in model.layers if isinstance(layer, MaskLayer)]
    if len(masks) != 1:
        raise ModelInputError(f"model '{model.name}' has {len(masks)} MaskLayer(s); pruning needs exactly one")
    return masks[0]


def _conv_and_dense(model):
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    denses = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    if len(convs) != 1 or len(denses) != 1:
        raise ModelInputError(
            f"model '{model.name}': expected one Conv1D and one Dense layer (the Deepprune CNN), "
            f"found {len(convs)} and {len(denses)}"
        )
    return convs[0], denses[0]


def pooled_scores(model, x, batch_size: int = 256) -> np.ndarray:
    """Output of the global max pooling layer ('score'), i.e. each kernel's score ``u_k``."""
    try:
        score = model.get_layer(SCORE_LAYER)
    except ValueError:
        raise ModelInputError(f"model '{model.name}' has no layer named '{SCORE_LAYER}'") from None
    sub = keras.Model(model.inputs, score.output)
    return np.asarray(predict_arrays(sub, x, batch_size))


def kernel_importance(model, criterion: str = "weight", x=None, y=None, batch_size: int = 256) -> np.ndarray:
    """Importance of every kernel of ``model`` under ``criterion`` (see :mod:`.criteria`).

    The score criteria need the training data ``x`` and binary labels ``y``.
    """
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; choose from {CRITERIA}")
    _, dense = _conv_and_dense(model)
    w = dense.get_weights()[0]
    if criterion == "weight":
        return weight_importance(w)
    if x is None or y is None:
        raise ModelInputError(f"criterion {criterion!r} needs the training data x and labels y")
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ModelInputError(f"x has {len(x)} samples but y has {len(y)} labels")
    u = pooled_scores(model, x, batch_size)
    pos, neg = u[y == 1], u[y == 0]
    if criterion == "score":
        return score_importance(pos, neg)
    return score_weight_importance(pos, neg, w)


def prune_step(model, criterion: str = "weight", x=None, y=None, *, zero_pruned: bool = True) -> np.ndarray:
    """Prune ``model`` in place: mask the active kernels not strictly above the median importance.

    With ``zero_pruned`` the pruned kernels' conv weights, conv bias and dense weight are also set
    to zero (they no longer affect anything; zeroing keeps weight penalties, if any, equal to those
    of the rebuilt model). Returns the new boolean mask (length = the model's kernel count).
    """
    mask_layer = find_mask_layer(model)
    active = mask_layer.get_mask()
    importance = kernel_importance(model, criterion, x, y)
    keep = median_keep(importance, active)
    if zero_pruned:
        zero_masked(model, keep)
    else:
        mask_layer.set_mask(keep)
    return keep


def zero_masked(model, keep) -> None:
    """Set the mask to ``keep`` and zero the conv kernel, conv bias and dense weight of the rest."""
    keep = np.asarray(keep, dtype=bool)
    find_mask_layer(model).set_mask(keep)
    conv, dense = _conv_and_dense(model)
    cw = conv.get_weights()
    cw[0][..., ~keep] = 0.0
    if len(cw) > 1:
        cw[1][~keep] = 0.0
    conv.set_weights(cw)
    dw = dense.get_weights()
    dw[0][~keep] = 0.0
    dense.set_weights(dw)


def rebuild_and_copy(model, keep, *, with_mask: bool = False, name: str | None = None) -> keras.Model:
    """Build a model with only the ``keep`` kernels and copy their weights into it.

    This is the original code's pruning procedure (new smaller model; conv kernel[:, :, keep],
    conv bias[keep], BatchNorm statistics[keep], dense kernel[keep], dense bias unchanged). A
    ``MaskLayer`` in ``model`` is dropped, or kept resized to all ones with ``with_mask``.
    Works on linear (chain) models such as the Deepprune CNN.
    """
    keep = np.asarray(keep, dtype=bool).reshape(-1)
    conv, dense = _conv_and_dense(model)
    if keep.shape[0] != conv.filters:
        raise ModelInputError(f"keep mask has {keep.shape[0]} entries but the model has {conv.filters} kernels")
    n = int(keep.sum())
    if n == 0:
        raise ModelInputError("keep mask selects no kernel")
    if len(model.inputs) != 1:
        raise ModelInputError("rebuild_and_copy supports single-input chain models only")
    inp_layer = model.layers[0]
    inputs = keras.Input(shape=model.inputs[0].shape[1:], name=inp_layer.name)
    x = inputs
    for layer in model.layers[1:]:
        cfg = layer.get_config()
        weights = layer.get_weights()
        if layer is conv:
            cfg["filters"] = n
            new = type(layer).from_config(cfg)
            x = new(x)
            new.set_weights([weights[0][..., keep]] + ([weights[1][keep]] if len(weights) > 1 else []))
        elif isinstance(layer, keras.layers.BatchNormalization):
            new = type(layer).from_config(cfg)
            x = new(x)
            new.set_weights([w[keep] for w in weights])
        elif isinstance(layer, MaskLayer):
            if not with_mask:
                continue
            cfg["units"] = n
            new = MaskLayer.from_config(cfg)
            x = new(x)
            new.set_mask(np.ones(n, dtype=bool))
        elif layer is dense:
            new = type(layer).from_config(cfg)
            x = new(x)
            new.set_weights([weights[0][keep]] + weights[1:])
        else:
            new = type(layer).from_config(cfg)
            x = new(x)
            if weights:
                new.set_weights(weights)
    return keras.Model(inputs, x, name=name or f"{model.name}_{n}k")


def export_pruned(model, *, with_mask: bool = False, name: str | None = None) -> keras.Model:
    """Remove the masked kernels of ``model``: a plain smaller model with identical predictions."""
    keep = find_mask_layer(model).get_mask()
    return rebuild_and_copy(model, keep, with_mask=with_mask, name=name)
