"""Koo & Eddy 2019 CNN-N models: parameter counts, layer details, serialisation, training settings."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_motifs import models  # noqa: E402
from keras_motifs.losses import ClippedBinaryCrossentropy  # noqa: E402
from keras_motifs.models.koo_eddy import (  # noqa: E402
    PRESETS,
    TABLE1_MODELS,
    KooEddyCNN,
    compile_model,
    trainable_parameter_count,
    training_config,
)
from model_harness import run_model_saving_test  # noqa: E402

# Trainable-parameter counts of the original code (p-koo/learning_sequence_motifs results tables).
ORIGINAL_COUNTS = [
    ("koo_eddy_cnn_2", 200, 160_048),
    ("koo_eddy_cnn_50_2", 200, 25_712),
    ("koo_eddy_cnn9_4", 200, 158_848),
    ("koo_eddy_cnn3_2", 200, 158_128),
    ("koo_eddy_cnn_2", 1000, 684_336),
    ("koo_eddy_cnn_50_2", 1000, 74_864),
]


@pytest.mark.parametrize("preset,length,expected", ORIGINAL_COUNTS)
def test_parameter_counts_equal_the_original(preset, length, expected):
    assert trainable_parameter_count(KooEddyCNN(preset, sequence_length=length)) == expected


def test_pool_pairs_keep_the_dense_input_size():
    # paper: the product of the two pool sizes is 100, so every CNN-N has the same dense input
    for p in ["koo_eddy_cnn_1", "koo_eddy_cnn_2", "koo_eddy_cnn_4", "koo_eddy_cnn_10", "koo_eddy_cnn_25",
              "koo_eddy_cnn_50", "koo_eddy_cnn_100"]:
        m = KooEddyCNN(p)
        assert m.get_layer("flatten").output.shape[-1] == 2 * 128, p
        assert trainable_parameter_count(m) == 160_048, p


def test_layer_order_and_details():
    m = KooEddyCNN("koo_eddy_cnn_25")
    names = [lay.name for lay in m.layers]
    assert names == [
        "sequence", "conv0", "conv0_bn", "conv0_active", "conv0_pool", "conv0_dropout",
        "conv1", "conv1_bn", "conv1_active", "conv1_pool", "conv1_dropout",
        "flatten", "dense", "dense_bn", "dense_active", "dense_dropout", "targets",
    ]
    conv0 = m.get_layer("conv0")
    assert conv0.kernel_size == (19,) and conv0.filters == 30 and not conv0.use_bias and conv0.padding == "same"
    assert m.get_layer("conv0_pool").pool_size == (25,) and m.get_layer("conv0_pool").padding == "same"
    assert m.get_layer("conv0_pool").output.shape[1] == 8  # ceil(200 / 25)
    assert m.get_layer("conv1_pool").output.shape[1] == 2  # ceil(8 / 4)
    bn = m.get_layer("conv0_bn")
    assert bn.epsilon == pytest.approx(1e-8) and bn.momentum == pytest.approx(0.99)
    assert m.get_layer("conv0_dropout").rate == 0.1 and m.get_layer("dense_dropout").rate == 0.5
    assert m.get_layer("dense").units == 512 and not m.get_layer("dense").use_bias
    assert m.get_layer("targets").units == 12 and m.get_layer("targets").use_bias
    assert m.input_shape == (None, 200, 4)


def test_variants():
    m = KooEddyCNN("koo_eddy_cnn_50_2")
    assert m.get_layer("conv0_pool").pool_size == (50,) and m.get_layer("conv0_pool").strides == (2,)
    assert m.get_layer("conv0_pool").output.shape[1] == 100
    assert m.get_layer("conv1").filters == 64 and m.get_layer("dense").units == 96
    m = KooEddyCNN("koo_eddy_cnn_2_1")
    assert m.get_layer("conv1").kernel_size == (1,) and m.get_layer("conv1").padding == "valid"
    m = KooEddyCNN("koo_eddy_cnn_1_3")
    assert [m.get_layer(f"conv{i}").filters for i in range(3)] == [30, 128, 128]
    assert "conv0_pool" not in [lay.name for lay in m.layers] and m.get_layer("conv2_pool").pool_size == (100,)
    for n in (60, 90, 120):  # paper's filter counts, not the released code's copies of cnn_25
        assert KooEddyCNN(f"koo_eddy_cnn_25_{n}").get_layer("conv0").filters == n
    assert KooEddyCNN("koo_eddy_cnn3_50").get_layer("conv0").kernel_size == (3,)
    assert len(TABLE1_MODELS) == 16 and set(TABLE1_MODELS) <= set(PRESETS)


def test_l2_is_summed_over_kernels_and_output_bias():
    m = KooEddyCNN("koo_eddy_cnn_2")
    x = np.zeros((2, 200, 4), np.float32)
    m(x)
    reg = float(sum(float(v) for v in m.losses))
    expected = 0.0
    for lay in m.layers:
        if isinstance(lay, (keras.layers.Conv1D, keras.layers.Dense)):
            expected += float(np.sum(lay.kernel.numpy() ** 2))
            if lay.use_bias:
                expected += float(np.sum(lay.bias.numpy() ** 2))
    assert reg == pytest.approx(1e-6 * expected, rel=1e-4)
    assert sum(float(np.sum(w.numpy() ** 2)) for w in m.get_layer("conv0_bn").weights) > 0  # BN not regularised


def test_initializers():
    keras.utils.set_random_seed(0)
    m = KooEddyCNN("koo_eddy_cnn_2")
    bias = m.get_layer("targets").bias.numpy()
    limit = (6 / (2 * 12**0.5)) ** 0.5  # deepomics Glorot on a 1-D shape: ~0.93
    assert np.abs(bias).max() <= limit and np.abs(bias).max() > 0.5  # wider than Keras's 1-D Glorot (0.5)
    k = m.get_layer("conv0").kernel.numpy()
    assert np.abs(k).max() <= (6 / (19 * 4 + 19 * 30)) ** 0.5
    he = KooEddyCNN("koo_eddy_cnn_2", initializer="he")
    assert np.all(he.get_layer("targets").bias.numpy() == 0)
    with pytest.raises(ValueError):
        KooEddyCNN("koo_eddy_cnn_2", initializer="lecun")
    with pytest.raises(TypeError):
        KooEddyCNN("koo_eddy_cnn_2", conv_filters=3)
    with pytest.raises(KeyError):
        KooEddyCNN("cnn_7")


def test_training_configs_paper_and_code():
    paper = training_config("koo_eddy_cnn_2")
    assert paper["learning_rate"] == 3e-4 and paper["beta_1"] == 0.9 and paper["batch_size"] == 100
    assert paper["epochs"] == 100 and paper["early_stopping_patience"] == 20
    code = training_config("koo_eddy_cnn_2", variant="code")
    assert code["learning_rate"] == 1e-3 and code["beta_1"] == 0.95
    assert training_config("koo_eddy_cnn_2", in_vivo=True)["batch_size"] == 32
    m = compile_model(KooEddyCNN("koo_eddy_cnn_50_2"), variant="code")
    assert float(m.optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(m.optimizer.beta_1) == pytest.approx(0.95)
    assert isinstance(m.loss, ClippedBinaryCrossentropy)
    with pytest.raises(ValueError):
        training_config("koo_eddy_cnn_2", variant="blog")


def test_training_shuffles_all_rows_every_epoch(monkeypatch):
    """deepomics BatchGenerator: np.random.permutation(num_data) every epoch -> train(shuffle_buffer="full")."""
    import keras_motifs.training as training
    from keras_motifs.papers.koo_eddy import train_and_test

    for variant in ("paper", "code"):
        assert training_config("koo_eddy_cnn_2", variant=variant)["shuffle"] == "full"
        assert training_config("koo_eddy_cnn_2", variant=variant, in_vivo=True)["shuffle"] == "full"
    given = {}

    class Stop(Exception):
        pass

    def spy(*args, **kwargs):
        given.update(kwargs)
        raise Stop

    monkeypatch.setattr(training, "train", spy)
    x, y = np.zeros((4, 200, 4), np.float32), np.zeros((4, 12), np.float32)
    with pytest.raises(Stop):
        train_and_test("koo_eddy_cnn_2", {"train": (x, y), "validation": (x, y), "test": (x, y)},
                       training_config("koo_eddy_cnn_2"), seed=0, output_dir="unused")
    assert given["shuffle_buffer"] == "full"


def test_registry_builds_every_preset():
    for name in PRESETS:
        assert name in models.available()
    m = models.build("koo_eddy_cnn_50_2")
    assert trainable_parameter_count(m) == 25_712
    assert models.training_config("koo_eddy_cnn_50_2")["learning_rate"] == 3e-4


def test_keras_round_trip(tmp_path):
    m = compile_model(KooEddyCNN("koo_eddy_cnn_50_2"))
    x = np.random.default_rng(0).integers(0, 2, (4, 200, 4)).astype(np.float32)
    m.fit(x, np.ones((4, 12), np.float32), epochs=1, verbose=0)  # moving BN statistics move
    m2 = run_model_saving_test(m, x, tmp_path, compile=True)
    assert isinstance(m2.loss, ClippedBinaryCrossentropy)


def test_a_small_model_learns_planted_motifs():
    """CNN-25 on 700 sequences of the published recipe restricted to two TFs (MAFK, SRF):
    training loss falls and held-out mean AUROC is clearly above chance after 4 epochs
    (measured 0.65 and 0.71 for data seeds 1 and 2; an untrained or broken model gives ~0.5)."""
    from keras_motifs.data import indices_to_one_hot
    from keras_motifs.metrics import per_target_auc
    from tfds_builders.koo_eddy_synthetic.synthetic import core_pwms, generate

    p = core_pwms()
    d = generate(num_sequences=1000, seed=2, motifs=[p[8], p[9], p[18], p[19]])
    x, y = indices_to_one_hot(d["train"]["sequence"]), d["train"]["label"]
    keras.utils.set_random_seed(2)
    m = compile_model(KooEddyCNN("koo_eddy_cnn_25", num_targets=2), variant="code")
    # batch 20 gives enough steps for the BN moving averages (momentum 0.99) to settle
    hist = m.fit(x, y, batch_size=20, epochs=4, verbose=0)
    assert hist.history["loss"][-1] < 0.8 * hist.history["loss"][0]
    pred = m.predict(indices_to_one_hot(d["test"]["sequence"]), verbose=0)
    assert np.nanmean(per_target_auc(d["test"]["label"], pred)["roc_auc"]) > 0.6
