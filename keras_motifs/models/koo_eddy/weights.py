"""Koo & Eddy's original trained weights (TensorFlow 1 checkpoints) in our :func:`KooEddyCNN`.

**Where the files are.** p-koo/learning_sequence_motifs committed the synthetic-data models'
checkpoints as ``results/synthetic/model_params/<model>_best.ckpt.{index,data-00000-of-00001,meta}``
(written by ``code/train_synthetic_data.py``: ``deepomics`` ``NeuralTrainer(save='best')``, a
``tf.train.Saver`` V2 checkpoint of the best validation epoch) and removed them from the branch on
2019-06-25 (commit ``cd848b7`` "removed old results"). The last commit holding all twelve is
``30b2384ebf33e225b03b51f60ec621d4b7e10db3`` (2019-04-17): ``cnn_2``, ``cnn_4``, ``cnn_10``,
``cnn_25``, ``cnn_50``, ``cnn_100``, ``cnn9_4``, ``cnn9_25``, ``cnn3_2``, ``cnn3_50``, ``cnn_50_2``,
``cnn_2_1`` (:data:`ORIGINAL_CHECKPOINTS`). There are none for CNN-1, CNN-1-1-100 or
CNN-25(60/90/120). The same commit has an in-vivo CNN-25 (``results/invivo/model_params/
cnn_25_best.ckpt``, 1,000-bp inputs); its data file was absent from the snapshot read here, so it is
not checked (build ``KooEddyCNN("koo_eddy_cnn_25", sequence_length=1000, num_targets=...)`` for it;
the shapes are checked on loading). Get them
(the package does not download them)::

    git clone https://github.com/p-koo/learning_sequence_motifs
    cd learning_sequence_motifs
    git checkout 30b2384ebf33e225b03b51f60ec621d4b7e10db3 -- results/synthetic/model_params
    # or one model's two files from
    # https://github.com/p-koo/learning_sequence_motifs/raw/30b2384ebf33e225b03b51f60ec621d4b7e10db3/results/synthetic/model_params/cnn_25_best.ckpt.index
    # (and .../cnn_25_best.ckpt.data-00000-of-00001)

Only the ``.index`` and ``.data-00000-of-00001`` files are read (``tf.train.load_checkpoint``; no
TF1 graph code, the ``.meta`` graph is not needed).

**What they hold** (read with ``tf.train.list_variables`` from the files of that commit; the
same names in every model, here ``cnn_25``): ``conv1d_<i>/conv1d/Variable`` the kernel
(k, 1, in, out) of a ``tf.nn.conv2d`` on (N, L, 1, 4) inputs (channels A, C, G, T:
``code/helper.py`` turns the (N, 4, L) one-hot into (N, L, 1, 4)); ``conv1d_<i>/norm/Variable``
gamma and ``conv1d_<i>/norm/Variable_1`` beta (``deepomics/layers/norm.py`` creates gamma first);
``conv1d_<i>/moments/Squeeze/ExponentialMovingAverage`` and ``.../Squeeze_1/...`` the population
mean and variance (``tf.nn.moments`` returns the mean, then the variance; exponential moving
averages with decay 0.99 and no zero-debias, used as they are at inference); ``dense_0/dense/Variable``
(L' x C, units) after ``tf.reshape(x, [-1, L' * C])`` of the (N, L', 1, C) output, then
``dense_0/norm``, ``dense_0/moments``; ``dense_1/dense/Variable`` and ``dense_1/bias/Variable``;
Adam slots (``.../adam``, ``.../adam_1``, ``beta1_power``, ``beta2_power``), not read.

**The mapping** onto our layers ``conv<i>``, ``conv<i>_bn``, ``dense``, ``dense_bn``, ``targets``:
kernel (k, 1, in, out) -> Conv1D (k, in, out) (both cross-correlations; SAME/VALID padding and
SAME max-pooling are the same TensorFlow ops); batch norm [gamma, beta, moving mean, moving
variance] (epsilon 1e-8 in both: ``tf.nn.batch_normalization`` with deepomics' 1e-8, our preset's
``batch_norm_epsilon``); the dense kernel as it is: their reshape of (L', 1, C) and our ``Flatten``
of (L', C) are both position-major (index ``l * C + c``). Dropout is inactive at inference in both
(deepomics feeds keep probability 1). ``tests/test_koo_eddy_original_weights.py`` checks our
predictions against the original graph (written from ``code/deepomics`` in ``tf.compat.v1``, in its
own process) on checkpoints with exactly these names, and the names against this list.

Which preset: the file name says the model (``cnn_25_best.ckpt`` -> ``koo_eddy_cnn_25``,
:func:`preset_for_checkpoint`); the shapes do not (CNN-2, -4, -10, -25, -50 and -100 have the same
variables and differ only in pooling), so a model of another preset than the file's name is refused.
"""

from __future__ import annotations

import os
import re

import numpy as np

from ...errors import DataFormatError, ModelInputError

SOURCE_COMMIT = "30b2384ebf33e225b03b51f60ec621d4b7e10db3"  # p-koo/learning_sequence_motifs, all 12 checkpoints
ORIGINAL_CHECKPOINTS = ("cnn_2", "cnn_4", "cnn_10", "cnn_25", "cnn_50", "cnn_100", "cnn9_4", "cnn9_25", "cnn3_2",
                        "cnn3_50", "cnn_50_2", "cnn_2_1")
_SUFFIXES = (".index", ".meta", ".data-00000-of-00001")


def checkpoint_prefix(path: str | os.PathLike) -> str:
    """The checkpoint prefix (``.../cnn_25_best.ckpt``) of a prefix or any of its files; checks that
    the ``.index`` file is there."""
    from ...io.files import check_input_file

    p = os.fspath(path)
    for suffix in _SUFFIXES:
        if p.endswith(suffix):
            p = p[: -len(suffix)]
            break
    else:
        p = re.sub(r"\.data-\d{5}-of-\d{5}$", "", p)
    index = p + ".index"
    if not os.path.lexists(index):
        raise FileNotFoundError(f"checkpoint '{os.fspath(path)}': no file '{index}'; give the checkpoint prefix "
                                "(e.g. model_params/cnn_25_best.ckpt) or its .index file, with its .data-* file beside it")
    check_input_file(index, "checkpoint index")
    return p


def preset_for_checkpoint(path: str | os.PathLike) -> str | None:
    """Our preset for a checkpoint named as the original code names it (``<model>_best.ckpt``, e.g.
    ``cnn_25_best.ckpt`` -> ``"koo_eddy_cnn_25"``), or None when the name says nothing."""
    from ...registry import available

    stem = os.path.basename(checkpoint_prefix(path))
    m = re.fullmatch(r"(.+?)(?:_best)?\.ckpt", stem)
    if not m:
        return None
    name = "koo_eddy_" + m.group(1)
    return name if name in available("koo_eddy") else None


def _read(prefix: str, path) -> dict[str, np.ndarray]:
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(prefix)
        shapes = reader.get_variable_to_shape_map()
        return {name: reader.get_tensor(name) for name in shapes if "/adam" not in name and not name.endswith("_power")}
    except (tf.errors.OpError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"checkpoint '{os.fspath(path)}': not a readable TensorFlow checkpoint ({first}); the "
                              ".index or .data-00000-of-00001 file is damaged, truncated or missing") from None


def _blocks(model) -> int:
    n = 0
    while True:
        try:
            model.get_layer(f"conv{n}")
        except ValueError:
            return n
        n += 1


def converted_weights(path: str | os.PathLike, model) -> dict[str, list[np.ndarray]]:
    """Keras weights ``{layer name: [...]}`` for ``model`` (a :func:`KooEddyCNN`) from an original
    checkpoint at ``path`` (every variable and shape checked; errors name the file and variable)."""
    prefix = checkpoint_prefix(path)
    try:
        for name in ("conv0", "conv0_bn", "dense", "dense_bn", "targets"):
            model.get_layer(name)
    except ValueError:
        raise ModelInputError(f"model '{model.name}' is not a Koo & Eddy CNN (layers conv0, conv0_bn, ..., dense, "
                              "dense_bn, targets); build it with keras_motifs.models.KooEddyCNN(preset)") from None
    wanted = preset_for_checkpoint(prefix)
    if wanted is not None and model.name.startswith("koo_eddy_") and model.name != wanted:
        raise ModelInputError(
            f"checkpoint '{os.fspath(path)}' holds the original '{wanted[len('koo_eddy_'):]}' model (preset {wanted}); "
            f"the model is '{model.name}': the variables may have the same shapes but the pooling differs, so the "
            f"predictions would be wrong; build KooEddyCNN('{wanted}')")
    values = _read(prefix, path)
    where = f"checkpoint '{os.fspath(path)}'"
    blocks = _blocks(model)
    extra = sorted({m.group(0) for n in values if (m := re.match(r"conv1d_\d+", n))} -
                   {f"conv1d_{i}" for i in range(blocks)})
    if extra:
        raise DataFormatError(f"{where}: variables of {', '.join(extra)}, but model '{model.name}' has {blocks} "
                              "convolution layers; the checkpoint is another architecture")

    def get(name):
        if name not in values:
            known = ", ".join(sorted(values)[:6])
            raise DataFormatError(f"{where}: no variable '{name}' (it has {known}, ...); not a checkpoint of the "
                                  "original Koo & Eddy code (deepomics) or of another architecture")
        v = np.asarray(values[name], dtype=np.float32)
        if not np.isfinite(v).all():
            raise DataFormatError(f"{where}: variable '{name}' holds values that are not finite numbers")
        return v

    def fit(layer_name, arrays, names):
        layer = model.get_layer(layer_name)
        expected = [tuple(w.shape) for w in layer.weights]
        got = [a.shape for a in arrays]
        if got != expected:
            raise DataFormatError(
                f"{where}: {', '.join(f'{n} {tuple(np.shape(values[n]))}' for n in names)} do not fit layer "
                f"{layer_name} ({', '.join(map(str, expected))}) of model '{model.name}': another preset, sequence "
                "length or number of targets (the original synthetic models: 200 bp, 12 targets)")
        return [np.ascontiguousarray(a) for a in arrays]

    def bn(scope, layer_name):
        names = [f"{scope}/norm/Variable", f"{scope}/norm/Variable_1", f"{scope}/moments/Squeeze/ExponentialMovingAverage",
                 f"{scope}/moments/Squeeze_1/ExponentialMovingAverage"]
        arrays = [get(n) for n in names]
        if (arrays[3] < 0).any():
            raise DataFormatError(f"{where}: '{names[3]}' (a population variance) has negative values")
        return fit(layer_name, arrays, names)

    out = {}
    for i in range(blocks):
        name = f"conv1d_{i}/conv1d/Variable"
        w = get(name)
        if w.ndim != 4 or w.shape[1] != 1:
            raise DataFormatError(f"{where}: '{name}' of shape {w.shape} is not a (k, 1, in, out) convolution kernel")
        out[f"conv{i}"] = fit(f"conv{i}", [w[:, 0]], [name])
        out[f"conv{i}_bn"] = bn(f"conv1d_{i}", f"conv{i}_bn")
    out["dense"] = fit("dense", [get("dense_0/dense/Variable")], ["dense_0/dense/Variable"])
    out["dense_bn"] = bn("dense_0", "dense_bn")
    out["targets"] = fit("targets", [get("dense_1/dense/Variable"), get("dense_1/bias/Variable")],
                         ["dense_1/dense/Variable", "dense_1/bias/Variable"])
    return out


def load_original_weights(model, path: str | os.PathLike):
    """Set Koo & Eddy's original trained weights — a TensorFlow 1 checkpoint of the released code,
    ``results/synthetic/model_params/<model>_best.ckpt`` (see this module's docstring for where to
    get it) — into ``model``, a :func:`KooEddyCNN` of the matching preset; returns ``model``.
    ``path``: the checkpoint prefix or its ``.index`` file. The model takes one-hot (N, 200, 4) in the
    order A, C, G, T and predicts the 12 synthetic TF classes.

    Example::

        from keras_motifs.models import KooEddyCNN
        from keras_motifs.models.koo_eddy import load_original_weights
        model = load_original_weights(KooEddyCNN("koo_eddy_cnn_25"), "model_params/cnn_25_best.ckpt")
    """
    weights = converted_weights(path, model)  # everything checked before the model is touched
    for name, values in weights.items():
        model.get_layer(name).set_weights(values)
    return model


def load_original_model(path: str | os.PathLike):
    """The :func:`KooEddyCNN` of the checkpoint's preset (from its file name, e.g.
    ``cnn_25_best.ckpt``) with the original weights."""
    from .model import KooEddyCNN

    preset = preset_for_checkpoint(path)
    if preset is None:
        raise ModelInputError(f"checkpoint '{os.fspath(path)}': the file name does not say which model it is "
                              f"(the original names are <model>_best.ckpt, <model> one of {', '.join(ORIGINAL_CHECKPOINTS)}); "
                              "build KooEddyCNN(preset) and call load_original_weights(model, path)")
    return load_original_weights(KooEddyCNN(preset), path)
