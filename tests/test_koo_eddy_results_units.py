"""``reproductions/koo_eddy.py --results``: each (model, trial) is trained, analysed and published
as small files; a run on another machine (an empty ``--out``) skips the published trials and
reports from them. Run as a user runs it: the script in a fresh subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "reproductions" / "koo_eddy.py"


def _arrays(path: Path) -> None:
    from keras_motifs.io import save_splits

    rng = np.random.default_rng(0)

    def split(n):
        return rng.integers(0, 4, (n, 200), dtype=np.uint8), (rng.random((n, 12)) < 0.2).astype(np.float32)

    save_splits(path, {"train": split(200), "validation": split(100), "test": split(100)},
                meta={"dataset": "random test arrays"})


def _run(tmp_path: Path, out: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(SCRIPT), "--arrays", str(tmp_path / "x.npz"), "--models", "koo_eddy_cnn_25",
           "--trials", "1", "--epochs", "1", "--out", str(tmp_path / out), "--results", str(tmp_path / "res"),
           *extra]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def test_results_units_are_published_and_skipped_on_a_new_machine(tmp_path):
    _arrays(tmp_path / "x.npz")
    first = _run(tmp_path, "out_a", "--stages", "train", "motifs")
    pub = tmp_path / "res" / "koo_eddy_cnn_25" / "trial0"
    assert sorted(p.name for p in pub.iterdir()) == ["metrics.json", "motifs_conv0_active.json"]
    metrics = json.loads((pub / "metrics.json").read_text())
    assert metrics["model"] == "koo_eddy_cnn_25" and metrics["run"]["settings"]["data"] == "random test arrays"
    assert "train koo_eddy_cnn_25 trial 0" in first.stdout and "published" in first.stdout
    assert (tmp_path / "out_a" / "koo_eddy_cnn_25" / "trial0" / "best.keras").exists()  # models stay in --out

    # another machine: nothing in its --out, the published trial is neither trained nor analysed again
    again = _run(tmp_path, "out_b", "--stages", "train", "motifs")
    assert "train koo_eddy_cnn_25" not in again.stdout and "motifs koo_eddy_cnn_25" not in again.stdout
    assert not (tmp_path / "out_b" / "koo_eddy_cnn_25").exists()

    # the published trial is of other settings (as after a change of protocol) and this machine (out_a)
    # holds the current one: the published files are withdrawn, then replaced from out_a without
    # training or analysing again
    stale = json.loads((pub / "metrics.json").read_text())
    stale["run"]["settings"]["training"]["epochs"] = 99
    (pub / "metrics.json").write_text(json.dumps(stale))
    third = _run(tmp_path, "out_a", "--stages", "train", "motifs")
    assert "holds a trial of other settings" in third.stdout and "published" in third.stdout
    assert "train koo_eddy_cnn_25" not in third.stdout and "motifs koo_eddy_cnn_25" not in third.stdout
    assert json.loads((pub / "metrics.json").read_text()) == metrics

    # where no machine holds the current trial, it is trained again (here on out_b)
    (pub / "metrics.json").write_text(json.dumps(stale))
    fourth = _run(tmp_path, "out_b", "--stages", "train", "motifs")
    assert "holds a trial of other settings" in fourth.stdout and "train koo_eddy_cnn_25 trial 0" in fourth.stdout
    assert json.loads((pub / "metrics.json").read_text())["run"]["settings"] == metrics["run"]["settings"]


def test_results_that_is_a_file_is_refused_before_any_training(tmp_path):
    """The per-unit result folders of the paper-budget scripts (koo_eddy/deepprune --results, deepbind
    --units): a regular file is a usage error before anything runs."""
    (tmp_path / "afile").write_text("x")
    for script, flag in (("koo_eddy", "--results"), ("deepprune", "--results"), ("deepbind", "--units")):
        r = subprocess.run([sys.executable, str(ROOT / "reproductions" / f"{script}.py"), "--out", str(tmp_path / "o"),
                            flag, str(tmp_path / "afile")], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert r.returncode == 2 and f"{flag} folder" in r.stderr and "not a folder" in r.stderr, (script, r.stderr)
        assert not (tmp_path / "o").exists()


def test_report_from_a_missing_results_folder_is_an_error(tmp_path):
    """--stages report with a --results folder that does not exist: a clear error, not an empty table."""
    r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path / "o"), "--results", str(tmp_path / "nope"),
                        "--stages", "report"], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1 and f"no results folder '{tmp_path / 'nope'}'" in r.stderr, r.stderr[-2000:]
    assert "CNN-25" not in r.stdout
