"""Probe (not a timed benchmark): the stacked DeepBind scan (N = 15 M1 models, batch 64, both strands) as tf.nn.conv1d vs an im2col patch matrix times the kernel, same pooling/dense/loss/update; 3 interleaved rounds of 100 steps; model-steps per wall and per CPU second. Usage: python benchmarks/probes/deepbind_im2col_scan.py"""
import time, numpy as np
from keras_motifs import logs
tf = logs.import_tensorflow_quietly()
N, F, W, B, L = 15, 16, 24, 64, 101
P = L + 2 * (W - 1) - W + 1  # 124 positions
rng = np.random.default_rng(0)
x = tf.constant(np.eye(4, dtype=np.float32)[rng.integers(0, 4, (2 * B, L))])
xpad = tf.pad(x, [[0, 0], [W - 1, W - 1], [0, 0]], constant_values=0.25)
k = tf.Variable(rng.normal(0, .01, (W, 4, N * F)).astype(np.float32))
b = tf.Variable(np.zeros(N * F, np.float32))
wd = tf.Variable(rng.normal(0, .01, (N, F, 1)).astype(np.float32))
y = tf.constant((rng.random(B) < .5).astype(np.float32))
idx = (np.arange(P)[:, None] + np.arange(W)[None, :]).reshape(-1)

def head(z):
    m = tf.nn.max_pool1d(z, ksize=P, strides=P, padding="VALID")[:, 0]  # (2B, N*F)
    m = tf.reshape(m, (2, B, N, F))
    logits = tf.einsum("sbnf,nfo->sbno", m, wd)[..., 0]
    logits = tf.reduce_max(logits, axis=0)  # (B, N)
    return tf.reduce_sum(tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.broadcast_to(y[:, None], tf.shape(logits)), logits=logits), 0))

@tf.function
def conv_step():
    with tf.GradientTape() as t:
        z = tf.nn.relu(tf.nn.conv1d(xpad, k, 1, "VALID") + b)
        loss = head(z)
    g = t.gradient(loss, [k, b, wd])
    for v, gg in zip([k, b, wd], g): v.assign_sub(0.01 * gg)
    return loss

@tf.function
def im2col_step():
    cols = tf.reshape(tf.gather(xpad, idx, axis=1), (2 * B * P, W * 4))  # patches
    with tf.GradientTape() as t:
        z = tf.nn.relu(tf.reshape(tf.matmul(cols, tf.reshape(k, (W * 4, N * F))), (2 * B, P, N * F)) + b)
        loss = head(z)
    g = t.gradient(loss, [k, b, wd])
    for v, gg in zip([k, b, wd], g): v.assign_sub(0.01 * gg)
    return loss

for f in (conv_step, im2col_step):
    for _ in range(5): f()
for r in range(3):
    for name, f in (("conv", conv_step), ("im2col", im2col_step)):
        t, c = time.perf_counter(), time.process_time()
        for _ in range(100): out = f()
        out.numpy()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        print(f"{name}: {100*N/dt:.0f} model-steps/s wall, {100*N/dc:.0f} per CPU s", flush=True)
