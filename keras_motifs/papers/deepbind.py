"""Training DeepBind as the supplementary code's deepity trainer did (ORIGINALS.md §5.2).

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
"""

from __future__ import annotations

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
