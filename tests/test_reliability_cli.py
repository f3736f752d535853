"""Bad input to the command line (``keras-motifs ...``): a command given bad input writes
nothing, and ``keras-motifs`` prints the error and exits with 1.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError, ModelInputError
from reliability_cases import case, cases_in, check_bad_input, onehot, save_tiny, w, MEME, REF, VCF


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
    assert rc == 1 and "keras-motifs motifs: error: file" in err and "record 1 (s2): letter 'X'" in err
    assert not (tmp_path / "out").exists()
