"""Per-target AUCs, summaries and forward/RC averaging (keras_motifs.metrics)."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from keras_motifs.errors import ModelInputError
from keras_motifs.metrics import (
    average_halves, average_pairs, count_better, deepsea_groups, per_target_auc, summarize,
)


def test_per_target_auc_matches_sklearn_and_reports_na():
    rng = np.random.default_rng(0)
    y = (rng.random((200, 3)) < 0.3).astype(int)
    y[:, 2] = 0  # no positives: NA, never 0.5
    s = rng.random((200, 3)) + y * 0.5
    out = per_target_auc(y, s)
    assert out["roc_auc"][0] == pytest.approx(roc_auc_score(y[:, 0], s[:, 0]))
    assert out["pr_auc"][1] == pytest.approx(average_precision_score(y[:, 1], s[:, 1]))
    assert np.isnan(out["roc_auc"][2]) and np.isnan(out["pr_auc"][2])
    assert out["n_positive"][2] == 0


def test_trapezoid_pr_option_differs_but_is_close():
    rng = np.random.default_rng(1)
    y = (rng.random((300, 1)) < 0.2).astype(int)
    s = rng.random((300, 1)) + y * 0.3
    ap = per_target_auc(y, s)["pr_auc"][0]
    tr = per_target_auc(y, s, pr_method="trapezoid")["pr_auc"][0]
    assert abs(ap - tr) < 0.05


def test_bad_labels_and_predictions_are_errors():
    with pytest.raises(ModelInputError, match="0 or 1"):
        per_target_auc(np.array([[0], [2]]), np.array([[0.1], [0.2]]))
    with pytest.raises(ModelInputError, match="not finite"):
        per_target_auc(np.array([[0], [1]]), np.array([[0.1], [np.nan]]))
    with pytest.raises(ModelInputError, match="shape"):
        per_target_auc(np.zeros((3, 2)), np.zeros((3, 1)))


def test_summarize_by_group_excludes_na():
    values = np.array([0.9, 0.8, np.nan, 0.6, 0.7])
    s = summarize(values, ["a", "a", "b", "b", "b"])
    assert s["n"] == 4 and s["n_na"] == 1
    assert s["mean"] == pytest.approx(0.75)
    assert s["groups"]["a"]["median"] == pytest.approx(0.85)
    assert s["groups"]["b"]["median"] == pytest.approx(0.65)
    assert s["groups"]["b"]["n"] == 2


def test_deepsea_groups_layout():
    g = deepsea_groups()
    assert len(g) == 919
    assert g[0] == "DNase" and g[124] == "DNase" and g[125] == "TF" and g[814] == "TF" and g[815] == "Histone"


def test_forward_rc_averaging():
    p = np.array([[0.2], [0.4], [0.6], [0.8]])
    np.testing.assert_allclose(average_halves(p), [[0.4], [0.6]])
    ids, avg = average_pairs(p, np.array([1, 0, 1, 0]))
    np.testing.assert_array_equal(ids, [0, 1])
    np.testing.assert_allclose(avg, [[0.6], [0.4]])
    with pytest.raises(ValueError, match="exactly twice"):
        average_pairs(p, np.array([0, 0, 0, 1]))
    with pytest.raises(ValueError, match="halves"):
        average_halves(p[:3])


def test_count_better():
    c = count_better(np.array([0.9, 0.5, np.nan, 0.7]), np.array([0.8, 0.6, 0.5, 0.6]))
    assert c == {"better": 2, "n": 3, "fraction": pytest.approx(2 / 3)}
