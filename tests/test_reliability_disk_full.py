"""A full disk while ``training.train`` writes (bad input and faults).

The writers are made to fail with ``OSError(errno.ENOSPC)`` (monkeypatched: no small file system
can be mounted without root), and once for real: a child process whose file-size limit
(``RLIMIT_FSIZE``, with ``SIGXFSZ`` ignored) makes the kernel refuse the backup's write with
``EFBIG`` — before the change such a failure inside h5py ended the process with a segmentation
fault (exit 139) and left a temporary folder.

* Cases of the bad-input table: the backup, the best-model checkpoint, the CSV log row and the
  owner record, each refused with an ``OutputError`` naming the file.
* Guarantees (rows of §3 of docs/RELIABILITY.md): nothing half-written is left (no temporary
  folder or file, no torn log row); the same run started again after space is freed resumes and
  ends exactly as an uninterrupted run, its log holding every epoch once.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from keras_motifs.errors import OutputError
from reliability_cases import case, cases_in, check_bad_input

REPO = Path(__file__).resolve().parent.parent
R_DISK = "full disk while `training.train` writes"
TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3, sequence_length=50)
CFG = {"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 3}


def _xy(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, 50))]
    y = ((x[:, :, 0].sum(1, keepdims=True) > 12) * np.ones((1, 3))).astype(np.float32)
    return x, y


def _train(out, cfg=None, **kw):
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    x, y = _xy()
    return train(lambda: DanQ(**TINY), (x, y), (x[:16], y[:16]), output_dir=out, training=cfg or CFG, seed=3,
                 verbose=0, tensorboard=False, shuffle_buffer=None, **kw)


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextlib.contextmanager
def _full_disk_at(owner, name: str, call: int):
    """Patch ``owner.name`` so that its ``call``-th call (1-based) fails with ENOSPC."""
    real = getattr(owner, name)
    count = [0]

    def patched(*args, **kwargs):
        count[0] += 1
        if count[0] == call:
            _enospc()
        return real(*args, **kwargs)

    with mock.patch.object(owner, name, patched):
        yield count


def _leftovers(out: Path) -> list[str]:
    """Temporaries of interrupted writes: hidden files/folders anywhere under ``out``."""
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*"))


# ---------------------------------------------------------------------------------- table cases
@case("disk-full-backup", R_DISK, "no space while writing the backup of epoch 1", OutputError,
      r"folder '.*backup/\.tmp-ckpt-e00002-b0000000': cannot write the training backup \(No space left on device\); "
      r"the previous backup \(epoch 1, 0 batches into it\) is kept and a run started again with the same output "
      r"folder resumes from it; free some space")
def _(tmp):
    from keras_motifs.training import callbacks

    with _full_disk_at(callbacks, "_write_npz", 3):  # 2 files per backup
        return _train(tmp / "run")


@case("disk-full-checkpoint", R_DISK, "no space while writing `best.keras`", OutputError,
      r"file '.*run/best\.keras': cannot write the best-model checkpoint \(No space left on device\); free some space")
def _(tmp):
    import keras

    with mock.patch.object(keras.Model, "save", _enospc):
        return _train(tmp / "run")


@case("disk-full-log", R_DISK, "no space while appending a row to `training_log.csv`", OutputError,
      r"file '.*run/training_log\.csv': cannot write the row of epoch 0 of the training log \(No space left on device\)")
def _(tmp):
    import keras

    def half_a_row(self, epoch, logs=None):
        self.csv_file.write("0,0.69")  # a torn row, then the disk is full
        self.csv_file.flush()
        _enospc()

    with mock.patch.object(keras.callbacks.CSVLogger, "on_epoch_end", half_a_row):
        return _train(tmp / "run")


@case("disk-full-owner-record", R_DISK, "no space while writing `OWNER.json`", OutputError,
      r"file '.*run/OWNER\.json': cannot write the run record \(No space left on device\)")
def _(tmp):
    with mock.patch("keras_motifs.io.atomic.write_json", _enospc):
        return _train(tmp / "run")


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


# ----------------------------------------------------------------------------------- guarantees
@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "run"
    r = _train(out)
    return out, r


def _log(out: Path) -> str:
    return (out / "training_log.csv").read_text()


@pytest.mark.parametrize("call, resumes_at", [(1, None), (3, 1)], ids=["first-backup", "second-backup"])
def test_disk_full_during_a_backup_leaves_nothing_half_written_and_resumes_exactly(tmp_path, uninterrupted, call,
                                                                                   resumes_at):
    """Before: a segmentation fault, a temporary folder left behind, and after freeing space the
    resumed run logged epoch 0 twice."""
    from keras_motifs.training import callbacks
    from keras_motifs.training.callbacks import ResumableBackup

    full, full_result = uninterrupted
    out = tmp_path / "run"
    with _full_disk_at(callbacks, "_write_npz", call), pytest.raises(OutputError):
        _train(out)
    assert _leftovers(out) == []  # no .tmp-ckpt-* folder, no .best.keras.* file
    assert not (out / "DONE").exists() and not (out / "LOCK").exists()
    point = ResumableBackup.resume_point(out / "backup")
    assert (point[0] if point else None) == resumes_at
    assert _log(out).endswith("\n")  # no torn row
    r = _train(out)  # space freed: the same run again
    assert _log(out) == _log(full)  # every epoch once, the same numbers
    assert r.history["loss"] == full_result.history["loss"][resumes_at or 0:]
    assert [w.tolist() for w in r.model.get_weights()] == [w.tolist() for w in full_result.model.get_weights()]
    assert _leftovers(out) == [] and not (out / "backup").exists()


def test_disk_full_while_writing_a_checkpoint_keeps_the_previous_one(tmp_path):
    import json

    import keras

    out = tmp_path / "run"
    with _full_disk_at(keras.Model, "save", 2), pytest.raises(OutputError, match="best.keras' is kept"):
        _train(out, cfg=dict(CFG, learning_rate=1e-3, epochs=4))  # val_loss improves every epoch
    state = json.loads((out / "best.keras.json").read_text())
    assert state["epoch"] == 1  # the first checkpoint and its value, still a pair
    x, y = _xy()
    best = keras.models.load_model(out / "best.keras", safe_mode=True)
    assert best.evaluate(x[:16], y[:16], verbose=0)[0] == pytest.approx(state["best"], rel=1e-4)
    assert _leftovers(out) == []


def test_disk_full_while_logging_leaves_no_torn_row(tmp_path):
    import keras

    real = keras.callbacks.CSVLogger.on_epoch_end

    def half_a_row(self, epoch, logs=None):
        if epoch == 1:
            self.csv_file.write("1,0.69")
            self.csv_file.flush()
            _enospc()
        return real(self, epoch, logs)

    out = tmp_path / "run"
    with mock.patch.object(keras.callbacks.CSVLogger, "on_epoch_end", half_a_row), pytest.raises(OutputError):
        _train(out)
    lines = _log(out).splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch", "0"] and _log(out).endswith("\n")


CHILD = textwrap.dedent(
    """
    import resource, signal, sys
    import keras
    sys.path.insert(0, sys.argv[2])
    import test_reliability_disk_full as t
    from keras_motifs.errors import OutputError

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing us

    class Limit(keras.callbacks.Callback):  # after the folder is set up: the backups hit the limit
        def on_train_begin(self, logs=None):
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))

    try:
        t._train(sys.argv[1], backup_every_steps=2, callbacks=[Limit()])
    except OutputError as exc:
        print("ERROR", exc, flush=True)
        sys.exit(1)
    """
)


def test_a_real_failed_write_ends_in_a_clear_error_not_a_segfault(tmp_path, uninterrupted):
    """The kernel refuses the backup's write (a file-size limit): exit 1 with the message, not
    exit 139; nothing half-written; resumed without the limit, the run ends as an uninterrupted one."""
    full, _ = uninterrupted
    out = tmp_path / "run"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(out), str(REPO / "tests")], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "cannot write the training backup (File too large)" in proc.stdout
    assert _leftovers(out) == [] and not (out / "LOCK").exists()
    _train(out, backup_every_steps=2)
    assert _log(out) == _log(full)
