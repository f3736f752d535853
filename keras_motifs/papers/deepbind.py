"""Training DeepBind as the supplementary code's deepity trainer did (jisraeli/DeepBind code/libs/deepity/deepity: trainer, sgd).

One SGD run of a :func:`~keras_motifs.models.deepbind.DeepBind` model, step by step:

* mini-batches of ``batch_size`` rows, in a fresh seeded permutation every epoch;
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

The paper's protocol around it (``reproductions/deepbind.py``): :func:`augment` (positives
repeated, each copy with its own dinucleotide shuffle), :func:`calibrate` (random settings, M1 then
M2, cross-validated), :func:`train_and_test` (calibration, final trials, test AUC of the logit),
:func:`images` (mutation map and detector logos), :func:`read_published` and :func:`summary_table`
(ours next to Supp. Table 4/5).
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
) -> dict:
    """Train ``model`` in place for ``steps`` SGD steps; returns the history.

    Needs the TensorFlow backend (the step is a ``tf.function``).

    Args:
      x: base indices (N, L) (uint8; A, C, G, T = 0..3, N = 4) or one-hot (N, L, 4).
      y: labels (N,) in {0, 1}.
      validation: optional ``(x, y)`` evaluated at each checkpoint.
      on_checkpoint: called as ``on_checkpoint(step, record)`` after each checkpoint.
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
    order = rng.permutation(len(x))
    pos = 0
    running, count = 0.0, 0
    for step in range(int(steps)):
        if step == weight_decay_start:
            decay_on.assign(1.0)
        if pos + batch_size > len(order):
            order = rng.permutation(len(x))
            pos = 0
        idx = order[pos:pos + batch_size]
        pos += batch_size
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
# top500) calibration and final steps, 6 final trials, 100000 rows)
BUDGET_KEYS = ("n_calib", "n_folds", "folds_run", "calib_steps", "final_steps", "final_trials", "min_rows",
               "batch_size", "val_rows", "redraw_if_stuck", "seed")
STUCK = float(np.log(2.0)) - 1e-3  # a validation NLL above this: still (nearly) the constant start


def augment(split: dict, min_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positives repeated to >= min_rows, each copy with its own dinucleotide shuffle.

    ``split``: ``{"x": base indices (N, L), "y": labels (N,)}`` whose negatives are the builder's
    shuffles of the positives. Returns base indices (2R, L), labels (2R,) and the peak index of
    every row (for CV folds).
    """
    from ..data import decode, encode_indices, indices_to_one_hot
    from ..deepbind.shuffle import dinucleotide_shuffles

    pos = split["x"][split["y"] == 1]
    neg = split["x"][split["y"] == 0]
    n = len(pos)
    rows = max(min_rows, n)
    reps = -(-rows // n)
    pos_strings = decode(indices_to_one_hot(pos, 4), "ACGT")
    xs_pos, xs_neg, peaks = [], [], []
    for r in range(reps):
        take = min(n, rows - r * n)
        xs_pos.append(pos[:take])
        if r == 0:
            xs_neg.append(neg[:take])  # the builder's shuffles (stream 0)
        else:
            xs_neg.append(encode_indices(dinucleotide_shuffles(pos_strings[:take], seed=seed, stream=r), "ACGT"))
        peaks.append(np.arange(take))
    xp, xn, pk = np.concatenate(xs_pos), np.concatenate(xs_neg), np.concatenate(peaks)
    x = np.concatenate([xp, xn])
    y = np.concatenate([np.ones(len(xp)), np.zeros(len(xn))]).astype(np.float32)
    return x, y, np.concatenate([pk, pk])


def to_one_hot(idx: np.ndarray) -> np.ndarray:
    from ..data import indices_to_one_hot

    return indices_to_one_hot(idx, 4, n_value=0.25)


def build_model(setting: dict):
    from ..models.deepbind import DeepBind

    preset = "deepbind_encode_hidden" if setting["num_hidden"] else "deepbind_encode"
    return DeepBind(preset, **{k: v for k, v in setting.items() if k not in ("learning_rate", "momentum")})


def train_once(setting: dict, x, y, steps: int, batch_size: int, seed: int, val=None, checkpoints: int = 5,
               weight_decay_start: int = 100):
    """Train one model for ``steps`` SGD steps (deepity's trainer, :func:`fit_deepbind`).

    Returns (model, training loss over the last checkpoint interval, validation losses per checkpoint).
    """
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = build_model(setting)
    hist = fit_deepbind(model, x, y, steps=steps, learning_rate=setting["learning_rate"],
                        momentum=setting["momentum"], batch_size=batch_size, seed=seed, checkpoints=checkpoints,
                        weight_decay_start=weight_decay_start, validation=val)
    return model, hist["train_loss"][-1], hist["val_loss"]


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


def calibrate(x, y, peaks, budget: dict, rng, log=print):
    """Cross-validated calibration of ``budget["n_calib"]`` random settings; returns (best, all).

    Fold of a row: its peak index modulo ``n_folds`` (a peak's copies stay in one fold); the first
    ``folds_run`` folds are trained, ``calib_steps`` steps each, validation on at most ``val_rows``
    seeded rows of the held-out fold; a setting's score is the mean over folds of its best
    checkpoint's validation loss. ``redraw_if_stuck`` (not in the paper) draws further settings
    while none left the constant start (:data:`STUCK`).
    """
    n_folds, seed = budget["n_folds"], budget["seed"]
    settings = calibration_settings(budget["n_calib"], rng)
    results = []
    fold_of = peaks % n_folds

    def run(ci, setting):
        losses = []
        for fold in range(min(budget["folds_run"] or n_folds, n_folds)):
            tr, va = fold_of != fold, np.flatnonzero(fold_of == fold)
            if budget["val_rows"] and len(va) > budget["val_rows"]:
                va = np.sort(np.random.default_rng([seed, fold]).choice(va, budget["val_rows"], replace=False))
            _, _, vl = train_once(setting, x[tr], y[tr], budget["calib_steps"], budget["batch_size"],
                                  seed=seed * 1000 + ci * 10 + fold, val=(x[va], y[va]))
            losses.append(min(vl))
        results.append({"setting": setting, "val_loss": float(np.mean(losses)), "fold_losses": losses})
        log(f"    calib {ci + 1}/{len(settings)}: val loss {np.mean(losses):.4f}  {_short(setting)}")

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
    best = min(results, key=lambda r: r["val_loss"])
    return best, results


def _short(s: dict) -> str:
    return (f"hidden={s['num_hidden']} drop={s['dropout']} lr={s['learning_rate']:.4g} mom={s['momentum']:.3f} "
            f"l1conv={s['conv_weight_decay']:.1e} l1full={s['dense_weight_decay']:.1e}")


def auc(model, test) -> float:
    """Test ROC AUC of the model's score (the logit, as the original predictor's raw output; the
    sigmoid of a barely trained model can be constant in float32 while its logits still rank)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(test["y"], predict_logits(model, test["x"])))


def train_and_test(split: dict, test: dict, budget: dict, training_set: str, log=print, label: str = ""):
    """The protocol for one experiment and training set: augment, calibrate, train the best setting
    ``final_trials`` times (the lowest training loss kept), test AUC. Returns (model, result); the
    result holds the AUC, the calibration table and the training sizes (no published numbers).
    ``label`` starts the log lines (e.g. ``"<experiment> [top500]"``)."""
    seed = budget["seed"]
    x, y, peaks = augment(split, budget["min_rows"], seed)
    log(f"{label or training_set}: {int(split['y'].sum())} positives -> {len(x)} training rows")
    rng = np.random.default_rng([seed, list(SETS).index(training_set)])
    best, calib = calibrate(x, y, peaks, budget, rng, log)
    trials = []
    for t in range(budget["final_trials"]):
        model, train_loss, _ = train_once(best["setting"], x, y, budget["final_steps"], budget["batch_size"],
                                          seed=seed * 1000 + 500 + t)
        trials.append((train_loss, t, model))
    train_loss, trial, model = min(trials, key=lambda z: z[0])
    result = {
        "test_auc": auc(model, test),
        "best_setting": best["setting"], "best_val_loss": best["val_loss"],
        "calibration": calib, "final_trial": trial, "final_train_loss": train_loss,
        "n_training_rows": int(len(x)),
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


def read_published(path) -> dict:
    """Supp. Table 4/5 (``deepbind_encode_chipseq_auc.csv``): {experiment: row}."""
    with open(path, newline="") as fh:
        return {row["TF_CellLine_Antibody_Lab"]: row for row in csv.DictReader(fh)}


def published_auc(published: dict, experiment: str, training_set: str) -> float | None:
    """The paper's test AUC of ``experiment`` for a training set (None when the table lacks it)."""
    value = published.get(experiment, {}).get(SETS[training_set][1])
    return float(value) if value else None


def summary_table(experiments: list[str], results: dict, published: dict) -> tuple[list[str], dict]:
    """Ours next to the paper for every experiment: (markdown lines, summary).

    ``results``: {(experiment, training set): result file contents} of the finished units. The
    summary holds the rows and, per training set, the means over experiments with both numbers.
    """
    rows = []
    for exp in experiments:
        row = {"experiment": exp}
        for key in SETS:
            row[key + "_published"] = published_auc(published, exp, key)
            r = results.get((exp, key))
            if r is not None:
                row[key] = r["test_auc"]
                if row[key + "_published"] is None:
                    row[key + "_published"] = r["published_auc"]
        rows.append(row)
    lines = ["\n| experiment | ours top500 | DeepBind (paper) | ours all | DeepBind* (paper) |", "|---|---|---|---|---|"]
    for r in rows:
        f = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
        lines.append(f"| {r['experiment']} | {f(r.get('top500'))} | {f(r.get('top500_published'))} | "
                     f"{f(r.get('all'))} | {f(r.get('all_published'))} |")
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
    return lines, summary
