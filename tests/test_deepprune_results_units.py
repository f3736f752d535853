"""``reproductions/deepprune.py --results``: each (data set, seed) run is finished, its motifs
analysed and its small files published; a run on another machine (an empty ``--out``) skips it and
reports from the published files. The script in a fresh subprocess, at a toy budget."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "reproductions" / "deepprune.py"


def _run(tmp_path: Path, shared: Path, out: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(SCRIPT), "--data-dir", str(shared), "--out", str(tmp_path / out),
           "--results", str(tmp_path / "res"), "--tfds-dir", str(tmp_path / "tfds"), "--sets", "set1", "--zeng", "",
           "--kernels", "8", "--rounds", "1", "--epochs", "1", "--n-train", "100", "--n-test", "100",
           "--variants", "deepprune,baseline"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def test_results_units_are_published_and_skipped_on_a_new_machine(tmp_path, shared_data):
    # a unit another live process is running (the same command on the other core) is left to it
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (tmp_path / "out_a").mkdir()
        (tmp_path / "out_a" / "sim_set1.weight.seed0.LOCK").write_text(json.dumps(
            {"pid": holder.pid, "host": socket.gethostname(), "since": "2026-11-30T09:00:00"}))
        busy = _run(tmp_path, shared_data, "out_a")
    finally:
        holder.kill()
        holder.wait()
    assert f"sim_set1 seed 0: in progress in process {holder.pid}" in busy.stdout, busy.stdout
    assert "finished in" not in busy.stdout and not (tmp_path / "res").exists()

    first = _run(tmp_path, shared_data, "out_a")  # the holder is gone: its lock is taken over
    assert not (tmp_path / "out_a" / "sim_set1.weight.seed0.LOCK").exists()
    pub = tmp_path / "res" / "sim_set1" / "weight"
    assert sorted(p.name for p in pub.iterdir()) == ["seed0.json", "seed0_motifs.json"]
    run = json.loads((pub / "seed0.json").read_text())
    assert run["run"]["settings"]["kernels"] == 8 and "published" in first.stdout
    assert (tmp_path / "out_a" / "runs" / "sim_set1" / "weight" / "seed0_models").is_dir()  # models stay in --out
    table = first.stdout.split("### sim_set1")[1]

    # another machine: nothing trained, the same tables from the published files
    again = _run(tmp_path, shared_data, "out_b")
    assert "published already" in again.stdout and "finished in" not in again.stdout
    assert not (tmp_path / "out_b" / "runs").exists()
    assert again.stdout.split("### sim_set1")[1] == table

    # a published run of other settings is withdrawn and replaced from the machine that has the current one
    stale = dict(run, run={**run["run"], "settings": {**run["run"]["settings"], "epochs": 99}})
    (pub / "seed0.json").write_text(json.dumps(stale))
    third = _run(tmp_path, shared_data, "out_a")
    assert "holds a run of other settings" in third.stdout and "finished in" not in third.stdout
    assert json.loads((pub / "seed0.json").read_text()) == run
    assert (pub / "seed0_motifs.json").exists()
