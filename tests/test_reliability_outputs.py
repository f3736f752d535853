"""Bad output locations given to the package's writers (``keras_motifs.io.atomic_path`` and all
that use it: ``write_json``, ``write_meme``, ``write_table``, ``save_model``, logos, plots):
refused before anything is written, the target left as it was.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``. The
guarantees of a successful write (the replaced file's mode kept, links written through) are in
``tests/test_io_files.py``.
"""

from __future__ import annotations

import os

import pytest

from keras_motifs.errors import FileAccessError, UsageError
from reliability_cases import case, cases_in, check_bad_input, fifo, symlink_loop, w


R_OUT = "output file (`io.atomic_path`: JSON, MEME, tables, models, images)"


def _write(path):
    from keras_motifs.io import write_json

    return write_json(path, {"a": 1})


@case("out-fifo", R_OUT, "a named pipe (FIFO) as the target", FileAccessError,
      r"output file '.*p\.json': is a named pipe \(FIFO\); results are written only to regular files")
def _(tmp):
    target = fifo(tmp, "p.json")
    try:
        return _write(target)
    finally:
        assert target.is_fifo()


@case("out-link-to-fifo", R_OUT, "a symbolic link to a FIFO", FileAccessError,
      r"output file '.*l\.json': is a named pipe \(FIFO\)")
def _(tmp):
    target = fifo(tmp, "p")
    os.symlink(target, tmp / "l.json")
    try:
        return _write(tmp / "l.json")
    finally:
        assert target.is_fifo() and (tmp / "l.json").is_symlink()


@case("out-folder", R_OUT, "an existing folder as the target", FileAccessError,
      r"output file '.*d\.json': is a folder; .*give a file name inside it")
def _(tmp):
    (tmp / "d.json").mkdir()
    return _write(tmp / "d.json")


@case("out-symlink-loop", R_OUT, "a symbolic-link loop as the target", FileAccessError,
      r"output file '.*loop\.json': a loop of symbolic links")
def _(tmp):
    return _write(symlink_loop(tmp, "loop.json"))


@case("out-parent-is-file", R_OUT, "a target inside a regular file", FileAccessError,
      r"output file '.*f\.txt/x\.json': a part of the path is not a folder")
def _(tmp):
    w(tmp, "f.txt", "keep")
    return _write(tmp / "f.txt" / "x.json")


@case("out-name-too-long", R_OUT, "a 300-character file name", FileAccessError,
      r"output file 'n{20}.*\(30\d characters\)': the name is too long for the file system")
def _(tmp):
    return _write("n" * 300 + ".json")


@case("out-device", R_OUT, "a character device (a copy of /dev/null made with mknod)", FileAccessError,
      r"output file '.*null\.json': is a character device; .*use '-' for standard output")
def _(tmp):
    import stat

    try:  # never the real /dev/null: a regression would replace it
        os.mknod(tmp / "null.json", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        pytest.skip("cannot make a device node here (mknod needs CAP_MKNOD)")
    try:
        return _write(tmp / "null.json")
    finally:
        assert stat.S_ISCHR(os.lstat(tmp / "null.json").st_mode)


@case("out-two-outputs-one-file", R_OUT, "two outputs on one file (a link and its target)", UsageError,
      r"the table '.*t\.tsv' and the image '.*i\.png' are the same file")
def _(tmp):
    from keras_motifs.io import check_distinct

    os.symlink(tmp / "i.png", tmp / "t.tsv")
    return check_distinct({"the image": tmp / "i.png", "the table": tmp / "t.tsv"})


@case("out-is-input-hard-link", R_OUT, "the output a hard link of an input", UsageError,
      r"the output '.*h\.fa' is the input sequences: writing it would destroy the input")
def _(tmp):
    from keras_motifs.io import check_distinct

    w(tmp, "s.fa", ">s\nACGT\n")
    os.link(tmp / "s.fa", tmp / "h.fa")
    return check_distinct({"the output": tmp / "h.fa"}, {"sequences": tmp / "s.fa"})


CASES = cases_in(__file__)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
