"""Bad input to FASTA files read by ``interpret.load_sequences``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, InvalidSequenceError, UsageError
from reliability_cases import case, cases_in, check_bad_input, fifo, load_seqs, symlink_loop, truncated_gzip, w


FA = ">s1\nACGTACGT\n>s2\nACGTACGA\n"


@case("fasta-truncated-gzip", "FASTA (`interpret.load_sequences`)", "gzip cut short", DataFormatError,
      r"t\.fa\.gz': not a readable gzip file .*cut short")
def _(tmp):
    return load_seqs(w(tmp, "t.fa.gz", truncated_gzip(FA * 50)))


@case("fasta-not-gzip", "FASTA (`interpret.load_sequences`)", "`.fa.gz` that is not gzip", DataFormatError,
      r"p\.fa\.gz': not a readable gzip file")
def _(tmp):
    return load_seqs(w(tmp, "p.fa.gz", FA))


@case("fasta-empty", "FASTA (`interpret.load_sequences`)", "empty file", DataFormatError, r"e\.fa': no FASTA records")
def _(tmp):
    return load_seqs(w(tmp, "e.fa", ""))


@case("fasta-missing-header", "FASTA (`interpret.load_sequences`)", "no `>` header line", DataFormatError,
      r"nh\.fa': not a FASTA file .* starts with '>'")
def _(tmp):
    return load_seqs(w(tmp, "nh.fa", "ACGTACGT\nACGTACGT\n"))


@case("fasta-non-utf8", "FASTA (`interpret.load_sequences`)", "binary / non-UTF-8 bytes", DataFormatError,
      r"b\.fa': not a FASTA file")
def _(tmp):
    return load_seqs(w(tmp, "b.fa", b">s1\nAC\xffGT\n"))


@case("fasta-empty-record", "FASTA (`interpret.load_sequences`)", "header without sequence", DataFormatError,
      r"er\.fa', record 0 \(s1\): empty sequence")
def _(tmp):
    return load_seqs(w(tmp, "er.fa", ">s1\n>s2\nACGT\n"))


@case("fasta-bad-letter", "FASTA (`interpret.load_sequences`)", "letter outside the alphabet", InvalidSequenceError,
      r"x\.fa', record 1 \(s2\): letter 'X' at position 2 is not in alphabet ACGT")
def _(tmp):
    return load_seqs(w(tmp, "x.fa", ">s1\nACGT\n>s2\nACXT\n"))


@case("fasta-rna-for-dna-model", "FASTA (`interpret.load_sequences`)", "RNA letter U for a DNA (AGCT) model",
      InvalidSequenceError, r"record 0 \(s1\): letter 'U' .* alphabet AGCT .*an RNA letter")
def _(tmp):
    return load_seqs(w(tmp, "u.fa", ">s1\nACGU\n"), "AGCT")


@case("fasta-mixed-lengths", "FASTA (`interpret.load_sequences`)", "mixed lengths", InvalidSequenceError,
      r"ml\.fa', record 1 \(s2\) has length 3 but sequence 0 has length 4")
def _(tmp):
    return load_seqs(w(tmp, "ml.fa", ">s1\nACGT\n>s2\nACT\n"))


@case("fasta-length-not-model", "FASTA (`interpret.load_sequences`)", "length differs from the model's",
      InvalidSequenceError, r"record 1 \(s2\): length 3, the model takes 4")
def _(tmp):
    return load_seqs(w(tmp, "ml.fa", ">s1\nACGT\n>s2\nACT\n"), length=4)


R_FA = "FASTA (`interpret.load_sequences`)"


@case("fasta-fifo", R_FA, "a named pipe (FIFO) instead of a file", FileAccessError,
      r"sequence file '.*p\.fa': is a named pipe \(FIFO\), not a regular file; reading it could block")
def _(tmp):
    return load_seqs(fifo(tmp, "p.fa"))


@case("fasta-folder", R_FA, "a folder named `.fa`", FileAccessError, r"sequence file '.*d\.fa': is a folder, not a regular file")
def _(tmp):
    (tmp / "d.fa").mkdir()
    return load_seqs(tmp / "d.fa")


@case("fasta-symlink-loop", R_FA, "a symbolic-link loop", FileAccessError,
      r"sequence file '.*loop\.fa': a loop of symbolic links")
def _(tmp):
    return load_seqs(symlink_loop(tmp, "loop.fa"))


@case("fasta-utf16", R_FA, "UTF-16 text (byte-order mark)", DataFormatError, r"u16\.fa': UTF-16 text")
def _(tmp):
    return load_seqs(w(tmp, "u16.fa", ">s1\nACGTACGT\n".encode("utf-16")))


@case("fasta-nul-byte", R_FA, "a NUL byte inside a sequence", InvalidSequenceError,
      r"nul\.fa', record 0 \(s1\): letter '\\x00' at position 4")
def _(tmp):
    return load_seqs(w(tmp, "nul.fa", b">s1\nACGT\x00CGT\n"))


@case("fasta-max-sequences-negative", R_FA, "`max_sequences=-1` (dropped the last sequence)", UsageError,
      r"max_sequences \(--max-sequences\) must be a positive integer, got -1")
def _(tmp):
    from keras_motifs.interpret.sources import load_sequences

    return load_sequences(w(tmp, "s.fa", ">s1\nACGT\n>s2\nACGA\n"), "ACGT", max_sequences=-1)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
