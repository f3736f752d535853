"""Koo & Eddy motif analysis: the code's activation_pwm rule, its agreement with
keras_motifs.interpret, and the Tomtom match fractions on known motifs."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_motifs.models.koo_eddy import KooEddyCNN  # noqa: E402
from keras_motifs.papers import koo_eddy as km  # noqa: E402
from keras_motifs.papers.koo_eddy import GROUND_TRUTH_IDS  # noqa: E402
from tfds_builders.koo_eddy_synthetic.synthetic import core_pwms  # noqa: E402


def test_activation_pwm_planted_window():
    x = np.zeros((2, 40, 4), np.float32)
    x[:, :, 0] = 1  # all A
    x[0, 12:16, :] = np.eye(4)  # ACGT at 12..15 in sequence 0
    act = np.zeros((2, 40, 1), np.float32)
    act[0, 14, 0] = 2.0  # above 0.5 x max: window 14-9 .. 14+9
    act[1, 3, 0] = 0.9  # below 0.5 x 2.0: ignored
    ppm = km.activation_pwm(act, x, window=19)
    assert ppm.shape == (1, 19, 4)
    np.testing.assert_allclose(ppm[0, 7:11], np.eye(4))  # positions 12..15 = window rows 7..10
    np.testing.assert_allclose(ppm[0, :7, 0], 1)
    # at the sequence start the window is zero-padded and the padded rows stay 0
    act2 = np.zeros((1, 40, 1), np.float32)
    act2[0, 2, 0] = 1.0
    ppm2 = km.activation_pwm(act2, x[1:], window=19)
    np.testing.assert_allclose(ppm2[0, :7], 0)
    np.testing.assert_allclose(ppm2[0, 7:, 0], 1)


def test_fixed_window_rule_equals_interpret_for_19_wide_first_layers():
    """For 19-wide SAME first-layer filters the code's window is the filter's own: our fixed-window
    function and keras_motifs.interpret's koo_eddy rule must give the same PPMs."""
    from keras_motifs.interpret import filter_motifs

    keras.utils.set_random_seed(3)
    model = KooEddyCNN("koo_eddy_cnn_25", conv_blocks=[
        {"filters": 6, "size": 19, "padding": "same", "pool": 25, "pool_stride": None, "dropout": 0.1},
        {"filters": 4, "size": 5, "padding": "same", "pool": 4, "pool_stride": None, "dropout": 0.1},
    ], dense_units=8)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (30, 200))]
    ours = km.activation_pwm(np.asarray(keras.Model(model.inputs, model.get_layer("conv0_active").output)(x)), x)
    theirs = filter_motifs(model, x, layer="conv0_active", rule="koo_eddy").ppm
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    # and layer_ppms picks the interpret path for it, the fixed window for a 9-wide layer
    np.testing.assert_allclose(km.layer_ppms(model, x, "conv0_active"), theirs, atol=1e-6)
    m9 = KooEddyCNN("koo_eddy_cnn9_4", conv_blocks=[
        {"filters": 3, "size": 9, "padding": "same", "pool": 4, "pool_stride": None, "dropout": 0.1},
        {"filters": 4, "size": 5, "padding": "same", "pool": 25, "pool_stride": None, "dropout": 0.1},
    ], dense_units=8)
    assert km.layer_ppms(m9, x, "conv0_active").shape == (3, 19, 4)
    with pytest.raises(ValueError, match="pooled"):
        km.layer_ppms(model, x, "conv1_active")  # after pooling: positions do not align


def test_ground_truth_motifs_match_and_noise_does_not():
    """Filters that are the ground-truth PWMs (padded with uniform columns, as an aligned 19-nt
    window would be) match their own TF; uniform filters match nothing."""
    pwms = core_pwms()
    ppms = []
    for k in range(0, 24, 4):  # 6 TFs, forward strand
        p = pwms[k].T
        pad = 19 - len(p)
        ppms.append(np.vstack([np.full((pad // 2, 4), 0.25), p, np.full((pad - pad // 2, 4), 0.25)]))
    ppms.append(np.full((19, 4), 0.25))
    result, motifs = km.analyse_ppms(np.array(ppms))
    assert result["n_filters"] == 7
    assert result["match_relevant_fraction"] == pytest.approx(6 / 7)
    assert result["match_any_fraction"] == pytest.approx(6 / 7)
    assert "filter6" not in result["best_hits"]
    assert result["tf_coverage"] == pytest.approx(6 / 12)
    id_to_tf = {i: tf for tf, ids in GROUND_TRUTH_IDS.items() for i in ids}
    assert [id_to_tf[result["best_hits"][f"filter{i}"]["target_id"]] for i in range(6)] == [
        "Arid3a", "FOSL1", "MAFK", "MEF2A", "SP1", "STAT1"]
    assert [m.width for m in motifs[:6]] == result["clipped_widths"][:6]
    assert result["clipped_widths"][6] == 19  # nothing informative: kept whole, as the code does
