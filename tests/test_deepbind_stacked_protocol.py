"""DeepBind's calibration with the settings of one architecture trained as one stack
(keras_motifs.papers.deepbind.calibrate(stacked=True), keras_motifs.training.stacked) against the
single-model path, and ``reproductions/deepbind.py --stacked`` run as a user runs it, resuming
unit by unit."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_motifs.models  # noqa: F401  (registers the DeepBind presets)
from keras_motifs.papers import deepbind as paper

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="needs the TensorFlow backend")
REPO = Path(__file__).resolve().parent.parent
MOTIF = "TGACGTCA"


def _peaks(n, rng, length=101):
    """``n`` random 101-mers, each holding the motif at a random place."""
    seqs = []
    for _ in range(n):
        s = list(rng.choice(list("ACGT"), length))
        at = int(rng.integers(0, length - len(MOTIF)))
        s[at:at + len(MOTIF)] = MOTIF
        seqs.append("".join(s))
    return seqs


def _split(n=48, seed=0):
    """A training split as the TFDS builder gives it: each positive followed by a shuffle of it."""
    from keras_motifs.data import dinucleotide_shuffle, encode_indices

    rng = np.random.default_rng(seed)
    pos = _peaks(n, rng)
    neg = [dinucleotide_shuffle(s, i) for i, s in enumerate(pos)]
    x = encode_indices([s for pair in zip(pos, neg) for s in pair], "ACGT")
    return {"x": x, "y": np.tile(np.array([1, 0], np.float32), n)}


# two M1 and two M2 settings, dropout off, that learn at different speeds
SETTINGS = [
    {"num_hidden": 0, "dropout": 0.0, "conv_weight_decay": 1e-6, "conv_init_scale": 1e-2, "dense_weight_decay": 1e-6,
     "dense_init_scale": 1e-2, "learning_rate": 0.05, "momentum": 0.9},
    {"num_hidden": 0, "dropout": 0.0, "conv_weight_decay": 1e-4, "conv_init_scale": 1e-3, "dense_weight_decay": 1e-5,
     "dense_init_scale": 1e-3, "learning_rate": 0.01, "momentum": 0.95},
    {"num_hidden": 32, "dropout": 0.0, "conv_weight_decay": 1e-7, "conv_init_scale": 1e-2, "dense_weight_decay": 1e-7,
     "dense_init_scale": 1e-2, "learning_rate": 0.05, "momentum": 0.95},
    {"num_hidden": 32, "dropout": 0.0, "conv_weight_decay": 1e-5, "conv_init_scale": 3e-3, "dense_weight_decay": 1e-4,
     "dense_init_scale": 3e-3, "learning_rate": 0.02, "momentum": 0.9},
]


def test_stacked_calibration_chooses_as_the_single_path(monkeypatch):
    """The same setting and step chosen; every setting's validation loss at every checkpoint of
    every fold within 1e-4 relative of its single run (150 steps: the L1 decay on from step 100)."""
    monkeypatch.setattr(paper, "calibration_settings", lambda n, rng: [dict(s) for s in SETTINGS[:n]])
    split = _split()
    budget = {"n_calib": 4, "n_folds": 2, "folds_run": None, "calib_steps": 150, "final_steps": None,
              "final_trials": 1, "min_rows": 60, "batch_size": 16, "val_rows": 0, "redraw_if_stuck": 0, "seed": 3}
    units = {}

    def store(name, ident, compute):
        units[name] = ident
        return compute()

    single, rs = paper.calibrate(split, budget, np.random.default_rng(0), log=lambda m: None)
    stacked, rt = paper.calibrate(split, budget, np.random.default_rng(0), log=lambda m: None, stacked=True,
                                  store=store)
    # one unit per architecture group and fold, holding the seeds of the single runs
    assert sorted(units) == ["calib.fold0.m1", "calib.fold0.m2", "calib.fold1.m1", "calib.fold1.m2"]
    assert units["calib.fold1.m2"]["seeds"] == [3000 + 20 + 1, 3000 + 30 + 1]
    assert {k: units["calib.fold1.m2"][k] for k in ("n_folds", "min_rows", "val_rows", "seed")} == {
        "n_folds": 2, "min_rows": 60, "val_rows": 0, "seed": 3}  # the fold's data decide the unit too
    assert [r["setting"] for r in rt] == [r["setting"] for r in rs]
    for a, b in zip(rs, rt):
        assert a["steps"] == b["steps"] == [30, 60, 90, 120, 150]
        np.testing.assert_allclose(b["fold_losses"], a["fold_losses"], rtol=1e-4)
    assert (stacked["index"], stacked["step"]) == (single["index"], single["step"])
    assert stacked["val_loss"] == pytest.approx(single["val_loss"], rel=1e-4)
    # the choice is not a near tie (else the check above would prove little): some setting learnt,
    # and the runner-up candidate is clearly behind
    cands = sorted(v for r in rs for v in r["val_loss_by_step"])
    assert cands[0] < 0.6 and cands[1] - cands[0] > 1e-3 * cands[0]


def test_a_calibration_unit_stopped_midway_continues_from_its_checkpoint(monkeypatch, tmp_path):
    """calibrate(stacked=True, checkpoint_dir=...): a unit stopped after its 3rd checkpoint is
    continued from it by the next run, and the calibration equals an uninterrupted one exactly;
    no state file is left once the units are done."""
    from keras_motifs.training.stacked import StackedDeepBind

    monkeypatch.setattr(paper, "calibration_settings", lambda n, rng: [dict(s) for s in SETTINGS[:n]])
    split = _split()
    budget = {"n_calib": 4, "n_folds": 2, "folds_run": 1, "calib_steps": 100, "final_steps": None,
              "final_trials": 1, "min_rows": 60, "batch_size": 16, "val_rows": 0, "redraw_if_stuck": 0, "seed": 3}
    _, whole = paper.calibrate(split, budget, np.random.default_rng(0), log=lambda m: None, stacked=True)

    real_write, writes = StackedDeepBind._write_state, []

    def write_then_stop(self, path, run_id, step, *rest):
        real_write(self, path, run_id, step, *rest)
        writes.append((Path(path).name, step))
        if len(writes) == 8:  # the 3rd checkpoint of the second unit (fold 0, M2)
            raise KeyboardInterrupt

    monkeypatch.setattr(StackedDeepBind, "_write_state", write_then_stop)
    units = {}

    def store(name, ident, compute):
        if name not in units:
            units[name] = compute()
        return units[name]

    states = tmp_path / "states"
    with pytest.raises(KeyboardInterrupt):
        paper.calibrate(split, budget, np.random.default_rng(0), log=lambda m: None, stacked=True, store=store,
                        checkpoint_dir=states)
    assert [p.name.split(".")[:3] for p in states.iterdir()] == [["calib", "fold0", "m2"]]  # M1's went when stored
    assert writes[-1][1] == 60
    monkeypatch.setattr(StackedDeepBind, "_write_state", real_write)
    lines = []
    _, resumed = paper.calibrate(split, budget, np.random.default_rng(0), log=lines.append, stacked=True,
                                 store=store, checkpoint_dir=states)
    assert any("calib.fold0.m2: continuing from its last checkpoint" in m for m in lines), lines
    assert [r["fold_losses"] for r in resumed] == [r["fold_losses"] for r in whole]
    assert [(r["val_loss"], r["step"]) for r in resumed] == [(r["val_loss"], r["step"]) for r in whole]
    assert not states.exists()  # the folder goes with its last state


def _write_seq(path, rows):
    with gzip.open(path, "wt") as fh:
        fh.write("FoldID\tEventID\tseq\tBound\n")
        for i, (seq, bound) in enumerate(rows):
            fh.write(f"A\tseq_{i:05d}_{'peak' if bound else 'shuf'}\t{seq}\t{bound}\n")


def _run(args, env):
    return subprocess.run([sys.executable, str(REPO / "reproductions" / "deepbind.py"), *args], check=False, cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600)


def test_script_stacked_runs_and_resumes_unit_by_unit(tmp_path):
    from keras_motifs.data import dinucleotide_shuffle

    rng = np.random.default_rng(1)
    data = tmp_path / "data"
    data.mkdir()
    exp = "TOY_K562_TOY_Lab"
    _write_seq(data / f"{exp}_AC.seq.gz", [(s, 1) for s in _peaks(40, rng)])
    test = _peaks(20, rng)
    _write_seq(data / f"{exp}_B.seq.gz", [(s, 1) for s in test] + [(dinucleotide_shuffle(s, i), 0)
                                                                   for i, s in enumerate(test)])
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "KERAS_MOTIFS_SHARED": str(tmp_path / "no_shared"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    args = ["--data-dir", str(data), "--out", str(out), "--stacked", "--sets", "top500", "--n-calib", "4",
            "--n-folds", "2", "--calib-steps", "20", "--final-trials", "2", "--min-rows", "40", "--no-images"]
    # an experiment another live process is working on (the same command on the other core) is left to it
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        out.mkdir()
        (out / f"{exp}.top500.LOCK").write_text(json.dumps({"pid": holder.pid, "host": socket.gethostname(),
                                                             "since": "2026-11-30T09:00:00"}))
        busy = _run(args, env)
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 0, busy.stderr[-3000:]
    assert f"{exp} [top500]: in progress in process {holder.pid} on host" in busy.stdout, busy.stdout
    assert not (out / f"{exp}.top500.json").exists() and not (out / "units").exists()

    first = _run(args, env)  # the holder is gone: its lock is taken over
    assert first.returncode == 0, first.stderr[-3000:]
    assert not (out / f"{exp}.top500.LOCK").exists()
    units = out / "units" / f"{exp}.top500"
    names = sorted(p.name for p in units.glob("*.json"))
    assert names == ["calib.fold0.m1.json", "calib.fold0.m2.json", "calib.fold1.m1.json", "calib.fold1.m2.json",
                     "final0.json", "final1.json"], names
    result = json.loads((out / f"{exp}.top500.json").read_text())
    assert result["stacked"] is True and result["run"]["settings"]["stacked"] is True
    assert 0.0 <= result["test_auc"] <= 1.0 and len(result["calibration"]) == 4
    kept = json.loads((units / f"final{result['final_trial']}.json").read_text())
    assert kept["test_auc"] == pytest.approx(result["test_auc"])  # the kept trial's stored weights score the same
    assert not list((out / "checkpoints").glob("*"))  # the units' training states (and folders) go with their results
    calib = json.loads((units / "calib.fold0.m1.json").read_text())
    assert calib["steps"] == [4, 8, 12, 16, 20] and len(calib["val_loss"]) == 2

    # an interrupted run: the experiment's result and the second final trial not written yet
    (out / f"{exp}.top500.json").unlink()
    (units / "final1.json").unlink()
    second = _run(args, env)
    assert second.returncode == 0, second.stderr[-3000:]
    for name in ("calib.fold0.m1", "calib.fold0.m2", "calib.fold1.m1", "calib.fold1.m2", "final0"):
        assert f"{name}: done earlier" in second.stdout, second.stdout
    assert "final1: done earlier" not in second.stdout and (units / "final1.json").exists()
    again = json.loads((out / f"{exp}.top500.json").read_text())
    assert again["test_auc"] == pytest.approx(result["test_auc"])
    assert again["best_index"] == result["best_index"] and again["best_step"] == result["best_step"]
