"""The original trained DeepSEA weights (Zhou & Troyanskaya 2015) in our :func:`DeepSEA` model.

**Where the weights come from.** The trained model was released as a Torch7 file in the DeepSEA
bundle (``deepsea.v0.94``, ``resources/deepsea.cpu``). Kipoi converted it to a PyTorch state dict
(kipoi/models ``DeepSEA/model_architecture.py``; its ``model.yaml`` files give the download
addresses, Zenodo record 1466993):

* ``deepsea_variant_effects.pth`` (Kipoi ``DeepSEA/variantEffects``, md5
  ``35956ab9c28960b5a3693f470fe980c1``): the state dict of ``Sequential(ReCodeAlphabet, net)``,
  keys ``1.0.weight`` ... ``1.14.1.bias``;
* ``deepsea_predict.pth`` (Kipoi ``DeepSEA/predict``, md5 ``89e640bf6bdbe1ff165f484d9796efc7``):
  ``Sequential(ReCodeAlphabet, ConcatenateRC, net, AverageRC)``, keys ``2.0.weight`` ...
  ``2.14.1.bias`` — the same tensors; that model averages each prediction with the reverse
  complement's (:func:`keras_motifs.metrics.predict_rc_averaged` with ``alphabet="AGCT"`` does
  the same with ours);
* ``deepsea_cpu.pth`` (kipoi/models ``DeepSEA/template/model_files``): ``net`` alone, keys
  ``0.weight`` ... ``14.1.bias``.

Download one with a browser or ``wget``/``curl`` from Zenodo (``https://zenodo.org/record/1466993``,
files ``deepsea_variant_effects.pth`` or ``deepsea_predict.pth``; check the md5 above), or let
``kipoi`` fetch it (``kipoi.get_model("DeepSEA/variantEffects")`` caches it under
``~/.kipoi/models/DeepSEA/...``). The package does not download it for you.

``net`` (Kipoi's conversion of the Torch7 ``nn.Sequential``) is: ``Conv2d(4, 320, (1, 8))``,
``Threshold(0, 1e-6)``, ``MaxPool2d((1, 4), (1, 4))``, ``Dropout(0.2)``, ``Conv2d(320, 480, (1, 8))``,
Threshold, MaxPool, ``Dropout(0.2)``, ``Conv2d(480, 960, (1, 8))``, Threshold, ``Dropout(0.5)``,
a reshape ``x.view(N, -1)``, ``Linear(50880, 925)`` (wrapped with a reshape, hence ``12.1``),
Threshold, ``Linear(925, 919)`` (``14.1``), ``Sigmoid``. Its input is (N, 4, 1, 1000) with the
channels A, G, C, T (Kipoi's ``ReCodeAlphabet`` turns its A, C, G, T input into that order) —
the order of our preset (``alphabet="AGCT"``). The converted model has 925 hidden units, as the
paper and our preset (the released Torch training script ``2_model.lua`` builds 919).

**The mapping.** Convolution kernels (out, in, 1, k) (or (out, in, k), a ``Conv1d``) become
Keras's (k, in, out) — PyTorch and Torch7 convolutions are cross-correlations, as Keras's, so no
flip. The first Linear reads the flattened (960, 1, 53) convolution output channel-major (index
``c * 53 + t``); our ``Flatten`` of (53, 960) is position-major (``t * 960 + c``), so its
(925, 50880) weight is reshaped to (925, 960, 53) and reordered to (53 * 960, 925). Dropout is
inactive at prediction in both. The result predicts what Kipoi's model predicts to float32
rounding (``tests/test_deepsea_original_weights.py`` checks this against Kipoi's layer sequence
written out in PyTorch, on state dicts in all three key layouts).

Selene's ``DeepSEA`` class (FunctionLab/selene ``models/deepsea.py``) is a different network —
ReLU and batch normalisation after each layer, 919 hidden units — and its weights are not the
original's; a state dict with batch-normalisation entries is refused with that explanation.
"""

from __future__ import annotations

import os

import numpy as np

from ...errors import DataFormatError, ModelInputError

LAYERS = ("conv1", "conv2", "conv3", "dense", "logits")  # our layer names, in the state dict's order
_NOT_WEIGHTS = ("running_mean", "running_var", "num_batches_tracked")


def _modules(path, state) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(module prefix, weight, bias) in the file's order."""
    order, params = [], {}
    for key, value in state.items():
        module, _, kind = key.rpartition(".")
        if kind in _NOT_WEIGHTS:
            raise DataFormatError(
                f"file '{path}': entry '{key}' holds batch-normalisation statistics, which the original DeepSEA "
                "does not have; this is another network (e.g. Selene's DeepSEA class, retrained with batch "
                "normalisation), not the original weights (Kipoi's deepsea_variant_effects.pth)")
        if kind not in ("weight", "bias") or not module:
            raise DataFormatError(f"file '{path}': entry '{key}' is not a layer's weight or bias; not a DeepSEA "
                                  "state dict")
        if module not in params:
            order.append(module)
            params[module] = {}
        params[module][kind] = value
    out = []
    for module in order:
        p = params[module]
        if set(p) != {"weight", "bias"}:
            missing = ({"weight", "bias"} - set(p)).pop()
            raise DataFormatError(f"file '{path}': layer '{module}' has no {missing}; the file is incomplete")
        out.append((module, p["weight"], p["bias"]))
    return out


def converted_weights(path: str | os.PathLike, model) -> dict[str, list[np.ndarray]]:
    """Keras weights ``{layer name: [kernel, bias]}`` for ``model`` from an original DeepSEA state
    dict at ``path`` (shapes checked against ``model``'s layers; errors name the file and entry)."""
    from ...io.torch_state import read_torch_state_dict

    state = read_torch_state_dict(path)
    modules = _modules(path, state)
    if len(modules) != len(LAYERS):
        raise DataFormatError(f"file '{path}': {len(modules)} layers with weights ({', '.join(m for m, _, _ in modules)}); "
                              f"the original DeepSEA has {len(LAYERS)} (3 convolutions, 2 linear layers)")
    try:
        layers = [model.get_layer(name) for name in LAYERS]
    except ValueError:
        raise ModelInputError(f"model '{model.name}' is not a DeepSEA model (layers {', '.join(LAYERS)}); build it "
                              "with keras_motifs.models.DeepSEA()") from None
    out = {}
    for (module, w, b), layer in zip(modules, layers):
        kernel_shape = tuple(layer.kernel.shape)
        w = np.asarray(w, dtype=np.float32)
        b = np.asarray(b, dtype=np.float32)
        if layer.name.startswith("conv"):
            if w.ndim == 4 and w.shape[2] == 1:  # Conv2d (out, in, 1, k), Kipoi's conversion
                w = w[:, :, 0, :]
            if w.ndim != 3:
                raise DataFormatError(f"file '{path}': '{module}.weight' of shape {tuple(w.shape)} is not a 1-D "
                                      f"convolution kernel (out, in, 1, k) for layer {layer.name}")
            kernel = np.transpose(w, (2, 1, 0))  # (out, in, k) -> (k, in, out)
        else:
            if w.ndim != 2:
                raise DataFormatError(f"file '{path}': '{module}.weight' of shape {tuple(w.shape)} is not a "
                                      f"linear layer's (out, in) matrix for layer {layer.name}")
            if layer.name == "dense":
                prev = model.get_layer("flatten").input.shape  # (N, steps, channels)
                steps, channels = int(prev[1]), int(prev[2])
                if w.shape[1] != steps * channels:
                    raise DataFormatError(
                        f"file '{path}': '{module}.weight' has shape {tuple(w.shape)}; the model's dense layer reads "
                        f"{steps} x {channels} = {steps * channels} inputs (sequence length or filter numbers differ)")
                # torch: flattened (C, 1, T) channel-major; ours: (T, C) position-major
                w = w.reshape(w.shape[0], channels, steps).transpose(0, 2, 1).reshape(w.shape[0], -1)
            kernel = w.T
        if kernel.shape != kernel_shape or b.shape != (kernel_shape[-1],):
            raise DataFormatError(
                f"file '{path}': '{module}.weight' {tuple(np.shape(state[module + '.weight']))} and '{module}.bias' "
                f"{tuple(b.shape)} do not fit layer {layer.name} (kernel {kernel_shape}); the original DeepSEA is "
                "DeepSEA() with the default preset (1,000 bp, 320/480/960 filters, 925 hidden units, 919 outputs)")
        for name, arr in ((f"{module}.weight", kernel), (f"{module}.bias", b)):
            if not np.isfinite(arr).all():
                raise DataFormatError(f"file '{path}': '{name}' holds values that are not finite numbers")
        out[layer.name] = [np.ascontiguousarray(kernel), b]
    return out


def load_original_weights(model, path: str | os.PathLike):
    """Set the original trained DeepSEA weights (a PyTorch state dict converted from the Torch7
    model, e.g. Kipoi's ``deepsea_variant_effects.pth``; see this module's docstring for where to
    get it) into ``model``, a :func:`keras_motifs.models.DeepSEA` of the default preset; returns
    ``model``. Reads the file with :func:`keras_motifs.io.torch_state.read_torch_state_dict`
    (PyTorch not needed). The model takes one-hot (N, 1000, 4) in the order A, G, C, T and
    predicts the 919 targets (Kipoi's ``predictor_names.txt`` order = DeepSEA's).

    Example::

        from keras_motifs.models import DeepSEA
        from keras_motifs.models.deepsea import load_original_weights
        model = load_original_weights(DeepSEA(), "deepsea_variant_effects.pth")
    """
    weights = converted_weights(path, model)  # everything checked before the model is touched
    for name, values in weights.items():
        model.get_layer(name).set_weights(values)
    return model
