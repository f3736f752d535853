"""``keras-motifs train`` killed in the middle of a run and started again with the same options
resumes from its backup and ends as an uninterrupted run (same test AUCs, same weights), as the
README promises. The general resume machinery is tested in
tests/test_reliability_resume.py; this is the command's wiring, in fresh processes as a user meets it.

Process 1 trains the uninterrupted run, then the run that is killed: ``os._exit`` (no clean-up, as a
SIGKILL) at the end of its second epoch, from a callback added to the training call. Process 2
starts the same command again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

KILLER = r"""
import json, os, sys
import keras
import keras_motifs.training as training
from keras_motifs import cli

argv_full, argv_killed = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert cli.main(argv_full) == 0


class Kill(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            sys.stdout.flush()
            os._exit(137)


real = training.train
training.train = lambda *a, **k: real(*a, **{**k, "callbacks": [*(k.get("callbacks") or []), Kill()]})
cli.main(argv_killed)
print("not killed")
"""


def _fasta(path, seqs):
    path.write_text("".join(f">s{i}\n{s}\n" for i, s in enumerate(seqs)))
    return str(path)


def _data(tmp_path):
    rng = np.random.default_rng(0)
    site = "CCGCGNGGNGGCAG".replace("N", "A")

    def seq(with_site):
        s = list(rng.choice(list("ACGT"), 101))
        if with_site:
            at = int(rng.integers(0, 101 - len(site)))
            s[at:at + len(site)] = site
        return "".join(s)

    return (_fasta(tmp_path / "pos.fa", [seq(True) for _ in range(400)]),
            _fasta(tmp_path / "neg.fa", [seq(False) for _ in range(400)]))


def _run(args, env):
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_train_killed_mid_run_resumes_to_the_uninterrupted_result(tmp_path):
    pos, neg = _data(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}

    def argv(out, *extra):
        return ["train", "deepbind_encode", "--positives", pos, "--negatives", neg, "--test-fraction", "0.25",
                "--valid-fraction", "0.2", "--epochs", "4", "--patience", "10", "--learning-rate", "0.05",
                "--out", str(tmp_path / out), *extra]

    first = _run(["-c", KILLER, json.dumps(argv("full")), json.dumps(argv("killed"))], env)
    assert first.returncode == 137, first.stdout[-2000:] + first.stderr[-3000:]
    assert "not killed" not in first.stdout
    killed = tmp_path / "killed"
    assert not (killed / "model.keras").exists() and not (killed / "metrics.json").exists()  # nothing looks done
    log = (killed / "training" / "training_log.csv").read_text().splitlines()
    assert len(log) == 3, log  # header + epochs 1 and 2

    second = _run(["-m", "keras_motifs.cli", *argv("killed")], env)
    assert second.returncode == 0, second.stderr[-3000:]
    full = json.loads((tmp_path / "full" / "metrics.json").read_text())
    resumed = json.loads((killed / "metrics.json").read_text())
    assert resumed["epochs_run"] == full["epochs_run"] == 4
    assert resumed["test"]["roc_auc"] == full["test"]["roc_auc"] and full["test"]["mean_roc_auc"] > 0.8
    assert (killed / "training" / "training_log.csv").read_text() == (tmp_path / "full" / "training" / "training_log.csv").read_text()

    import keras

    import keras_motifs.models  # noqa: F401  (registers the layers the saved models use)

    a = keras.saving.load_model(tmp_path / "full" / "model.keras", compile=False).get_weights()
    b = keras.saving.load_model(killed / "model.keras", compile=False).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
