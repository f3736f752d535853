"""Per model of the package: time per epoch at the paper's training-set size and batch size.

Each registered preset is built, compiled with its own training settings (optimizer, learning
rate; the clipped binary cross-entropy, or the preset's loss) and trained on random inputs of its
own input shapes at its paper batch size: ``--warmup`` untimed steps, then ``--steps`` timed
steps. Time per epoch = median step time x ceil(training samples / batch). This is an
extrapolation from measured steps (the data pipeline is not included: see pipeline_throughput.py,
which shows it is not the bottleneck).

    python benchmarks/epoch_times.py                            # all presets
    python benchmarks/epoch_times.py --models danq ideeps koo_eddy_cnn_25 --steps 10

Training-set sizes (the paper's, as the dataset builders document them):
"""

from __future__ import annotations

import math

import numpy as np

from _common import load, machine, median_step_seconds  # noqa: E402

from keras_motifs import logs
from keras_motifs.cli_args import ArgumentParser, common_options

# preset prefix -> (training samples, source)
PAPER_TRAIN_SIZE = {
    "danq": (4_400_000, "DeepSEA bundle train.mat (forward + reverse complement), tfds_builders/deepsea/README.md"),
    "deepsea": (4_400_000, "same bundle"),
    "kmer_lr": (4_400_000, "same bundle (DanQ paper's baseline)"),
    "deepbind": (100_000, "DeepBind trainer padded positives + shuffles to >= 100,000 rows (deepbind_encode_chipseq README)"),
    "deepprune": (5_000, "paper gives none; deepprune_simulated builder default (5,000 train)"),
    "ideeps": (24_000, "iDeep/iDeepS RBP set: 24,000 train of 30,000 (rbp_clip README)"),
    "koo_eddy": (17_500, "Koo & Eddy synthetic: 17,500 train (koo_eddy_synthetic README)"),
}
__doc__ += "\n".join(f"  {k:10s} {n:>9,}  {src}" for k, (n, src) in PAPER_TRAIN_SIZE.items()) + "\n"


def train_size(name: str):
    for prefix, (n, src) in PAPER_TRAIN_SIZE.items():
        if name.startswith(prefix):
            return n, src
    return None, "unknown"


def _random_like(shape, rng, batch, onehot=True):
    shape = (batch,) + tuple(int(s) for s in shape[1:])
    if onehot and len(shape) == 3:
        return np.eye(shape[-1], dtype=np.float32)[rng.integers(0, shape[-1], shape[:-1])]
    return rng.random(shape, dtype=np.float32)


def time_model(name: str, warmup: int, steps: int) -> dict:
    import keras

    from keras_motifs import models
    from keras_motifs.losses import ClippedBinaryCrossentropy
    from keras_motifs.training.optimizers import make_optimizer

    cfg = models.training_config(name)
    batch = int(cfg.get("batch_size", 100))
    keras.utils.set_random_seed(0)
    model = models.build(name)
    loss = cfg.get("loss") or ClippedBinaryCrossentropy()
    model.compile(optimizer=make_optimizer(cfg), loss=loss)
    rng = np.random.default_rng(0)
    xs = [_random_like(t.shape, rng, batch) for t in model.inputs]
    ys = []
    for t in model.outputs:
        y = (rng.random((batch,) + tuple(int(s) for s in t.shape[1:])) < 0.3).astype(np.float32)
        if loss == "categorical_crossentropy":
            y = np.eye(y.shape[-1], dtype=np.float32)[rng.integers(0, y.shape[-1], batch)]
        ys.append(y)
    x = xs[0] if len(xs) == 1 else xs
    y = ys[0] if len(ys) == 1 else ys
    step = median_step_seconds(lambda: model.train_on_batch(x, y), warmup, steps)
    n, src = train_size(name)
    return {
        "model": name, "params": model.count_params(), "batch": batch, "train_size": n, "source": src,
        "step_s": step, "samples_per_s": batch / step,
        "epoch_s": step * math.ceil(n / batch) if n else float("nan"),
        "epochs": cfg.get("epochs"),
    }


def fmt_duration(s: float) -> str:
    if not np.isfinite(s):
        return "n/a"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def main(argv=None):
    from keras_motifs.models import available

    ap = ArgumentParser(description=__doc__.split("\n")[0])
    common_options(ap, tfds_dir=False, models=f"presets, space- or comma-separated (default: all {len(available())})",
                   models_choices=available())
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args(argv)
    logs.configure(args.verbosity)
    logs.import_tensorflow_quietly()
    names = args.models or available()
    print(f"machine: {machine()}")
    print(f"start: {load()}; warm-up {args.warmup}, timed steps {args.steps}")
    rows = []
    for name in names:
        r = time_model(name, args.warmup, args.steps)
        r["load"] = load()
        rows.append(r)
        print(f"  {name:24s} {r['samples_per_s']:9.1f} samples/s  epoch {fmt_duration(r['epoch_s']):>9s}; {r['load']}", flush=True)
    print(f"\nend: {load()}")
    print(f"{'model':24s} {'params':>11s} {'batch':>5s} {'train size':>10s} {'step s':>7s} {'samples/s':>9s} "
          f"{'epoch':>9s} {'x epochs':>8s} {'total':>9s}")
    for r in rows:
        total = r["epoch_s"] * (r["epochs"] or float("nan"))
        print(f"{r['model']:24s} {r['params']:11,} {r['batch']:5d} {r['train_size'] or 0:10,} {r['step_s']:7.3f} "
              f"{r['samples_per_s']:9.1f} {fmt_duration(r['epoch_s']):>9s} {str(r['epochs']):>8s} {fmt_duration(total):>9s}")


if __name__ == "__main__":
    main()
