"""Deepprune base CNN: architecture as the original build_CNN, presets, registry, save/load."""

import keras
import numpy as np
import pytest

from keras_motifs.layers import MaskLayer
from keras_motifs.models import build, training_config
from keras_motifs.models import get_preset
from keras_motifs.models.deepprune import Deepprune
from model_harness import run_model_saving_test


def test_architecture_matches_original_build_cnn():
    m = Deepprune("deepprune")
    names = [layer.name for layer in m.layers]
    assert names == ["sequence", "conv", "relu_advanced", "score", "mask", "dense", "sigmoid"]
    conv = m.get_layer("conv")
    assert conv.filters == 256 and conv.kernel_size == (24,) and conv.padding == "same"
    assert conv.strides == (1,) and conv.activation.__name__ == "linear"
    assert isinstance(conv.kernel_initializer, keras.initializers.GlorotUniform)
    assert isinstance(m.get_layer("dense").kernel_initializer, keras.initializers.GlorotUniform)
    assert m.input_shape == (None, 101, 4) and m.output_shape == (None, 1)
    # conv 256*24*4 + 256, mask 256 (non-trainable), dense 256 + 1
    assert m.count_params() == 256 * 24 * 4 + 256 + 256 + 257
    assert sum(int(np.prod(w.shape)) for w in m.trainable_weights) == 256 * 24 * 4 + 256 + 257
    assert Deepprune("deepprune_chipseq").get_layer("conv").kernel_size == (15,)


def test_baseline_has_no_mask_and_overrides():
    m = Deepprune("deepprune", with_mask=False, kernels=4, kernel_length=6, sequence_length=20)
    assert not any(isinstance(layer, MaskLayer) for layer in m.layers)
    assert m.get_layer("conv").filters == 4 and m.input_shape == (None, 20, 4)
    with pytest.raises(TypeError, match="unknown hyperparameter"):
        Deepprune("deepprune", kernel_number=4)
    with pytest.raises(KeyError):
        Deepprune("nope")


def test_relu_advanced_values():
    """Original relu_advanced = K.relu(x, alpha=0.5, max_value=10): slope 0.5 below 0, cap 10."""
    layer = Deepprune("deepprune", kernels=2).get_layer("relu_advanced")
    x = np.array([[-30.0, -4.0, -1.0, 0.0, 3.0, 10.0, 12.0]], dtype="float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), [[-15.0, -2.0, -0.5, 0.0, 3.0, 10.0, 10.0]])


def test_registry_and_training_config():
    m = build("deepprune_chipseq", kernels=8)
    assert m.get_layer("conv").filters == 8
    cfg = training_config("deepprune")
    assert cfg["learning_rate"] == 0.01 and cfg["batch_size"] == 256 and cfg["epochs"] == 1000
    assert cfg["early_stopping_patience"] == 15 and cfg["validation_split"] == 0.1
    assert cfg["pruning_rounds"] == 6 and cfg["decay_rate"] == 1.2 and cfg["criterion"] == "weight"
    assert get_preset("deepprune")["kernels"] == 2 ** 6 * 4


def test_keras_round_trip_keeps_mask(tmp_path):
    keras.utils.set_random_seed(0)
    m = Deepprune("deepprune", kernels=8, kernel_length=5, sequence_length=30)
    m.get_layer("mask").set_mask(np.array([1, 0, 1, 1, 0, 0, 1, 0], bool))
    x = np.random.default_rng(0).random((5, 30, 4)).astype("float32")
    loaded = run_model_saving_test(m, x, tmp_path)
    assert isinstance(loaded.get_layer("mask"), MaskLayer)
    np.testing.assert_array_equal(loaded.get_layer("mask").get_mask(), m.get_layer("mask").get_mask())
