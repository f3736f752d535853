"""Probe (not a timed benchmark): the Koo & Eddy training step alone, Keras default vs jit_compile=True, 3 interleaved rounds of 60 steps; samples per wall and per CPU second. Usage: python benchmarks/probes/koo_eddy_xla_step.py [PRESET]"""
import time, numpy as np, sys
from keras_motifs import logs
logs.import_tensorflow_quietly()
import keras, tensorflow as tf
import keras_motifs.models
from keras_motifs import registry
from keras_motifs.losses import ClippedBinaryCrossentropy
from keras_motifs.papers.koo_eddy import training_settings
from keras_motifs.training.optimizers import make_optimizer
preset = sys.argv[1] if len(sys.argv) > 1 else "koo_eddy_cnn_25"
cfg = dict(training_settings(preset))
rng = np.random.default_rng(0); eye = np.eye(4, dtype=np.float32)
B = cfg["batch_size"]
xb = tf.constant(eye[rng.integers(0, 4, (B, 200))]); yb = tf.constant((rng.random((B, 12)) < .2).astype(np.float32))
steps = {}
for jit in (False, True):
    keras.utils.set_random_seed(0)
    net = registry.build(preset, sequence_length=200)
    opt = make_optimizer(cfg); opt.build(net.trainable_variables)
    lossf = ClippedBinaryCrossentropy()
    def make(net=net, opt=opt):
        @tf.function(jit_compile=jit)
        def step():
            with tf.GradientTape() as tape:
                loss = lossf(yb, net(xb, training=True)) + tf.add_n(net.losses)
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return loss
        return step
    steps[jit] = make()
    for _ in range(5): steps[jit]()
for r in range(3):
    for jit, step in steps.items():
        t, c = time.perf_counter(), time.process_time()
        for _ in range(60): out = step()
        out.numpy()
        print(preset, "jit" if jit else "default", f"wall {60*B/(time.perf_counter()-t):.0f} cpu {60*B/(time.process_time()-c):.0f} samples/s", flush=True)
