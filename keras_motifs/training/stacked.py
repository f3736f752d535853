"""Many small models of one architecture trained as one: N DeepBind models in one graph.

DeepBind's calibration trains dozens of tiny models (M1: ~1,600 parameters) with different
hyperparameters on the same batches (jisraeli/DeepBind code/libs/deepity ``hypertrain``: every
setting of a fold sees the fold's rows in the same fixed batches). Trained one at a time, each
step of such a model is dominated by the per-step overhead of the framework, not by arithmetic.
:class:`StackedDeepBind` holds N models side by side and trains them in one step:

* the motif scan of all N models is one ``Conv1D`` with ``N * num_detectors`` output channels
  (model i owns channels ``i * F .. (i + 1) * F - 1``), called on both strands of the shared
  batch; pooling per channel; the dense layers are einsums over a model axis (kernels
  ``(N, F', H)``);
* dropout: model i draws its own masks from its own stream — exactly the stream its single
  Keras model would draw (``keras.layers.Dropout``'s seed generator: the state ``[s_i, 0]`` read
  from the model built with model i's seed, step t drawing with seed ``[s_i, t]``), so masks
  differ across models and each equals that of the model trained alone;
* the objective of each model is :func:`keras_motifs.papers.deepbind.fit_deepbind`'s (deepity's):
  ``0.5 * mean sigmoid cross-entropy of the logit + decay_on * (L1 terms)``, ``decay_on`` = 0
  before ``weight_decay_start``; the N objectives are summed (the parameters are disjoint, so
  each model's gradient is that of its own objective);
* the update is Keras's ``SGD(nesterov=True)`` written out with each model's own learning rate
  and momentum as vectors: ``m <- m * mu - g * lr``; ``w <- w + (m * mu - g * lr)`` — the same
  float32 operations, in the same order, as ``keras.optimizers.SGD.update_step``;
* several steps run inside one ``tf.function`` call (``steps_per_execution``), with the batch rows
  gathered in the graph from the training rows held as one tensor.

Initial weights: model i is built as the single-model path builds it
(``keras.backend.clear_session(); keras.utils.set_random_seed(seed_i)`` then the preset's builder
with the setting's fields, as ``keras_motifs.papers.deepbind.train_once``) and its weights copied
into the stack, so each stacked model starts from exactly the weights of its single run.

Equality with the single-model run (``tests/test_stacked_training.py``): with N = 1 the step's
operations are those of ``fit_deepbind`` (the same Keras ops for padding, convolution, bias, ReLU,
pooling, the dense layers and the strand max; scalar learning rate and momentum) and the weights
are bitwise equal for the first ``weight_decay_start`` steps (with or without dropout). From then
on the L1 term's gradient is added to the two strands' gradients of the shared kernel, and
TensorFlow's gradient tape sums the three in an order we do not reproduce: the weights differ in
the last float32 bit (~1e-9 absolute after 150 steps). With N > 1 the learning rate and momentum
are per-model vectors broadcast against the weights and the dense layers one matmul batched over
models; TensorFlow's CPU kernels round a product by a broadcast vector, and a batched matmul, in
the last bit differently from the scalar product and 2-D matmul (measured), so each model's
losses agree with its single run to ~1e-7 relative per step, not bitwise.

Validation rows that repeat (DeepBind's validation folds repeat every positive to ``min_rows``)
are scored once (:func:`unique_rows`): a row's logit does not depend on the other rows of its
batch, up to the last bit where the CPU kernels choose another blocking for another batch.

Per model: validation loss at each checkpoint, the best checkpoint (its step, loss and weights)
and, with ``patience``, early stopping (a stopped model's weights and velocities are frozen; the
run ends when all have stopped).

Resuming (``fit(checkpoint_path=...)``): at each checkpoint step the whole state of the run (the
weights, the velocities, the history so far, each model's best weights, its early-stopping
count) is written to one ``.npz`` file, atomically; a ``fit`` given the same path and the same
run (models, seeds, data, steps; checked) continues from the last checkpoint written, and ends
with the weights and history of the uninterrupted run, bit for bit: the batch stream restarts at
the step's batch (:func:`fixed_batches`), the dropout masks depend only on the step, and a block
of ``steps_per_execution`` steps never crosses a checkpoint.

Needs the TensorFlow backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np

# Row k: the one-hot vector of base index k (A, C, G, T = 0..3; N = 4 or any other = 0.25 each),
# as keras_motifs.papers.deepbind's table.
_TABLE = np.concatenate([np.eye(4, dtype=np.float32), np.full((252, 4), 0.25, np.float32)])

ARCHITECTURE_FIELDS = ("num_detectors", "detector_len", "pooling", "num_hidden", "sequence_length")
PER_MODEL_FIELDS = ("dropout", "conv_weight_decay", "conv_init_scale", "dense_weight_decay", "dense_init_scale",
                    "learning_rate", "momentum")


@dataclass
class StackedHistory:
    """What :meth:`StackedDeepBind.fit` returns; per-model arrays have the model axis last.

    ``steps``: checkpoint steps; ``train_loss`` (C, N): mean per-sequence NLL of the training
    batches since the previous checkpoint; ``val_loss`` (C, N) or None; ``step_loss`` (S, N) every
    step's training NLL when ``record_steps``; ``best_step``/``best_val_loss`` per model (None
    without validation); ``stopped_at``: the checkpoint step at which a model stopped early (None
    = ran to the end).
    """

    steps: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list | None = None
    step_loss: np.ndarray | None = None
    best_step: list | None = None
    best_val_loss: list | None = None
    stopped_at: list | None = None

    def model(self, i: int) -> dict:
        """Model ``i``'s history in :func:`~keras_motifs.papers.deepbind.fit_deepbind`'s form."""
        out = {"steps": list(self.steps), "train_loss": [float(v[i]) for v in self.train_loss],
               "val_loss": [float(v[i]) for v in self.val_loss] if self.val_loss is not None else []}
        if self.best_step is not None:
            out["best_step"], out["best_val_loss"] = self.best_step[i], self.best_val_loss[i]
        if self.stopped_at is not None:
            out["stopped_at"] = self.stopped_at[i]
        return out


def _nll(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean NLL per column of logits (R, N) for labels (R,), in float64 (as papers.deepbind.nll)."""
    logits = np.asarray(logits, np.float64)
    y = np.asarray(y, np.float64).reshape(-1, 1)
    return np.mean(np.logaddexp(0.0, logits) - y * logits, axis=0)


def unique_rows(x) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, index)``: the distinct rows of ``x`` (R, ...) and, for every row of ``x``, its
    row in them (``rows[index]`` is ``x``). DeepBind's validation folds repeat each positive peak
    to ``min_rows`` (hundreds of copies of each), so scoring the distinct rows once halves the
    validation pass. ``x`` itself (index ``arange``) when fewer than 10 % of its rows repeat."""
    x = np.asarray(x)
    flat = np.ascontiguousarray(x.reshape(len(x), -1))
    keys = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel() if flat.shape[1] else None
    if keys is None or len(x) == 0:
        return x, np.arange(len(x))
    _, first, index = np.unique(keys, return_index=True, return_inverse=True)
    if len(first) > 0.9 * len(x):
        return x, np.arange(len(x))
    return x[first], index.reshape(-1)


def fixed_batches(n: int, batch_size: int, start: int = 0):
    """deepity's ``asbatches(reshuffle=False)``: batch k is rows ``k*B .. (k+1)*B - 1`` (the last
    shorter), the same batches in the same order every epoch, endlessly. ``start``: begin with the
    stream's batch number ``start`` (counting from 0 over epochs), as after ``start`` steps."""
    per_epoch = -(-n // batch_size)
    first = (int(start) % per_epoch) * batch_size if per_epoch else 0
    while True:
        for s in range(first, n, batch_size):
            yield np.arange(s, min(n, s + batch_size))
        first = 0


class StackedDeepBind:
    """N DeepBind models of one architecture, trained as one (see the module docstring).

    Args:
      settings: one dict per model: the preset fields of the architecture (``num_hidden``...;
        must agree across models) and each model's own ``dropout``, ``conv_weight_decay``,
        ``conv_init_scale``, ``dense_weight_decay``, ``dense_init_scale``, ``learning_rate``,
        ``momentum`` (a calibration setting of :func:`keras_motifs.models.deepbind.sample_setting`);
        fields left out take the preset's values.
      seeds: one per model: the seed its single run would use (initial weights, dropout stream).
      preset: the registered DeepBind preset (default: ``deepbind_encode_hidden`` when
        ``num_hidden`` is non-zero, else ``deepbind_encode``).
      sequence_length: input length (default the preset's).
      exact_ties: pool with ``GlobalMaxPooling1D``'s ``reduce_max``, whose gradient is shared
        equally among positions tied for a detector's maximum; default: one ``max_pool1d`` over
        all positions (the same value; the whole gradient to the first maximal position), whose
        gradient is one kernel instead of five passes over the (B, positions, N*F) activations —
        1.6x faster at N = 90 (measured). The two differ only where a positive maximum is tied
        (a repeated 24-mer, or N runs, in a sequence); the equality tests hold for both.
    """

    def __init__(self, settings: list[dict], seeds: list[int], *, preset: str | None = None,
                 sequence_length: int | None = None, exact_ties: bool = False):
        if keras.backend.backend() != "tensorflow":
            raise NotImplementedError(f"StackedDeepBind needs the TensorFlow backend; KERAS_BACKEND is "
                                      f"{keras.backend.backend()!r}")
        from .. import registry

        settings = [dict(s) for s in settings]
        if not settings:
            raise ValueError("StackedDeepBind: no settings")
        if len(seeds) != len(settings):
            raise ValueError(f"StackedDeepBind: {len(settings)} settings but {len(seeds)} seeds")
        if preset is None:
            preset = "deepbind_encode_hidden" if settings[0].get("num_hidden") else "deepbind_encode"
        base = registry.get_preset(preset)
        training = base.pop("training", {})
        cfgs = []
        for i, s in enumerate(settings):
            unknown = sorted(k for k in s if k not in base and k not in training)
            if unknown:
                raise ValueError(f"StackedDeepBind: setting {i} has unknown fields {unknown}")
            cfg = {**base, "learning_rate": training.get("learning_rate"), "momentum": training.get("momentum"), **s}
            if sequence_length is not None:
                cfg["sequence_length"] = int(sequence_length)
            cfgs.append(cfg)
        for i, cfg in enumerate(cfgs[1:], start=1):
            differ = [k for k in ARCHITECTURE_FIELDS if cfg[k] != cfgs[0][k]]
            if differ:
                raise ValueError(f"StackedDeepBind: setting {i} differs from setting 0 in the architecture "
                                 f"({', '.join(f'{k}={cfg[k]!r} vs {cfgs[0][k]!r}' for k in differ)}); "
                                 "stack only models of one architecture")
        self.preset = preset
        self.settings = cfgs
        self.seeds = [int(s) for s in seeds]
        self.n = len(cfgs)
        c0 = cfgs[0]
        self.filters = int(c0["num_detectors"])
        self.width = int(c0["detector_len"])
        self.pooling = c0["pooling"]
        self.hidden = int(c0["num_hidden"])
        self.length = int(c0["sequence_length"])
        self.features = self.filters * (2 if self.pooling == "max_avg" else 1)
        self.exact_ties = bool(exact_ties)
        self._build(registry)

    # ------------------------------------------------------------------ weights
    def _model_fields(self, cfg: dict) -> dict:
        return {k: v for k, v in cfg.items() if k not in ("learning_rate", "momentum", "training")}

    def _build(self, registry) -> None:
        import tensorflow as tf

        kernels, biases, dense, dropout_seeds = [], [], [], []
        for cfg, seed in zip(self.settings, self.seeds):
            # as papers.deepbind.train_once builds the single model
            keras.backend.clear_session()
            keras.utils.set_random_seed(seed)
            model = registry.build(self.preset, **self._model_fields(cfg))
            k, b = model.get_layer("motif_scan").get_weights()
            kernels.append(k)
            biases.append(b)
            layers = (["hidden"] if self.hidden else []) + ["logit"]
            dense.append([model.get_layer(name).get_weights() for name in layers])
            gen = getattr(model.get_layer("dropout"), "seed_generator", None)  # none when the rate is 0
            dropout_seeds.append(int(gen.state.numpy()[0]) if gen is not None else 0)
        f32 = np.float32
        self._vars = {
            "conv_kernel": tf.Variable(np.concatenate(kernels, axis=-1), name="conv_kernel"),
            "conv_bias": tf.Variable(np.concatenate(biases), name="conv_bias"),
        }
        if self.hidden:
            self._vars["hidden_kernel"] = tf.Variable(np.stack([d[0][0] for d in dense]), name="hidden_kernel")
            self._vars["hidden_bias"] = tf.Variable(np.stack([d[0][1] for d in dense]), name="hidden_bias")
        self._vars["logit_kernel"] = tf.Variable(np.stack([d[-1][0] for d in dense]), name="logit_kernel")
        self._vars["logit_bias"] = tf.Variable(np.stack([d[-1][1] for d in dense]), name="logit_bias")
        self._names = list(self._vars)
        self._momenta = {k: tf.Variable(tf.zeros_like(v), name=k + "_momentum") for k, v in self._vars.items()}
        vec = lambda key: np.array([c[key] for c in self.settings], np.float64)
        self._rate = vec("dropout")
        self._dropout_seeds = np.array(dropout_seeds, np.int64)
        # per-model constants, shaped to broadcast against each variable (model axis as stored)
        lr, mu = vec("learning_rate").astype(f32), vec("momentum").astype(f32)
        self._per_var = {}
        for key, v in self._vars.items():
            if key.startswith("conv"):
                shape = (1,) * (len(v.shape) - 1) + (self.n * self.filters,)
                rep = lambda a, shape=shape: np.repeat(a, self.filters).reshape(shape)
            else:
                shape = (self.n,) + (1,) * (len(v.shape) - 1)
                rep = lambda a, shape=shape: a.reshape(shape)
            # the learning rate a variable, as Keras's optimizer holds it
            if self.n == 1:  # scalars, as Keras's SGD (a scalar learning-rate variable, a scalar momentum)
                self._per_var[key] = (tf.Variable(lr[0], trainable=False, name=key + "_lr"), mu[0])
            else:
                self._per_var[key] = (tf.Variable(rep(lr), trainable=False, name=key + "_lr"), rep(mu))
        self._l1_conv = vec("conv_weight_decay").astype(f32)
        self._l1_dense = vec("dense_weight_decay").astype(f32)
        self._table = tf.constant(_TABLE)
        self._train_fn = {}
        self._predict_fn = None

    def model_weights(self, i: int) -> dict:
        """Model ``i``'s current weights: ``{layer name: [kernel, bias]}`` of its single Keras model."""
        v = {k: var.numpy() for k, var in self._vars.items()}
        return self._slice(v, i)

    def _slice(self, v: dict, i: int) -> dict:
        sl = slice(i * self.filters, (i + 1) * self.filters)
        out = {"motif_scan": [v["conv_kernel"][..., sl], v["conv_bias"][sl]]}
        if self.hidden:
            out["hidden"] = [v["hidden_kernel"][i], v["hidden_bias"][i]]
        out["logit"] = [v["logit_kernel"][i], v["logit_bias"][i]]
        return out

    def _assign_model(self, i: int, weights: dict) -> None:
        v = {k: var.numpy() for k, var in self._vars.items()}
        sl = slice(i * self.filters, (i + 1) * self.filters)
        v["conv_kernel"][..., sl], v["conv_bias"][sl] = weights["motif_scan"]
        if self.hidden:
            v["hidden_kernel"][i], v["hidden_bias"][i] = weights["hidden"]
        v["logit_kernel"][i], v["logit_bias"][i] = weights["logit"]
        for k, var in self._vars.items():
            var.assign(v[k])

    def single_model(self, i: int, weights: dict | None = None) -> keras.Model:
        """Model ``i`` as its own Keras DeepBind model (for prediction, saving, images) holding
        its current weights (or ``weights``, e.g. a best checkpoint from :meth:`fit`)."""
        from .. import registry

        model = registry.build(self.preset, **self._model_fields(self.settings[i]))
        for name, w in (weights or self.model_weights(i)).items():
            model.get_layer(name).set_weights(w)
        return model

    # ------------------------------------------------------------------ forward
    def _forward(self, xb, training: bool, step=None):
        """Logits (B, N) of one-hot ``xb`` (B, L, 4); the ops mirror the Keras model's layers."""
        import tensorflow as tf
        from keras import ops

        v = self._vars
        b = tf.shape(xb)[0]
        strands = [xb, ops.flip(ops.flip(xb, axis=1), axis=2)]  # ReverseComplement
        # layer by layer over both strands, as the Keras functional model runs its nodes
        zs = [ops.pad(s, [[0, 0], [self.width - 1, self.width - 1], [0, 0]], constant_values=0.25) for s in strands]
        convs = []
        for z in zs:  # Conv1D (its call: conv, + bias, relu)
            z = ops.conv(z, v["conv_kernel"], strides=1, padding="valid")
            z = ops.add(z, ops.reshape(v["conv_bias"], (1, 1, self.n * self.filters)))
            convs.append(keras.activations.relu(z))
        pooled = []
        for z in convs:
            if self.exact_ties:  # GlobalMaxPooling1D's reduce_max (gradient split among tied maxima)
                m = ops.max(z, axis=1)
            else:  # one MaxPool over all positions: same value; gradient to the first maximum, one kernel
                m = tf.nn.max_pool1d(z, ksize=z.shape[1], strides=z.shape[1], padding="VALID")[:, 0]
            p = tf.reshape(m, (b, self.n, 1, self.filters))
            if self.pooling == "max_avg":
                a = tf.reshape(ops.mean(z, axis=1), (b, self.n, 1, self.filters))
                p = tf.concat([p, a], axis=-1)
            pooled.append(p)
        x = tf.concat(pooled, axis=2)  # (B, N, 2, F'): per model, the Keras model's (B, 2, F')
        if training and np.any(self._rate > 0):
            x = self._dropout(x, step)
        x = tf.transpose(x, (1, 0, 2, 3))  # (N, B, 2, F')
        if self.hidden:
            x = keras.activations.relu(self._dense(x, v["hidden_kernel"], v["hidden_bias"]))
        x = self._dense(x, v["logit_kernel"], v["logit_bias"])  # (N, B, 2, 1)
        return tf.transpose(ops.max(x, axis=2)[:, :, 0])  # StrandMax -> (B, N)

    def _dense(self, x, kernel, bias):
        """Each model's Dense on (N, B, 2, F'): kernel (N, F', H), bias (N, H). N = 1: the Keras
        Dense's own ops (``ops.matmul`` of (B, 2, F') by (F', H): a ``tensordot``, one 2-D matmul);
        N > 1: one matmul batched over the models ((N, 2B, F') by (N, F', H)), which may round the
        sums of F' products differently from the 2-D matmul in the last bit."""
        import tensorflow as tf
        from keras import ops

        if self.n == 1:
            return ops.add(ops.matmul(x[0], kernel[0]), bias[0])[None]
        shape = tf.shape(x)
        y = tf.matmul(tf.reshape(x, (self.n, -1, x.shape[-1])), kernel)
        y = tf.reshape(y, tf.concat([shape[:3], [kernel.shape[-1]]], axis=0))
        return ops.add(y, bias[:, None, None, :])

    def _dropout(self, x, step):
        """Each model's own mask (B, 1, F') from its Keras stream: seed [s_i, step], as
        ``tf.nn.experimental.stateless_dropout`` (scale, ``u >= rate``, where)."""
        import tensorflow as tf

        b = tf.shape(x)[0]
        masks = []
        for i in range(self.n):
            if self._rate[i] > 0:
                seed = tf.cast(tf.stack([tf.constant(self._dropout_seeds[i] % (2**31 - 2), tf.int64),
                                         tf.math.floormod(tf.cast(step, tf.int64), 2**31 - 2)]), tf.int32)
                u = tf.random.stateless_uniform(tf.stack([b, 1, self.features]), seed=seed, dtype=tf.float32)
                masks.append(u >= np.float32(self._rate[i]))
            else:
                masks.append(tf.ones(tf.stack([b, 1, self.features]), tf.bool))
        keep = tf.concat(masks, axis=1)[:, :, None, :]  # (B, N, 1, F'): one mask for both strands
        scale = (1.0 / (1.0 - self._rate)).astype(np.float32).reshape(1, self.n, 1, 1)
        return tf.where(keep, x * scale, tf.zeros((), x.dtype))

    def _l1(self):
        """Per-model L1 terms (N,), in the order of the Keras model's losses (conv, hidden, logit)."""
        import tensorflow as tf

        v = self._vars
        if self.n == 1:  # the Keras regularizers' own ops: l1 * sum(|W|) with l1 a scalar
            from keras import ops

            keys = ["conv_kernel"] + (["hidden_kernel"] if self.hidden else []) + ["logit_kernel"]
            l1 = [float(self.settings[0]["conv_weight_decay"])] + [float(self.settings[0]["dense_weight_decay"])] * (len(keys) - 1)
            return tf.add_n([ops.cast(c, "float32") * ops.sum(ops.absolute(v[k])) for c, k in zip(l1, keys)])[None]
        conv = tf.reduce_sum(tf.reshape(tf.abs(v["conv_kernel"]), (-1, self.n, self.filters)), axis=(0, 2))
        terms = [self._l1_conv * conv]
        for key in (["hidden_kernel"] if self.hidden else []) + ["logit_kernel"]:
            terms.append(self._l1_dense * tf.reduce_sum(tf.abs(v[key]), axis=(1, 2)))
        return tf.add_n(terms)

    # ------------------------------------------------------------------ training
    def _make_train(self, weight_decay_start: int, freeze: bool, jit_compile: bool):
        import tensorflow as tf

        variables = [self._vars[k] for k in self._names]

        def one_step(xb, yb, step, active):
            with tf.GradientTape() as tape:
                logits = self._forward(xb, True, step)
                labels = tf.broadcast_to(yb[:, None], tf.shape(logits))
                per_seq = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), axis=0)
                decay_on = tf.cast(step >= weight_decay_start, tf.float32)
                cost = tf.reduce_sum(0.5 * per_seq + decay_on * self._l1())
            grads = tape.gradient(cost, variables)
            for key, var, g in zip(self._names, variables, grads):
                lr, mu = self._per_var[key]
                m = self._momenta[key]
                new_m = ops_sub(m * mu, g * lr)
                if freeze:
                    a = self._active_like(key, active)
                    new_m = tf.where(a, new_m, m)
                m.assign(new_m)
                delta = ops_sub(m * mu, g * lr)
                if freeze:
                    delta = tf.where(a, delta, tf.zeros((), delta.dtype))
                var.assign_add(delta)
            return per_seq

        def ops_sub(a, b):
            return tf.subtract(a, b)

        @tf.function(jit_compile=jit_compile, reduce_retracing=True)
        def run(data, labels, idx, start, active):
            # idx (K, B): the rows of K consecutive batches; start: the step index of the first
            if idx.shape[0] == 1:  # one step: no loop (the same graph as fit_deepbind's step)
                rows = idx[0]
                xb = tf.gather(self._table, tf.cast(tf.gather(data, rows), tf.int32))
                return one_step(xb, tf.gather(labels, rows), start, active)[None]
            k = tf.shape(idx)[0]
            out = tf.TensorArray(tf.float32, size=k)
            for j in tf.range(k):
                rows = idx[j]
                xb = tf.gather(self._table, tf.cast(tf.gather(data, rows), tf.int32))
                out = out.write(j, one_step(xb, tf.gather(labels, rows), start + j, active))
            return out.stack()

        return run

    def _active_like(self, key, active):
        import tensorflow as tf

        shape = self._vars[key].shape
        if key.startswith("conv"):
            a = tf.repeat(active, self.filters)
            return tf.reshape(a, (1,) * (len(shape) - 1) + (self.n * self.filters,))
        return tf.reshape(active, (self.n,) + (1,) * (len(shape) - 1))

    def predict_logits(self, x, batch_size: int = 512) -> np.ndarray:
        """Logits (R, N) of every model for base indices (R, L) or one-hot (R, L, 4)."""
        import tensorflow as tf

        if self._predict_fn is None:
            self._predict_fn = tf.function(lambda xb: self._forward(xb, False), reduce_retracing=True)
        x = np.asarray(x)
        out = []
        for i in range(0, len(x), batch_size):
            xb = x[i:i + batch_size]
            xb = _TABLE[xb] if np.issubdtype(xb.dtype, np.integer) else xb.astype(np.float32, copy=False)
            out.append(self._predict_fn(tf.constant(xb)).numpy())
        return np.concatenate(out) if out else np.zeros((0, self.n), np.float32)

    def fit(self, x, y, *, steps: int, batch_size: int = 64, batches=None, weight_decay_start: int = 100,
            checkpoints: int = 1, validation: tuple | None = None, patience: int | None = None,
            restore_best: bool = False, steps_per_execution: int = 50, jit_compile: bool = False,
            record_steps: bool = False, on_checkpoint=None, checkpoint_path=None) -> StackedHistory:
        """Train all models for ``steps`` SGD steps on one shared batch stream.

        Args:
          x: base indices (R, L) (A, C, G, T = 0..3, N = 4); y: labels (R,) in {0, 1}.
          batches: an iterator of row-index arrays (default :func:`fixed_batches`, deepity's order
            and ``fit_deepbind``'s ``batch_order="fixed"``).
          checkpoints: evenly spaced checkpoints (training loss, validation loss of every model).
          validation: ``(x, y)`` scored at each checkpoint; each model's best checkpoint (lowest
            loss) is kept (``history.best_step``; weights from :meth:`best_weights`).
          patience: stop a model after this many checkpoints without a lower validation loss
            (its weights and velocities frozen from then); the run ends when all have stopped.
          restore_best: at the end, put each model's best checkpoint weights back.
          steps_per_execution: steps per call of the compiled function (the last batch of an
            epoch, when shorter, runs on its own).
          jit_compile: compile the step with XLA.
          record_steps: keep every step's training loss (``history.step_loss``).
          on_checkpoint: called as ``on_checkpoint(step, history)`` after each checkpoint (after
            its state is written to ``checkpoint_path``).
          checkpoint_path: a ``.npz`` file: the run's state is written there at each checkpoint
            (atomically), and a run that finds it there continues from it (see the module
            docstring); a file of another run (other models, seeds, data or steps) is refused.
            Only with the default batch stream. The file stays when the run ends (a call that
            finds a finished run's state returns its history at once); delete it when the
            result is kept elsewhere.
        """
        import tensorflow as tf

        x = np.asarray(x)
        y = np.asarray(y, np.float32).reshape(-1)
        if not np.issubdtype(x.dtype, np.integer) or x.ndim != 2:
            raise ValueError("StackedDeepBind.fit: x must be base indices (rows, length), e.g. uint8")
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"StackedDeepBind.fit: x has {len(x)} rows and y {len(y)}")
        if patience is not None and validation is None:
            raise ValueError("StackedDeepBind.fit: patience needs validation data")
        if checkpoint_path is not None and batches is not None:
            raise ValueError("StackedDeepBind.fit: checkpoint_path needs the default batch stream (batches=None): "
                             "the position of another iterator cannot be restored")
        freeze = patience is not None
        key = (int(weight_decay_start), freeze, bool(jit_compile))
        if key not in self._train_fn:
            self._train_fn[key] = self._make_train(*key)
        run = self._train_fn[key]
        data, labels = tf.constant(x), tf.constant(y)
        checkpoints = max(1, int(checkpoints))
        marks = [int(steps * (c + 1) / checkpoints) for c in range(checkpoints)]
        hist = StackedHistory(val_loss=[] if validation is not None else None)
        waited = np.zeros(self.n, np.int64)
        if validation is not None:
            val_rows, val_of_row = unique_rows(validation[0])
            val_y = np.asarray(validation[1], np.float32).reshape(-1)
            hist.best_step, hist.best_val_loss = [None] * self.n, [float("inf")] * self.n
            hist.stopped_at = [None] * self.n
            self._best = [None] * self.n
        active = np.ones(self.n, bool)
        step_losses = []
        running, count = np.zeros(self.n, np.float64), 0
        pending = None
        step = 0
        run_id = None
        if checkpoint_path is not None:
            from .state_file import read_state

            run_id = self._run_fingerprint(x, y, validation, steps=steps, batch_size=batch_size,
                                           weight_decay_start=weight_decay_start, checkpoints=checkpoints,
                                           patience=patience, record_steps=record_steps)
            state = read_state(checkpoint_path, run_id, "StackedDeepBind.fit")
            if state is not None:
                step, active, waited = self._restore(state, hist, step_losses)
        batches = iter(fixed_batches(len(x), batch_size, start=step) if batches is None else batches)
        while step < steps and active.any():
            nxt = min(m for m in marks if m > step)
            block = []
            while step + len(block) < nxt and len(block) < steps_per_execution:
                idx = pending if pending is not None else next(batches)
                pending = None
                if block and len(idx) != len(block[0]):
                    pending = idx
                    break
                block.append(idx)
                if len(idx) != batch_size:
                    break
            losses = run(data, labels, tf.constant(np.stack(block).astype(np.int32)), tf.constant(step, tf.int32),
                         tf.constant(active)).numpy()
            for row in losses.astype(np.float64):
                running += row  # as fit_deepbind: a float64 running sum, step by step
            count += len(block)
            if record_steps:
                step_losses.append(losses)
            step += len(block)
            if step in marks:
                hist.steps.append(step)
                hist.train_loss.append(running / max(count, 1))
                running, count = np.zeros(self.n, np.float64), 0
                if validation is not None:
                    val = _nll(self.predict_logits(val_rows)[val_of_row], val_y)
                    hist.val_loss.append(val)
                    now = {k: var.numpy() for k, var in self._vars.items()}
                    for i in range(self.n):
                        if not active[i]:
                            continue
                        if np.isfinite(val[i]) and val[i] < hist.best_val_loss[i]:
                            hist.best_val_loss[i], hist.best_step[i] = float(val[i]), step
                            self._best[i] = self._slice(now, i)
                            waited[i] = 0
                        else:
                            waited[i] += 1
                            if patience is not None and waited[i] > patience:
                                active[i] = False
                                hist.stopped_at[i] = step
                if checkpoint_path is not None:
                    self._write_state(checkpoint_path, run_id, step, hist, active, waited, step_losses)
                if on_checkpoint is not None:
                    on_checkpoint(step, hist)
                if not active.any():
                    break
        if record_steps:
            hist.step_loss = np.concatenate(step_losses) if step_losses else np.zeros((0, self.n), np.float32)
        if restore_best and validation is not None:
            for i in range(self.n):
                if self._best[i] is not None:
                    self._assign_model(i, self._best[i])
        return hist

    # ------------------------------------------------------------------ resuming
    def _run_fingerprint(self, x, y, validation, **options) -> dict:
        """What decides a run of :meth:`fit`: the models, their seeds, the data (the fingerprint
        ``train()`` keeps of its data, :func:`keras_motifs.training.ownership.data_record`) and the options."""
        from .ownership import data_record

        val = None if validation is None else (np.asarray(validation[0]), np.asarray(validation[1], np.float32))
        return {"format": 1, "preset": self.preset, "settings": self.settings, "seeds": self.seeds,
                "exact_ties": self.exact_ties, "data": data_record((x, y), val),
                **{k: (int(v) if isinstance(v, (bool, np.bool_)) else v) for k, v in options.items()}}

    def _write_state(self, path, run_id, step, hist, active, waited, step_losses) -> None:
        """The run's state at checkpoint ``step`` to ``path`` (one ``.npz``, atomically)."""
        from .state_file import write_state

        arrays = {}
        for k in self._names:
            arrays[f"var.{k}"] = self._vars[k].numpy()
            arrays[f"momentum.{k}"] = self._momenta[k].numpy()
        best = getattr(self, "_best", None) if hist.val_loss is not None else None
        for i, w in enumerate(best or []):
            for layer, (kernel, bias) in (w or {}).items():
                arrays[f"best.{i}.{layer}.kernel"], arrays[f"best.{i}.{layer}.bias"] = kernel, bias
        if step_losses:
            arrays["step_loss"] = np.concatenate(step_losses)
        meta = {"run": run_id, "step": int(step), "active": [bool(a) for a in active],
                "waited": [int(w) for w in waited], "steps": [int(s) for s in hist.steps],
                "train_loss": [[float(v) for v in row] for row in hist.train_loss],
                "val_loss": None if hist.val_loss is None else [[float(v) for v in row] for row in hist.val_loss],
                "best_step": hist.best_step, "best_val_loss": hist.best_val_loss, "stopped_at": hist.stopped_at,
                "has_best": [w is not None for w in (best or [])]}
        write_state(path, arrays, meta)

    def _restore(self, state: tuple, hist: StackedHistory, step_losses: list):
        """Put a state of :meth:`_write_state` back; returns ``(step, active, waited)``."""
        meta, arrays = state
        for k in self._names:
            self._vars[k].assign(arrays[f"var.{k}"])
            self._momenta[k].assign(arrays[f"momentum.{k}"])
        hist.steps = list(meta["steps"])
        hist.train_loss = [np.asarray(row, np.float64) for row in meta["train_loss"]]
        if hist.val_loss is not None:
            hist.val_loss = [np.asarray(row, np.float64) for row in meta["val_loss"]]
            hist.best_step, hist.best_val_loss = list(meta["best_step"]), [float(v) for v in meta["best_val_loss"]]
            hist.stopped_at = list(meta["stopped_at"])
            layers = ["motif_scan"] + (["hidden"] if self.hidden else []) + ["logit"]
            self._best = [{layer: [arrays[f"best.{i}.{layer}.kernel"], arrays[f"best.{i}.{layer}.bias"]]
                           for layer in layers} if has else None for i, has in enumerate(meta["has_best"])]
        if "step_loss" in arrays:
            step_losses.append(arrays["step_loss"])
        return int(meta["step"]), np.asarray(meta["active"], bool), np.asarray(meta["waited"], np.int64)

    def best_weights(self, i: int) -> dict | None:
        """Model ``i``'s weights at its best checkpoint of the last :meth:`fit` with validation."""
        best = getattr(self, "_best", None)
        return None if best is None else best[i]
