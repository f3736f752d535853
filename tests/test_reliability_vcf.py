"""Bad input to VCF files and their reference FASTA read by ``interpret.score_vcf``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import gzip

import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, InvalidSequenceError
from reliability_cases import case, cases_in, check_bad_input, fifo, tiny_model, truncated_gzip, w, HDR, REF, VCF


R_VCF = "VCF (`interpret.score_vcf`)"
R_REF = "reference FASTA for a VCF (`interpret.score_vcf`)"


def _vcf(tmp, vcf=VCF, ref=REF, vcf_name="v.vcf", ref_name="ref.fa", **kw):
    from keras_motifs.interpret import score_vcf

    return score_vcf(tiny_model(), w(tmp, vcf_name, vcf), w(tmp, ref_name, ref), **kw)


@case("vcf-truncated-gzip", R_VCF, "gzip cut short", DataFormatError, r"t\.vcf\.gz': not a readable gzip file")
def _(tmp):
    return _vcf(tmp, truncated_gzip(VCF * 30), vcf_name="t.vcf.gz")


@case("vcf-empty", R_VCF, "empty file", DataFormatError, r"v\.vcf': no '#CHROM POS ID REF ALT' header line")
def _(tmp):
    return _vcf(tmp, "")


@case("vcf-missing-header", R_VCF, "no `#CHROM` header line", DataFormatError,
      r"v\.vcf', line 1: variant line before the '#CHROM POS ID REF ALT' header line")
def _(tmp):
    return _vcf(tmp, VCF.split("\n", 2)[2])


@case("vcf-wrong-header", R_VCF, "BED-like header `#CHROM START END`", DataFormatError,
      r"line 1: header columns \['#CHROM', 'START', 'END'\]")
def _(tmp):
    return _vcf(tmp, "#CHROM\tSTART\tEND\nchr1\t4\t5\n")


@case("vcf-no-variants", R_VCF, "header only", DataFormatError, r"v\.vcf': the VCF holds no variants")
def _(tmp):
    return _vcf(tmp, HDR)


@case("vcf-pos-not-integer", R_VCF, "POS `five`", DataFormatError, r"line 3: POS 'five' is not an integer")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\tfive\t"))


@case("vcf-pos-zero", R_VCF, "POS 0", DataFormatError, r"line 3: POS 0 must be >= 1")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\t0\t"))


@case("vcf-columns", R_VCF, "4 columns", DataFormatError, r"line 3: a VCF data line needs at least 5 tab-separated columns")
def _(tmp):
    return _vcf(tmp, HDR + "chr1\t5\trs1\tA\n")


@case("vcf-non-utf8", R_VCF, "non-UTF-8 byte", DataFormatError, r"line 3: not UTF-8 text")
def _(tmp):
    return _vcf(tmp, VCF.encode().replace(b"rs1", b"rs\xff"))


@case("vcf-bad-allele", R_VCF, "ALT allele `X`", DataFormatError, r"line 3 \(chr1:5 A>X\): unsupported allele REF=A ALT=X")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tG\t", "\tX\t"))


@case("vcf-malformed-allele", R_VCF, "ALT `A-C` (a dash inside an allele)", DataFormatError,
      r"line 3 \(chr1:5 A>A-C\): unsupported allele REF=A ALT=A-C \(REF and ALT must be strings of A, C, G, T, N")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tG\t", "\tA-C\t"))


@case("vcf-empty-alt-in-list", R_VCF, "ALT list `G,,T` with an empty allele", DataFormatError,
      r"line 3 \(chr1:5 A>\): unsupported allele REF=A ALT=\(empty\)")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tG\t", "\tG,,T\t"))


@case("vcf-allele-longer-than-model", R_VCF, "insertion longer than the model's input", DataFormatError,
      r"line 3 \(chr1:5 A>A[ACGT]+\): ALT allele of 12 bp is longer than the model's input length 8")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tG\t", "\tACGTACGTACGT\t"))


@case("vcf-ref-mismatch", R_VCF, "REF differs from the FASTA", DataFormatError,
      r"line 3 \(chr1:5 C>G\): REF allele mismatch: VCF REF=C, FASTA has A at chr1:5")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tA\tG\t", "\tC\tG\t"))


@case("vcf-chrom-missing", R_VCF, "chromosome absent from the FASTA", DataFormatError,
      r"line 3 \(chr9:5 A>G\): chromosome 'chr9' is not in the FASTA")
def _(tmp):
    return _vcf(tmp, VCF.replace("chr1", "chr9"))


@case("vcf-deletion-past-end", R_VCF, "deletion running off the chromosome end", DataFormatError,
      r"line 3 \(chr1:15 GTA>G\): REF allele of 3 bp from position 15 runs past the end of chr1 \(length 16")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\trs1\tA\tG\t", "\t15\trs1\tGTA\tG\t"))


@case("vcf-past-end", R_VCF, "position past the chromosome end", DataFormatError,
      r"line 3 \(chr1:99 A>G\): position 99 is past the end of chr1 \(length 16\)")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\t99\t"))


@case("ref-empty", R_REF, "empty FASTA", DataFormatError, r"ref\.fa': not a usable reference FASTA")
def _(tmp):
    return _vcf(tmp, ref="")


@case("ref-missing-header", R_REF, "no `>` line", DataFormatError, r"ref\.fa': not a usable reference FASTA \(Unexpected text")
def _(tmp):
    return _vcf(tmp, ref="ACGTACGTACGTACGT\n")


@case("ref-plain-gzip", R_REF, "gzip instead of bgzip", DataFormatError, r"ref\.fa\.gz': not a usable reference FASTA \(Compressed FASTA is only supported in BGZF")
def _(tmp):
    return _vcf(tmp, ref=gzip.compress(REF.encode()), ref_name="ref.fa.gz")


@case("ref-ragged-lines", R_REF, "uneven line lengths", DataFormatError, r"ref\.fa': not a usable reference FASTA \(Line length")
def _(tmp):
    return _vcf(tmp, ref=">chr1\nACGTACGT\nACG\nTACGT\n")


@case("ref-bad-letter", R_REF, "letter `X` inside a variant's window", InvalidSequenceError,
      r"ref\.fa', window of chr1:5 \(file '.*v\.vcf', line 3\): letter 'X' at position 7")
def _(tmp):
    return _vcf(tmp, ref=">chr1\nACGTACGXACGTACGT\n")


@case("vcf-fifo", R_VCF, "a named pipe (FIFO)", FileAccessError, r"VCF file '.*p\.vcf': is a named pipe \(FIFO\)")
def _(tmp):
    from keras_motifs.interpret import read_vcf

    return read_vcf(fifo(tmp, "p.vcf"))


@case("vcf-folder", R_VCF, "a folder", FileAccessError, r"VCF file '.*d\.vcf': is a folder")
def _(tmp):
    from keras_motifs.interpret import read_vcf

    (tmp / "d.vcf").mkdir()
    return read_vcf(tmp / "d.vcf")


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
