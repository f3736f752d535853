"""The output folder of ``training.train`` is owned and locked (bad input and faults).

* Cases of the bad-input table (``tests/reliability_cases.py``): a folder that is a file, that
  belongs to another run (other model, data, settings; outputs without an owner record; a damaged
  owner record) or that another run is using (a lock held by a live process, by another host).
* Guarantees (rows of §2 of docs/RELIABILITY.md): a new run of another architecture never returns
  the old run's model; the same run resumes (its CSV log cut back to the backup, a torn last line
  dropped) or, finished, trains again from the start; ``fresh=True`` deletes only train()'s own
  outputs; a lock left by a dead process is taken over with a warning; a second run while the
  first is training (another process) is refused, and takes over once that process is killed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from keras_motifs.errors import OutputError
from reliability_cases import case, cases_in, check_bad_input

REPO = Path(__file__).resolve().parent.parent
R_FOLDER = "output folder of `training.train`"
TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3, sequence_length=50)
CFG = {"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 1}


def _xy(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, 50))]
    y = ((x[:, :, 0].sum(1, keepdims=True) > 12) * np.ones((1, 3))).astype(np.float32)
    return x, y


def _train(out, data=None, tiny=None, cfg=None, **kw):
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    kw.setdefault("verbose", 0)
    kw.setdefault("tensorboard", False)
    kw.setdefault("shuffle_buffer", None)
    return train(lambda: DanQ(**(tiny or TINY)), data or _xy(), None, output_dir=out, training=cfg or CFG, seed=5, **kw)


_TEMPLATE: dict = {}


def _finished_run(tmp: Path) -> Path:
    """A copy of a finished run's folder (trained once per process)."""
    if "dir" not in _TEMPLATE:
        d = Path(tempfile.mkdtemp(prefix="km-run-")) / "run"
        _train(d)
        _TEMPLATE["dir"] = d
    out = tmp / "run"
    shutil.copytree(_TEMPLATE["dir"], out)
    return out


def _unchanged(out: Path, fn):
    """Run ``fn``; the folder's files must be byte-for-byte what they were."""
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    try:
        return fn()
    finally:
        after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        assert after == before, "the refused run changed the folder"


# ---------------------------------------------------------------------------------- table cases
@case("train-folder-is-a-file", R_FOLDER, "`output_dir` is a file", OutputError,
      r"output folder '.*run' is a file, not a folder")
def _(tmp):
    (tmp / "run").write_text("not a folder")
    return _train(tmp / "run")


@case("train-folder-parent-is-a-file", R_FOLDER, "a parent of `output_dir` is a file", OutputError,
      r"output folder '.*f/run': '.*f' is a file, not a folder")
def _(tmp):
    (tmp / "f").write_text("not a folder")
    return _train(tmp / "f" / "run")


@case("train-folder-other-model", R_FOLDER, "a finished run of another architecture in the folder", OutputError,
      r"belongs to another run: the model differs \(layer 1 'conv': filters: 4 -> 6.*pass fresh=True \(command line: --fresh\)")
def _(tmp):
    out = _finished_run(tmp)
    return _unchanged(out, lambda: _train(out, tiny=dict(TINY, conv_filters=6)))


@case("train-folder-other-data", R_FOLDER, "a run on other data in the folder", OutputError,
      r"belongs to another run: the data differs \(train x: other values; train y: other values\)")
def _(tmp):
    out = _finished_run(tmp)
    return _unchanged(out, lambda: _train(out, data=_xy(seed=1)))


@case("train-folder-other-settings", R_FOLDER, "a run with another learning rate in the folder", OutputError,
      r"belongs to another run: the training settings differ \(learning_rate: 0.01 -> 0.02\)")
def _(tmp):
    out = _finished_run(tmp)
    return _unchanged(out, lambda: _train(out, cfg=dict(CFG, learning_rate=0.02)))


@case("train-folder-foreign-done", R_FOLDER, "`DONE` and `best.keras` but no owner record", OutputError,
      r"holds training outputs \(best\.keras, DONE\) but no OWNER\.json: they were written by another program or an older")
def _(tmp):
    out = tmp / "run"
    out.mkdir()
    (out / "DONE").write_text("finished\n")
    (out / "best.keras").write_bytes(b"PK")
    return _unchanged(out, lambda: _train(out))


@case("train-folder-owner-damaged", R_FOLDER, "owner record cut short", OutputError,
      r"belongs to another run: '.*OWNER\.json' is unreadable")
def _(tmp):
    out = _finished_run(tmp)
    (out / "OWNER.json").write_text((out / "OWNER.json").read_text()[:100])
    return _unchanged(out, lambda: _train(out))


def _live_pid():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    return proc


@case("train-folder-locked", R_FOLDER, "a lock held by a live process on this host", OutputError,
      r"is in use by another training run: process \d+ on this host holds '.*LOCK' \(since 2026-01-01T00:00:00\); "
      r"wait for it to finish or train into another folder")
def _(tmp):
    import socket

    out = tmp / "run"
    out.mkdir()
    proc = _live_pid()
    try:
        (out / "LOCK").write_text(json.dumps({"pid": proc.pid, "host": socket.gethostname(), "start": None,
                                              "since": "2026-01-01T00:00:00"}))
        return _unchanged(out, lambda: _train(out))
    finally:
        proc.kill()
        proc.wait()


@case("train-folder-locked-other-host", R_FOLDER, "a lock held by a process on another host", OutputError,
      r"process 4242 on host 'node-17' holds '.*LOCK' \(since 2026-01-01T00:00:00\); if that run is no longer running, delete")
def _(tmp):
    out = tmp / "run"
    out.mkdir()
    (out / "LOCK").write_text(json.dumps({"pid": 4242, "host": "node-17", "since": "2026-01-01T00:00:00"}))
    return _unchanged(out, lambda: _train(out))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


# ----------------------------------------------------------------------------------- guarantees
def _log_epochs(out: Path) -> list[int]:
    lines = (out / "training_log.csv").read_text().splitlines()
    assert lines[0].startswith("epoch")
    return [int(line.split(",")[0]) for line in lines[1:]]


def test_a_run_of_another_architecture_never_returns_the_old_model(tmp_path):
    """Before: a second run into the folder adopted the first run's best value and, not beating it,
    returned the first run's model and wrote DONE."""
    out = _finished_run(tmp_path)
    old_best = (out / "best.keras").read_bytes()
    with pytest.raises(OutputError, match="the model differs"):
        _train(out, tiny=dict(TINY, conv_filters=6))
    r = _train(out, tiny=dict(TINY, conv_filters=6), fresh=True)
    assert r.model.get_layer("conv").filters == 6
    assert (out / "best.keras").read_bytes() != old_best
    assert _log_epochs(out) == [0]
    owner = json.loads((out / "OWNER.json").read_text())
    assert owner["model"]["config"]["layers"][1]["config"]["filters"] == 6
    assert not (out / "LOCK").exists()


def test_fresh_deletes_only_trains_own_outputs(tmp_path):
    out = _finished_run(tmp_path)
    (out / "metrics.json").write_text("{}")  # a reproduction's result file beside the training outputs
    (out / "notes").mkdir()
    _train(out, cfg=dict(CFG, learning_rate=0.02), fresh=True)
    assert (out / "metrics.json").read_text() == "{}" and (out / "notes").is_dir()


def test_the_same_run_finished_trains_again_from_the_start(tmp_path):
    out = _finished_run(tmp_path)
    r = _train(out)
    assert r.epochs_run == 1 and _log_epochs(out) == [0]  # not [0, 0]
    assert (out / "DONE").exists() and not (out / "LOCK").exists()


def test_resume_after_a_crash_mid_epoch_with_a_torn_log_line_is_exact(tmp_path):
    import keras

    class Crash(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_begin(self, batch, logs=None):
            if self.epoch == 1 and batch == 1:
                raise KeyboardInterrupt  # batch 0 of epoch 1 trained and backed up

    cfg = dict(CFG, epochs=3)
    data = _xy(48)
    full = _train(tmp_path / "full", data=data, cfg=cfg, backup_every_steps=1)
    out = tmp_path / "crashed"
    with pytest.raises(KeyboardInterrupt):
        _train(out, data=data, cfg=cfg, backup_every_steps=1, callbacks=[Crash()])
    assert not (out / "LOCK").exists()  # released on the way out
    with open(out / "training_log.csv", "a") as fh:
        fh.write("1,0.69")  # a row cut off by the crash (no newline)
    r = _train(out, data=data, cfg=cfg, backup_every_steps=1)
    assert _log_epochs(out) == [0, 1, 2]
    assert (out / "training_log.csv").read_text() == (tmp_path / "full" / "training_log.csv").read_text()
    assert r.history["loss"] == full.history["loss"][1:]


def test_resume_cuts_the_log_back_to_the_backup(tmp_path):
    """A crash after an epoch's log row but before its backup: the row is written again, once."""
    import keras

    class Crash(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):  # after the log row, before the backup (it comes last)
            if epoch == 1:
                raise KeyboardInterrupt

    cfg = dict(CFG, epochs=3)
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        _train(out, cfg=cfg, callbacks=[Crash()])
    assert _log_epochs(out) == [0, 1]
    _train(out, cfg=cfg)
    assert _log_epochs(out) == [0, 1, 2]


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_warning(tmp_path, caplog):
    import socket

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "run"
    out.mkdir()
    (out / "LOCK").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(), "start": None}))
    with caplog.at_level(logging.WARNING, logger="keras_motifs.training"):
        _train(out)
    assert any("taking over the stale lock file" in r.getMessage() and str(dead.pid) in r.getMessage() for r in caplog.records)
    assert (out / "DONE").exists() and not (out / "LOCK").exists()


CHILD = textwrap.dedent(
    """
    import sys, time, keras, numpy as np
    sys.path.insert(0, sys.argv[2])
    import test_reliability_train_folder as t

    class Stall(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            open(sys.argv[1] + ".stalled", "w").close()
            time.sleep(600)

    t._train(sys.argv[1], cfg=dict(t.CFG, epochs=2), callbacks=[Stall()])
    """
)


def test_a_second_run_while_the_first_trains_is_refused_then_takes_over(tmp_path, caplog):
    out = tmp_path / "run"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(out), str(REPO / "tests")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 240
        while not Path(str(out) + ".stalled").exists():
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail("the first run ended before stalling:\n" + proc.stdout.read().decode()[-3000:])
            time.sleep(0.2)
        with pytest.raises(OutputError, match=rf"is in use by another training run: process {proc.pid} on this host"):
            _train(out, cfg=dict(CFG, epochs=2))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
    with caplog.at_level(logging.WARNING, logger="keras_motifs.training"):
        r = _train(out, cfg=dict(CFG, epochs=2))
    assert any("stale lock" in rec.getMessage() for rec in caplog.records)
    assert r.epochs_run == 2 and len(r.history["loss"]) == 1  # resumed from the killed run's backup of epoch 0
    assert _log_epochs(out) == [0, 1]
