"""Deepprune pruning: mask semantics, schedule, median rule, criteria, equivalence with the
original's rebuild-and-copy, export, the driver and the callback (tiny models, tiny data)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_motifs.errors import ModelInputError
from keras_motifs.layers import MaskLayer
from keras_motifs.models.deepprune import Deepprune
from keras_motifs.pruning import (
    BestWeights,
    IterativePruning,
    PruningSchedule,
    compile_model,
    export_pruned,
    fit_model,
    kernel_importance,
    median_keep,
    pooled_scores,
    prune_step,
    rebuild_and_copy,
    run_deepprune,
    score_importance,
    score_weight_importance,
    weight_importance,
)

L, K, W = 30, 16, 5


def small_model(kernels=K, with_mask=True, seed=0):
    keras.utils.set_random_seed(seed)
    m = Deepprune("deepprune", kernels=kernels, kernel_length=W, sequence_length=L, with_mask=with_mask)
    # non-zero biases so that bias slicing is exercised
    conv = m.get_layer("conv")
    k, b = conv.get_weights()
    conv.set_weights([k, np.random.default_rng(seed).normal(0, 0.1, b.shape).astype("float32")])
    d = m.get_layer("dense")
    dk, db = d.get_weights()
    d.set_weights([dk, np.array([0.3], "float32")])
    return m


def data(n=64, seed=1):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 4, (n, L))
    x = np.eye(4, dtype="float32")[idx]
    y = (rng.random(n) < 0.5).astype("float32")
    x[y == 1, 10:14] = np.eye(4, dtype="float32")[[0, 1, 2, 3]]  # a planted "motif"
    return x, y


# ---------------------------------------------------------------- mask semantics
def test_mask_forward_zeroes_channels():
    layer = MaskLayer(4)
    x = np.arange(1, 9, dtype="float32").reshape(2, 4)
    layer.build((None, 4))
    layer.set_mask([1, 0, 1, 0])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), [[1, 0, 3, 0], [5, 0, 7, 0]])
    assert layer.active.tolist() == [0, 2]
    assert not layer.trainable_weights and len(layer.non_trainable_weights) == 1
    with pytest.raises(ModelInputError, match="shape"):
        layer.set_mask([1, 0])
    with pytest.raises(ModelInputError, match="0 or 1"):
        layer.set_mask([1, 0.5, 1, 0])
    assert MaskLayer.from_config(layer.get_config()).units == 4


def test_mask_backward_gives_masked_kernels_zero_gradient():
    m = small_model()
    keep = np.zeros(K, bool)
    keep[::3] = True
    m.get_layer("mask").set_mask(keep)
    x, y = data(32)
    with tf.GradientTape() as tape:
        p = m(x, training=True)
        loss = keras.losses.binary_crossentropy(y[:, None], p)
        loss = tf.reduce_mean(loss)
    conv, dense = m.get_layer("conv"), m.get_layer("dense")
    gk, gb, gd = tape.gradient(loss, [conv.kernel, conv.bias, dense.kernel])
    gk, gb, gd = gk.numpy(), gb.numpy(), gd.numpy()
    assert np.all(gk[..., ~keep] == 0) and np.all(gb[~keep] == 0) and np.all(gd[~keep] == 0)
    assert np.abs(gk[..., keep]).sum() > 0 and np.abs(gd[keep]).sum() > 0
    # forward: changing a masked kernel's weights does not change the output
    k, b = conv.get_weights()
    k2 = k.copy()
    k2[..., ~keep] = np.random.default_rng(5).normal(size=k2[..., ~keep].shape)
    before = m.predict(x, verbose=0)
    conv.set_weights([k2, b])
    np.testing.assert_array_equal(m.predict(x, verbose=0), before)


def test_training_leaves_masked_kernels_unchanged():
    m = small_model()
    keep = np.arange(K) % 2 == 0
    m.get_layer("mask").set_mask(keep)
    before = [w.copy() for w in m.get_layer("conv").get_weights()] + [m.get_layer("dense").get_weights()[0].copy()]
    x, y = data(64)
    compile_model(m, 0.01)
    m.fit(x, y[:, None], batch_size=16, epochs=2, verbose=0)
    after = m.get_layer("conv").get_weights() + [m.get_layer("dense").get_weights()[0]]
    np.testing.assert_array_equal(after[0][..., ~keep], before[0][..., ~keep])
    np.testing.assert_array_equal(after[1][~keep], before[1][~keep])
    np.testing.assert_array_equal(after[2][~keep], before[2][~keep])
    assert not np.allclose(after[0][..., keep], before[0][..., keep])


# ---------------------------------------------------------------- schedule
def test_learning_rate_schedule_values():
    s = PruningSchedule()  # 256 kernels, 6 rounds, lr 0.01, decay 1.2
    expected = [0.01, 0.00833, 0.00694, 0.00579, 0.00482, 0.00402, 0.00335]
    np.testing.assert_allclose(s.learning_rates(), expected, atol=5e-6)
    assert s.learning_rate(1) == pytest.approx(0.01 / 1.2)
    assert s.kernel_counts() == [256, 128, 64, 32, 16, 8, 4]
    assert PruningSchedule(lr_decay=False).learning_rates() == [0.01] * 7
    with pytest.raises(ValueError):
        PruningSchedule(kernels=8, rounds=6)
    with pytest.raises(ValueError):
        s.learning_rate(7)


# ---------------------------------------------------------------- median rule and criteria
def test_median_rule_keeps_strictly_above_median():
    np.testing.assert_array_equal(median_keep([1, 2, 3, 4]), [False, False, True, True])
    # ties at the median are pruned (strictly above): median of [1,2,2,2,3] is 2
    np.testing.assert_array_equal(median_keep([1, 2, 2, 2, 3]), [False, False, False, False, True])
    # the median is over active kernels only; inactive kernels stay pruned
    np.testing.assert_array_equal(
        median_keep([10, 1, 2, 3, 4], active=[False, True, True, True, True]), [False, False, False, True, True]
    )
    with pytest.raises(ModelInputError):
        median_keep([np.nan, 1.0])
    with pytest.raises(ModelInputError):
        median_keep([1.0, 2.0], active=[False, False])


def test_criteria_on_hand_made_numbers():
    np.testing.assert_allclose(weight_importance([[0.5], [-2.0], [0.1]]), [0.5, 2.0, 0.1])
    pos = [[1.0, 2.0], [3.0, 2.0]]  # means 2, 2
    neg = [[1.0, 5.0], [1.0, 1.0]]  # means 1, 3
    np.testing.assert_allclose(score_importance(pos, neg), [1.0, 1.0])
    # w = [2, -1]: pos*w means [4, -2]; neg*w means [2, -3]
    np.testing.assert_allclose(score_weight_importance(pos, neg, [[2.0], [-1.0]]), [2.0, 1.0])
    with pytest.raises(ModelInputError):
        score_importance(np.zeros((0, 2)), neg)


def test_kernel_importance_from_model_matches_manual():
    m = small_model()
    x, y = data(40)
    u = pooled_scores(m, x)
    assert u.shape == (40, K)
    u = u.astype(np.float64)
    w = m.get_layer("dense").get_weights()[0][:, 0]
    np.testing.assert_allclose(kernel_importance(m, "weight"), np.abs(w))
    manual = np.abs(u[y == 1].mean(0) - u[y == 0].mean(0))
    np.testing.assert_allclose(kernel_importance(m, "score", x, y), manual, rtol=1e-6)
    manual_sw = np.abs((u[y == 1] * w).mean(0) - (u[y == 0] * w).mean(0))
    np.testing.assert_allclose(kernel_importance(m, "score_weight", x, y), manual_sw, rtol=1e-5, atol=1e-9)
    with pytest.raises(ModelInputError, match="training data"):
        kernel_importance(m, "score")


# ---------------------------------------------------------------- equivalence with the original
@pytest.mark.parametrize("criterion", ["weight", "score", "score_weight"])
def test_mask_pruning_equals_rebuild_and_copy(criterion):
    """Original: build a smaller model and copy the kept slices. Ours: mask. Same predictions,
    before and after fine-tuning with the same optimizer and batches."""
    x, y = data(64)
    masked = small_model(with_mask=True, seed=3)
    plain = small_model(with_mask=False, seed=3)
    np.testing.assert_allclose(masked.predict(x, verbose=0), plain.predict(x, verbose=0), rtol=1e-6)

    # the original's step: importance on the plain model, median rule, rebuild and copy
    keep_orig = median_keep(kernel_importance(plain, criterion, x, y))
    rebuilt = rebuild_and_copy(plain, keep_orig)
    assert rebuilt.get_layer("conv").filters == K // 2
    assert not any(isinstance(layer, MaskLayer) for layer in rebuilt.layers)

    keep = prune_step(masked, criterion, x, y)
    np.testing.assert_array_equal(keep, keep_orig)
    np.testing.assert_allclose(masked.predict(x, verbose=0), rebuilt.predict(x, verbose=0), rtol=1e-5, atol=1e-7)

    # fine-tune both identically (fresh Adam, same batches): still the same function
    for model in (masked, rebuilt):
        compile_model(model, 0.01)
        model.fit(x, y[:, None], batch_size=16, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(masked.predict(x, verbose=0), rebuilt.predict(x, verbose=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        masked.get_layer("conv").get_weights()[0][..., keep], rebuilt.get_layer("conv").get_weights()[0], atol=1e-5
    )
    # export of the masked model = a plain model with the same predictions
    exported = export_pruned(masked)
    assert exported.get_layer("conv").filters == K // 2
    np.testing.assert_allclose(exported.predict(x, verbose=0), masked.predict(x, verbose=0), rtol=1e-5, atol=1e-7)


def test_export_with_batch_norm_and_mask_kept():
    keras.utils.set_random_seed(0)
    m = Deepprune("deepprune", kernels=8, kernel_length=W, sequence_length=L, batch_norm=True)
    bn = m.get_layer("bn")
    rng = np.random.default_rng(0)
    bn.set_weights([rng.random(8).astype("float32") + 0.5 for _ in range(4)])
    keep = np.array([1, 1, 0, 1, 0, 0, 1, 0], bool)
    m.get_layer("mask").set_mask(keep)
    x, _ = data(10)
    small = export_pruned(m, with_mask=True)
    assert small.get_layer("mask").units == 4 and small.get_layer("bn").get_weights()[0].shape == (4,)
    np.testing.assert_allclose(small.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-5, atol=1e-7)
    with pytest.raises(ModelInputError):
        rebuild_and_copy(m, np.zeros(8, bool))


# ---------------------------------------------------------------- fitting, driver, callback
def test_best_weights_restores_best_epoch():
    m = small_model(kernels=2)
    cb = BestWeights()
    cb.set_model(m)
    cb.on_train_begin()
    w0 = [w.copy() for w in m.get_weights()]
    cb.on_epoch_end(0, {"val_loss": 0.5})
    m.set_weights([w + 1 for w in w0])
    cb.on_epoch_end(1, {"val_loss": 0.7})
    cb.on_train_end()
    assert cb.best_epoch == 0
    for a, b in zip(m.get_weights(), w0):
        np.testing.assert_array_equal(a, b)


def build_small(kernels, with_mask):
    return Deepprune("deepprune", kernels=kernels, kernel_length=W, sequence_length=L, with_mask=with_mask)


def test_run_deepprune_driver():
    x, y = data(80)
    sched = PruningSchedule(kernels=16, rounds=2)
    recs = run_deepprune(
        build_small, x, y, sched, "weight", fit_cfg={"epochs": 1, "batch_size": 32}, compact=True,
        seed=0, evaluate=lambda model: {"n_out": int(model.output_shape[-1])},
    )
    by = {(r["variant"], r["round"]): r for r in recs}
    assert [(r["variant"], r["round"]) for r in recs if r["variant"] == "deepprune"] == [
        ("deepprune", 0), ("deepprune", 1), ("deepprune", 2)]
    assert [by[("deepprune", i)]["kernels"] for i in range(3)] == [16, 8, 4]
    assert by[("deepprune", 2)]["learning_rate"] == pytest.approx(0.01 / 1.44)
    assert by[("baseline_decay", 2)]["learning_rate"] == pytest.approx(0.01 / 1.44)
    assert by[("baseline", 2)]["learning_rate"] == 0.01 and by[("reinit", 1)]["learning_rate"] == 0.01
    assert by[("baseline", 1)]["kernels"] == 8 and by[("reinit", 2)]["kernels"] == 4
    assert by[("inter", 1)]["kernels"] == 8 and "learning_rate" not in by[("inter", 1)]
    assert all(r["epochs_run"] == 1 and r["n_out"] == 1 for r in recs if r["variant"] != "inter")


def test_run_deepprune_compact_equals_masked():
    """compact=True (rebuild after each prune) and compact=False (full model + mask) agree."""
    x, y = data(80)
    preds = {}
    for compact in (True, False):
        recs = run_deepprune(
            build_small, x, y, PruningSchedule(kernels=16, rounds=2), variants=("deepprune",),
            fit_cfg={"epochs": 1, "batch_size": 32}, compact=compact, seed=0,
            evaluate=lambda model: {"p": model.predict(x[:8], verbose=0)[:, 0]},
        )
        preds[compact] = np.stack([r["p"] for r in recs])
        assert [r["kernels"] for r in recs] == [16, 8, 4]
    np.testing.assert_allclose(preds[True], preds[False], rtol=1e-3, atol=1e-5)


def test_reinit_uses_masked_initial_weights():
    """Lottery ticket: the reinit model starts from the round-0 initial weights of kept kernels."""
    x, y = data(80)
    seen = {}

    def on_model(variant, round_, model):
        seen[(variant, round_)] = model

    inits = {}
    orig_fit = fit_model

    import keras_motifs.pruning.deepprune as drv

    def spy_fit(model, *a, **k):
        inits.setdefault(model.name, [w.copy() for w in model.get_weights()])
        return orig_fit(model, *a, **k)

    drv.fit_model = spy_fit
    try:
        run_deepprune(build_small, x, y, PruningSchedule(kernels=8, rounds=1), variants=("deepprune", "reinit"),
                      fit_cfg={"epochs": 1}, seed=1, on_model=on_model)
    finally:
        drv.fit_model = orig_fit
    keras.utils.set_random_seed(1)
    fresh = build_small(8, True)  # same seed -> same initial weights as the driver's round-0 model
    ticket_init = inits["reinit_4k"]
    conv0 = fresh.get_layer("conv").get_weights()[0]
    # each kept kernel of the ticket equals one of the original initial kernels
    for j in range(4):
        assert any(np.array_equal(ticket_init[0][..., j], conv0[..., i]) for i in range(8))


def test_iterative_pruning_callback():
    x, y = data(80)
    m = small_model(kernels=8)
    compile_model(m, 0.01)
    pruned_at = []
    cb = IterativePruning(PruningSchedule(kernels=8, rounds=2), "weight", x, y, patience=1, max_epochs=2,
                          on_pruned=lambda r, model: pruned_at.append((r, int(model.get_layer("mask").get_mask().sum()))))
    m.fit(x, y[:, None], batch_size=32, epochs=20, validation_split=0.1, verbose=0, callbacks=[cb])
    assert [h["kernels"] for h in cb.history] == [8, 4, 2]
    np.testing.assert_allclose([h["learning_rate"] for h in cb.history], [0.01, 0.01 / 1.2, 0.01 / 1.44])
    assert pruned_at == [(1, 4), (2, 2)]
    assert float(keras.ops.convert_to_numpy(m.optimizer.learning_rate)) == pytest.approx(0.01 / 1.44)
    assert int(m.get_layer("mask").get_mask().sum()) == 2


def test_fit_model_summary_and_errors():
    x, y = data(40)
    m = small_model(kernels=4)
    info = fit_model(m, x, y, 0.01, {"epochs": 3, "early_stopping_patience": 1})
    assert 1 <= info["epochs_run"] <= 3 and 1 <= info["best_epoch"] <= info["epochs_run"]
    with pytest.raises(ModelInputError):
        fit_model(m, x, y[:10], 0.01, {"epochs": 1})
    with pytest.raises(TypeError):
        fit_model(m, x, y, 0.01, {"epoch": 1})


def test_deepprune_report_pools_runs_and_counts_wins(tmp_path):
    """The Deepprune report's pooled summary (keras_motifs.papers.deepprune): mean over data sets of
    per-set seed means, and the 4-kernel Deepprune-vs-baseline win count per (data set, seed), on
    hand-made run files."""
    import json

    from keras_motifs.papers.deepprune import report

    def run(ds, seed, dp4, base4, dp256):
        d = tmp_path / "runs" / ds / "weight"
        d.mkdir(parents=True, exist_ok=True)
        recs = [{"variant": "deepprune", "kernels": 256, "test_auc": dp256},
                {"variant": "deepprune", "kernels": 4, "test_auc": dp4},
                {"variant": "baseline", "kernels": 4, "test_auc": base4}]
        (d / f"seed{seed}.json").write_text(json.dumps({
            "seed": seed, "n_train": 10, "n_test": 10, "epochs": 1, "patience": 1, "seconds": 60.0, "records": recs}))

    run("sim_set1", 0, 0.9, 0.7, 0.8)
    run("sim_set1", 1, 0.7, 0.8, 0.6)   # set1 means: dp4 0.8, base4 0.75, dp256 0.7
    run("sim_set2", 0, 0.6, 0.5, 0.9)   # set2: dp4 0.6, base4 0.5, dp256 0.9
    run("zeng_X", 0, 0.5, 0.6, 0.7)
    (tmp_path / "runs" / "sim_set1" / "weight" / "seed0_motifs.json").write_text(json.dumps({
        "seed": 0, "deepprune": {"recovered_e_lt_0.01": 2, "n_planted": 2, "per_planted": {}},
        "baseline": {"recovered_e_lt_0.01": 1, "n_planted": 2, "per_planted": {}}}))
    published = tmp_path / "shared"
    (published / "published").mkdir(parents=True)
    (published / "published" / "deepprune2019_table2_encode690.tsv").write_text(
        "kernels\tdeepprune_auc\tbaseline_auc\n4\t0.8016\t0.7785\n256\t0.8849\t0.8849\n")
    text = report(tmp_path, published, "weight")
    sim = text.split("### Pooled: simulated sets")[1].split("###")[0]
    assert "2 data sets, 3 runs" in sim
    assert "| 256 | 0.8000 | — |" in sim          # (0.7 + 0.9) / 2
    assert "| 4 | 0.7000 | 0.6250 |" in sim       # dp (0.8 + 0.6)/2, baseline (0.75 + 0.5)/2
    assert "beats the baseline (lr 0.01, same seed) in 2 of 3 runs; mean difference +0.0667" in sim
    enc = text.split("### Pooled: ENCODE (Zeng) sets")[1].split("###")[0]
    assert "| 4 | 0.5000 | 0.6000 | 0.8016 | 0.7785 |" in enc and "in 0 of 1 runs" in enc
    assert "all simulated runs: deepprune 2/2; baseline 1/2" in text
