"""Probe (not a timed benchmark): where the Koo & Eddy training step's time goes. CPU ms per batch of
the whole step (koo_eddy_step), of the model's forward + gradient cut after each layer (cumulative,
so each layer's share is the difference to the row before), and of the first batch norm alone on
the first layer's (batch, 200, filters) activations: Keras BatchNormalization vs TensorFlow's fused
kernel (FusedBatchNormV3 on a (batch, 200, 1, filters) view). Median of 3 interleaved rounds of 40
calls. Usage: python benchmarks/probes/koo_eddy_step_parts.py [PRESET]"""
import os, statistics, sys, time
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # benchmarks/_common.py
from _common import koo_eddy_batch, koo_eddy_step, load, machine
from keras_motifs import logs
tf = logs.import_tensorflow_quietly()
import keras
from keras_motifs import registry
from keras_motifs.papers.koo_eddy import training_settings
preset = sys.argv[1] if len(sys.argv) > 1 else "koo_eddy_cnn_25"
cfg = dict(training_settings(preset)); B = cfg["batch_size"]
xb, yb, rng = koo_eddy_batch(B)
print(machine()); print("start:", load(), flush=True)
fns = {"whole step (forward, gradient, Adam update)": koo_eddy_step(preset, cfg, xb, yb, 0)}
net = registry.build(preset, sequence_length=200)
for layer in net.layers[1:]:
    sub = keras.Model(net.input, layer.output)
    def g(sub=sub):
        with tf.GradientTape() as t:
            loss = tf.reduce_sum(sub(xb, training=True))
        return t.gradient(loss, sub.trainable_variables)
    fns[f"forward + gradient up to {layer.name}"] = tf.function(g)
act = tf.constant(rng.normal(size=(B, 200, net.get_layer("conv0").filters)).astype(np.float32))
bn = keras.layers.BatchNormalization(epsilon=1e-8, momentum=0.99); bn.build(act.shape)
def keras_bn():
    with tf.GradientTape() as t:
        t.watch(act); loss = tf.reduce_sum(bn(act, training=True) * act)
    return t.gradient(loss, [act] + bn.trainable_variables)
def fused_bn():
    with tf.GradientTape() as t:
        t.watch(act)
        y = tf.raw_ops.FusedBatchNormV3(x=tf.reshape(act, (B, 200, 1, -1)), scale=bn.gamma, offset=bn.beta, mean=tf.zeros(0),
                                        variance=tf.zeros(0), epsilon=1e-8, is_training=True, data_format="NHWC")[0]
        loss = tf.reduce_sum(tf.reshape(y, act.shape) * act)
    return t.gradient(loss, [act, bn.gamma, bn.beta])
fns["first batch norm alone, Keras (forward + gradient)"] = tf.function(keras_bn)
fns["first batch norm alone, fused kernel (forward + gradient)"] = tf.function(fused_bn)
cpu = {k: [] for k in fns}
for f in fns.values():
    for _ in range(5): f()
for r in range(3):
    for k, f in fns.items():
        c = time.process_time()
        for _ in range(40): out = f()
        tf.nest.map_structure(lambda a: a.numpy(), out)
        cpu[k].append((time.process_time() - c) / 40 * 1e3)
for k, v in cpu.items():
    print(f"{statistics.median(v):7.2f} CPU ms  {k}")
print("end:", load(), flush=True)
