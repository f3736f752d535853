"""A Koo & Eddy CNN as the original code builds it, in TensorFlow 1 graph mode (``tf.compat.v1``),
written from p-koo/learning_sequence_motifs ``code/deepomics`` (``neuralbuild_scope.py``,
``layers/conv.py``, ``layers/norm.py``, ``layers/pool.py``, ``layers/dense.py``,
``layers/shape.py``, ``utils.py``; ``helper.py`` for the (N, L, 1, 4) input) — our own code, run in
its own process by ``tests/test_koo_eddy_original_weights.py``:

* per conv block ``conv1d_<i>``: ``tf.Variable`` (k, 1, in, out) under ``conv1d_<i>/conv1d``,
  ``tf.nn.conv2d`` stride 1 with the block's padding, no bias; batch norm: gamma then beta
  (``conv1d_<i>/norm/Variable``, ``Variable_1``), ``tf.nn.moments`` over axes (0, 1, 2), one
  ``ExponentialMovingAverage(0.99)`` each for the mean and the variance (applied in the training
  branch of ``tf.cond(is_training, ...)``, read in the other), ``tf.nn.batch_normalization`` with
  epsilon 1e-8; ReLU; ``tf.nn.max_pool`` ksize (1, p, 1, 1), stride (1, s, 1, 1), SAME; dropout
  with a keep-probability placeholder;
* ``dense_0``: ``tf.reshape`` to (-1, L' x C), matmul (no bias), batch norm (axis 0), ReLU, dropout;
* ``dense_1``: matmul + bias (``dense_1/bias/Variable``), sigmoid;
* Adam named ``adam`` (slots ``.../adam``, ``.../adam_1``, ``beta1_power``, ``beta2_power``).

    python tests/koo_eddy_tf1_reference.py OUT --spec SPECS.json [--restore DIR]

SPECS: a list of ``{"name": "cnn_25", "length": 200, "targets": 12, "dense": 512, "blocks":
[{"filters": 30, "size": 19, "padding": "same", "pool": 25, "stride": null}, ...]}``, each built in
its own graph. Writes ``OUT/<name>_best.ckpt``
(random values, moving statistics included, with ``tf.compat.v1.train.Saver``; or, with
``--restore DIR``, the values of ``DIR/<name>_best.ckpt``) and ``OUT/<name>_reference.npz``: ``x`` (N, L, 4)
one-hot A, C, G, T, ``prediction`` (N, targets) of the inference graph (is_training False, keep
probability 1), ``names`` the checkpoint's variable names.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np


def build(tf, spec, rng):
    length, targets = spec["length"], spec["targets"]
    x_in = tf.compat.v1.placeholder(tf.float32, [None, length, 1, 4], name="inputs")
    is_training = tf.compat.v1.placeholder(tf.bool, name="is_training")
    keeps = []

    def variable(shape, scale=0.3):
        return tf.compat.v1.Variable(rng.normal(0.0, scale, size=shape).astype(np.float32))

    def batch_norm(net, axes):
        channels = int(net.shape[-1])
        with tf.name_scope("norm"):
            gamma = tf.compat.v1.Variable(rng.uniform(0.5, 1.5, channels).astype(np.float32))
            beta = tf.compat.v1.Variable(rng.normal(0.0, 0.2, channels).astype(np.float32))
        batch_mean, batch_var = tf.nn.moments(net, axes)
        pop_mean = tf.compat.v1.train.ExponentialMovingAverage(decay=0.99)
        pop_var = tf.compat.v1.train.ExponentialMovingAverage(decay=0.99)

        def update():
            ops = [pop_mean.apply([batch_mean]), pop_var.apply([batch_var])]
            with tf.control_dependencies(ops):
                return tf.identity(batch_mean), tf.identity(batch_var)

        def population():
            return pop_mean.average(batch_mean), pop_var.average(batch_var)

        mean, var = tf.compat.v1.cond(is_training, update, population)
        return tf.nn.batch_normalization(net, mean, var, beta, gamma, 1e-8)

    def dropout(net):
        keep = tf.compat.v1.placeholder(tf.float32, name=f"keep_prob_{len(keeps)}")
        keeps.append(keep)
        return tf.compat.v1.nn.dropout(net, keep_prob=keep)

    net = x_in
    for i, b in enumerate(spec["blocks"]):
        with tf.name_scope(f"conv1d_{i}"):
            with tf.name_scope("conv1d"):
                w = variable([b["size"], 1, int(net.shape[-1]), b["filters"]])
            net = tf.nn.conv2d(net, w, strides=[1, 1, 1, 1], padding=b["padding"].upper())
            net = batch_norm(net, [0, 1, 2])
            net = tf.nn.relu(net)
            if b["pool"]:
                stride = b["stride"] or b["pool"]
                net = tf.nn.max_pool2d(net, ksize=[1, b["pool"], 1, 1], strides=[1, stride, 1, 1], padding="SAME")
            net = dropout(net)
    with tf.name_scope("dense_0"):
        flat = int(np.prod([int(d) for d in net.shape[1:]]))
        net = tf.reshape(net, [-1, flat])
        with tf.name_scope("dense"):
            w = variable([flat, spec["dense"]], 1.0 / np.sqrt(flat))
        net = tf.matmul(net, w)
        net = batch_norm(net, [0])
        net = tf.nn.relu(net)
        net = dropout(net)
    with tf.name_scope("dense_1"):
        with tf.name_scope("dense"):
            w = variable([spec["dense"], targets], 1.0 / np.sqrt(spec["dense"]))
        net = tf.matmul(net, w)
        with tf.name_scope("bias"):
            b = variable([targets], 0.3)
        logits = tf.nn.bias_add(net, b)
        prediction = tf.nn.sigmoid(logits)
    y = tf.compat.v1.placeholder(tf.float32, [None, targets], name="output")
    loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, prediction))
    train = tf.compat.v1.train.AdamOptimizer(learning_rate=1e-3, beta1=0.95, name="adam").minimize(loss)
    return x_in, is_training, keeps, prediction, y, train


def reference(tf, spec, args) -> None:
    rng = np.random.default_rng(args.seed)
    graph = tf.Graph()
    with graph.as_default():
        x_in, is_training, keeps, prediction, y, train = build(tf, spec, rng)
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            if args.restore:
                saver.restore(sess, os.path.join(args.restore, f"{spec['name']}_best.ckpt"))
            else:
                # one training step so the Adam slots hold values, then random moving statistics
                xb = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (16, spec["length"]))][:, :, None, :]
                feed = {x_in: xb, y: rng.integers(0, 2, (16, spec["targets"])).astype(np.float32), is_training: True}
                feed.update({k: 0.9 for k in keeps})
                sess.run(train, feed)
                for v in tf.compat.v1.global_variables():
                    if v.op.name.endswith("Squeeze/ExponentialMovingAverage"):  # population mean
                        v.load(rng.normal(0.0, 0.5, v.shape).astype(np.float32), sess)
                    elif v.op.name.endswith("Squeeze_1/ExponentialMovingAverage"):  # population variance
                        v.load(rng.uniform(0.5, 2.0, v.shape).astype(np.float32), sess)
            x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (args.n, spec["length"]))]
            feed = {x_in: x[:, :, None, :], is_training: False}
            feed.update({k: 1.0 for k in keeps})
            pred = sess.run(prediction, feed)
            os.makedirs(args.out, exist_ok=True)
            if not args.restore:
                saver.save(sess, os.path.join(args.out, f"{spec['name']}_best.ckpt"))
            names = sorted(v.op.name for v in tf.compat.v1.global_variables())
    np.savez(os.path.join(args.out, f"{spec['name']}_reference.npz"), x=x, prediction=pred, names=np.array(names))
    print(f"wrote {spec['name']}: {len(names)} variables")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--spec", required=True)
    parser.add_argument("--restore", default=None, help="read the values from DIR/<name>_best.ckpt")
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()  # graph mode and TF1 control flow (tf.cond), as the original ran
    with open(args.spec) as fh:
        specs = json.load(fh)
    for spec in specs:
        reference(tf, spec, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
