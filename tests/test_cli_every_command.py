"""Every ``keras-motifs`` sub-command, on bad input, in a fresh process: exit status 1, the last
line of stderr ``error: ...`` (the only ``error:`` line), no traceback, no output written, nothing
blocked (a FIFO given as a file must be refused, not read).

The sub-commands come from ``keras_motifs.cli.COMMAND_MODULES`` (a new command without a valid
invocation in ``BASE`` fails :func:`test_every_command_has_a_base_invocation`). Two kinds of bad
input:

* **generated** from each command's parser: every option whose argparse ``type`` is one of the
  checked types of :mod:`keras_motifs.cli_args` (``kind``: int, float, input file, output file or
  folder, alphabet, index list, region) gets the bad values of its kind — 0, -1, 2**31, ``1.5``,
  ``x``; nan, inf; a folder, a FIFO, a symbolic-link loop, a missing file, a 300-character name,
  a path under a regular file; a FIFO or a folder as output, a link to a FIFO ...;
* **specific** cases (``SPECIFIC``): the bad input the reliability issue listed and more
  (an unknown DeepBind ID, a misspelt JASPAR release, target names that do not fit the model,
  an index past the data, outputs on one path, non-one-hot arrays, unsafe models, empty files).

One subprocess runs all the calls through ``keras_motifs.cli.main`` (a TensorFlow import per call
would take minutes); each call's status and stderr come back as JSON; ``signal.alarm`` ends a
call that blocks.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from keras_motifs.cli import COMMAND_MODULES, build_parser

RUNNER = r"""
import contextlib, io, json, signal, sys
from keras_motifs import cli

def blocked(signum, frame):
    raise TimeoutError("blocked for 60 s")

signal.signal(signal.SIGALRM, blocked)
calls = json.loads(open(sys.argv[1]).read())
out = []
for name, argv in calls:
    err = io.StringIO()
    signal.alarm(60)
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:
            rc = exc.code
        except BaseException as exc:  # what the CLI must never let through
            import traceback
            traceback.print_exc()
            rc = "uncaught " + type(exc).__name__
    signal.alarm(0)
    out.append([name, rc, err.getvalue()])
print(json.dumps(out))
"""

PARAMS = ("# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\nhas_avg_pooling = 0\nnum_hidden = 0\n"
          "detectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\nthresholds = -0.5\nweights1 = 1.5\nbiases1 = 0.1\n")
DB_COLUMNS = ("ID", "Protein", "Type", "Species", "Family", "Class", "Experiment", "Experiment Details", "Model", "Cite",
              "Labels", "Path", "Comment")
MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
        "MOTIF m1 alt\nletter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0\n0.25 0.25 0.25 0.25\n0.1 0.2 0.3 0.4\n")


def _fixtures(d: Path) -> dict:
    """Tiny valid inputs, and the bad paths the generated cases use."""
    import keras

    from keras_motifs.io import save_model

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 4), name="sequence")
    x = keras.layers.Conv1D(3, 3, activation="relu", name="conv")(inp)
    out = keras.layers.Dense(2, activation="sigmoid")(keras.layers.Flatten()(x))
    save_model(keras.Model(inp, out, name="tiny"), d / "m.keras")
    (d / "s.fa").write_text(">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    # the valid invocations read CRLF line ends, a UTF-8 byte-order mark and a name with a space
    (d / "seqs é.fa").write_bytes(b">s1\r\nACGTACGT\r\n>s2\r\nACGTTCGT\r\n")
    np.save(d / "x.npy", np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (2, 8))])
    (d / "pairs.tsv").write_text("id\tref\talt\nv1\tACGTACGT\tACGAACGT\n")
    (d / "pairs crlf.tsv").write_bytes(b"\xef\xbb\xbfid\tref\talt\r\nv1\tACGTACGT\tACGAACGT\r\n")
    (d / "v.vcf").write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\nchr1\t5\tv1\tA\tG\n")
    (d / "g.fa").write_text(">chr1\nACGTACGTACGTACGT\n")
    (d / "t.meme").write_text(MEME)
    db = d / "db"
    (db / "params").mkdir(parents=True)
    (db / "params" / "D00001.001.txt").write_text(PARAMS)
    (db / "db.tsv").write_text("\t".join(DB_COLUMNS) + "\n" + "\t".join(["D00001.001", "P1", "TF", "Homo sapiens", "",
                               "", "ChIP-seq", "", "", "", "", "", ""]) + "\n")
    (d / "dna.seq").write_text("ACGTACGTAC\n")
    # your own data (train, predict): a genome of two 600-bp chromosomes and 8 peaks
    rng = np.random.default_rng(0)
    (d / "own.fa").write_text("".join(f">chr{c}\n" + "".join(rng.choice(list("ACGT"), 600)) + "\n" for c in (1, 2)))
    (d / "own.bed").write_text("".join(f"chr{c}\t{s}\t{s + 20}\tp{c}_{s}\t0\t+\n" for c in (1, 2)
                                       for s in (100, 250, 400, 500)))
    # bad paths
    (d / "folder.fa").mkdir()
    os.mkfifo(d / "fifo")
    os.symlink("loop_b", d / "loop_a")
    os.symlink("loop_a", d / "loop_b")
    os.symlink(d / "fifo", d / "link_to_fifo")
    (d / "regular").write_text("x")
    return {"d": d, "db": db}


def _bad_paths(d: Path, suffix: str, kind: str) -> list[tuple[str, str]]:
    """(label, path) of bad paths for an option of ``kind`` whose good value ends in ``suffix``."""
    common = [("a symbolic-link loop", str(d / "loop_a")),
              ("a path under a regular file", str(d / "regular" / f"x{suffix}")),
              ("a 300-character name", str(d / ("n" * 300 + suffix)))]
    if kind == "input":
        folder = d / f"folder{suffix}"
        folder.mkdir(exist_ok=True)
        fifo = d / f"fifo{suffix}"
        if not fifo.exists():
            os.mkfifo(fifo)
        return [("a folder", str(folder)), ("a FIFO", str(fifo)), ("a missing file", str(d / f"missing{suffix}")),
                *common]
    if kind == "output":
        return [("an existing folder", str(d / "folder.fa")), ("a FIFO", str(d / "fifo")),
                ("a link to a FIFO", str(d / "link_to_fifo")), *common]
    if kind == "output_dir":
        return [("a regular file", str(d / "regular")), ("a FIFO", str(d / "fifo")), *common]
    raise ValueError(kind)


def _bad_values(conv) -> list[tuple[str, str]]:
    kind = conv.kind
    if kind == "int":
        low, high = conv.low, conv.high
        return [(f"below {low}", str(low - 1)), ("2**31", str(high + 1)), ("a float", "1.5"), ("a word", "x"),
                ("a digit separator", "1_0"), ("empty", "")]
    if kind == "float":
        bad = [("nan", "nan"), ("inf", "inf"), ("a word", "x"), ("1e999", "1e999")]
        if conv.low is not None:
            bad.append((f"below {conv.low}", str(conv.low - 1)))
        if conv.high is not None:
            bad.append((f"above {conv.high}", str(conv.high + 1)))
        return bad
    if kind == "alphabet":
        return [("XYZ", "XYZ"), ("repeated letters", "AACG"), ("empty", "")]
    if kind == "index_list":
        return [("a negative index", "-1"), ("a word", "a,b"), ("an empty item", "0,,1"), ("a repeat", "1,1")]
    if kind == "region":
        return [("END before START", "80:20"), ("one number", "20"), ("negative", "-5:10")]
    raise ValueError(kind)


def _base(f: dict) -> dict[str, list[str]]:
    """A valid invocation of every command (its outputs in the fixture folder)."""
    d = f["d"]
    return {
        "deepbind": ["deepbind", "--db", str(f["db"]), "D00001.001", str(d / "dna.seq")],
        "motifs": ["motifs", str(d / "m.keras"), str(d / "seqs é.fa"), "--alphabet", "ACGT", "--out",
                   str(d / "motifs_out"), "--no-tomtom", "--no-logos"],
        "mutation-map": ["mutation-map", str(d / "m.keras"), str(d / "x.npy"), "--alphabet", "ACGT", "--out",
                         str(d / "map.png")],
        "score-variants": ["score-variants", str(d / "m.keras"), "--pairs", str(d / "pairs crlf.tsv"), "--alphabet",
                           "ACGT", "--out", str(d / "scores.tsv")],
        "train": ["train", "deepbind_encode", "--bed", str(d / "own.bed"), "--genome", str(d / "own.fa"),
                  "--test-chroms", "chr2", "--shuffled-negatives", "1", "--valid-fraction", "0.25", "--epochs", "1",
                  "--out", str(d / "own_run")],
        "predict": ["predict", str(d / "m.keras"), str(d / "seqs é.fa"), "--alphabet", "ACGT", "--out",
                    str(d / "predictions.tsv")],
        "attribute": ["attribute", str(d / "m.keras"), str(d / "seqs é.fa"), "--alphabet", "ACGT", "--method",
                      "deeplift", "--target", "1", "--shuffles", "2", "--index", "1", "--out", str(d / "attr_out")],
    }


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    return dict(sub.choices)


def _replace(argv: list[str], action, value: str, positional_index: int | None) -> list[str]:
    argv = list(argv)
    if action.option_strings:
        for opt in action.option_strings:
            if opt in argv:
                argv[argv.index(opt) + 1] = value
                return argv
        return argv + [action.option_strings[0], value]
    argv[positional_index] = value
    return argv


def _generated(f: dict, base: dict) -> list[tuple[str, list[str]]]:
    d = f["d"]
    calls = []
    for command, parser in _commands().items():
        argv = base[command]
        positional = 0
        for action in parser._actions:  # noqa: SLF001
            pos_index = None
            if not action.option_strings:
                positional += 1
                pos_index = positional  # argv[0] is the command
            conv = action.type
            kind = getattr(conv, "kind", None)
            if kind is None or action.dest == "help":
                continue
            name = action.option_strings[0] if action.option_strings else action.dest
            if kind in ("input", "output", "output_dir"):
                good = argv[pos_index] if pos_index is not None else (
                    argv[argv.index(name) + 1] if name in argv else "x.txt")
                suffix = "".join(Path(good).suffixes[-1:]) if not good.startswith("JASPAR") else ".meme"
                bad = _bad_paths(d, suffix, kind)
            else:
                bad = _bad_values(conv)
            for label, value in bad:
                calls.append((f"{command} {name}: {label}", _replace(argv, action, value, pos_index)))
    return calls


def _specific(f: dict, base: dict) -> list[tuple[str, list[str]]]:
    """Hand-written bad input (each also checked for writing nothing)."""
    import keras

    d = f["d"]

    def w(name, data):
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())
        return str(d / name)

    np.save(d / "seven.npy", np.full((2, 8, 4), 7.0, np.float32))
    np.save(d / "empty.npy", np.zeros((0, 8, 4), np.float32))
    inp = keras.Input((8, 4))
    keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp)).save(d / "lambda.keras")
    m, s, out = str(d / "m.keras"), str(d / "s.fa"), str(d / "spec_out")
    mm = ["mutation-map", m, str(d / "x.npy"), "--alphabet", "ACGT"]
    sv = ["score-variants", m, "--alphabet", "ACGT"]
    mo = ["motifs", m, s, "--alphabet", "ACGT", "--no-logos"]
    at = ["attribute", m, str(d / "x.npy"), "--alphabet", "ACGT"]
    rin = keras.Input((8, 4))
    keras.Model(rin, keras.layers.Dense(1)(keras.layers.LSTM(2)(rin)), name="recurrent").save(d / "lstm.keras")
    names3 = w("names3.txt", "a\nb\nc\n")
    names1 = w("names1.txt", "a\n")
    return [
        ("unknown command", ["no-such-command"]),
        ("missing required --out", ["motifs", m, s, "--alphabet", "ACGT"]),
        ("unknown option", [*base["motifs"], "--no-such-option"]),
        ("deepbind --dump-info unknown ID", ["deepbind", "--db", str(f["db"]), "--dump-info", "D99999.001"]),
        ("deepbind malformed ID", ["deepbind", "--db", str(f["db"]), "D1", str(d / "dna.seq")]),
        ("deepbind ID file that is a folder", ["deepbind", "--db", str(f["db"]), str(_mkdir(d / "ids_dir.ids"))]),
        ("deepbind ID file that is a FIFO", ["deepbind", "--db", str(f["db"]), _mkfifo(d / "f.ids")]),
        ("deepbind ID file in UTF-16", ["deepbind", "--db", str(f["db"]), w("u16.ids", "D00001.001\n".encode("utf-16"))]),
        ("deepbind sequence file that is a FIFO", ["deepbind", "--db", str(f["db"]), "D00001.001", _mkfifo(d / "f.fa")]),
        ("deepbind sequence file that is a folder", ["deepbind", "--db", str(f["db"]), "D00001.001",
                                                     str(_mkdir(d / "sq_dir.seq"))]),
        ("deepbind --db that is a file", ["deepbind", "--db", str(d / "regular"), "D00001.001", str(d / "dna.seq")]),
        ("motifs misspelt JASPAR release", [*mo, "--targets", "JASPAR2061", "--out", out]),
        ("motifs --targets with zero motifs", [*mo, "--targets", w("zero.meme", MEME.split("MOTIF")[0]), "--out", out]),
        ("motifs --targets w= smaller than rows", [*mo, "--targets", w("w1.meme", MEME.replace("w= 2", "w= 1")),
                                                   "--out", out]),
        ("motifs --targets w= larger than rows", [*mo, "--targets",
                                                  w("w3.meme", MEME.replace("w= 2", "w= 3") + "MOTIF m2\n"
                                                    "letter-probability matrix: alength= 4 w= 1\n1 0 0 0\n"),
                                                  "--out", out]),
        ("motifs --targets inside --out as filters.meme", [*mo, "--targets", _copy(d / "t.meme", d / "o2" / "filters.meme"),
                                                           "--out", str(d / "o2")]),
        ("motifs --mutation-map-target past the outputs", [*mo, "--no-tomtom", "--mutation-map-target", "2",
                                                           "--out", out]),
        ("motifs --mutation-map-index past the data", [*mo, "--no-tomtom", "--mutation-map-index", "2", "--out", out]),
        ("motifs --layer that does not exist", [*mo, "--no-tomtom", "--layer", "nope", "--out", out]),
        ("motifs --alphabet with 3 letters for 4 channels", ["motifs", m, s, "--alphabet", "ACG", "--out", out]),
        ("motifs non-one-hot .npy (7.0)", ["motifs", m, str(d / "seven.npy"), "--alphabet", "ACGT", "--out", out]),
        ("motifs empty .npy", ["motifs", m, str(d / "empty.npy"), "--alphabet", "ACGT", "--out", out]),
        ("motifs empty FASTA", ["motifs", m, w("empty.fa", ""), "--alphabet", "ACGT", "--out", out]),
        ("motifs UTF-16 FASTA", ["motifs", m, w("u16.fa", ">s1\nACGTACGT\n".encode("utf-16")), "--alphabet", "ACGT",
                                 "--out", out]),
        ("motifs FASTA with a NUL byte", ["motifs", m, w("nul.fa", ">s1\nACGT\x00CGT\n"), "--alphabet", "ACGT",
                                          "--out", out]),
        ("motifs truncated .fa.gz", ["motifs", m, w("t.fa.gz", _truncated_gzip(">s1\nACGTACGT\n" * 50)), "--alphabet",
                                     "ACGT", "--out", out]),
        ("motifs unknown sequence file type", ["motifs", m, w("seqs.txt", "ACGT\n"), "--alphabet", "ACGT", "--out", out]),
        ("motifs unsafe model (Lambda)", ["motifs", str(d / "lambda.keras"), s, "--alphabet", "ACGT", "--out", out]),
        ("motifs model that is not .keras", ["motifs", w("m.h5", b"\x89HDF\r\n"), s, "--alphabet", "ACGT", "--out", out]),
        ("motifs unknown TFDS name", ["motifs", m, "no_such_dataset/x", "--alphabet", "ACGT", "--out", out]),
        ("mutation-map --index past the data", [*mm, "--index", "5", "--out", str(d / "i.png")]),
        ("mutation-map --out map.tsv (image and table on one path)", [*mm, "--out", str(d / "map.tsv")]),
        ("mutation-map table beside --out is a link to --out", [*mm, "--out", _link_pair(d)]),
        ("mutation-map --target past the outputs", [*mm, "--target", "2", "--out", str(d / "t.png")]),
        ("mutation-map --region past the sequence", [*mm, "--region", "0:99", "--out", str(d / "r.png")]),
        ("mutation-map --out with an unknown image type", [*mm, "--out", str(d / "map.xyz")]),
        ("mutation-map --out is the model", [*mm, "--out", m]),
        ("attribute --index past the data", [*at, "--target", "0", "--index", "5", "--out", str(d / "a1")]),
        ("attribute --target past the outputs", [*at, "--target", "2", "--out", str(d / "a2")]),
        ("attribute without --target on a model with 2 outputs", [*at, "--out", str(d / "a3")]),
        ("attribute --region past the sequence", [*at, "--target", "0", "--region", "0:99", "--out", str(d / "a4")]),
        ("attribute --method deeplift on a recurrent model", ["attribute", str(d / "lstm.keras"), str(d / "x.npy"),
                                                             "--alphabet", "ACGT", "--method", "deeplift", "--out",
                                                             str(d / "a5")]),
        ("attribute --method nope", [*at, "--method", "nope", "--out", str(d / "a6")]),
        ("attribute --out holding the model as attributions.npz",
         ["attribute", _copy(d / "m.keras", d / "a7" / "attributions.npz"), str(d / "x.npy"), "--alphabet", "ACGT",
          "--target", "0", "--out", str(d / "a7")]),
        ("score-variants --targets past the outputs", [*sv, "--pairs", str(d / "pairs.tsv"), "--targets", "5",
                                                       "--out", str(d / "a.tsv")]),
        ("score-variants too few --target-names", [*sv, "--pairs", str(d / "pairs.tsv"), "--target-names", names1,
                                                   "--out", str(d / "b.tsv")]),
        ("score-variants extra --target-names", [*sv, "--pairs", str(d / "pairs.tsv"), "--target-names", names3,
                                                 "--out", str(d / "c.tsv")]),
        ("score-variants --out is the --pairs input", [*sv, "--pairs", str(d / "pairs.tsv"), "--out",
                                                       str(d / "pairs.tsv")]),
        ("score-variants --vcf without --fasta", [*sv, "--vcf", str(d / "v.vcf"), "--out", str(d / "e.tsv")]),
        ("score-variants --fasta with --pairs", [*sv, "--pairs", str(d / "pairs.tsv"), "--fasta", str(d / "g.fa"),
                                                 "--out", str(d / "f.tsv")]),
        ("score-variants empty pairs file", [*sv, "--pairs", w("nopairs.tsv", "id\tref\talt\n"), "--out",
                                             str(d / "g.tsv")]),
        ("score-variants pairs file in UTF-16", [*sv, "--pairs", w("u16.tsv", "v1\tACGTACGT\tACGAACGT\n".encode("utf-16")),
                                                 "--out", str(d / "h.tsv")]),
        ("score-variants VCF in a FIFO", [*sv, "--vcf", _mkfifo(d / "f.vcf"), "--fasta", str(d / "g.fa"), "--out",
                                          str(d / "i.tsv")]),
    ]


def _mkdir(p: Path) -> Path:
    p.mkdir(exist_ok=True)
    return p


def _mkfifo(p: Path) -> str:
    if not p.exists():
        os.mkfifo(p)
    return str(p)


def _copy(src: Path, dst: Path) -> str:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    return str(dst)


def _link_pair(d: Path) -> str:
    (d / "lp.png").write_bytes(b"")
    os.symlink(d / "lp.png", d / "lp.tsv")  # the table beside lp.png would overwrite the image
    return str(d / "lp.png")


def _truncated_gzip(text: str) -> bytes:
    import gzip

    data = gzip.compress(text.encode())
    return data[: len(data) - 12]


def test_every_command_has_a_base_invocation(tmp_path):
    commands = _commands()
    assert len(commands) >= len(COMMAND_MODULES)
    assert sorted(_base({"d": tmp_path, "db": tmp_path})) == sorted(commands), \
        "a command without a valid invocation in BASE: add one so that its bad input is tested"


@pytest.mark.timeout(600)
def test_every_command_gives_one_error_line_and_status_1_on_bad_input(tmp_path):
    f = _fixtures(tmp_path)
    base = _base(f)
    calls = _generated(f, base) + _specific(f, base)
    n_bad = len(calls)
    calls += [(f"{command} (valid)", argv) for command, argv in base.items()]  # each bad call differs from these
    before = sorted(p.name for p in tmp_path.iterdir())
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_MOTIFS_PROGRESS": "0"}
    r = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path / "calls.json")], capture_output=True, text=True,
                       timeout=540, env=env, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr[-3000:]
    results = json.loads(r.stdout.strip().splitlines()[-1])
    assert len(results) == len(calls)
    results, good = results[:n_bad], results[n_bad:]
    problems = []
    for name, rc, err in results:
        lines = [line for line in err.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        if rc != 1 or not lines or not lines[-1].startswith("error:") or len(errors) != 1 or "Traceback" in err:
            problems.append(f"{name}: rc={rc!r}, stderr={err[-600:]!r}")
    for name, rc, err in good:
        if rc != 0:
            problems.append(f"the valid invocation {name}: rc={rc!r}, stderr={err[-600:]!r}")
    assert not problems, f"{len(problems)} of {len(results)} calls:\n" + "\n".join(problems)
    # nothing written by the bad calls: the fixture folder holds what it held before, the call list
    # and the outputs of the valid invocations (run last)
    after = sorted(p.name for p in tmp_path.iterdir())
    assert sorted(set(after) - set(before)) == ["attr_out", "calls.json", "map.png", "map.tsv", "motifs_out", "own.fa.fai",
                                                "own_run", "predictions.tsv", "scores.tsv"], \
        sorted(set(after) - set(before))
    assert sorted(p.name for p in (tmp_path / "o2").iterdir()) == ["filters.meme"]
    assert sorted(p.name for p in (tmp_path / "a7").iterdir()) == ["attributions.npz"]
    assert sorted(p.relative_to(tmp_path / "attr_out").as_posix() for p in (tmp_path / "attr_out").rglob("*")) == \
        ["attributions.npz", "logos", "logos/logo_1.png"]
    assert (tmp_path / "pairs.tsv").read_text().startswith("id\tref\talt\n")
    assert (tmp_path / "lp.png").read_bytes() == b""
    assert Path(tmp_path / "fifo").is_fifo()
    print(f"{len(results)} bad calls, all refused with one error line")
