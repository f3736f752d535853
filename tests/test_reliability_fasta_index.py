"""A reference FASTA's ``.fai`` index is checked against the file (bad input and faults).

pyfaidx rebuilds an index only when the FASTA is newer than it: a FASTA replaced by a file with an
older timestamp kept its old ``.fai``, and variants were scored on the wrong windows (some as
``ok``). ``interpret.open_fasta`` now checks the index against the file
(``interpret.fasta_index.index_problem``) and, when it does not describe it, uses an index built
in a private folder, with a warning; the user's ``.fai`` is never rewritten.

* Case of the bad-input table: the replacing FASTA itself is unusable (uneven line lengths): the
  error names it, even though an old index describing another file is present.
* Guarantees (rows of §1b of docs/RELIABILITY.md): the windows of a replaced FASTA are those of the
  new file; damaged or foreign indexes (wrong column count, not text, a record missing, renamed,
  another line length, past the end) are replaced privately; a layout-preserving replacement keeps
  its index (it is right for it) and its new bases are read.
"""

from __future__ import annotations

import logging
import os
import re
import shutil

import pytest

from keras_motifs.errors import DataFormatError
from reliability_cases import case, cases_in, check_bad_input, tiny_model, w

R_REF = "reference FASTA for a VCF (`interpret.score_vcf`)"
OLD = ">chr1\nACGTACGTAC\nACGTACGTAC\nACG\n>chr2\nTTTTTTTTTT\nTT\n"
# the replacement: chr1 with 5 bases more at the start (every window moves), lines of 12, a chr3
NEW = ">chr1 replaced\nGGGGGACGTACG\nTACACGTACGTA\nCACG\n>chr2\nTTTTTTTTTTTT\n>chr3\nACGTTGCA\n"
VCF = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + \
      "chr1\t8\tv1\tG\tT\t.\t.\t.\n" + "chr3\t3\tv2\tG\tA\t.\t.\t.\n"  # the bases of NEW


def _replace_keeping_the_old_index(tmp, new=NEW, name="ref.fa"):
    """Index ``OLD``, then replace the FASTA by ``new`` with a timestamp older than the index."""
    import pyfaidx

    fa = w(tmp, name, OLD)
    pyfaidx.Fasta(str(fa))  # builds ref.fa.fai
    fai = tmp / (name + ".fai")
    fa.write_text(new)
    t = os.path.getmtime(fai) - 3600
    os.utime(fa, (t, t))
    return fa, fai


@case("ref-stale-index-ragged", R_REF, "replaced by a FASTA with uneven line lengths, an older timestamp and the "
      "old `.fai`", DataFormatError, r"ref\.fa': not a usable reference FASTA \(Line length")
def _(tmp):
    from keras_motifs.interpret import score_vcf

    fa, fai = _replace_keeping_the_old_index(tmp, ">chr1\nACGTACGTAC\nACGTACG\nTACACG\n>chr2\nTTTTTTTTTT\nTT\n")
    return score_vcf(tiny_model(), w(tmp, "v.vcf", VCF.replace("chr3\t3\tv2\tG", "chr2\t3\tv2\tT")), fa)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


# ----------------------------------------------------------------------------------- guarantees
def _windows(fa, vcf):
    from keras_motifs.interpret import read_vcf, variant_windows

    return variant_windows(read_vcf(vcf), fa, 8, on_mismatch="flag")


def test_a_replaced_fasta_with_an_older_timestamp_is_read_with_a_right_index(tmp_path, caplog):
    import pyfaidx

    fa, fai = _replace_keeping_the_old_index(tmp_path)
    vcf = w(tmp_path, "v.vcf", VCF)
    old_index = (fai.read_bytes(), os.path.getmtime(fai))
    # what happened before: pyfaidx keeps the old index (the FASTA is older) and reads wrong bases
    assert pyfaidx.Fasta(str(fa), as_raw=True)["chr1"][0:5] != "GGGGG"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(fa, fresh / "ref.fa")  # the same bytes, indexed from scratch
    with caplog.at_level(logging.WARNING, logger="keras_motifs.interpret"):
        got = _windows(fa, vcf)
    assert got == _windows(fresh / "ref.fa", vcf)
    refs, _, status = got
    assert status == ["ok", "ok"] and refs[0] == "GGACGTAC" and refs[1] == "NNACGTTG"
    assert any("does not describe it" in r.getMessage() and str(fai) in r.getMessage() for r in caplog.records)
    assert (fai.read_bytes(), os.path.getmtime(fai)) == old_index  # the user's index left as it was
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("ref.fa.") and p.name != "ref.fa.fai"]


@pytest.mark.parametrize("damage, problem", [
    (lambda t: "chr1\t23\t6\t10\n", r"line 1 has 4 tab-separated columns, a FASTA index has 5"),
    (lambda t: "\x00\xff\x00", r"it is not a text file"),
    (lambda t: t.replace("\t6\t", "\t-6\t"), r"columns 2-5 must be whole numbers"),
    (lambda t: t.replace("23\t6\t", "9999\t6\t"), r"past the end of the file"),
    (lambda t: t.splitlines()[0] + "\n", r"the file goes on after the last indexed record"),
    (lambda t: t.replace("chr2", "chrX"), r"record 'chrX' .*is not the header '>chrX'"),
    (lambda t: t.replace("\t10\t11", "\t12\t13", 1), r"record 'chr1' .*line 1 of the sequence"),
], ids=["4-columns", "binary", "negative", "past-end", "record-missing", "renamed", "line-length"])
def test_a_damaged_or_foreign_index_is_replaced_privately(tmp_path, caplog, damage, problem):
    import pyfaidx

    fa = w(tmp_path, "ref.fa", OLD)
    pyfaidx.Fasta(str(fa))
    fai = tmp_path / "ref.fa.fai"
    fai.write_bytes(damage(fai.read_text()).encode("latin-1"))
    before = fai.read_bytes()
    with caplog.at_level(logging.WARNING, logger="keras_motifs.interpret"):
        refs, _, status = _windows(fa, w(tmp_path, "v.vcf", VCF.replace("chr1\t8\tv1\tG", "chr1\t8\tv1\tT")
                                          .replace("chr3\t3\tv2\tG", "chr2\t3\tv2\tT")))
    assert status == ["ok", "ok"] and refs[0] == "TACGTACA"  # chr1 positions 4-11 of the file
    assert any(re.search(problem, r.getMessage()) for r in caplog.records), \
        [r.getMessage() for r in caplog.records]
    assert fai.read_bytes() == before


def test_a_replacement_with_the_same_layout_keeps_its_index_and_reads_the_new_bases(tmp_path, caplog):
    fa, fai = _replace_keeping_the_old_index(tmp_path, OLD.replace("ACGTACGTAC\nACG", "TTTTTTTTTT\nACG"))
    vcf = w(tmp_path, "v.vcf", VCF.replace("chr3\t3\tv2\tG", "chr2\t3\tv2\tT"))
    with caplog.at_level(logging.WARNING, logger="keras_motifs.interpret"):
        refs, _, status = _windows(fa, vcf)
    assert not caplog.records  # the index is right for this file
    assert status[0].startswith("REF allele mismatch: VCF REF=G, FASTA has T")  # the new base, not the old
    assert status[1] == "ok"


def test_crlf_and_unterminated_fastas_pass_their_own_index(tmp_path, caplog):
    from keras_motifs.interpret.fasta_index import index_problem
    import pyfaidx

    for name, text in (("crlf.fa", OLD.replace("\n", "\r\n")), ("noeol.fa", OLD.rstrip("\n")),
                       ("desc.fa", OLD.replace(">chr1", ">chr1 a long description"))):
        fa = w(tmp_path, name, text)
        pyfaidx.Fasta(str(fa))
        assert index_problem(str(fa), str(fa) + ".fai") is None, name
