"""Koo & Eddy motif analysis: the code's activation_pwm rule, its agreement with
keras_motifs.interpret (the fixed-window koo_eddy rule), and the Tomtom match fractions on known
motifs."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_motifs.errors import ModelInputError  # noqa: E402
from keras_motifs.interpret import filter_motifs  # noqa: E402
from keras_motifs.models.koo_eddy import KooEddyCNN  # noqa: E402
from keras_motifs.papers import koo_eddy as km  # noqa: E402
from keras_motifs.papers.koo_eddy import GROUND_TRUTH_IDS  # noqa: E402
from tfds_builders.koo_eddy_synthetic.synthetic import core_pwms  # noqa: E402


def code_activation_pwm(activations, x, window=19, threshold=0.5):
    """The released code's ``activation_pwm`` (p-koo/learning_sequence_motifs code/deepomics/visualize.py), transcribed:
    PPMs (F, window, 4) from activations (N, L, F) aligned to one-hot inputs (N, L, 4). Every
    position above ``threshold`` x the filter's maximum adds the window [p - window//2,
    p + window - window//2) weighted by its activation, zero-padded at the ends; each row is
    divided by the summed weights of the non-padded windows (rows never covered are 0)."""
    act = np.asarray(activations, dtype=np.float32)
    x = np.asarray(x, dtype=np.float32)
    n, length, n_filters = act.shape
    left = window // 2
    right = window - left
    xp = np.pad(x, ((0, 0), (left, right), (0, 0)))
    valid = np.pad(np.ones((n, length), np.float32), ((0, 0), (left, right)))
    w = np.where(act > threshold * act.max(axis=(0, 1)), act, 0.0).reshape(n * length, n_filters)
    counts = np.zeros((n_filters, window, x.shape[-1]))
    norm = np.zeros((n_filters, window))
    for k in range(window):
        counts[:, k, :] = w.T @ xp[:, k : k + length, :].reshape(n * length, -1)
        norm[:, k] = w.T @ valid[:, k : k + length].reshape(n * length)
    with np.errstate(invalid="ignore", divide="ignore"):
        ppm = counts / norm[:, :, None]
    return np.nan_to_num(ppm, nan=0.0)


def test_code_activation_pwm_planted_window():
    x = np.zeros((2, 40, 4), np.float32)
    x[:, :, 0] = 1  # all A
    x[0, 12:16, :] = np.eye(4)  # ACGT at 12..15 in sequence 0
    act = np.zeros((2, 40, 1), np.float32)
    act[0, 14, 0] = 2.0  # above 0.5 x max: window 14-9 .. 14+9
    act[1, 3, 0] = 0.9  # below 0.5 x 2.0: ignored
    ppm = code_activation_pwm(act, x, window=19)
    assert ppm.shape == (1, 19, 4)
    np.testing.assert_allclose(ppm[0, 7:11], np.eye(4))  # positions 12..15 = window rows 7..10
    np.testing.assert_allclose(ppm[0, :7, 0], 1)
    # at the sequence start the window is zero-padded and the padded rows stay 0
    act2 = np.zeros((1, 40, 1), np.float32)
    act2[0, 2, 0] = 1.0
    ppm2 = code_activation_pwm(act2, x[1:], window=19)
    np.testing.assert_allclose(ppm2[0, :7], 0)
    np.testing.assert_allclose(ppm2[0, 7:, 0], 1)


def _cnn(name, size, pool1, pool2, filters=6):
    keras.utils.set_random_seed(3)
    return KooEddyCNN(name, conv_blocks=[
        {"filters": filters, "size": size, "padding": "same", "pool": pool1, "pool_stride": None, "dropout": 0.1},
        {"filters": 4, "size": 5, "padding": "same", "pool": pool2, "pool_stride": None, "dropout": 0.1},
    ], dense_units=8)


def test_fixed_window_rule_equals_the_codes_activation_pwm():
    """interpret's koo_eddy rule with window=19 computes the code's activation_pwm: for 19-wide SAME
    first layers (where the window is the filter's own), for 9-wide first layers and for a second
    layer without pooling before it (CNN-1); a pooled layer cannot be aligned."""
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (30, 200))]
    for model, layer in ((_cnn("koo_eddy_cnn_25", 19, 25, 4), "conv0_active"),
                         (_cnn("koo_eddy_cnn9_4", 9, 4, 25, filters=3), "conv0_active"),
                         (_cnn("koo_eddy_cnn_1", 19, None, 100), "conv1_active")):
        act = np.asarray(keras.Model(model.inputs, model.get_layer(layer).output)(x))
        ours = filter_motifs(model, x, layer=layer, rule="koo_eddy", window=km.WINDOW, batch_size=7).ppm
        assert ours.shape == (act.shape[-1], 19, 4)
        np.testing.assert_allclose(ours, code_activation_pwm(act, x), atol=1e-5)
    model = _cnn("koo_eddy_cnn_25", 19, 25, 4)
    # 19-wide SAME: the fixed window is the receptive field
    np.testing.assert_allclose(filter_motifs(model, x, layer="conv0_active", window=19).ppm,
                               filter_motifs(model, x, layer="conv0_active").ppm, atol=1e-7)
    with pytest.raises(ModelInputError, match="pooled"):
        filter_motifs(model, x, layer="conv1_active", window=19)  # after pooling: positions do not align
    # N as an all-zero row: the code still counts its weight in the row's norm, we do not (documented)
    xn = x.copy()
    xn[:, 100:110] = 0
    act = np.asarray(keras.Model(model.inputs, model.get_layer("conv0_active").output)(xn))
    code = code_activation_pwm(act, xn)
    ours = filter_motifs(model, xn, layer="conv0_active", window=19).ppm
    rows = code.sum(-1, keepdims=True)
    np.testing.assert_allclose(ours, np.divide(code, rows, out=np.zeros_like(code), where=rows > 0), atol=1e-5)


def test_analyse_model_writes_the_papers_files(tmp_path):
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (20, 200))]
    out = km.analyse_model(_cnn("koo_eddy_cnn9_4", 9, 4, 25, filters=3), x, tmp_path)
    from keras_motifs.interpret import read_meme

    meme = read_meme(tmp_path / "filters_conv0_active_clip.meme")
    ppm = np.load(tmp_path / "filters_conv0_active.npz")["ppm"]
    assert ppm.shape == (3, 19, 4) and len(meme) == 3 and out["conv0_active"]["n_filters"] == 3
    assert [m.nsites for m in meme] == [m.width for m in meme] == out["conv0_active"]["clipped_widths"]
    assert (tmp_path / "motifs_conv0_active.json").exists()


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


def _tomtom_hits(rows):
    import pandas as pd

    from keras_motifs.interpret.tomtom import COLUMNS

    df = pd.DataFrame([dict(zip(COLUMNS, r + ("", ""))) for r in rows], columns=COLUMNS)
    for c in ("p_value", "e_value", "q_value"):
        df[c] = df[c].astype(float)
    return df


def test_relevant_match_counts_any_ground_truth_hit_and_reports_the_best_hit_rule_beside_it():
    """The code's helper.match_hits_to_ground_truth counts a filter when any of its Tomtom hits
    (E < 0.1) is a ground-truth ID. filter0's best hit (lowest q) is CEBPE, not a ground-truth ID,
    its second hit is CEBPB (MA0466.2): relevant under the paper's rule, not under the best-hit
    rule; filter1's best hit is SP1; filter2 hits a decoy only; filter3 has no hit."""
    from types import SimpleNamespace

    from keras_motifs.interpret import MotifProtocol, match_hits

    hits = _tomtom_hits([
        ("filter0", "MA0102.3", "CEBPA", 0, 10, "+", 1e-7, 1e-4, 1e-5),
        ("filter0", "MA0466.2", "CEBPB", 0, 10, "+", 1e-6, 1e-3, 1e-4),
        ("filter1", "MA0079.3", "SP1", 1, 9, "-", 1e-6, 1e-3, 1e-4),
        ("filter2", "MA0004.1", "Arnt", 0, 6, "+", 1e-4, 0.05, 0.03),
    ])
    names = [f"filter{i}" for i in range(4)]
    proto = km.protocol()
    assert proto.match == "any"  # the paper's and the code's rule is the default
    s = match_hits(hits, names, proto.match, proto.best_by, GROUND_TRUTH_IDS)
    assert s["n_match_ground_truth"] == 2 and s["tfs_covered"] == ["CEBPB", "SP1"]
    # both rules in the paper module's Table 1 columns
    analysis = SimpleNamespace(summary=s, hits=hits, protocol=proto, motifs=[None] * 4, trimmed=[],
                               queries=[SimpleNamespace(name=n) for n in names])
    r = km._result(analysis, GROUND_TRUTH_IDS)
    assert r["match_rule"] == "any"
    assert r["match_any_fraction"] == pytest.approx(3 / 4)
    assert r["match_relevant_fraction"] == pytest.approx(2 / 4)
    assert r["match_relevant_best_fraction"] == pytest.approx(1 / 4)
    assert r["tf_coverage"] == pytest.approx(2 / 12) and r["tf_coverage_best"] == pytest.approx(1 / 12)
    assert r["best_hits"]["filter0"]["target_id"] == "MA0102.3"
    assert MotifProtocol.from_dict(dict(km.MOTIF_PROTOCOL, match="best")).match == "best"


def test_summary_prints_both_match_rules(tmp_path):
    import json

    from keras_motifs.papers.koo_eddy import format_summary, motifs_current, summary_rows

    for t, (anyf, bestf) in enumerate([(0.5, 0.25), (0.7, 0.35)]):
        d = tmp_path / "koo_eddy_cnn_25" / f"trial{t}"
        d.mkdir(parents=True)
        (d / "metrics.json").write_text(json.dumps({"mean_roc_auc": 0.9, "mean_pr_auc": 0.6, "epochs_run": 8,
                                                     "train_seconds": 1.0}))
        (d / "motifs_conv0_active.json").write_text(json.dumps({
            "match_rule": "any", "match_any_fraction": 0.8, "match_relevant_fraction": anyf,
            "match_relevant_best_fraction": bestf, "tf_coverage": 0.5}))
        assert motifs_current(d / "motifs_conv0_active.json")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"match_any_fraction": 0.8, "match_relevant_fraction": 0.3, "tf_coverage": 0.5}))
    assert not motifs_current(old)  # written under the best-hit rule only: recomputed
    rows = summary_rows(tmp_path, ["koo_eddy_cnn_25"], {"CNN-25": {"match_relevant": "0.980", "match_relevant_sd": "0.027"}})
    text = format_summary(rows)
    head, line = text.splitlines()[:2]
    assert head.split("\t")[-3:] == ["relevant (best hit)", "epochs run", "training s"]
    cells = line.split("\t")
    assert cells[6:] == ["0.600±0.100", "0.980±0.027", "0.300±0.050", "8, 8", "2"]


def test_class_summary_names_the_trials_that_left_a_class_unlearnt(tmp_path):
    import json

    from keras_motifs.papers.koo_eddy import class_summary, format_class_summary

    good = [0.80] + [0.97] * 11  # class 0 the weakest, nothing collapsed
    one_low = [0.85] + [0.97] * 6 + [0.61] + [0.95, 0.70] + [0.97] * 2  # class 7 and class 9 low: the weakest is named
    failed = [0.62] + [0.60] * 11  # a model that does not classify at all
    for preset, aucs in [("koo_eddy_cnn_25", [good, one_low]), ("koo_eddy_cnn_2", [good]), ("koo_eddy_cnn3_50", [failed])]:
        for t, roc in enumerate(aucs):
            d = tmp_path / preset / f"trial{t}"
            d.mkdir(parents=True)
            (d / "metrics.json").write_text(json.dumps({"trial": t, "roc_auc": roc, "mean_roc_auc": float(np.mean(roc))}))
    cs = class_summary(tmp_path, ["koo_eddy_cnn_25", "koo_eddy_cnn_2", "koo_eddy_cnn3_50"])
    assert cs["trials"] == 4
    assert cs["weakest_is_class0"] == 2  # the two 'good' trials (one_low's weakest is class 7)
    assert cs["not_classifying"] == [("CNN3-50", 0, pytest.approx(7.22 / 12))]
    assert cs["collapsed"] == [("CNN-25", 1, 7, pytest.approx(0.61))]
    assert cs["by_pool"] == {">= 10": (1, 2), "<= 4": (0, 1)}  # CNN3-50 (pool 50) left out: not classifying
    text = format_class_summary(cs)
    assert "CNN-25 trial 1 class 7 0.610" in text and "pooling >= 10: 1 of 2" in text
    assert format_class_summary(class_summary(tmp_path / "none", ["koo_eddy_cnn_25"])) == "per class: no finished trials"
