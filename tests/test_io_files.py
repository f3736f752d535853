"""What a successful write through ``keras_motifs.io`` keeps and refuses (the refusals of bad
output locations are cases of ``tests/test_reliability_outputs.py``), and the checks of input
paths: a FIFO is refused without being opened (a subprocess with a timeout shows the CLI never
blocks on one), HDF5 files that reach into other files are refused.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, MissingFileError
from keras_motifs.io import atomic_open, check_input_file, check_output_dir, check_output_file, write_json


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_rewriting_keeps_the_mode_of_the_replaced_file(tmp_path):
    """A result made private (chmod 600) stays private when it is written again (it became 0644)."""
    path = tmp_path / "r.json"
    write_json(path, {"v": 1})
    os.chmod(path, 0o600)
    write_json(path, {"v": 2})
    assert _mode(path) == 0o600 and json.loads(path.read_text()) == {"v": 2}
    os.chmod(path, 0o640)
    with atomic_open(path, "w") as fh:
        fh.write("x")
    assert _mode(path) == 0o640 and path.read_text() == "x"


def test_a_read_only_result_can_still_be_rewritten_and_stays_read_only(tmp_path):
    path = tmp_path / "r.json"
    write_json(path, {"v": 1})
    os.chmod(path, 0o444)
    write_json(path, {"v": 2})
    assert _mode(path) == 0o444 and json.loads(path.read_text()) == {"v": 2}


def test_a_new_file_gets_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "n.json", {})
    finally:
        os.umask(old)
    assert _mode(tmp_path / "n.json") == 0o644


def test_set_id_bits_are_not_copied(tmp_path):
    path = tmp_path / "r.json"
    write_json(path, {})
    os.chmod(path, 0o4755)
    write_json(path, {"v": 2})
    assert _mode(path) == 0o755


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path):
    """An output path that is a link: the link's target gets the result; the link stays."""
    (tmp_path / "store").mkdir()
    real = tmp_path / "store" / "result.json"
    write_json(real, {"v": 1})
    os.chmod(real, 0o600)
    link = tmp_path / "result.json"
    os.symlink(real, link)
    write_json(link, {"v": 2})
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text()) == {"v": 2} and _mode(real) == 0o600
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["result.json"]  # no temporary left


def test_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "out.json"
    os.symlink(tmp_path / "sub" / "real.json", link)
    write_json(link, {"v": 1})
    assert link.is_symlink() and json.loads((tmp_path / "sub" / "real.json").read_text()) == {"v": 1}


def test_a_relative_link_into_another_folder(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    os.symlink("../b/t.json", tmp_path / "a" / "t.json")
    write_json(tmp_path / "a" / "t.json", [1])
    assert json.loads((tmp_path / "b" / "t.json").read_text()) == [1] and (tmp_path / "a" / "t.json").is_symlink()


def test_a_very_long_target_name_keeps_the_temporary_name_short(tmp_path):
    name = "r" * 250 + ".json"
    write_json(tmp_path / name, {"v": 1})
    assert json.loads((tmp_path / name).read_text()) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_paths_with_spaces_and_unicode(tmp_path):
    folder = tmp_path / "a folder é 漢字"
    write_json(folder / "out put ü.json", {"v": 1})
    assert json.loads((folder / "out put ü.json").read_text()) == {"v": 1}
    assert check_input_file(folder / "out put ü.json") == str(folder / "out put ü.json")


def test_output_checks(tmp_path):
    assert check_output_file(tmp_path / "new" / "deeper" / "x.tsv")  # missing folders are created on write
    assert check_output_dir(tmp_path / "new" / "folder")
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileAccessError, match="is a regular file, not a folder"):
        check_output_dir(tmp_path / "f")
    with pytest.raises(FileAccessError, match="a part of the path is not a folder"):
        check_output_file(tmp_path / "f" / "x.tsv")
    assert not (tmp_path / "new").exists()  # the checks create nothing


def test_input_checks(tmp_path):
    with pytest.raises(MissingFileError, match="not found") as info:
        check_input_file(tmp_path / "missing.fa", "sequence file")
    assert isinstance(info.value, FileNotFoundError)  # code that catches FileNotFoundError keeps working
    with pytest.raises(FileAccessError, match="the path holds a NUL character"):
        check_input_file("a\x00b")
    os.mkfifo(tmp_path / "p.fa")
    with pytest.raises(FileAccessError, match=r"named pipe \(FIFO\)"):
        check_input_file(tmp_path / "p.fa")


FIFO_CALLS = [
    ["motifs", "{d}/m.keras", "{d}/p.fa", "--alphabet", "ACGT", "--out", "{d}/o"],
    ["score-variants", "{d}/m.keras", "--pairs", "{d}/p.fa", "--out", "{d}/s.tsv"],
    ["deepbind", "--db", "{d}", "D00001.001", "{d}/p.fa"],
]
FIFO_RUNNER = r"""
import contextlib, io, json, sys
from keras_motifs import cli
from keras_motifs.errors import FileAccessError
from keras_motifs.io import check_output_file
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    out.append([rc, err.getvalue()])
try:  # standard output is a pipe here: /dev/stdout leads to it
    check_output_file("/dev/stdout")
    out.append("accepted")
except FileAccessError as exc:
    out.append(str(exc))
sys.stderr.write(json.dumps(out))
"""


def test_a_fifo_never_blocks_the_command_line_and_dev_stdout_is_refused(tmp_path):
    """``keras-motifs`` given a FIFO as an input returns at once with one error line (before: it
    blocked forever waiting for a writer); ``--out /dev/stdout`` is refused (as root, the device link
    was replaced with a regular file). In a subprocess with a timeout: a regression fails, not hangs."""
    os.mkfifo(tmp_path / "p.fa")
    (tmp_path / "m.keras").write_bytes(b"PK")
    (tmp_path / "params").mkdir()
    calls = [[a.format(d=tmp_path) for a in argv] for argv in FIFO_CALLS]
    r = subprocess.run([sys.executable, "-c", FIFO_RUNNER, json.dumps(calls)], capture_output=True, text=True,
                       timeout=180, stdin=subprocess.DEVNULL, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert r.returncode == 0, r.stderr[-2000:]
    *results, stdout_check = json.loads(r.stderr.strip().splitlines()[-1])
    for argv, (rc, err) in zip(calls, results):
        lines = [line for line in err.splitlines() if line.strip()]
        assert rc == 1 and len(lines) == 1 and lines[0].startswith("error:") and "named pipe (FIFO)" in lines[0], (argv, err)
    assert "is a named pipe (FIFO)" in stdout_check or "is a character device" in stdout_check, stdout_check


def test_hdf5_external_link_storage_and_virtual_datasets_are_refused(tmp_path):
    import h5py

    from keras_motifs.io import open_hdf5

    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"PASSWORD=hunter2\n" * 10)
    with h5py.File(tmp_path / "raw.h5", "w") as f:
        f.create_dataset("x", shape=(16,), dtype="u1", external=[(str(secret), 0, 16)])
    with h5py.File(tmp_path / "raw.h5", "r") as f:  # what an unchecked reader would echo
        assert bytes(f["x"][:8]) == b"PASSWORD"
    with pytest.raises(DataFormatError, match="stored in external file") as info:
        open_hdf5(tmp_path / "raw.h5")
    assert "PASSWORD" not in str(info.value)
    with h5py.File(tmp_path / "link.h5", "w") as f:
        f["ok"] = np.zeros(3)
        f["g/evil"] = h5py.ExternalLink(str(tmp_path / "raw.h5"), "/x")
    with pytest.raises(DataFormatError, match="'/g/evil' is an external link"):
        open_hdf5(tmp_path / "link.h5")
    with h5py.File(tmp_path / "fine.h5", "w") as f:  # soft links and hard-link cycles stay readable
        f["a/b"] = np.arange(3)
        f["a/soft"] = h5py.SoftLink("/a/b")
        f["a/again"] = f["a"]
    with open_hdf5(tmp_path / "fine.h5") as f:
        assert list(f["a/soft"][:]) == [0, 1, 2]


def test_export_folder_weights_with_an_external_link_are_refused(tmp_path):
    import h5py
    import keras

    from keras_motifs import export_model, load_exported

    inp = keras.Input((8, 4))
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(inp)), name="tiny")
    export_model(model, tmp_path / "e")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.zeros(2)
    with h5py.File(tmp_path / "e" / "model.weights.h5", "a") as f:
        f["evil"] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/x")
    with pytest.raises(DataFormatError, match="'/evil' is an external link"):
        load_exported(tmp_path / "e")
