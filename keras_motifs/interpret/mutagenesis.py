"""In-silico saturation mutagenesis (ISM), batched, and the DeepBind mutation map.

For a sequence of length L, every position is set to every other letter (3·L single-letter
variants for a one-hot sequence; 4·L where the position is N), the variants are predicted in a
few large batches (not one call per variant), and ``effect[p, a] = f(variant p→a) − f(reference)``
is returned as an (L, A) array (0 at the reference letter).

The mutation map (Alipanahi et al. 2015, Fig. 4; Supplementary Notes §10.1) shows the reference
letters with heights equal to their importance above a 4 × L heat map of the effect of every
substitution. DeepBind scales the effect of a substitution as
``Δ = (f(variant) − f(reference)) · max(0, f(reference), f(variant))`` so that changes at
non-binding sequences stay small (:func:`deepbind_scaled`); here a letter's importance is the
largest loss of score that mutating it can cause, ``max(0, −min_a Δ[p, a])`` (our choice for the
letter heights: the paper shows them without a formula).
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ..data import get_alphabet, reverse_complement
from ..errors import ModelInputError
from ..progress import Progress


def _predict(model, inputs: list[np.ndarray]) -> np.ndarray:
    out = model.predict_on_batch(inputs if len(inputs) > 1 else inputs[0])
    if isinstance(out, (list, tuple)):
        if len(out) != 1:
            raise ModelInputError("models with several outputs are not supported; wrap the one to explain")
        out = out[0]
    out = np.asarray(out, dtype=np.float64)
    return out.reshape(len(out), -1)


def _predict_fn(model, alphabet, rc_average: bool, input_index: int, other_inputs):
    def f(x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        inputs = [None] * (1 + len(other_inputs))
        others = [np.asarray(o)[rows] for o in other_inputs]
        pos = 0
        for i in range(len(inputs)):
            if i == input_index:
                inputs[i] = x
            else:
                inputs[i] = others[pos]
                pos += 1
        pred = _predict(model, inputs)
        if rc_average:
            inputs[input_index] = np.ascontiguousarray(reverse_complement(x, alphabet))
            pred = (pred + _predict(model, inputs)) / 2.0
        return pred
    return f


def one_hot_batch(x, alphabet: str, takes: str) -> tuple[np.ndarray, bool]:
    """``x`` as float32 (N, L, A) and whether one (L, A) sequence was given, checked: no strings,
    rank 2 or 3, finite numbers, as many channels as ``alphabet`` has letters. ``takes`` begins the
    messages (``"ISM takes"``, ``"attributions take"``)."""
    if isinstance(x, (str, bytes)) or (isinstance(x, (list, tuple)) and x and isinstance(x[0], (str, bytes))):
        raise ModelInputError(f"{takes} one-hot arrays (L, A) or (N, L, A); encode strings first with "
                              "keras_motifs.data.one_hot(sequences, alphabet)")
    try:
        x = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ModelInputError(f"{takes} one-hot arrays (L, A) or (N, L, A) of numbers: {exc}") from None
    if x.ndim not in (2, 3):
        raise ModelInputError(f"{takes} one-hot arrays (L, A) or (N, L, A); got shape {x.shape}")
    single = x.ndim == 2
    if single:
        x = x[None]
    if not np.isfinite(x).all():
        rec, pos, ch = (int(v) for v in np.argwhere(~np.isfinite(x))[0])
        raise ModelInputError(f"sequence {rec}: position {pos}, channel {ch} holds {x[rec, pos, ch].item()!r}, "
                              "not a finite number (NaN or infinity)")
    alpha = get_alphabet(alphabet)
    if x.shape[-1] != len(alpha):
        raise ModelInputError(f"sequences have {x.shape[-1]} channels, alphabet {alpha.letters} has {len(alpha)}")
    return x, single


def ism_predictions(
    model,
    x: np.ndarray,
    alphabet: str = "ACGT",
    batch_size: int = 256,
    rc_average: bool = False,
    input_index: int = 0,
    other_inputs: Sequence[np.ndarray] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Predictions for the references and all their single-letter variants.

    Args:
      x: one-hot (L, A) or (N, L, A) in the model's channel order ``alphabet``.
      rc_average: average each prediction with that of the reverse complement (DeepSEA/DanQ).
      input_index, other_inputs: for multi-input models, which input ``x`` is, and the other
        inputs (one row per sequence; held fixed while ``x`` is mutated).
    Returns:
      ``(ref (N, T), variants (N, L, A, T))``; ``variants[n, p, a]`` is the prediction with
      position p set to letter a (= ``ref[n]`` where that is the reference letter).
    """
    x, single = one_hot_batch(x, alphabet, "ISM takes")
    n, length, a = x.shape
    expected = model.inputs[input_index].shape
    if expected[1] is not None and expected[1] != length:
        raise ModelInputError(f"model input {input_index} takes length {expected[1]}, sequences have length {length}")
    if len(other_inputs) != len(model.inputs) - 1:
        raise ModelInputError(f"the model has {len(model.inputs)} inputs: pass the {len(model.inputs) - 1} other ones")
    predict = _predict_fn(model, get_alphabet(alphabet), rc_average, input_index, other_inputs)
    ref = np.concatenate([predict(x[i : i + batch_size], np.arange(i, min(i + batch_size, n)))
                          for i in range(0, n, batch_size)])
    n_targets = ref.shape[1]
    eye = np.eye(a, dtype=np.float32)
    # the variants to predict: (sequence, position, letter) where the letter differs from the row
    is_ref = (x[:, :, None, :] == eye[None, None]).all(-1)  # (N, L, A)
    todo = np.argwhere(~is_ref)
    variants = np.repeat(ref[:, None, None, :], length, 1).repeat(a, 2)  # (N, L, A, T)
    with Progress(len(todo), "in-silico mutagenesis", unit="variant") as bar:
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            k = len(chunk)
            if k < batch_size and len(todo) > batch_size:
                # pad the last chunk to the full batch size: one traced shape, no re-tracing
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], batch_size - k, 0)])
            batch = x[chunk[:, 0]].copy()
            batch[np.arange(len(chunk)), chunk[:, 1]] = eye[chunk[:, 2]]
            pred = predict(batch, chunk[:, 0])[:k]
            chunk = chunk[:k]
            variants[chunk[:, 0], chunk[:, 1], chunk[:, 2]] = pred
            bar.update(k)
    if single:
        return ref[0], variants[0]
    assert variants.shape == (n, length, a, n_targets)
    return ref, variants


def _select_target(values: np.ndarray, target, n_targets: int):
    if target == "all":
        return values
    if target is None:
        if n_targets != 1:
            raise ModelInputError(f"the model has {n_targets} outputs: choose one with target= (index) or 'all'")
        target = 0
    if not 0 <= int(target) < n_targets:
        raise ModelInputError(f"target {target} out of range: the model has {n_targets} outputs")
    return values[..., int(target)]


def in_silico_mutagenesis(
    model,
    x: np.ndarray,
    alphabet: str = "ACGT",
    target: "int | str | None" = None,
    batch_size: int = 256,
    rc_average: bool = False,
    input_index: int = 0,
    other_inputs: Sequence[np.ndarray] = (),
) -> np.ndarray:
    """Effect of every single-letter substitution: ``f(variant) − f(reference)``.

    Returns (L, A) for one sequence (L, A), (N, L, A) for N sequences; with ``target="all"`` a
    trailing axis of the model's outputs is kept. ``target`` (output index) is required for
    models with several outputs. Columns are in ``alphabet`` order (the model's channels).
    """
    ref, var = ism_predictions(model, x, alphabet, batch_size, rc_average, input_index, other_inputs)
    effect = var - ref[..., None, None, :]
    return _select_target(effect, target, ref.shape[-1])


def deepbind_scaled(ref: np.ndarray, variants: np.ndarray) -> np.ndarray:
    """DeepBind's mutation-map values ``(f(v) − f(r)) · max(0, f(r), f(v))``; ``ref`` broadcast
    over the (L, A) axes of ``variants`` (shapes as from :func:`ism_predictions` for one target)."""
    ref = np.asarray(ref, dtype=np.float64)
    r = ref[..., None, None] if ref.ndim == variants.ndim - 2 else ref
    return (variants - r) * np.maximum(0.0, np.maximum(r, variants))


def importance(effect: np.ndarray) -> np.ndarray:
    """Letter heights of the mutation map: the largest loss any substitution causes, ≥ 0; an
    ``effect`` (…, L, A) gives (…, L)."""
    return np.maximum(0.0, -np.asarray(effect).min(-1))


def plot_mutation_map(
    path: "str | os.PathLike",
    x: np.ndarray,
    effect: np.ndarray,
    alphabet: str = "ACGT",
    title: str | None = None,
    region: tuple[int, int] | None = None,
    dpi: int = 100,
) -> None:
    """Write the DeepBind-style mutation map of one sequence as a PNG (atomically).

    ``x``: the reference one-hot (L, A); ``effect``: (L, A) from :func:`in_silico_mutagenesis`
    (or :func:`deepbind_scaled`), both in ``alphabet`` order; rows of the heat map are shown in
    canonical order (A,C,G,T for DNA). ``region=(start, end)`` draws only those positions.
    """
    import pandas as pd
    from matplotlib.figure import Figure

    from .logos import _colors, _save, draw_logo
    from .pwm import canonical_alphabet, reorder

    alpha = get_alphabet(alphabet)
    canon = canonical_alphabet(alpha)
    x = reorder(np.asarray(x, dtype=np.float64), alpha, canon)
    effect = reorder(np.asarray(effect, dtype=np.float64), alpha, canon)
    if x.shape != effect.shape:
        raise ValueError(f"sequence {x.shape} and effect {effect.shape} shapes differ")
    start, end = region if region is not None else (0, len(x))
    if not 0 <= start < end <= len(x):
        raise ValueError(f"region {region} is outside the sequence (length {len(x)})")
    x, effect = x[start:end], effect[start:end]
    heights = x * importance(effect)[:, None]
    length = end - start
    fig = Figure(figsize=(max(4.0, 0.16 * length + 1.5), 2.6), dpi=dpi)
    gs = fig.add_gridspec(2, 2, height_ratios=[1.2, 1], width_ratios=[40, 1], hspace=0.05, wspace=0.02)
    ax_logo = fig.add_subplot(gs[0, 0])
    ax_map = fig.add_subplot(gs[1, 0], sharex=ax_logo)
    ax_bar = fig.add_subplot(gs[1, 1])
    df = pd.DataFrame(heights, columns=list(canon.letters), index=np.arange(start, end))
    draw_logo(df, ax_logo, color_scheme=_colors(canon.letters), show_spines=False)
    ax_logo.set_ylabel("importance", fontsize=7)
    ax_logo.tick_params(labelbottom=False, labelsize=6)
    lim = float(np.abs(effect).max()) or 1.0
    im = ax_map.imshow(effect.T, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                       extent=(start - 0.5, end - 0.5, len(canon) - 0.5, -0.5), interpolation="nearest")
    ax_map.set_yticks(range(len(canon)))
    ax_map.set_yticklabels(list(canon.letters), fontsize=7)
    ax_map.tick_params(labelsize=6)
    ax_map.set_xlabel("position", fontsize=7)
    fig.colorbar(im, cax=ax_bar).ax.tick_params(labelsize=6)
    if title:
        ax_logo.set_title(title, fontsize=9)
    _save(fig, path)


__all__ = ["ism_predictions", "in_silico_mutagenesis", "deepbind_scaled", "importance", "plot_mutation_map"]
