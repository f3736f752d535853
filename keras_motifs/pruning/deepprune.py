"""The Deepprune procedure and the variants the paper compares, as one driver.

For each round i = 1..k after the initial fit (klovbe/Deepprune ``prune_sim.py`` loop):

* ``deepprune``: prune the previous Deepprune model with the criterion (median rule), then
  fine-tune it at ``lr_init / decay_rate**i``. The model carries over to the next round.
* ``inter`` (Deepprune-inter): the pruned model of the round *before* fine-tuning.
* ``baseline_decay``: a freshly initialised model with the same kernel count, trained at the
  round's decayed learning rate (original mode 'init-decay').
* ``baseline``: the same fresh initial weights trained at ``lr_init`` (original mode 'init').
* ``reinit`` (lottery ticket): the *initial* weights of the round-0 model, restricted to the
  kernels Deepprune kept so far, trained at ``lr_init`` (original mode 'prune-reinit').

Round 0 (the full model trained at ``lr_init``) is reported as ``deepprune`` (and is the baseline
at the full kernel count). ``evaluate(model)`` is called on every trained / pruned model and its
dict is merged into that stage's record, so the caller decides what to measure (test AUC, ...).

``compact=True`` (default) rebuilds the pruned model with only its kept kernels after each prune
step (:func:`export_pruned` with a resized all-ones mask): the same function (tested) but 2-64x
less convolution work on a CPU. ``compact=False`` keeps the full-size model and the mask.
"""

from __future__ import annotations

import time
from typing import Callable

import keras
import numpy as np

from .fitting import fit_model
from .prune import export_pruned, find_mask_layer, prune_step, zero_masked
from .schedule import PruningSchedule

VARIANTS = ("deepprune", "inter", "baseline", "baseline_decay", "reinit")


def run_deepprune(
    build: Callable[..., keras.Model],
    x_train,
    y_train,
    schedule: PruningSchedule = PruningSchedule(),
    criterion: str = "weight",
    *,
    variants=VARIANTS,
    fit_cfg: dict | None = None,
    evaluate: Callable[[keras.Model], dict] | None = None,
    on_model: Callable[[str, int, keras.Model], None] | None = None,
    compact: bool = True,
    seed: int | None = None,
    baseline_max_kernels: int | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Run Deepprune (and the requested comparison variants); return one record per stage.

    Args:
      build: ``build(kernels=..., with_mask=...)`` returns an uncompiled Deepprune-style model.
      x_train, y_train: training arrays (the last ``validation_split`` is the validation set).
      schedule: kernel count, rounds and learning rates.
      criterion: ``"weight"``, ``"score"`` or ``"score_weight"``.
      variants: which of :data:`VARIANTS` to run (``deepprune`` always runs).
      fit_cfg: overrides of the fit settings (epochs, patience, batch size, ...).
      evaluate: ``evaluate(model) -> dict`` merged into each record.
      on_model: ``on_model(variant, round, model)`` after each stage (e.g. to save the model).
      seed: passed to ``keras.utils.set_random_seed`` before building the first model.
      baseline_max_kernels: run the baseline and reinit variants only at kernel counts up to
        this (to save time on a small machine); None = at every count.
    """
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise ValueError(f"unknown variants {sorted(unknown)}; choose from {VARIANTS}")
    say = log or (lambda msg: None)
    evaluate = evaluate or (lambda model: {})
    x_train = np.asarray(x_train)
    y_train = np.asarray(y_train).reshape(-1)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    records: list[dict] = []

    def record(variant, round_, model, fit_info=None):
        rec = {
            "variant": variant,
            "round": round_,
            "kernels": int(_n_kernels(model)),
            "criterion": criterion,
            **(fit_info or {}),
        }
        t0 = time.perf_counter()
        rec.update(evaluate(model))
        rec["eval_seconds"] = time.perf_counter() - t0
        records.append(rec)
        if on_model is not None:
            on_model(variant, round_, model)
        say(" ".join(f"{k}={_fmt(v)}" for k, v in rec.items()))

    model = build(kernels=schedule.kernels, with_mask=True)
    init_full = [np.array(w) for w in model.get_weights()]  # for lottery-ticket reinit
    alive = np.arange(schedule.kernels)  # indices (in the round-0 model) of the kept kernels
    info = fit_model(model, x_train, y_train, schedule.learning_rate(0), fit_cfg)
    record("deepprune", 0, model, info)

    for i in range(1, schedule.rounds + 1):
        lr = schedule.learning_rate(i)
        keep = prune_step(model, criterion, x_train, y_train)
        alive = alive[keep] if compact else np.flatnonzero(keep)
        n = int(keep.sum())
        if compact:
            model = export_pruned(model, with_mask=True, name=f"deepprune_{n}k")

        extra = baseline_max_kernels is None or n <= baseline_max_kernels
        if extra and ("baseline_decay" in variants or "baseline" in variants):
            base = build(kernels=n, with_mask=False)
            base_init = [np.array(w) for w in base.get_weights()]
            if "baseline_decay" in variants:
                info = fit_model(base, x_train, y_train, lr, fit_cfg)
                record("baseline_decay", i, base, info)
            if "baseline" in variants:
                base.set_weights(base_init)
                info = fit_model(base, x_train, y_train, schedule.lr_init, fit_cfg)
                record("baseline", i, base, info)

        if extra and "reinit" in variants:
            ticket = build(kernels=schedule.kernels, with_mask=True)
            ticket.set_weights(init_full)
            keep_full = np.zeros(schedule.kernels, dtype=bool)
            keep_full[alive] = True
            zero_masked(ticket, keep_full)
            if compact:
                ticket = export_pruned(ticket, with_mask=True, name=f"reinit_{n}k")
            info = fit_model(ticket, x_train, y_train, schedule.lr_init, fit_cfg)
            record("reinit", i, ticket, info)

        if "inter" in variants:
            record("inter", i, model)
        info = fit_model(model, x_train, y_train, lr, fit_cfg)
        record("deepprune", i, model, info)
    return records


def _n_kernels(model) -> int:
    try:
        return int(find_mask_layer(model).get_mask().sum())
    except Exception:
        conv = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)][0]
        return int(conv.filters)


def _fmt(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)
