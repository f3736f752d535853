"""``keras_motifs.training.ownership.claimed``: a unit of work taken by one of several processes that
run the same list (the paper-budget scripts started once per core)."""

import json
import socket
import subprocess
import sys

import pytest

from keras_motifs.errors import InUseError, OutputError
from keras_motifs.training.ownership import FolderLock, claimed, describe_holder


def _sleeper():
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_a_free_unit_is_taken_and_given_back(tmp_path):
    with claimed(tmp_path / "out", "exp.top500.LOCK") as holder:
        assert holder is None
        info = json.loads((tmp_path / "out" / "exp.top500.LOCK").read_text())
        assert info["host"] == socket.gethostname() and isinstance(info["pid"], int)
    assert not (tmp_path / "out" / "exp.top500.LOCK").exists()


def test_a_unit_held_by_a_live_process_is_left_to_it(tmp_path):
    proc = _sleeper()
    try:
        lock = tmp_path / "exp.all.LOCK"
        mine = {"pid": proc.pid, "host": socket.gethostname(), "start": None, "since": "2026-01-01T00:00:00"}
        lock.write_text(json.dumps(mine))
        with claimed(tmp_path, "exp.all.LOCK") as holder:
            assert holder == mine
            assert describe_holder(holder) == (f"process {proc.pid} on host {socket.gethostname()!r} "
                                               "(since 2026-01-01T00:00:00)")
        assert json.loads(lock.read_text()) == mine  # the other process's lock is not touched
        with pytest.raises(InUseError, match=r"in use by another training run: process \d+ on this host") as err:
            FolderLock(tmp_path, "exp.all.LOCK").acquire()
        assert isinstance(err.value, OutputError) and err.value.holder == mine
    finally:
        proc.kill()
        proc.wait()


def test_a_unit_on_another_host_counts_as_in_progress(tmp_path):
    other = {"pid": 4242, "host": "node-17", "since": "2026-01-01T00:00:00"}
    (tmp_path / "u.LOCK").write_text(json.dumps(other))
    with claimed(tmp_path, "u.LOCK") as holder:
        assert holder == other


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / "u.LOCK").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "start": None}))
    with claimed(tmp_path, "u.LOCK") as holder:
        assert holder is None
        assert json.loads((tmp_path / "u.LOCK").read_text())["pid"] != dead.pid
    assert not (tmp_path / "u.LOCK").exists()
    said = [r.getMessage() for r in caplog.records]
    assert any(f"taking over the stale lock file '{tmp_path / 'u.LOCK'}' (left by process {dead.pid}" in m
               for m in said), said


def test_the_unit_is_given_back_when_its_work_fails(tmp_path):
    with pytest.raises(RuntimeError, match="boom"):
        with claimed(tmp_path, "u.LOCK") as holder:
            assert holder is None
            raise RuntimeError("boom")
    assert not (tmp_path / "u.LOCK").exists()
