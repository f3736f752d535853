"""Training DeepBind as the supplementary code's deepity trainer did (jisraeli/DeepBind code/libs/deepity/deepity: trainer, sgd).

One SGD run of a :func:`~keras_motifs.models.deepbind.DeepBind` model, step by step:

* mini-batches of ``batch_size`` consecutive rows in the order given, the same batches in the same
  order every epoch (deepity ``asbatches(batchsize, reshuffle=False)``; the last, shorter batch
  included); ``batch_order="epoch"`` draws a fresh seeded permutation every epoch instead;
* SGD with Nesterov momentum (``keras.optimizers.SGD(nesterov=True)``, the same update as
  deepity's ``gradstep``);
* the cost of deepity's ``nll`` loss node with reverse complements on: each batch holds the
  sequences *and* their reverse complements (2B rows), only the larger strand's output of each
  pair enters the loss, and the loss is the mean over all 2B rows — i.e. **half** the mean
  per-sequence negative log-likelihood. The max over strands is in the model (``StrandMax``), so
  the objective here is ``0.5 * mean BCE``;
* the L1 weight decay (the layers' ``kernel_regularizer`` terms, ``decay * sum|W|``) is added
  only from step ``weight_decay_start`` = 100 on (deepity ``sgd(weight_decay_start=100)``);
* the loss is computed from the logit (the output before the sigmoid), which is what deepity's
  loss gradient ``Z - Y`` is; evaluation (loss, AUC) also uses logits: with the paper's tiny
  initial weights the output stays within ~1e-7 of 0.5 for a while, below float32 resolution
  of a probability, while the logits still rank the sequences.

Validation loss is reported at ``checkpoints`` evenly spaced steps (deepity: 5).

The paper's protocol around it (``reproductions/deepbind.py``), as deepity's ``hypertrain`` and
kangaroo's ``calibrate``/``train`` ran it:

* :func:`cv_folds`: the peaks are shuffled once and cut into ``n_folds`` contiguous blocks
  (deepity ``data.shuffle()`` then ``data.split(fold, nfold - 1)``);
* :func:`augment`, applied to each fold's training peaks and to its validation peaks separately
  (hypertrain_worker: ``trdata.augmented(trdata)``, ``vadata.augmented(vadata)``): positives
  repeated to at least ``min_rows``, each copy followed by its own dinucleotide shuffle
  (deepbind_util ``_augment_seqdata``);
* :func:`calibrate`: random settings, M1 then M2; every (setting, checkpoint step) is one
  candidate (hypertrain ``add_hparam_metrics`` sets ``trainer:max_steps`` to the step) scored by
  the mean over folds of the validation loss at that step on the whole validation fold
  (training_report ``combined()``), and :func:`choose` takes the lowest (hpsearch
  ``get_best_sample``);
* :func:`train_and_test`: the chosen setting trained ``final_trials`` times for the chosen number
  of steps on all peaks (each trial on its own shuffle of the peaks), the trial with the lowest
  loss on its whole training set kept (kangaroo ``train``), test AUC of the logit;
* :func:`released_model_id` / :func:`released_auc`: the original's own model of an experiment
  among the 927 released ones, scored on the same test set;
* :func:`images` (mutation map and detector logos), :func:`read_published` and
  :func:`summary_table` (ours next to Supp. Table 4/5 and the released model).

Differences from the original (protocol):
  * Seeds: one seeded shuffle of the peaks per experiment and training set serves every
    calibration setting; deepity drew one (time-seeded) per job, i.e. one for the 15 M1 and one
    for the 15 M2 settings, which it trained side by side on the same batches.
  * Settings: the ``n_calib`` calibration settings are drawn from the seed and the training set
    alone, so every experiment of a training set is calibrated over the same draws (reproducible);
    the original's draws were time-seeded, fresh for every job.
  * The first copy of every positive is paired with the TFDS builder's shuffle of it; further
    copies get new shuffles (the original drew a new shuffle for every copy, each time the data
    were augmented).
  * deepity's losses are means of per-batch means (a shorter last batch weighs as a full one);
    ours are means over rows.
  * deepity's ``max_steps = min(max_steps, max_epochs * batches)`` (500 epochs) is not applied;
    it does not bind at the paper's sizes (>= 3,125 batches per epoch).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

import keras
import numpy as np

# Row k of the table is the one-hot vector of base index k (A, C, G, T = 0..3; N = 4 and any
# other index = 0.25 each), as keras_motifs.data.indices_to_one_hot(x, 4, n_value=0.25).
_TABLE = np.concatenate([np.eye(4, dtype=np.float32), np.full((252, 4), 0.25, np.float32)])


def logit_model(model: keras.Model) -> keras.Model:
    """A model sharing ``model``'s weights that outputs the logit (before the sigmoid)."""
    return keras.Model(model.inputs[0], model.get_layer("strand_max").output, name=f"{model.name}_logit")


def _one_hot(x) -> np.ndarray:
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.integer):
        return _TABLE[x]
    return x.astype(np.float32, copy=False)


def predict_logits(model: keras.Model, x, batch_size: int = 512) -> np.ndarray:
    """Logits (B,) of ``model`` for one-hot (B, L, 4) or base-index (B, L) sequences."""
    lm = logit_model(model)
    out = [keras.ops.convert_to_numpy(lm(_one_hot(x[i:i + batch_size]), training=False))
           for i in range(0, len(x), batch_size)]
    return np.concatenate(out)[:, 0] if out else np.zeros((0,), np.float32)


def nll(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of labels ``y`` under logistic outputs with ``logits``."""
    logits = np.asarray(logits, np.float64)
    y = np.asarray(y, np.float64).reshape(logits.shape)
    return float(np.mean(np.logaddexp(0.0, logits) - y * logits))


def batch_indices(n: int, batch_size: int, batch_order: str = "fixed", rng=None):
    """Row indices of the mini-batches, endlessly. ``"fixed"`` (deepity ``asbatches(batchsize,
    reshuffle=False)`` served by ``shuffled_repeat_iter``): batch k is rows ``k*batch_size`` ..
    ``(k+1)*batch_size - 1`` in the order given, the last one shorter, and the same batches come
    round in the same order every epoch. ``"epoch"``: a fresh permutation from ``rng`` every
    epoch, full batches only (the rows left over at an epoch's end are skipped)."""
    if batch_order not in ("fixed", "epoch"):
        raise ValueError(f"batch_order must be 'fixed' or 'epoch', not {batch_order!r}")
    if batch_order == "fixed":
        starts = range(0, n, batch_size)
        while True:
            for s in starts:
                yield np.arange(s, min(n, s + batch_size))
    rng = np.random.default_rng(rng)
    while True:
        order = rng.permutation(n)
        for s in range(0, max(n - batch_size, 0) + 1, batch_size):
            yield order[s:s + batch_size]


def fit_deepbind(
    model: keras.Model,
    x,
    y,
    *,
    steps: int,
    learning_rate: float,
    momentum: float,
    batch_size: int = 64,
    seed: int = 0,
    weight_decay_start: int = 100,
    checkpoints: int = 1,
    validation: tuple | None = None,
    on_checkpoint: Callable[[int, dict], None] | None = None,
    batch_order: str = "fixed",
) -> dict:
    """Train ``model`` in place for ``steps`` SGD steps; returns the history.

    Needs the TensorFlow backend (the step is a ``tf.function``).

    Args:
      x: base indices (N, L) (uint8; A, C, G, T = 0..3, N = 4) or one-hot (N, L, 4).
      y: labels (N,) in {0, 1}.
      validation: optional ``(x, y)`` evaluated at each checkpoint.
      on_checkpoint: called as ``on_checkpoint(step, record)`` after each checkpoint.
      batch_order: ``"fixed"`` (deepity): batch k holds rows ``k*batch_size ..`` in the order
        given, cycled epoch after epoch; ``"epoch"``: a fresh permutation (from ``seed``) every
        epoch, the rows left over at the end of one skipped.
    Returns ``{"steps": [...], "train_loss": [...], "val_loss": [...]}``: per checkpoint, the mean
    per-sequence NLL of the training batches since the previous checkpoint and (when
    ``validation`` is given) the validation NLL. Losses are per sequence (not halved) and
    exclude the weight decay.
    """
    if keras.backend.backend() != "tensorflow":
        raise NotImplementedError(f"fit_deepbind needs the TensorFlow backend; KERAS_BACKEND is {keras.backend.backend()!r}")
    import tensorflow as tf  # here, so that the models import without TensorFlow

    x = np.asarray(x)
    y = np.asarray(y, np.float32).reshape(-1)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"fit_deepbind: x has {len(x)} rows and y {len(y)}")
    indices = np.issubdtype(x.dtype, np.integer)
    lm = logit_model(model)
    optimizer = keras.optimizers.SGD(learning_rate=float(learning_rate), momentum=float(momentum), nesterov=True)
    variables = model.trainable_variables
    optimizer.build(variables)
    table = tf.constant(_TABLE)
    decay_on = tf.Variable(0.0, trainable=False, dtype=tf.float32)

    @tf.function(reduce_retracing=True)
    def train_step(xb, yb):
        xb = tf.gather(table, tf.cast(xb, tf.int32)) if indices else xb
        with tf.GradientTape() as tape:
            logits = lm(xb, training=True)[:, 0]
            per_seq = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=yb, logits=logits))
            cost = 0.5 * per_seq  # deepity: mean over 2B strand rows, the smaller strand masked out
            if lm.losses:
                cost = cost + decay_on * tf.add_n(lm.losses)
        grads = tape.gradient(cost, variables)
        optimizer.apply_gradients(zip(grads, variables))
        return per_seq

    rng = np.random.default_rng(seed)
    checkpoints = max(1, int(checkpoints))
    marks = [int(steps * (c + 1) / checkpoints) for c in range(checkpoints)]
    history = {"steps": [], "train_loss": [], "val_loss": []}
    batches = batch_indices(len(x), batch_size, batch_order, rng)
    running, count = 0.0, 0
    for step in range(int(steps)):
        if step == weight_decay_start:
            decay_on.assign(1.0)
        idx = next(batches)
        running += float(train_step(tf.constant(x[idx]), tf.constant(y[idx])))
        count += 1
        if step + 1 in marks:
            record = {"step": step + 1, "train_loss": running / max(count, 1)}
            history["steps"].append(step + 1)
            history["train_loss"].append(record["train_loss"])
            if validation is not None:
                record["val_loss"] = nll(predict_logits(model, validation[0]), validation[1])
                history["val_loss"].append(record["val_loss"])
            if on_checkpoint is not None:
                on_checkpoint(step + 1, record)
            running, count = 0.0, 0
    return history


# ------------------------------------------------------------------------ the paper's protocol
# training set -> (TFDS split, column of the published table): the top 500 odd peaks ("DeepBind")
# and all training peaks ("DeepBind*")
SETS = {"top500": ("train_top500", "DeepBind"), "all": ("train_all", "DeepBind*")}
# what a budget holds (the protocol's sizes; the paper's: 30 settings, 3 folds, 20000 (10000 for
# top500) calibration steps, 6 final trials, 100000 rows). ``final_steps`` None (the default):
# the final models train for the chosen checkpoint step; a number overrides it. ``val_rows`` 0
# (the default): the whole validation fold; a number: a seeded sample of that many rows.
BUDGET_KEYS = ("n_calib", "n_folds", "folds_run", "calib_steps", "final_steps", "final_trials", "min_rows",
               "batch_size", "val_rows", "redraw_if_stuck", "seed")
# The protocol's version, part of a result's settings: results of an earlier protocol are redone.
# 2: deepity's selection (fold mean at each checkpoint step; final training for the chosen step),
#    folds from one shuffle, augmentation after the split, fixed batch order.
PROTOCOL = 2
STUCK = float(np.log(2.0)) - 1e-3  # a validation NLL above this: still (nearly) the constant start


def augment(split: dict, min_rows: int, seed: int, peaks=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positives repeated to >= min_rows, each copy followed by its own dinucleotide shuffle
    (deepbind_util ``_augment_seqdata``: row 2j is positive ``j mod n``, row 2j + 1 a shuffle of it).

    ``split``: ``{"x": base indices (N, L), "y": labels (N,)}`` whose negatives are the builder's
    shuffles of the positives, in the same order. ``peaks``: the positives to use, in this order
    (indices into the positives; default all, in file order). Returns base indices (2R, L),
    labels (2R,) and the peak index of every row.
    """
    from ..data import decode, encode_indices, indices_to_one_hot
    from ..deepbind.shuffle import dinucleotide_shuffles

    pos = split["x"][split["y"] == 1]
    neg = split["x"][split["y"] == 0]
    peaks = np.arange(len(pos)) if peaks is None else np.asarray(peaks, dtype=np.int64)
    pos, neg = pos[peaks], neg[peaks]
    n = len(pos)
    if n == 0:
        raise ValueError("augment: no positives")
    rows = max(min_rows, n)
    reps = -(-rows // n)
    pos_strings = None
    xs_pos, xs_neg, pk = [], [], []
    for r in range(reps):
        take = min(n, rows - r * n)
        xs_pos.append(pos[:take])
        if r == 0:
            xs_neg.append(neg[:take])  # the builder's shuffles (stream 0)
        else:
            if pos_strings is None:
                pos_strings = decode(indices_to_one_hot(pos, 4), "ACGT")
            xs_neg.append(encode_indices(dinucleotide_shuffles(pos_strings[:take], seed=seed, stream=r), "ACGT"))
        pk.append(peaks[:take])
    xp, xn, pk = np.concatenate(xs_pos), np.concatenate(xs_neg), np.concatenate(pk)
    x = np.empty((2 * len(xp),) + xp.shape[1:], dtype=xp.dtype)
    x[0::2], x[1::2] = xp, xn
    y = np.tile(np.array([1, 0], np.float32), len(xp))
    return x, y, np.repeat(pk, 2)


def cv_folds(n_peaks: int, n_folds: int, rng) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(training peaks, validation peaks)`` of each fold: the peaks shuffled once and cut into
    ``n_folds`` contiguous blocks, fold f validating on block ``n_folds - 1 - f`` and training on
    the others in shuffled order (deepity ``data.shuffle()``, ``data.split(f, nfold - 1)``)."""
    perm = rng.permutation(n_peaks)
    at = [int(v) for v in np.linspace(0, n_peaks, n_folds + 1)]
    folds = []
    for f in range(n_folds):
        r = n_folds - 1 - f
        folds.append((np.concatenate([perm[:at[r]], perm[at[r + 1]:]]), perm[at[r]:at[r + 1]]))
    return folds


def to_one_hot(idx: np.ndarray) -> np.ndarray:
    from ..data import indices_to_one_hot

    return indices_to_one_hot(idx, 4, n_value=0.25)


def build_model(setting: dict):
    from ..models.deepbind import DeepBind

    preset = "deepbind_encode_hidden" if setting["num_hidden"] else "deepbind_encode"
    return DeepBind(preset, **{k: v for k, v in setting.items() if k not in ("learning_rate", "momentum")})


def train_once(setting: dict, x, y, steps: int, batch_size: int, seed: int, val=None, checkpoints: int = 5,
               weight_decay_start: int = 100):
    """Train one model for ``steps`` SGD steps (deepity's trainer, :func:`fit_deepbind`; rows in
    the order given, fixed batches). Returns ``(model, history)`` (see :func:`fit_deepbind`)."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_model(setting)
    hist = fit_deepbind(model, x, y, steps=steps, learning_rate=setting["learning_rate"],
                        momentum=setting["momentum"], batch_size=batch_size, seed=seed, checkpoints=checkpoints,
                        weight_decay_start=weight_decay_start, validation=val)
    return model, hist


def calibration_settings(n: int, rng) -> list[dict]:
    """``n`` random settings, the first half M1 (no hidden layer) and the rest M2 (32 hidden units),
    as kangaroo.calibrate gives each model config ``ncalib / len(cfgs)`` samples."""
    from ..models.deepbind import sample_setting

    settings = []
    for i in range(n):
        setting = sample_setting(rng)
        setting["num_hidden"] = 0 if i < (n + 1) // 2 else 32
        settings.append(setting)
    return settings


def choose(results: list[dict]) -> dict:
    """The calibration's choice: every (setting, checkpoint step) is a candidate scored by the
    mean over folds of the validation loss at that step; the lowest wins, the first of equal ones
    (hpsearch ``get_best_sample``; NaN skipped).

    ``results``: per setting ``{"setting", "steps": [s1, ...], "fold_losses": [[loss at s1, ...]
    per fold]}``. Returns ``{"index", "setting", "step", "val_loss"}``.
    """
    best = None
    for i, r in enumerate(results):
        mean = np.mean(np.asarray(r["fold_losses"], dtype=np.float64), axis=0)
        for step, loss in zip(r["steps"], mean):
            if np.isfinite(loss) and (best is None or loss < best["val_loss"]):
                best = {"index": i, "setting": r["setting"], "step": int(step), "val_loss": float(loss)}
    if best is None:
        raise ValueError("choose: no finite validation loss in the calibration")
    return best


def _compute(name: str, ident: dict, compute: Callable[[], dict]) -> dict:
    """The default ``store`` of :func:`calibrate` and :func:`train_and_test`: no cache."""
    return compute()


def calibrate(split: dict, budget: dict, rng, log=print, *, stacked: bool = False, store=None,
              checkpoint_dir=None):
    """Cross-validated calibration of ``budget["n_calib"]`` random settings on the raw training
    ``split`` (positives and the builder's shuffles); returns ``(choice, results)`` with the
    choice of :func:`choose` (setting and step).

    The folds (:func:`cv_folds`) are drawn once; each fold's training and validation peaks are
    augmented separately to ``min_rows`` positives. The first ``folds_run`` folds (default all)
    are trained, ``calib_steps`` steps each, and scored at 5 checkpoints on the whole augmented
    validation fold (``val_rows``: a seeded sample instead). ``redraw_if_stuck`` (not in the
    paper) draws further settings while none left the constant start (:data:`STUCK`).

    ``stacked``: train the settings of one architecture (M1: ``num_hidden`` 0; M2) on one fold
    as one :class:`~keras_motifs.training.stacked.StackedDeepBind` (as deepity's hypertrain ran
    the settings of a job side by side on the same batches): each model starts from the weights
    of its single run (the same seed, ``seed * 1000 + setting * 10 + fold``), sees the same
    batches and draws the same dropout masks; its losses agree with the single run's to float32
    rounding (not bitwise; ``keras_motifs.training.stacked``). The ``redraw_if_stuck`` draws
    are trained one at a time. ``store(name, ident, compute)``: how each unit of work (stacked:
    one architecture group on one fold, ``"calib.fold<f>.m<1|2>"``) is computed; the default
    computes it, a caller may return a cached result of the same ``ident`` instead (the result
    must survive a JSON round trip).

    ``checkpoint_dir`` (stacked only): each unit's training writes its state there at each of its
    5 checkpoints (``<name>.<digest of ident>.npz``, :meth:`StackedDeepBind.fit`'s
    ``checkpoint_path``), so that a unit stopped midway (hours at the paper's budget) continues
    from its last checkpoint; the file is deleted once ``store`` has the unit's result.
    """
    store = store or _compute
    n_folds, seed = budget["n_folds"], budget["seed"]
    n_peaks = int(np.sum(split["y"] == 1))
    settings = calibration_settings(budget["n_calib"], rng)
    folds = cv_folds(n_peaks, n_folds, np.random.default_rng([seed, 1]))
    n_run = min(budget["folds_run"] or n_folds, n_folds)
    fold_data = {}
    results = []

    def data_of(fold):
        if fold not in fold_data:
            tr, va = folds[fold]
            xtr, ytr, _ = augment(split, budget["min_rows"], seed, peaks=tr)
            xva, yva, _ = augment(split, budget["min_rows"], seed, peaks=va)
            if budget.get("val_rows") and len(xva) > budget["val_rows"]:
                keep = np.sort(np.random.default_rng([seed, fold]).choice(len(xva), budget["val_rows"], replace=False))
                xva, yva = xva[keep], yva[keep]
            fold_data[fold] = (xtr, ytr, xva, yva)
        return fold_data[fold]

    def run(ci, setting):
        fold_losses, steps = [], None
        for fold in range(n_run):
            xtr, ytr, xva, yva = data_of(fold)
            _, hist = train_once(setting, xtr, ytr, budget["calib_steps"], budget["batch_size"],
                                 seed=seed * 1000 + ci * 10 + fold, val=(xva, yva))
            fold_losses.append([float(v) for v in hist["val_loss"]])
            steps = [int(s) for s in hist["steps"]]
        results.append(_setting_result(setting, steps, fold_losses))
        log(f"    calib {ci + 1}/{len(settings)}: val loss {results[-1]['val_loss']:.4f} at step "
            f"{results[-1]['step']}  {_short(setting)}")

    if stacked:
        _calibrate_stacked(settings, budget, n_run, data_of, results, store, log, checkpoint_dir)
    else:
        for ci, setting in enumerate(settings):
            run(ci, setting)
    extra = 0
    while extra < budget["redraw_if_stuck"] and min(r["val_loss"] for r in results) > STUCK:
        from ..models.deepbind import sample_setting

        setting = sample_setting(rng)
        setting["num_hidden"] = 0 if extra % 2 == 0 else 32
        settings.append(setting)
        log(f"    no setting left ln 2 yet: extra draw {extra + 1}/{budget['redraw_if_stuck']}")
        run(len(settings) - 1, setting)
        extra += 1
    return choose(results), results


def _setting_result(setting: dict, steps: list, fold_losses: list) -> dict:
    """One setting's row of the calibration table (its fold mean at each checkpoint step)."""
    by_step = np.mean(np.asarray(fold_losses, dtype=np.float64), axis=0)
    k = int(np.nanargmin(by_step)) if np.isfinite(by_step).any() else len(by_step) - 1
    return {"setting": setting, "steps": steps, "fold_losses": fold_losses,
            "val_loss_by_step": [float(v) for v in by_step], "val_loss": float(by_step[k]), "step": steps[k]}


def calibration_groups(settings: list[dict]) -> list[tuple[str, list[int]]]:
    """The settings' indices grouped by architecture, M1 (no hidden layer) first: ``[("m1",
    [...]), ("m2", [...])]`` (a group only when it has settings)."""
    groups = [("m1", [i for i, s in enumerate(settings) if not s["num_hidden"]]),
              ("m2", [i for i, s in enumerate(settings) if s["num_hidden"]])]
    return [(g, idx) for g, idx in groups if idx]


def unit_checkpoint(checkpoint_dir, name: str, ident: dict) -> Path | None:
    """Where unit ``name`` of :func:`calibrate` keeps its training state: a file named by the
    unit and a digest of everything that decides it (another budget never meets its state)."""
    if checkpoint_dir is None:
        return None
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(ident, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Path(checkpoint_dir) / f"{name}.{digest}.npz"


def _calibrate_stacked(settings, budget, n_run, data_of, results, store, log, checkpoint_dir=None):
    """:func:`calibrate`'s settings trained as one stack per architecture and fold."""
    import time

    from ..training.stacked import StackedDeepBind

    seed = budget["seed"]
    fold_losses = [[] for _ in settings]
    steps_of = [None] * len(settings)
    for fold in range(n_run):
        for group, idx in calibration_groups(settings):
            seeds = [seed * 1000 + ci * 10 + fold for ci in idx]
            # everything that decides the unit: the group's settings and seeds, and the fold's data
            ident = {"fold": fold, "group": group, "settings": [settings[ci] for ci in idx], "seeds": seeds,
                     "calib_steps": budget["calib_steps"], "batch_size": budget["batch_size"], "checkpoints": 5,
                     **{k: budget[k] for k in ("n_folds", "min_rows", "val_rows", "seed")}}

            name = f"calib.fold{fold}.{group}"
            state = unit_checkpoint(checkpoint_dir, name, ident)

            def compute(idx=idx, seeds=seeds, fold=fold, state=state):
                xtr, ytr, xva, yva = data_of(fold)
                t0 = time.time()
                stack = StackedDeepBind([settings[ci] for ci in idx], seeds)
                if state is not None and state.exists():
                    log(f"    {state.stem.rsplit('.', 1)[0]}: continuing from its last checkpoint ({state.name})")
                hist = stack.fit(xtr, ytr, steps=budget["calib_steps"], batch_size=budget["batch_size"],
                                 checkpoints=5, validation=(xva, yva), checkpoint_path=state)
                per = [hist.model(i) for i in range(len(idx))]
                return {"steps": [int(v) for v in hist.steps], "val_loss": [p["val_loss"] for p in per],
                        "train_loss": [p["train_loss"] for p in per], "seconds": time.time() - t0,
                        "n_train_rows": len(xtr), "n_val_rows": len(xva)}

            got = store(name, ident, compute)
            if state is not None:
                state.unlink(missing_ok=True)  # the result is kept: its training state is not needed
            for j, ci in enumerate(idx):
                fold_losses[ci].append([float(v) for v in got["val_loss"][j]])
                steps_of[ci] = [int(v) for v in got["steps"]]
            best = min(min(v) for v in got["val_loss"])
            log(f"    calib fold {fold + 1}/{n_run} {group.upper()} x{len(idx)} (stacked): best val loss "
                f"{best:.4f} in {got.get('seconds', 0.0):.0f} s")
    if checkpoint_dir is not None and Path(checkpoint_dir).is_dir() and not any(Path(checkpoint_dir).iterdir()):
        Path(checkpoint_dir).rmdir()  # every unit stored: no training state left to continue from
    for ci, setting in enumerate(settings):
        results.append(_setting_result(setting, steps_of[ci], fold_losses[ci]))
        log(f"    calib {ci + 1}/{len(settings)}: val loss {results[-1]['val_loss']:.4f} at step "
            f"{results[-1]['step']}  {_short(setting)}")


def _short(s: dict) -> str:
    return (f"hidden={s['num_hidden']} drop={s['dropout']} lr={s['learning_rate']:.4g} mom={s['momentum']:.3f} "
            f"l1conv={s['conv_weight_decay']:.1e} l1full={s['dense_weight_decay']:.1e}")


def auc(model, test) -> float:
    """Test ROC AUC of the model's score (the logit, as the original predictor's raw output; the
    sigmoid of a barely trained model can be constant in float32 while its logits still rank)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(test["y"], predict_logits(model, test["x"])))


def weights_to_json(model: keras.Model) -> dict:
    """A model's weights as JSON (float32 bytes, base64): exact, ~14 kB for an M2 DeepBind."""
    import base64

    ws = [np.asarray(w, np.float32) for w in model.get_weights()]
    return {"shapes": [list(w.shape) for w in ws],
            "float32_base64": [base64.b64encode(np.ascontiguousarray(w).tobytes()).decode("ascii") for w in ws]}


def weights_from_json(model: keras.Model, data: dict) -> keras.Model:
    """Put the weights of :func:`weights_to_json` back into ``model`` (the same architecture)."""
    import base64

    ws = [np.frombuffer(base64.b64decode(b), np.float32).reshape(shape)
          for shape, b in zip(data["shapes"], data["float32_base64"])]
    model.set_weights(ws)
    return model


def train_and_test(split: dict, test: dict, budget: dict, training_set: str, log=print, label: str = "", *,
                   stacked: bool = False, store=None, checkpoint_dir=None):
    """The protocol for one experiment and training set: calibrate (setting and step), train the
    chosen setting ``final_trials`` times for the chosen step (``budget["final_steps"]``, when
    set, overrides it), each trial on its own shuffle of the peaks augmented to ``min_rows``, keep
    the trial with the lowest NLL on its whole training set (kangaroo ``train``: the ``loss``
    metric of the final checkpoint), test AUC. Returns (model, result); the result holds the AUC,
    the calibration table, the chosen step, the final steps and the training sizes (no published
    numbers). ``label`` starts the log lines (e.g. ``"<experiment> [top500]"``).

    ``stacked``: the calibration as :func:`calibrate`'s ``stacked``. The final trials stay single
    models (each trains on its own shuffle of the peaks, so they share no batch stream).
    ``store(name, ident, compute)``: as :func:`calibrate`'s, also for each final trial
    (``"final<t>"``: its training loss, test AUC and weights, :func:`weights_to_json`).
    ``checkpoint_dir``: as :func:`calibrate`'s (the calibration units' training states)."""
    persist = store is not None  # a caller's store keeps each trial's weights; the default, the models
    store = store or _compute
    seed = budget["seed"]
    n_peaks = int(np.sum(split["y"] == 1))
    rng = np.random.default_rng([seed, list(SETS).index(training_set)])
    log(f"{label or training_set}: {n_peaks} positives, folds of them augmented to >= {budget['min_rows']} rows")
    best, calib = calibrate(split, budget, rng, log, stacked=stacked, store=store, checkpoint_dir=checkpoint_dir)
    steps = int(budget.get("final_steps") or best["step"])
    log(f"    chosen: calibration {best['index'] + 1} at step {best['step']} (val loss {best['val_loss']:.4f}); "
        f"final training {steps} steps")
    trials, models = [], {}
    n_rows = None
    for t in range(budget["final_trials"]):
        ident = {"trial": t, "setting": best["setting"], "steps": steps, "seed": seed * 1000 + 500 + t,
                 "min_rows": budget["min_rows"], "batch_size": budget["batch_size"]}

        def compute(t=t):
            import time

            t0 = time.time()
            order = np.random.default_rng([seed, 500 + t]).permutation(n_peaks)  # deepity: data.shuffle()
            x, y, _ = augment(split, budget["min_rows"], seed, peaks=order)
            model, _ = train_once(best["setting"], x, y, steps, budget["batch_size"], seed=seed * 1000 + 500 + t,
                                  checkpoints=1)
            models[t] = model
            out = {"train_loss": nll(predict_logits(model, x), y), "test_auc": auc(model, test),
                   "n_training_rows": len(x), "seconds": time.time() - t0}
            return {**out, "weights": weights_to_json(model)} if persist else out

        got = store(f"final{t}", ident, compute)
        n_rows = got["n_training_rows"]
        trials.append((float(got["train_loss"]), t, got))
        log(f"    final trial {t + 1}/{budget['final_trials']}: training loss {got['train_loss']:.4f}, "
            f"test AUC {got['test_auc']:.4f}")
    train_loss, trial, kept = min(trials, key=lambda z: z[0])
    model = models.get(trial)
    if model is None:  # a trial finished in an earlier run: its stored weights
        keras.backend.clear_session()
        model = weights_from_json(build_model(best["setting"]), kept["weights"])
    result = {
        "test_auc": auc(model, test),
        "best_setting": best["setting"], "best_val_loss": best["val_loss"], "best_step": best["step"],
        "best_index": best["index"], "final_steps": steps,
        "calibration": calib, "final_trial": trial, "final_train_loss": float(train_loss),
        "final_trials_test_auc": [float(z[2]["test_auc"]) for z in trials], "n_training_rows": int(n_rows),
    }
    return model, result


def images(model, test, out_dir: Path, exp: str, tag: str, log=print) -> dict:
    """Mutation map of the highest-scoring test peak and logos of the 16 detectors."""
    written = {}
    try:
        from ..interpret import filter_motifs
        from ..interpret.logos import save_logo_grid
        from ..interpret.mutagenesis import deepbind_scaled, in_silico_mutagenesis, plot_mutation_map

        x = to_one_hot(test["x"])
        p = predict_logits(model, test["x"])
        best = int(np.argmax(np.where(test["y"] == 1, p, -np.inf)))
        # DeepBind's mutation map on the score (logit): (f(v) - f(r)) * max(0, f(r), f(v))
        delta = in_silico_mutagenesis(logit_model(model), x[best], alphabet="ACGT")
        effect = deepbind_scaled(np.float64(p[best]), delta + p[best])
        path = out_dir / f"{exp}.{tag}.mutation_map.png"
        plot_mutation_map(path, x[best], effect, alphabet="ACGT", title=f"{exp} ({tag}), test peak {best}")
        written["mutation_map"] = str(path)
        # the detectors on the unpadded sequence (a first-layer convolution for the aligner)
        conv = model.get_layer("motif_scan")
        copy = keras.layers.Conv1D(conv.filters, conv.kernel_size, activation="relu", name="motif_scan")
        inp = keras.Input(shape=(x.shape[1], 4))
        scan = keras.Model(inp, copy(inp))
        copy.set_weights(conv.get_weights())
        fm = filter_motifs(scan, x[test["y"] == 1], rule="deepbind", alphabet="ACGT", input_index=0)
        path = out_dir / f"{exp}.{tag}.logos.png"
        save_logo_grid(path, fm.motifs(include_all=True), alphabet="ACGT")
        written["logos"] = str(path)
    except Exception as exc:  # images are a by-product: report, never lose the AUCs
        log(f"    images failed: {type(exc).__name__}: {exc}")
        written["error"] = f"{type(exc).__name__}: {exc}"
    return written


def released_model_id(experiment: str, db=None) -> str | None:
    """The ID of the original's own model of an ENCODE experiment among the released DeepBind
    models (``keras_motifs.deepbind.Database``, default the shared copy): the ChIP-seq row of
    ``db.tsv``, not deprecated and with a parameter file, whose Path ends in the experiment's
    name (e.g. ``ARID3A_K562_ARID3A_(sc-8821)_Stanford`` -> ``D00736.002``, Path
    ``.../encode/best/final/ARID3A_K562_ARID3A_(sc-8821)_Stanford``); None when there is none.
    Of several, the one under ``/best/`` (then the lowest ID)."""
    from ..deepbind import Database

    db = Database() if db is None else db
    rows = [r for r in db.find(experiment="ChIP-seq")
            if r.path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] == experiment]
    if not rows:
        return None
    rows.sort(key=lambda r: ("/best/" not in r.path.replace("\\", "/"), r.id))
    return rows[0].id


def released_auc(model_id: str, sequences, labels, db=None) -> float:
    """Test ROC AUC of a released DeepBind model (the original's computation,
    ``keras_motifs.deepbind.Scorer``) on DNA strings ``sequences`` with 0/1 ``labels``."""
    from sklearn.metrics import roc_auc_score

    from ..deepbind import Database, Scorer

    db = Database() if db is None else db
    scores = Scorer([db.params(model_id)]).score(list(sequences))[:, 0]
    return float(roc_auc_score(np.asarray(labels), scores))


def read_published(path) -> dict:
    """Supp. Table 4/5 (``deepbind_encode_chipseq_auc.csv``): {experiment: row}."""
    with open(path, newline="") as fh:
        return {row["TF_CellLine_Antibody_Lab"]: row for row in csv.DictReader(fh)}


def published_auc(published: dict, experiment: str, training_set: str) -> float | None:
    """The paper's test AUC of ``experiment`` for a training set (None when the table lacks it)."""
    value = published.get(experiment, {}).get(SETS[training_set][1])
    return float(value) if value else None


def summary_table(experiments: list[str], results: dict, published: dict,
                  released: dict | None = None) -> tuple[list[str], dict]:
    """Ours next to the paper and the released model for every experiment: (markdown lines, summary).

    ``results``: {(experiment, training set): result file contents} of the finished units;
    ``released``: {experiment: {"model_id", "test_auc"}} of the released models scored. The
    summary holds the rows and, per training set, the means over experiments with both numbers;
    on all peaks also ours minus the released model, paired: the mean and the experiment most below.
    """
    released = released or {}
    rows = []
    for exp in experiments:
        row = {"experiment": exp}
        rel = released.get(exp)
        if rel is not None:
            row["released_model"], row["released"] = rel.get("model_id"), rel.get("test_auc")
        for key in SETS:
            row[key + "_published"] = published_auc(published, exp, key)
            r = results.get((exp, key))
            if r is not None:
                row[key] = r["test_auc"]
                if row[key + "_published"] is None:
                    row[key + "_published"] = r["published_auc"]
        rows.append(row)
    lines = ["\n| experiment | ours top500 | DeepBind (paper) | ours all | DeepBind* (paper) | released model |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        f = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        rel = f"{f(r.get('released'))} ({r['released_model']})" if r.get("released_model") else "—"
        lines.append(f"| {r['experiment']} | {f(r.get('top500'))} | {f(r.get('top500_published'))} | "
                     f"{f(r.get('all'))} | {f(r.get('all_published'))} | {rel} |")
    summary = {"rows": rows}
    for key in SETS:
        both = [r for r in rows if r.get(key) is not None and r.get(key + "_published") is not None]
        if both:
            d = [r[key] - r[key + "_published"] for r in both]
            summary[f"mean_diff_{key}"] = float(np.mean(d))
            summary[f"n_{key}"] = len(d)
            summary[f"mean_ours_{key}"] = float(np.mean([r[key] for r in both]))
            summary[f"mean_published_{key}"] = float(np.mean([r[key + "_published"] for r in both]))
            lines.append(f"{SETS[key][1]}: mean ours {summary[f'mean_ours_{key}']:.4f} vs published "
                         f"{summary[f'mean_published_{key}']:.4f}; mean difference {np.mean(d):+.4f} over {len(d)} experiments")
    rel = [r for r in rows if r.get("released") is not None]
    if rel:
        summary["mean_released"] = float(np.mean([r["released"] for r in rel]))
        summary["n_released"] = len(rel)
        lines.append(f"released models: mean test AUC {summary['mean_released']:.4f} over {len(rel)} experiments")
    paired = [r for r in rel if r.get("all") is not None]
    if paired:
        d = [r["all"] - r["released"] for r in paired]
        worst = paired[int(np.argmin(d))]
        summary.update(mean_all_vs_released=float(np.mean(d)), n_all_vs_released=len(d),
                       worst_vs_released=(worst["experiment"], float(min(d))))
        lines.append(f"all peaks vs the released models (the models the original trained on all peaks), {len(d)} "
                     f"experiments with both: mean ours {np.mean([r['all'] for r in paired]):.4f} vs released "
                     f"{np.mean([r['released'] for r in paired]):.4f} ({np.mean(d):+.4f}); most below its released "
                     f"model: {worst['experiment']} ({min(d):+.4f})")
    details = [detail_row(exp, key, results[(exp, key)]) for exp in experiments for key in SETS
               if "best_setting" in results.get((exp, key), {})]
    if details:
        summary["details"] = details
        lines += ["", "| experiment | set | chosen setting (calibration) | M1 / M2 settings below ln 2 | "
                      "final trials' test AUC (* = kept: lowest training loss) | unit seconds |", "|---|---|---|---|---|---|"]
        for d in details:
            c = d["chosen"]
            aucs = ", ".join(f"{a:.4f}" + ("*" if i == d["final_trial"] else "") for i, a in enumerate(d["final_trials_test_auc"]))
            secs = "—" if d["unit_seconds"] is None else f"{d['unit_seconds']:.0f}"
            lines.append(f"| {d['experiment']} | {d['training_set']} | {c['architecture']}, lr {c['learning_rate']:.4f}, "
                         f"mom {c['momentum']:.3f}, dropout {c['dropout']:g}, step {c['step']:,} of {c['calib_steps']:,} "
                         f"(val loss {c['val_loss']:.4f}) | {d['left_ln2']['M1']} / {d['left_ln2']['M2']} of "
                         f"{d['settings']['M1']} / {d['settings']['M2']} | {aucs} | {secs} |")
    return lines, summary


def detail_row(experiment: str, training_set: str, result: dict) -> dict:
    """What the calibration chose and how the final trials came out, from one result file:
    the chosen setting (architecture M1 = no hidden layer, M2 = hidden units; learning rate,
    momentum, dropout, checkpoint step, validation loss), how many settings of each architecture
    left the constant start (best validation loss below ln 2 - 0.001, :data:`STUCK`), the final
    trials' test AUCs with the kept one, and ``unit_seconds`` (the summed ``seconds`` of the
    run's unit files, when the result carries them; else None)."""
    def arch(setting):  # the paper's names: M1 without, M2 with the hidden layer
        return "M2" if setting["num_hidden"] else "M1"

    best = result["best_setting"]
    settings, left = {"M1": 0, "M2": 0}, {"M1": 0, "M2": 0}
    for c in result.get("calibration", []):
        settings[arch(c["setting"])] += 1
        left[arch(c["setting"])] += int(float(c["val_loss"]) < STUCK)
    return {
        "experiment": experiment, "training_set": training_set, "test_auc": result["test_auc"],
        "chosen": {"architecture": arch(best), "learning_rate": best["learning_rate"],
                   "momentum": best["momentum"], "dropout": best["dropout"], "step": result["best_step"],
                   "calib_steps": result["budget"]["calib_steps"], "val_loss": result["best_val_loss"]},
        "settings": settings, "left_ln2": left,
        "final_trials_test_auc": result.get("final_trials_test_auc", [result["test_auc"]]),
        "final_trial": result.get("final_trial", 0), "unit_seconds": result.get("unit_seconds"),
    }
