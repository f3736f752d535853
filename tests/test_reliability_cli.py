"""Bad input to the command line (``keras-motifs ...``): a command given bad input writes
nothing, and ``keras-motifs`` prints the error and exits with 1.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, InvalidSequenceError, ModelInputError, UsageError
from reliability_cases import (case, cases_in, check_bad_input, fifo, onehot, save_tiny, symlink_loop, w, MEME, REF,
                               VCF)


R_CLI = "command line (`keras-motifs ...`)"


def _cli_error(tmp, argv, out):
    """Run a command's function as ``keras-motifs`` does (its ``main`` prints the error and exits
    with 1); nothing may have been written at ``out``."""
    from keras_motifs.cli import build_parser

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    finally:
        leftover = sorted(str(p.relative_to(out)) for p in out.rglob("*")) if out.exists() else []
        assert leftover == [], f"output written before the error: {leftover}"


@case("cli-motifs-bad-fasta", R_CLI, "`motifs` with a FASTA holding `X`", InvalidSequenceError,
      r"x\.fa', record 1 \(s2\): letter 'X'")
def _(tmp):
    model = save_tiny(tmp)
    fa = w(tmp, "x.fa", ">s1\nACGTACGT\n>s2\nACGTXCGT\n")
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--out", str(out)], out)


@case("cli-motifs-bad-targets", R_CLI, "`motifs --targets` with a damaged MEME file", DataFormatError,
      r"t\.meme', line 13: motif m1: matrix row 2 .* sums to 1\.8")
def _(tmp):
    model = save_tiny(tmp)
    fa = w(tmp, "s.fa", ">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    bad = w(tmp, "t.meme", MEME.replace("0.1 ", "0.9 "))
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--targets", str(bad), "--no-logos",
                            "--out", str(out)], out)


@case("cli-motifs-index", R_CLI, "`motifs --mutation-map-index` past the data", ModelInputError,
      r"mutation map: sequence index 5 is out of range; the data has 2 sequences")
def _(tmp):
    model = save_tiny(tmp)
    fa = w(tmp, "s.fa", ">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--no-tomtom", "--no-logos",
                            "--mutation-map-index", "5", "--out", str(out)], out)


@case("cli-score-variants-bad-vcf", R_CLI, "`score-variants` with a VCF without header", DataFormatError,
      r"v\.vcf', line 1: variant line before the '#CHROM POS ID REF ALT' header line")
def _(tmp):
    model = save_tiny(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", str(model), "--vcf", str(w(tmp, "v.vcf", VCF.split("\n", 2)[2])),
                            "--fasta", str(w(tmp, "ref.fa", REF)), "--alphabet", "ACGT", "--out", str(out / "s.tsv")], out)


@case("cli-mutation-map-nan", R_CLI, "`mutation-map` with NaN in a `.npy`", DataFormatError,
      r"x\.npy', record 0: position 1, channel 2 holds nan")
def _(tmp):
    model = save_tiny(tmp)
    x = onehot(2, 8)
    x[0, 1, 2] = np.nan
    np.save(tmp / "x.npy", x)
    out = tmp / "out"
    return _cli_error(tmp, ["mutation-map", str(model), str(tmp / "x.npy"), "--alphabet", "ACGT",
                            "--out", str(out / "m.png")], out)


def _parse(argv):
    """Parse ``argv`` as ``keras-motifs`` does: a bad value is a UsageError naming the option."""
    from keras_motifs.cli import build_parser

    return build_parser().parse_args(argv)


def _tiny_inputs(tmp):
    model = save_tiny(tmp)
    fa = w(tmp, "s.fa", ">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    return str(model), str(fa)


@case("cli-alphabet-unknown", R_CLI, "`--alphabet XYZ`", UsageError, r"argument --alphabet: unknown alphabet 'XYZ'")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--alphabet", "XYZ", "--out", str(tmp / "out")])


@case("cli-alphabet-channels", R_CLI, "`--alphabet ACG` for a 4-channel model", ModelInputError,
      r"--alphabet ACG has 3 letters, but model 'tiny' reads 4 channels")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", model, fa, "--alphabet", "ACG", "--no-tomtom", "--out", str(out)], out)


@case("cli-batch-size-zero", R_CLI, "`--batch-size 0`", UsageError,
      r"argument --batch-size: must be a positive integer from 1 to 2147483647, got '0'")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--batch-size", "0", "--out", str(tmp / "out")])


@case("cli-max-sequences-negative", R_CLI, "`--max-sequences -1` (dropped the last sequence)", UsageError,
      r"argument --max-sequences: must be a positive integer .*got '-1'")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["mutation-map", model, fa, "--max-sequences", "-1", "--out", str(tmp / "m.png")])


@case("cli-window-size-int32", R_CLI, "`deepbind --window-size 2147483648` (past int32)", UsageError,
      r"argument --window-size: must be a positive integer from 1 to 2147483647, got '2147483648'")
def _(tmp):
    return _parse(["deepbind", "--window-size", "2147483648", "D00001.001"])


@case("cli-number-nan", R_CLI, "`--evalue nan`", UsageError, r"argument --evalue: expected an E-value \(a finite decimal")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--evalue", "nan", "--out", str(tmp / "out")])


@case("cli-usage-error", R_CLI, "unknown option", UsageError, r"unrecognized arguments: --no-such-option")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--out", str(tmp / "out"), "--no-such-option"])


@case("cli-input-folder", R_CLI, "a folder as the model", UsageError, r"argument model: model file '.*d\.keras': is a folder")
def _(tmp):
    (tmp / "d.keras").mkdir()
    return _parse(["motifs", str(tmp / "d.keras"), "x.fa", "--out", str(tmp / "out")])


@case("cli-input-fifo", R_CLI, "a FIFO as the sequences", UsageError,
      r"argument sequences: sequence file '.*p\.fa': is a named pipe \(FIFO\)")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["motifs", model, str(fifo(tmp, "p.fa")), "--out", str(tmp / "out")])


@case("cli-input-symlink-loop", R_CLI, "a symbolic-link loop as `--pairs`", UsageError,
      r"argument --pairs: pairs file '.*loop\.tsv': a loop of symbolic links")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["score-variants", model, "--pairs", str(symlink_loop(tmp, "loop.tsv")), "--out", str(tmp / "s.tsv")])


@case("cli-input-name-too-long", R_CLI, "a 300-character file name", UsageError,
      r"argument --target-names: target names file '.*n{20}.*\(\d+ characters\)': the name is too long")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--target-names", str(tmp / ("n" * 300 + ".txt")),
                   "--out", str(tmp / "s.tsv")])


@case("cli-unknown-sequence-type", R_CLI, "sequences in a `.txt` file", UsageError,
      r"sequence file '.*seqs\.txt': unknown file type")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["motifs", model, str(w(tmp, "seqs.txt", "ACGT\n")), "--out", str(tmp / "out")])


@case("cli-targets-misspelt-jaspar", R_CLI, "`motifs --targets JASPAR2061`", UsageError,
      r"argument --targets: Tomtom targets 'JASPAR2061': no such JASPAR release")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--targets", "JASPAR2061", "--out", str(tmp / "out")])


@case("cli-targets-missing-file", R_CLI, "`motifs --targets` a MEME file that does not exist", UsageError,
      r"argument --targets: '.*nope\.meme' is neither a MEME file \(not found\) nor a target set name")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--targets", str(tmp / "nope.meme"), "--out", str(tmp / "out")])


@case("cli-motifs-targets-empty", R_CLI, "`motifs --targets` a MEME file with zero motifs", DataFormatError,
      r"z\.meme': no motifs")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", model, fa, "--alphabet", "ACGT", "--no-logos", "--targets",
                            str(w(tmp, "z.meme", MEME.split("MOTIF")[0])), "--out", str(out)], out)


@case("cli-motifs-mutation-map-target", R_CLI, "`motifs --mutation-map-target` past the outputs (was checked after "
      "`filters.meme` was written)", UsageError, r"--mutation-map-target 7: the model has 2 outputs")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", model, fa, "--alphabet", "ACGT", "--no-tomtom", "--no-logos",
                            "--mutation-map-target", "7", "--out", str(out)], out)


@case("cli-motifs-targets-in-out", R_CLI, "`motifs --targets out/filters.meme --out out` (input overwritten)", UsageError,
      r"output 'filters\.meme' in --out '.*filters\.meme' is the input --targets")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    (tmp / "o").mkdir()
    targets = w(tmp, "o/filters.meme", MEME)
    try:
        return _parse_and_run(["motifs", model, fa, "--alphabet", "ACGT", "--no-logos", "--targets", str(targets),
                               "--out", str(tmp / "o")])
    finally:
        assert sorted(p.name for p in (tmp / "o").iterdir()) == ["filters.meme"] and targets.read_text() == MEME


@case("cli-motifs-out-is-file", R_CLI, "`motifs --out` an existing regular file", UsageError,
      r"argument --out: output folder '.*f\.txt': is a regular file, not a folder")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["motifs", model, fa, "--out", str(w(tmp, "f.txt", "keep"))])


@case("cli-mutation-map-index", R_CLI, "`mutation-map --index` past the end", UsageError,
      r"--index 5: sequence index 5 is out of range: the data has 2 sequences")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["mutation-map", model, fa, "--alphabet", "ACGT", "--index", "5", "--out", str(out / "m.png")],
                      out)


@case("cli-mutation-map-target", R_CLI, "`mutation-map --target -1`", UsageError,
      r"argument --target: must be an integer from 0 to 2147483647, got '-1'")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse(["mutation-map", model, fa, "--target", "-1", "--out", str(tmp / "m.png")])


@case("cli-mutation-map-same-path", R_CLI, "`mutation-map --out map.tsv` (the image, then the table on it)", UsageError,
      r"--out '.*map\.tsv': matplotlib cannot write \.tsv images")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    return _parse_and_run(["mutation-map", model, fa, "--alphabet", "ACGT", "--out", str(tmp / "map.tsv")])


@case("cli-mutation-map-linked-outputs", R_CLI, "`mutation-map`: the table's path is a link to the image's", UsageError,
      r"the table beside --out '.*m\.tsv' and --out \(the image\) '.*m\.png' are the same file")
def _(tmp):
    import os

    model, fa = _tiny_inputs(tmp)
    w(tmp, "m.png", b"")
    os.symlink(tmp / "m.png", tmp / "m.tsv")
    return _parse_and_run(["mutation-map", model, fa, "--alphabet", "ACGT", "--out", str(tmp / "m.png")])


@case("cli-mutation-map-region", R_CLI, "`mutation-map --region 0:99` past the sequence", UsageError,
      r"--region 0:99: the model's sequences have 8 positions")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["mutation-map", model, fa, "--alphabet", "ACGT", "--region", "0:99",
                            "--out", str(out / "m.png")], out)


@case("cli-score-variants-negative-target", R_CLI, "`score-variants --targets -1`", UsageError,
      r"argument --targets: must be an index \(0 or more\) from 0 to 2147483647, got '-1'")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--targets", "-1", "--out", str(tmp / "s.tsv")])


@case("cli-score-variants-target-past", R_CLI, "`score-variants --targets 5` for 2 outputs", UsageError,
      r"targets \(--targets\): output 5 does not exist; the model has 2 outputs")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--alphabet", "ACGT",
                            "--targets", "5", "--out", str(out / "s.tsv")], out)


@case("cli-score-variants-few-names", R_CLI, "`score-variants --target-names`: 1 name for 2 outputs", UsageError,
      r"target names \(--target-names\): 1 names for the model's 2 outputs \(fewer names than outputs\)")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--alphabet", "ACGT",
                            "--target-names", str(w(tmp, "n.txt", "a\n")), "--out", str(out / "s.tsv")], out)


@case("cli-score-variants-extra-names", R_CLI, "`score-variants --target-names`: 3 names for 2 outputs (were ignored)",
      UsageError, r"3 names for the model's 2 outputs \(more names than outputs\)")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--alphabet", "ACGT",
                            "--target-names", str(w(tmp, "n.txt", "a\nb\nc\n")), "--out", str(out / "s.tsv")], out)


@case("cli-score-variants-out-is-input", R_CLI, "`score-variants --out` the `--pairs` file", UsageError,
      r"--out '.*p\.tsv' is the input --pairs: writing it would destroy the input")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    pairs = w(tmp, "p.tsv", PAIRS)
    try:
        return _parse_and_run(["score-variants", model, "--pairs", str(pairs), "--alphabet", "ACGT", "--out", str(pairs)])
    finally:
        assert pairs.read_text() == PAIRS


@case("cli-score-variants-out-under-file", R_CLI, "`score-variants --out` inside a regular file (not writable)",
      UsageError, r"argument --out: output file '.*f\.txt/s\.tsv': a part of the path is not a folder")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    return _parse(["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--out", str(w(tmp, "f.txt", "x")) + "/s.tsv"])


@case("cli-score-variants-read-only-folder", R_CLI, "`score-variants --out` in a folder it cannot write (was found after "
      "scoring every variant)", UsageError, r"argument --out: output file '.*ro/s\.tsv': cannot write in folder '.*ro'")
def _(tmp):
    import os
    from unittest import mock

    model, _ = _tiny_inputs(tmp)
    (tmp / "ro").mkdir()
    os.chmod(tmp / "ro", 0o555)
    real_access = os.access
    # root may write in a 0555 folder; the check asks os.access, which says no for other users
    with mock.patch("os.access", lambda p, m, **k: False if str(p).endswith("ro") else real_access(p, m, **k)):
        return _parse(["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--out", str(tmp / "ro" / "s.tsv")])


@case("cli-score-variants-empty-pairs", R_CLI, "`score-variants --pairs` with a header only", DataFormatError,
      r"e\.tsv': no sequence pairs")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", model, "--pairs", str(w(tmp, "e.tsv", "id\tref\talt\n")), "--alphabet",
                            "ACGT", "--out", str(out / "s.tsv")], out)


@case("cli-score-variants-fasta-without-vcf", R_CLI, "`score-variants --fasta` with `--pairs` (was ignored)", UsageError,
      r"--fasta is only used with --vcf")
def _(tmp):
    model, _ = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", model, "--pairs", str(w(tmp, "p.tsv", PAIRS)), "--fasta",
                            str(w(tmp, "g.fa", REF)), "--alphabet", "ACGT", "--out", str(out / "s.tsv")], out)


@case("cli-deepbind-dump-info-unknown", R_CLI, "`deepbind --dump-info` with an ID not in `db.tsv`", DataFormatError,
      r"--dump-info: model ID D09999\.001 is not in the index '.*db\.tsv'")
def _(tmp):
    db = _deepbind_db(tmp)
    return _parse_and_run(["deepbind", "--db", str(db), "--dump-info", "D09999.001"])


@case("cli-deepbind-sequence-fifo", R_CLI, "`deepbind` with a FIFO as the sequence file", FileAccessError,
      r"sequence file '.*p\.fa': is a named pipe \(FIFO\)")
def _(tmp):
    db = _deepbind_db(tmp)
    return _parse_and_run(["deepbind", "--db", str(db), "D00001.001", str(fifo(tmp, "p.fa"))])


@case("cli-deepbind-ids-utf16", R_CLI, "`deepbind` with a UTF-16 `.ids` file", DataFormatError,
      r"u\.ids': UTF-16 text")
def _(tmp):
    db = _deepbind_db(tmp)
    return _parse_and_run(["deepbind", "--db", str(db), str(w(tmp, "u.ids", "D00001.001\n".encode("utf-16")))])


PAIRS = "id\tref\talt\nv1\tACGTACGT\tACGAACGT\n"
DB_COLUMNS = ("ID", "Protein", "Type", "Species", "Family", "Class", "Experiment", "Experiment Details", "Model", "Cite",
              "Labels", "Path", "Comment")
PARAMS = ("# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\nhas_avg_pooling = 0\n"
          "num_hidden = 0\ndetectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\nthresholds = -0.5\nweights1 = 1.5\nbiases1 = 0.1\n")


def _deepbind_db(tmp):
    """A DeepBind database folder with one model, D00001.001."""
    db = tmp / "db"
    (db / "params").mkdir(parents=True)
    (db / "params" / "D00001.001.txt").write_text(PARAMS)
    row = ["D00001.001", "P1", "TF", "Homo sapiens", "", "", "ChIP-seq", "", "", "", "", "", ""]
    (db / "db.tsv").write_text("\t".join(DB_COLUMNS) + "\n" + "\t".join(row) + "\n")
    return db


def _parse_and_run(argv):
    """Parse and run a command as ``keras-motifs`` does (the caller checks what it left)."""
    args = _parse(argv)
    return args.func(args)



@case("cli-attribute-index", R_CLI, "`attribute --index` past the data", UsageError,
      r"--index 5: the data has 2 sequences \(indices 0 to 1\)")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["attribute", model, fa, "--alphabet", "ACGT", "--target", "0", "--index", "5",
                            "--out", str(out)], out)


@case("cli-attribute-no-target", R_CLI, "`attribute` without `--target` for a model with 2 outputs", UsageError,
      r"the model has 2 outputs: choose the one to explain with --target \(0 to 1\)")
def _(tmp):
    model, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["attribute", model, fa, "--alphabet", "ACGT", "--out", str(out)], out)


@case("cli-attribute-deeplift-recurrent", R_CLI, "`attribute --method deeplift` on a recurrent model",
      ModelInputError, r"layer 'lstm' \(LSTM\) .* cannot be explained: it is recurrent\. Use integrated_gradients")
def _(tmp):
    import keras

    from keras_motifs.io import save_model

    inp = keras.Input((8, 4))
    save_model(keras.Model(inp, keras.layers.Dense(1)(keras.layers.LSTM(2, name="lstm")(inp))), tmp / "r.keras")
    _, fa = _tiny_inputs(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["attribute", str(tmp / "r.keras"), fa, "--alphabet", "ACGT", "--method", "deeplift",
                            "--out", str(out)], out)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


def test_cli_prints_the_error_and_exits_1(tmp_path, capsys):
    from keras_motifs.cli import main

    model = save_tiny(tmp_path)
    fa = w(tmp_path, "x.fa", ">s1\nACGTACGT\n>s2\nACGTXCGT\n")
    rc = main(["motifs", str(model), str(fa), "--alphabet", "ACGT", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("error: file") and "record 1 (s2): letter 'X'" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
