"""DanQ-JASPAR initialisation, DeepSEA and the k-mer logistic regression (the DanQ paper's comparators)."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.io.safe_npy import load_npy
from keras_motifs.layers import KmerCounts, L1ActivityPenalty
from keras_motifs.models import DanQ, DeepSEA, KmerLogisticRegression
from keras_motifs.models.danq.jaspar import RC_EXTRA_INDICES, apply_jaspar_init, danq_jaspar_motifs, jaspar_pwms
from keras_motifs.optimizers import TorchSGD


@pytest.fixture(scope="module")
def motifs():
    return danq_jaspar_motifs()


def test_525_motifs_in_published_order(motifs):
    assert len(motifs) == 525
    assert motifs[0][0] == "MA0002.2" and motifs[0][1] == "RUNX1"
    assert [motifs[i][0] for i in RC_EXTRA_INDICES] == ["MA0035.3", "MA0138.2", "MA0139.1", "MA0140.2", "MA0141.3", "MA0142.1"]
    # the six extra motifs are reverse complements (A,G,C,T order: complement = reversed channels)
    for j, i in enumerate(RC_EXTRA_INDICES):
        np.testing.assert_allclose(motifs[519 + j][2], motifs[i][2][::-1, ::-1])


def test_pyjaspar_pwms_equal_the_published_npy(shared_data):
    published = load_npy(shared_data / "deepsea" / "JASPAR_CORE_2016_vertebrates.npy")
    ours = jaspar_pwms(channel_order="AGCT")
    assert len(published) == len(ours) == 519
    for (mid, _, pwm), ref in zip(ours, published):
        assert pwm.shape == ref.shape, mid
        np.testing.assert_allclose(pwm, ref, atol=1e-6, err_msg=mid)


def test_init_writes_motifs_at_valid_offsets_with_negative_bias(motifs):
    m = DanQ("danq_jaspar", conv_filters=530, lstm_units=2, dense_units=2, num_targets=2, sequence_length=100, jaspar_seed=1)
    kernel = m.get_layer("conv").kernel.numpy()
    bias = m.get_layer("conv").bias.numpy()
    recs = m.jaspar_filters
    assert len(recs) == 525
    for r, (mid, _, pwm) in zip(recs, motifs):
        w, off = pwm.shape[0], r["offset"]
        assert 3 <= off <= 27 - w  # DanQ-JASPAR_train.py: randint(low=3, high=30-w+1-3)
        np.testing.assert_allclose(kernel[off : off + w, :, r["filter"]], pwm - 0.25, atol=1e-6)
    assert (bias[:525] <= 0).all() and (bias[:525] >= -1).all() and bias[:525].std() > 0.1
    assert np.abs(kernel[:, :, 525:]).max() <= 0.05  # the rest keep the U(-0.05, 0.05) init
    m2 = DanQ("danq_jaspar", conv_filters=530, lstm_units=2, dense_units=2, num_targets=2, sequence_length=100, jaspar_seed=1)
    assert [r["offset"] for r in m2.jaspar_filters] == [r["offset"] for r in recs]


def test_jaspar_offsets_cover_the_originals_range():
    # DanQ-JASPAR_train.py: start = np.random.randint(low=3, high=30-w+1-3), high end excluded:
    # every offset 3 .. 27 - w, with 3-position margins on both sides of the 30-wide kernel
    inputs = keras.Input((40, 4))
    model = keras.Model(inputs, keras.layers.Conv1D(400, 30, name="conv")(inputs))
    for w in (6, 20, 24):
        motifs = [(f"M{i}", "m", np.full((w, 4), 0.25)) for i in range(400)]
        offsets = {r["offset"] for r in apply_jaspar_init(model, motifs, seed=w)}
        assert offsets == set(range(3, 27 - w + 1)), w


def test_planted_ctcf_filter_fires_on_ctcf_consensus_not_reversed(motifs):
    m = DanQ("danq_jaspar", conv_filters=530, lstm_units=2, dense_units=2, num_targets=2, sequence_length=100, jaspar_seed=3)
    conv = keras.Model(m.input, m.get_layer("conv").output)
    ctcf = 98
    pwm = motifs[ctcf][2]  # A,G,C,T
    consensus = "".join("AGCT"[i] for i in pwm.argmax(1))
    rng = np.random.default_rng(0)
    background = ["".join(rng.choice(list("ACGT"), 100)) for _ in range(20)]
    with_motif = [b[:40] + consensus + b[40 + len(consensus):] for b in background]
    reversed_motif = [b[:40] + consensus[::-1] + b[40 + len(consensus):] for b in background]
    act = lambda seqs: conv.predict(one_hot(seqs, alphabet="AGCT"), verbose=0)[:, :, ctcf].max(1)
    hit, bg, rev = act(with_motif), act(background), act(reversed_motif)
    assert hit.min() > bg.max() and hit.min() > rev.max()


def test_deepsea_shapes_parameters_and_original_regularisation():
    m = DeepSEA()
    assert m.count_params() == 10_560 + 1_229_280 + 3_687_360 + 47_064_925 + 850_994
    assert tuple(m.get_layer("conv3").output.shape) == (None, 53, 960)
    assert tuple(m.get_layer("flatten").output.shape) == (None, 50880)
    c = m.get_layer("conv2").kernel_constraint
    assert isinstance(c, keras.constraints.MaxNorm) and c.max_value == 0.9
    assert m.get_layer("logits").l1 == 1e-8 and m.get_layer("logits").gradient == "layer"
    lim = 1 / np.sqrt(8 * 320)
    w = m.get_layer("conv2").kernel.numpy()
    assert np.abs(w).max() <= lim and np.abs(w).max() > 0.9 * lim  # Torch default U(+-1/sqrt(fan_in))


def test_l1_activity_penalty_sums_over_the_batch():
    x = keras.Input((3,))
    m = keras.Model(x, L1ActivityPenalty(0.5)(x))
    data = np.array([[1.0, -2.0, 0.0], [3.0, 0.0, -1.0]], np.float32)
    m(data, training=True)
    assert float(m.losses[0]) == pytest.approx(0.5 * 7)


def _penalty_gradients(model, x):
    """Gradients of the L1 penalty alone (``model.losses``) with respect to each layer's weights."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        model(x, training=True)
        penalty = tf.add_n(model.losses)
    grads = tape.gradient(penalty, model.trainable_variables)
    out = {}
    for v, g in zip(model.trainable_variables, grads):
        out[v.path.split("/")[0]] = out.get(v.path.split("/")[0], 0.0) + (0.0 if g is None else float(tf.reduce_sum(tf.abs(g))))
    return float(penalty), out


def test_deepsea_l1_penalty_gradient_reaches_only_the_last_layer():
    """4_train.lua feval: the L1 gradient goes through the last Linear's own backward only."""
    tiny = dict(conv_filters=(4, 4, 4), conv_width=3, pool_size=2, dense_units=6, num_targets=5, sequence_length=40,
                dropout=(0.0, 0.0, 0.0), l1_output_activity=0.5)  # no dropout: the penalty checked by hand
    x = one_hot(["ACGT" * 10, "GGCA" * 10], alphabet="AGCT")
    keras.utils.set_random_seed(0)  # an unseeded tiny ReLU net can be dead below the output (no gradient to check)
    m = DeepSEA(**tiny)
    penalty, grads = _penalty_gradients(m, x)
    hidden = keras.Model(m.input, m.get_layer("dense").output)(x, training=False)
    assert penalty == pytest.approx(0.5 * float(np.abs(hidden.numpy() @ m.get_layer("logits").kernel.numpy()
                                                       + m.get_layer("logits").bias.numpy()).sum()), rel=1e-5)
    assert grads["logits"] > 0
    assert all(g == 0.0 for name, g in grads.items() if name != "logits")  # conv1..3, dense: untouched
    # the activity-penalty variant: its gradient reaches the layers below
    keras.utils.set_random_seed(0)
    _, grads = _penalty_gradients(DeepSEA(**tiny, l1_gradient="network"), x)
    assert grads["logits"] > 0 and grads["dense"] > 0 and grads["conv1"] > 0
    # without training the penalty is not added (the original's validation loss is the criterion only)
    m(x, training=False)
    assert not m.losses


def test_deepsea_validates_on_the_first_4000_rows():
    """1_data.lua te_size = 4000, 4_train.lua validates on rows 1..4000 (the forward half of 8,000)."""
    from keras_motifs.papers.danq import validation_split

    assert validation_split("deepsea", 8000) == "validation[:4000]"
    assert validation_split("deepsea", 1000) == "validation[:500]"  # a synthetic config: its forward half
    assert validation_split("danq", 8000) == validation_split("danq_jaspar", 8000) == "validation"


def test_torch_sgd_matches_optim_sgd_by_hand():
    v = keras.Variable(np.array([1.0, -2.0], np.float32))
    opt = TorchSGD(learning_rate=0.5, momentum=0.9, torch_weight_decay=0.1, learning_rate_decay=0.5)
    x, buf = np.array([1.0, -2.0]), None
    for t, g in enumerate([np.array([0.3, 0.1]), np.array([-0.2, 0.4]), np.array([0.1, 0.1])]):
        opt.apply_gradients([(keras.ops.convert_to_tensor(g.astype(np.float32)), v)])
        d = g + 0.1 * x
        buf = d if buf is None else 0.9 * buf + (1 - 0.9) * d  # Torch dampening = momentum
        x = x - 0.5 / (1 + t * 0.5) * buf
        np.testing.assert_allclose(v.numpy(), x, rtol=1e-5)


def test_kmer_counts_on_a_hand_made_sequence():
    x = one_hot(["ACGTA", "AANAA"], alphabet="ACGT")
    f = KmerCounts(1, 2)(x).numpy()
    # k=1: A C G T; k=2: 16 dinucleotides in A,C,G,T lexicographic order
    np.testing.assert_array_equal(f[0, :4], [2, 1, 1, 1])
    expected2 = np.zeros(16)
    expected2[[0 * 4 + 1, 1 * 4 + 2, 2 * 4 + 3, 3 * 4 + 0]] = 1  # AC CG GT TA
    np.testing.assert_array_equal(f[0, 4:], expected2)
    np.testing.assert_array_equal(f[1, :4], [4, 0, 0, 0])  # N not counted
    assert f[1, 4] == 2  # AA twice; the windows touching N are skipped
    assert KmerCounts().num_features == 4 + 16 + 64 + 256 + 1024


def test_kmer_lr_is_919_logistic_regressions_on_normalised_counts(tmp_path):
    rng = np.random.default_rng(0)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (40, 60))]
    m = KmerLogisticRegression(sequence_length=60, num_targets=5, adapt_data=x)
    assert m.count_params() == 1364 * 5 + 5 + 2 * 1364 + 1
    feats = KmerCounts()(x).numpy()
    norm = keras.Model(m.input, m.get_layer("normalize").output).predict(x, verbose=0)
    np.testing.assert_allclose(norm[:, :4], (feats[:, :4] - feats[:, :4].mean(0)) / feats[:, :4].std(0), rtol=1e-3, atol=1e-3)
    assert m.get_layer("targets").kernel_regularizer.l2 == pytest.approx(1e-6)
    path = tmp_path / "lr.keras"
    m.save(path)
    np.testing.assert_allclose(keras.models.load_model(path).predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-6)


def test_safe_npy_refuses_arbitrary_pickles(tmp_path):
    import pickle

    from keras_motifs.errors import DataFormatError

    class Evil:
        def __reduce__(self):
            return (print, ("executed",))

    arr = np.empty(1, dtype=object)
    arr[0] = Evil()
    path = tmp_path / "evil.npy"
    with open(path, "wb") as fh:
        np.lib.format.write_array(fh, arr, allow_pickle=True)
    with pytest.raises(DataFormatError, match="refuses to load pickled object builtins.print"):
        load_npy(path)
    ok = tmp_path / "ok.npy"
    np.save(ok, np.arange(3))
    np.testing.assert_array_equal(load_npy(ok), np.arange(3))
    del pickle


def _run_script(name: str, args: list[str]):
    """``python reproductions/<name>.py ARGS`` as a user runs it (this checkout first on the path)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    r = subprocess.run([sys.executable, str(repo / "reproductions" / f"{name}.py"), *args], cwd=repo, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r.stdout


def test_danq_reproduction_reuses_a_finished_model_with_the_same_settings(tmp_path):
    """reproductions/danq.py is resumable per model (keras_motifs.reporting.run_record.Unit);
    changed settings retrain."""
    import json

    common = ["--model", "lr", "--config", "synthetic_tiny", "--out", str(tmp_path), "-q",
              "--tfds_dir", str(tmp_path / "tfds")]
    _run_script("danq", common + ["--epochs", "1"])
    first = json.loads((tmp_path / "lr" / "results.json").read_text())
    assert first["run"]["settings"]["epochs"] == 1 and "test" in first
    assert first["run"]["seed"] == 1337 and "tensorflow" in first["run"]["versions"] and first["run"]["machine"]
    top = json.loads((tmp_path / "results.json").read_text())
    assert top["alphabet"] == "AGCT" and top["run"]["settings"]["config"] == "synthetic_tiny"
    printed = _run_script("danq", common + ["--epochs", "1"])
    assert "finished earlier with the same settings" in printed
    assert json.loads((tmp_path / "results.json").read_text())["models"]["lr"]["test"] == first["test"]
    printed = _run_script("danq", common + ["--epochs", "2"])  # other settings: trained again
    assert "finished earlier" not in printed
    second = json.loads((tmp_path / "lr" / "results.json").read_text())
    assert second["run"]["settings"]["epochs"] == 2
    # the dataset's version and the resolved training settings key the result too: a result of an
    # earlier synthetic recipe, or of an earlier default epsilon, is not reused
    assert second["run"]["settings"]["data_version"] == "2.0.0"
    assert second["run"]["settings"]["training"]["epochs"] == 2 and second["run"]["settings"]["training"]["epsilon"] == 3e-8
    second["run"]["settings"]["data_version"] = "1.0.0"
    (tmp_path / "lr" / "results.json").write_text(json.dumps(second))
    printed = _run_script("danq", common + ["--epochs", "2"])
    assert "finished earlier" not in printed


def test_init_survival_counts_initialised_and_random_matches():
    """DanQ-JASPAR motif report: which Tomtom matches are the initialisation (hand-made hits)."""
    import pandas as pd

    from keras_motifs.papers.danq import init_survival

    motifs = [("MA1.1", "A", None), ("MA2.1", "B", None), ("MA1.1_rc", "A rc", None)]
    table = pd.DataFrame({"query": ["filter0", "filter0", "filter1", "filter2", "filter4", "filter4"],
                          "target_id": ["MA9.1", "MA1.1", "MA7.1", "MA1.1", "MA2.1", "MA3.1"]})
    sv = init_survival(table, n_filters=6, motifs=motifs)
    assert sv == {"n_initialised": 3, "n_random": 3, "initialised_matching_any": 3,
                  "initialised_matching_own": 2, "random_matching_any": 1}
    with pytest.raises(ValueError, match="conv_7"):
        init_survival(pd.DataFrame({"query": ["conv_7"], "target_id": ["MA1.1"]}), 6, motifs=motifs)


def test_synthetic_default_epsilon_is_3e_8_and_reported_full_keeps_the_original():
    """The synthetic configs train with RMSprop epsilon 3e-8 (measured against 1e-6 on recipe 2.0.0;
    docs/RESULTS.md) and say so; the full config keeps the original 1e-6; an explicit --epsilon is
    reported as a deviation."""
    from keras_motifs.papers import danq as paper

    for config in ("synthetic", "synthetic_tiny"):
        cfg, note = paper.training_settings("danq", config)
        assert cfg["epsilon"] == 3e-8 and "instead of the original 1e-06 (synthetic default" in note, config
        assert cfg["epochs"] == paper.DEFAULT_EPOCHS[config]
    cfg, note = paper.training_settings("danq", "full")
    assert cfg["epsilon"] == 1e-6 and note is None
    cfg, note = paper.training_settings("danq", "full", epsilon=1e-8)
    assert cfg["epsilon"] == 1e-8 and "instead of the original 1e-06 (--epsilon" in note


def test_planted_motif_matches_counts_filters_per_planted_motif():
    import pandas as pd

    from keras_motifs.papers.danq import planted_motif_matches

    hits = pd.DataFrame({"query": ["filter3", "filter3", "filter7", "filter9"],
                         "target_id": ["MA0139.1", "MA0080.4", "MA0139.1", "MA0001.1"],
                         "e_value": [1e-4, 2e-3, 5e-6, 1e-3]})
    rows = planted_motif_matches(hits, [("MA0139.1", "CTCF"), ("MA0080.4", "SPI1"), ("MA0138.2", "REST")])
    assert rows[0] == {"id": "MA0139.1", "name": "CTCF", "n_filters": 2, "best_filter": "filter7", "best_e_value": 5e-6}
    assert rows[1]["n_filters"] == 1 and rows[1]["best_filter"] == "filter3"
    assert rows[2] == {"id": "MA0138.2", "name": "REST", "n_filters": 0, "best_filter": None, "best_e_value": None}
    assert [r["n_filters"] for r in planted_motif_matches(hits.iloc[:0], [("MA0139.1", "CTCF")])] == [0]


def test_danq_reproduction_bad_data_dir_is_one_clear_error(tmp_path):
    """The main job on bad input, as a user meets it: a --data-dir that does not exist is refused
    before TFDS takes it for "download the 4.4 GB bundle"; a damaged .mat ends in one ``error:``
    line naming the file (no traceback without -v), exit status 1, no prepared dataset left behind."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}

    def start(*args):  # both runs at once: each mostly waits on imports
        return subprocess.Popen([sys.executable, str(repo / "reproductions" / "danq.py"), "--config", "full",
                                 "--no-motifs", "--out", str(tmp_path / "out"), "--tfds-dir", str(tmp_path / "tfds"),
                                 *args], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    for name in ("train.mat", "valid.mat", "test.mat"):
        (bundle / name).write_bytes(b"not a MATLAB file")
    missing, damaged = start("--data-dir", str(tmp_path / "missing")), start("--data-dir", str(bundle))
    (_, err), rc = missing.communicate(timeout=300), missing.returncode
    assert rc == 2 and "--data-dir" in err and "no such folder" in err, err[-2000:]
    (_, err), rc = damaged.communicate(timeout=300), damaged.returncode
    last = err.strip().splitlines()[-1]
    assert rc == 1 and "Traceback" not in err, err[-3000:]
    assert last.startswith("error: file '") and "train.mat': not a readable MATLAB file" in last, last
    assert not list((tmp_path / "tfds").glob("deepsea/full/*.*.*")), "a prepared dataset was left behind"
