"""Nothing lost, nothing half-written (bad input and faults).

* A dataset preparation killed midway (SIGKILL during ``download_and_prepare``) leaves no dataset
  that looks complete; preparing again completes it.
* Results and models are written atomically (temporary file, then rename): a crash in the middle
  of writing a ``.keras``, MEME, JSON or TSV file leaves the previous file (or none), never a
  truncated file under the final name.
* A training backup interrupted while it is written leaves the previous backup usable.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def _wait_for(path: Path, proc, log: Path, timeout=240):
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("child ended before reaching the kill point:\n" + log.read_text(errors="replace")[-4000:])
        time.sleep(0.1)


def _hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ---------------------------------------------------------------------------------- TFDS
EXPERIMENT = "reliability_test_experiment"

PREPARE = textwrap.dedent(
    f"""
    import os, sys, time
    import tensorflow_datasets as tfds
    import tfds_builders  # noqa: F401
    from tfds_builders.zeng_chipseq import zeng_chipseq_dataset_builder as zb

    root = sys.argv[1]
    original = zb.Builder._generate_examples

    def stalling(self, path):  # stop in the middle of the train split, as a crash would
        for i, example in enumerate(original(self, path)):
            if i == 60 and str(path).endswith("train.data"):
                open(os.path.join(root, "STALLED"), "w").close()
                time.sleep(600)
            yield example

    zb.Builder._generate_examples = stalling
    builder = zb.builder_for({EXPERIMENT!r}, data_dir=os.path.join(root, "tfds"))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=os.path.join(root, "manual")))
    """
)


def _zeng_lines(n, seed):
    rng = np.random.default_rng(seed)
    return "".join(f"chr1:{i}-{i + 101} {''.join(rng.choice(list('ACGT'), 101))} {i % 2}\n" for i in range(n))


def test_dataset_preparation_killed_midway_leaves_no_complete_looking_dataset(tmp_path):
    import tensorflow_datasets as tfds

    from tfds_builders.zeng_chipseq import zeng_chipseq_dataset_builder as zb

    manual = tmp_path / "manual" / EXPERIMENT
    manual.mkdir(parents=True)
    (manual / "train.data").write_text(_zeng_lines(200, 0))
    (manual / "test.data").write_text(_zeng_lines(50, 1))
    log = tmp_path / "prepare.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", PREPARE, str(tmp_path)], stdout=fh, stderr=subprocess.STDOUT,
                                env=_env())
        _wait_for(tmp_path / "STALLED", proc, log)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(60)
    assert proc.returncode == -signal.SIGKILL

    data_dir = tmp_path / "tfds"
    builder = zb.builder_for(EXPERIMENT, data_dir=str(data_dir))
    assert not builder.is_prepared()
    # what the killed run left: only TFDS's temporary '*.incomplete*' folder, never the version folder
    version_dirs = [p.name for p in (data_dir / "zeng_chipseq" / EXPERIMENT).iterdir()]
    assert version_dirs and all("incomplete" in name for name in version_dirs), version_dirs
    with pytest.raises(AssertionError, match="not been generated|could not find|Dataset"):
        builder.as_dataset(split="train")

    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(tmp_path / "manual")))
    assert builder.is_prepared()
    assert builder.info.splits["train"].num_examples == 200 and builder.info.splits["test"].num_examples == 50
    assert len(list(builder.as_dataset(split="train"))) == 200


# ---------------------------------------------------------------------------------- atomic writes
WRITE_AND_STALL = textwrap.dedent(
    """
    import os, sys, time
    from keras_motifs.io import atomic_open

    target, marker = sys.argv[1], sys.argv[2]
    with atomic_open(target, "w") as fh:  # a large JSON document, written in pieces
        fh.write('{"values": [')
        fh.write(",".join(str(i) for i in range(200000)))
        fh.flush()
        open(marker, "w").close()
        time.sleep(600)  # killed here: the document is half written
        fh.write("]}")
    """
)


def test_sigkill_while_writing_leaves_the_previous_file(tmp_path):
    target = tmp_path / "result.json"
    target.write_text(json.dumps({"values": [1, 2, 3]}))
    log = tmp_path / "w.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", WRITE_AND_STALL, str(target), str(tmp_path / "STALLED")],
                                stdout=fh, stderr=subprocess.STDOUT, env=_env())
        _wait_for(tmp_path / "STALLED", proc, log, timeout=60)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert json.loads(target.read_text()) == {"values": [1, 2, 3]}  # the old file, complete
    leftovers = _hidden_leftovers(tmp_path)
    assert len(leftovers) == 1 and leftovers[0].startswith(".result.json.")  # the dead writer's temporary
    with pytest.raises(json.JSONDecodeError):
        json.loads((tmp_path / leftovers[0]).read_text())  # half written, and never under the final name


def test_crash_while_writing_json_meme_and_table_keeps_old_files(tmp_path, monkeypatch):
    import pandas as pd

    from keras_motifs.interpret import Motif, read_meme, write_meme
    from keras_motifs.interpret.report import write_table
    from keras_motifs.io import write_json

    write_json(tmp_path / "s.json", {"ok": 1})
    write_meme(tmp_path / "m.meme", [Motif("m1", np.full((3, 4), 0.25))], alphabet="ACGT")
    write_table(tmp_path / "t.tsv", pd.DataFrame({"a": [1, 2]}))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    class Crash(Exception):
        pass

    import keras_motifs.io.atomic as atomic

    real_open = open

    class HalfWriter:  # the process dies after writing half of what it was given
        def __init__(self, fh):
            self.fh = fh

        def write(self, text):
            self.fh.write(text[: len(text) // 2])
            self.fh.flush()
            raise Crash()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def crashing_open(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        return HalfWriter(fh) if "w" in mode else fh

    monkeypatch.setattr(atomic, "open", crashing_open, raising=False)
    for call in (
        lambda: write_json(tmp_path / "s.json", {"ok": 2, "more": list(range(1000))}),
        lambda: write_meme(tmp_path / "m.meme", [Motif("m2", np.full((30, 4), 0.25))], alphabet="ACGT"),
        lambda: write_table(tmp_path / "t.tsv", pd.DataFrame({"a": range(1000)})),
        lambda: write_json(tmp_path / "new.json", {"never": "complete"}),
    ):
        with pytest.raises(Crash):
            call()
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # old files intact, no new or temporary file left
    assert read_meme(tmp_path / "m.meme").motifs[0].name == "m1"


def test_crash_while_saving_a_model_keeps_the_previous_keras_file(tmp_path, monkeypatch):
    import keras

    from keras_motifs.interpret import load_model
    from keras_motifs.io import save_model

    inp = keras.Input((8, 4))
    model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Flatten()(inp)))
    save_model(model, tmp_path / "best.keras")
    old = (tmp_path / "best.keras").read_bytes()

    def half_save(self, path, *args, **kwargs):  # a crash in the middle of writing the zip archive
        Path(path).write_bytes(old[: len(old) // 2])
        raise KeyboardInterrupt()

    model.get_layer(index=-1).kernel.assign(np.ones((32, 1), "float32"))
    monkeypatch.setattr(keras.Model, "save", half_save)
    with pytest.raises(KeyboardInterrupt):
        save_model(model, tmp_path / "best.keras")
    monkeypatch.undo()
    assert (tmp_path / "best.keras").read_bytes() == old and _hidden_leftovers(tmp_path) == []
    assert load_model(tmp_path / "best.keras").count_params() == 33


def test_crash_while_writing_a_training_backup_keeps_the_previous_backup(tmp_path, monkeypatch):
    import keras

    from keras_motifs.training.callbacks import ResumableBackup

    def make():
        keras.utils.set_random_seed(0)
        inp = keras.Input((8, 4))
        x = keras.layers.Dropout(0.5)(keras.layers.Flatten()(inp))
        m = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(x))
        m.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["binary_accuracy"])
        return m

    x = np.eye(4, dtype="float32")[np.random.default_rng(0).integers(0, 4, (32, 8))]
    y = np.ones((32, 1), "float32")
    model = make()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    backup = ResumableBackup(tmp_path / "backup", save_freq=1)
    backup.set_model(model)
    backup._save(1, 0)
    saved = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)  # the weights move on

    from keras_motifs.training import callbacks

    real, calls = callbacks._write_npz, []

    def crash_on_the_second_file(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise KeyboardInterrupt()
        return real(*args, **kwargs)

    monkeypatch.setattr(callbacks, "_write_npz", crash_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        backup._save(2, 1)  # dies after the weights (variables.npz), before the rest of the state and the pointer
    assert [p.name for p in calls] == ["variables.npz", "state.npz"]
    monkeypatch.undo()
    pointer = json.loads((tmp_path / "backup" / "latest.json").read_text())
    assert pointer["checkpoint"] == "ckpt-e00001-b0000000"

    fresh = make()
    restore = ResumableBackup(tmp_path / "backup")
    restore.set_model(fresh)
    restore.on_train_begin()
    assert fresh._initial_epoch == 1
    for a, b in zip(fresh.get_weights(), saved):
        np.testing.assert_array_equal(a, b)
