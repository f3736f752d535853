"""DeepBind's calibration and final training as the original ran them (jisraeli/DeepBind
code/libs/deepity/deepity hypertrain.py, hpsearch.py, report.py, sgd.py, data.py;
code/libs/kangaroo/kangaroo/train.py; code/deepbind_util.py), and the released models of the
ENCODE experiments."""

from itertools import islice
from types import SimpleNamespace

import numpy as np
import pytest

from keras_motifs.papers import deepbind as paper

STEPS = [20, 40, 60, 80, 100]
# Hand-made validation losses, [setting][fold][checkpoint]. Setting 0 has the lowest loss of any
# single fold (0.20 and 0.25 at different steps: mean of per-fold minima 0.225) but its fold mean
# at equal steps never goes below 0.45; setting 1's fold mean is 0.33 at step 60, the lowest.
VAL = [
    [[0.60, 0.20, 0.70, 0.70, 0.70], [0.70, 0.70, 0.70, 0.25, 0.70]],  # means .65 .45 .70 .475 .70
    [[0.50, 0.40, 0.32, 0.36, 0.38], [0.50, 0.40, 0.34, 0.35, 0.37]],  # means .50 .40 .33 .355 .375
]


def _results():
    return [{"setting": {"name": i}, "steps": STEPS, "fold_losses": VAL[i]} for i in range(len(VAL))]


def test_choice_is_the_lowest_fold_mean_at_equal_steps():
    best = paper.choose(_results())
    assert (best["index"], best["step"]) == (1, 60) and best["val_loss"] == pytest.approx(0.33)
    # the per-fold minimum rule would have chosen setting 0
    assert np.argmin([np.mean(np.min(v, axis=1)) for v in VAL]) == 0
    # ties: the first (hpsearch.get_best_sample keeps the first of equal losses); NaN skipped
    tie = [{"setting": 0, "steps": [1, 2], "fold_losses": [[0.3, np.nan]]},
           {"setting": 1, "steps": [1, 2], "fold_losses": [[0.4, 0.3]]}]
    assert (paper.choose(tie)["index"], paper.choose(tie)["step"]) == (0, 1)


def _split(n=6, length=12, seed=0):
    rng = np.random.default_rng(seed)
    pos = rng.integers(0, 4, (n, length)).astype(np.uint8)
    neg = pos[:, ::-1].copy()  # stands in for the builder's shuffles (paired by order)
    x = np.empty((2 * n, length), np.uint8)
    x[0::2], x[1::2] = pos, neg
    return {"x": x, "y": np.tile(np.array([1, 0], np.float32), n)}


def test_final_training_runs_the_chosen_number_of_steps(monkeypatch):
    """Calibration trains every setting on every fold and scores the whole augmented validation
    fold at 5 checkpoints; the final models train for the chosen step (60), not a fixed length."""
    split = _split()
    budget = {"n_calib": 2, "n_folds": 2, "folds_run": None, "calib_steps": 100, "final_steps": None,
              "final_trials": 2, "min_rows": 10, "batch_size": 4, "val_rows": 0, "redraw_if_stuck": 0, "seed": 0}
    calls = []

    def fake_train_once(setting, x, y, steps, batch_size, seed, val=None, checkpoints=5, weight_decay_start=100):
        if val is not None:
            ci, fold = (seed % 1000) // 10, seed % 10
            assert steps == 100 and checkpoints == 5
            # the whole validation fold: its 3 peaks augmented to min_rows positives + shuffles
            assert len(val[0]) == len(val[1]) == 2 * 10 and val[1].tolist() == [1, 0] * 10
            assert len(x) == 2 * 10  # the training fold's 3 peaks, augmented separately
            calls.append(("calib", ci, fold))
            return None, {"steps": STEPS, "train_loss": [0.5] * 5, "val_loss": VAL[ci][fold]}
        calls.append(("final", steps, checkpoints))
        return SimpleNamespace(), {"steps": [steps], "train_loss": [0.5], "val_loss": []}

    monkeypatch.setattr(paper, "train_once", fake_train_once)
    monkeypatch.setattr(paper, "predict_logits", lambda model, x: np.zeros(len(x)))
    monkeypatch.setattr(paper, "auc", lambda model, test: 0.5)
    _, result = paper.train_and_test(split, {"x": split["x"], "y": split["y"]}, budget, "top500", log=lambda m: None)
    assert sorted(c for c in calls if c[0] == "calib") == [("calib", c, f) for c in range(2) for f in range(2)]
    assert [c for c in calls if c[0] == "final"] == [("final", 60, 1)] * 2
    assert (result["best_index"], result["best_step"], result["final_steps"]) == (1, 60, 60)
    assert result["best_setting"] == result["calibration"][1]["setting"]
    assert result["calibration"][1]["val_loss_by_step"] == pytest.approx([0.50, 0.40, 0.33, 0.355, 0.375])
    # an explicit final length overrides the chosen step
    calls.clear()
    _, result = paper.train_and_test(split, {"x": split["x"], "y": split["y"]}, dict(budget, final_steps=7),
                                     "top500", log=lambda m: None)
    assert [c for c in calls if c[0] == "final"] == [("final", 7, 1)] * 2 and result["best_step"] == 60


def test_folds_are_contiguous_blocks_of_one_shuffle():
    """deepity: data.shuffle() then data.split(fold, nfold - 1): fold f validates on block
    nfold - 1 - f of the shuffled peaks (cut at linspace(0, n, nfold + 1))."""
    folds = paper.cv_folds(10, 3, np.random.default_rng(0))
    perm = np.random.default_rng(0).permutation(10)
    at = [0, 3, 6, 10]
    for f, (tr, va) in enumerate(folds):
        r = 2 - f
        assert va.tolist() == perm[at[r]:at[r + 1]].tolist()
        assert tr.tolist() == [p for p in perm if p not in va]  # the others, in shuffled order
    assert sorted(np.concatenate([va for _, va in folds]).tolist()) == list(range(10))


def test_augment_interleaves_each_positive_with_its_shuffle():
    """deepbind_util._augment_seqdata: row 2j is positive j mod n, row 2j + 1 a shuffle of it."""
    split = _split(n=4, length=20)
    pos = split["x"][0::2]
    x, y, peaks = paper.augment(split, 10, seed=0, peaks=[2, 0, 3])
    assert len(x) == 20 and y.tolist() == [1, 0] * 10
    assert peaks[0::2].tolist() == [2, 0, 3, 2, 0, 3, 2, 0, 3, 2] and (peaks[0::2] == peaks[1::2]).all()
    np.testing.assert_array_equal(x[0::2], pos[peaks[0::2]])
    np.testing.assert_array_equal(x[1:6:2], split["x"][1::2][[2, 0, 3]])  # first copy: the builder's
    for a, b in zip(x[6::2], x[7::2]):  # further copies: dinucleotide shuffles of their positive
        assert sorted(zip(a[:-1], a[1:])) == sorted(zip(b[:-1], b[1:])) and a[0] == b[0]


def test_batches_come_in_a_fixed_order_every_epoch():
    """deepity asbatches(reshuffle=False): consecutive rows, the last batch shorter, the same
    batches in the same order each epoch."""
    got = [b.tolist() for b in islice(paper.batch_indices(10, 4), 5)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7]]
    ep = list(islice(paper.batch_indices(10, 4, "epoch", 0), 4))
    assert all(len(b) == 4 for b in ep) and sorted(np.concatenate(ep[:2]).tolist()) != list(range(8))
    with pytest.raises(ValueError):
        next(paper.batch_indices(10, 4, "sometimes"))


def test_released_model_id_matches_the_experiment_path():
    rows = [SimpleNamespace(id="D00736.002", path="E:/Results/deepbind/encode/best/final/ARID3A_K562_ARID3A_(sc-8821)_Stanford"),
            SimpleNamespace(id="D00736.003", path="E:/Results/deepbind/encode/all/final/ARID3A_K562_ARID3A_(sc-8821)_Stanford"),
            SimpleNamespace(id="D00753.001", path="E:\\Results\\deepbind\\encode\\best\\final\\CTCFL_K562_CTCFL_(SC-98982)_HudsonAlpha")]
    db = SimpleNamespace(find=lambda **kw: rows if kw == {"experiment": "ChIP-seq"} else [])
    assert paper.released_model_id("ARID3A_K562_ARID3A_(sc-8821)_Stanford", db) == "D00736.002"
    assert paper.released_model_id("CTCFL_K562_CTCFL_(SC-98982)_HudsonAlpha", db) == "D00753.001"
    assert paper.released_model_id("ARID3A_K562", db) is None


def test_released_models_of_the_shared_experiments(shared_data):
    from keras_motifs.deepbind import Database
    from tfds_builders.deepbind_encode_chipseq.deepbind_encode_chipseq_dataset_builder import read_seq_file

    if not (shared_data / "deepbind_models" / "params").is_dir():
        pytest.skip("no shared DeepBind model database")
    db = Database(shared_data / "deepbind_models")
    assert paper.released_model_id("ARID3A_K562_ARID3A_(sc-8821)_Stanford", db) == "D00736.002"
    assert paper.released_model_id("CTCFL_K562_CTCFL_(SC-98982)_HudsonAlpha", db) == "D00753.001"
    test_file = shared_data / "deepbind_encode" / "CTCFL_K562_CTCFL_(SC-98982)_HudsonAlpha_B.seq.gz"
    if not test_file.exists():
        pytest.skip("no shared ENCODE test file")
    _, seqs, labels = read_seq_file(test_file)
    # docs/RESULTS.md: 0.9864 (published DeepBind* 0.987)
    assert paper.released_auc("D00753.001", seqs, labels, db) == pytest.approx(0.9864, abs=5e-4)


def test_summary_table_has_a_released_model_column():
    lines, summary = paper.summary_table(
        ["E1"], {("E1", "top500"): {"test_auc": 0.9, "published_auc": None}},
        {"E1": {"DeepBind": "0.91", "DeepBind*": "0.95"}}, {"E1": {"model_id": "D00001.001", "test_auc": 0.94}})
    assert lines[0].split("|")[-2].strip() == "released model"
    assert lines[2].split("|")[-2].strip() == "0.940 (D00001.001)"
    assert summary["mean_released"] == pytest.approx(0.94)


def test_summary_pairs_all_peaks_with_the_released_models():
    results = {("E1", "all"): {"test_auc": 0.90, "published_auc": None},
               ("E2", "all"): {"test_auc": 0.95, "published_auc": None}}
    released = {"E1": {"model_id": "D1", "test_auc": 0.92}, "E2": {"model_id": "D2", "test_auc": 0.94},
                "E3": {"model_id": "D3", "test_auc": 0.50}}  # E3 not run: left out of the pairing
    lines, summary = paper.summary_table(["E1", "E2", "E3"], results, {}, released)
    assert summary["n_all_vs_released"] == 2
    assert summary["mean_all_vs_released"] == pytest.approx(-0.005)
    assert summary["worst_vs_released"] == ("E1", pytest.approx(-0.02))
    assert "most below its released model: E1 (-0.0200)" in lines[-1]


def test_summary_details_the_calibration_and_the_final_trials():
    stuck, moved = float(np.log(2.0)), 0.60
    cal = ([{"setting": {"num_hidden": 0}, "val_loss": v} for v in (stuck, moved, 0.6920)]
           + [{"setting": {"num_hidden": 32}, "val_loss": v} for v in (stuck, stuck - 1e-6)])  # 1e-6 below: still stuck
    result = {"test_auc": 0.91, "published_auc": None, "calibration": cal, "best_val_loss": moved, "best_step": 8000,
              "best_setting": {"num_hidden": 0, "learning_rate": 0.0041, "momentum": 0.973, "dropout": 0.25},
              "budget": {"calib_steps": 20000}, "final_trials_test_auc": [0.90, 0.91, 0.93], "final_trial": 1,
              "unit_seconds": 3688.4}
    lines, summary = paper.summary_table(["E1"], {("E1", "all"): result}, {}, {})
    (d,) = summary["details"]
    assert d["settings"] == {"M1": 3, "M2": 2} and d["left_ln2"] == {"M1": 2, "M2": 0}
    assert d["chosen"]["architecture"] == "M1" and d["chosen"]["step"] == 8000
    assert lines[-1] == ("| E1 | all | M1, lr 0.0041, mom 0.973, dropout 0.25, step 8,000 of 20,000 (val loss 0.6000) | "
                         "2 / 0 of 3 / 2 | 0.9000, 0.9100*, 0.9300 | 3688 |")
