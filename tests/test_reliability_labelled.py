"""Bad input to your own labelled sequences (``io.labelled.load_labelled``: ``keras-motifs train``
and the ``labelled_sequences`` dataset): FASTA per class, FASTA + labels, BED + genome. Each a
clear error naming the file and line (or record), before anything is written; never silently
dropped (``skip_bad_intervals`` leaves bad intervals out, counted). Also the library pieces:
resizing around the centre, strand, splits, shuffles, flanks, one target per BED.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError, UsageError
from keras_motifs.io.labelled import LabelledSpec, load_labelled
from reliability_cases import case, cases_in, check_bad_input, w

R = "labelled sequences (`io.labelled.load_labelled`)"
GENOME = ">chr1\n" + "ACGTTGCA" * 10 + "\n>chr2\n" + "GGGCCCAT" * 10 + "\n"  # 80 bp each, one line


def genome(tmp):
    return str(w(tmp, "g.fa", GENOME))


def load(tmp, length=8, **spec):
    return load_labelled(LabelledSpec(**spec), length)


@case("labelled-chrom-name-mismatch", R, "BED `1` against genome `chr1`", DataFormatError,
      r"p\.bed', line 2: chromosome '1' is not in the genome; the genome calls it 'chr1'")
def _(tmp):
    return load(tmp, bed=(str(w(tmp, "p.bed", "chr1\t10\t20\n1\t30\t40\n")),), genome=genome(tmp))


@case("labelled-unknown-chrom", R, "a chromosome the genome lacks", DataFormatError,
      r"u\.bed', line 1: chromosome 'chrX' is not in the genome; the genome has chr1, chr2")
def _(tmp):
    return load(tmp, bed=(str(w(tmp, "u.bed", "chrX\t10\t20\n")),), genome=genome(tmp))


@case("labelled-out-of-bounds", R, "an interval whose window runs past the chromosome end", DataFormatError,
      r"o\.bed', line 1: interval chr1:70-80 resized to 20 bp around its centre \(65-85\) runs past the end of "
      r"chromosome chr1 \(length 80\).*--skip-bad-intervals")
def _(tmp):
    return load(tmp, 20, bed=(str(w(tmp, "o.bed", "chr1\t70\t80\n")),), genome=genome(tmp))


@case("labelled-before-start", R, "a window before the chromosome start", DataFormatError,
      r"b\.bed', line 1: interval chr2:0-2 resized to 20 bp .* runs past the start of chromosome chr2")
def _(tmp):
    return load(tmp, 20, bed=(str(w(tmp, "b.bed", "chr2\t0\t2\n")),), genome=genome(tmp))


@case("labelled-fasta-wrong-length", R, "a FASTA sequence of another length than the model's", InvalidSequenceError,
      r"pos\.fa', record 1 \(s2\): length 5, the model takes 8")
def _(tmp):
    return load(tmp, positives=(str(w(tmp, "pos.fa", ">s1\nACGTACGT\n>s2\nACGTA\n")),),
                negatives=(str(w(tmp, "neg.fa", ">n1\nACGTACGT\n")),))


@case("labelled-fasta-iupac", R, "an IUPAC letter (R) in a FASTA", InvalidSequenceError,
      r"neg\.fa', record 0 \(n1\): letter 'R' at position 2 is not in alphabet ACGT or N")
def _(tmp):
    return load(tmp, positives=(str(w(tmp, "pos.fa", ">s1\nACGTACGT\n")),),
                negatives=(str(w(tmp, "neg.fa", ">n1\nACRTACGT\n")),))


@case("labelled-genome-iupac", R, "an IUPAC letter in the genome window", InvalidSequenceError,
      r"i\.bed', line 1 \(chr1:0-8\): letter 'Y' at position 3")
def _(tmp):
    g = w(tmp, "y.fa", ">chr1\nACGYACGTACGTACGT\n")
    return load(tmp, bed=(str(w(tmp, "i.bed", "chr1\t0\t8\n")),), genome=str(g), shuffled_negatives=1)


@case("labelled-fasta-without-label-row", R, "a FASTA record without a row in the labels table", DataFormatError,
      r"x\.fa', record 1: ID 's2' has no row in the labels table")
def _(tmp):
    return load(tmp, fasta=str(w(tmp, "x.fa", ">s1\nACGTACGT\n>s2\nACGTACGA\n")),
                labels=str(w(tmp, "y.tsv", "id\ta\ns1\t1\n")))


@case("labelled-label-row-without-record", R, "a labels row without a FASTA record", DataFormatError,
      r"y\.tsv', line 3: ID 's3' is not a record of the FASTA")
def _(tmp):
    return load(tmp, fasta=str(w(tmp, "x.fa", ">s1\nACGTACGT\n")),
                labels=str(w(tmp, "y.tsv", "id\ta\ns1\t1\ns3\t0\n")))


@case("labelled-no-negatives", R, "positives only", DataFormatError, r"target 'positive' has no negatives")
def _(tmp):
    return load(tmp, positives=(str(w(tmp, "pos.fa", ">s1\nACGTACGT\n>s2\nACGTACGA\n")),))


@case("labelled-test-chrom-absent", R, "`--test-chroms` naming a chromosome without intervals", UsageError,
      r"--test-chroms: no interval lies on chr9")
def _(tmp):
    return load(tmp, bed=(str(w(tmp, "p.bed", "chr1\t10\t20\n")),), genome=genome(tmp), test_chroms=("chr9",),
                shuffled_negatives=1)


@case("labelled-chroms-without-bed", R, "`--test-chroms` with FASTA input", UsageError,
      r"--test-chroms needs BED intervals")
def _(tmp):
    return load(tmp, positives=(str(w(tmp, "pos.fa", ">s1\nACGTACGT\n")),), test_chroms=("chr1",))


@case("labelled-two-kinds", R, "FASTA per class and BED together", UsageError, r"give one kind of data")
def _(tmp):
    return load(tmp, positives=(str(w(tmp, "pos.fa", ">s1\nACGTACGT\n")),), bed=("p.bed",), genome="g.fa")


@case("labelled-bed-without-genome", R, "BED without a genome", UsageError, r"--bed needs --genome")
def _(tmp):
    return load(tmp, bed=(str(w(tmp, "p.bed", "chr1\t10\t20\n")),))


@case("labelled-empty-test-split", R, "every interval on the training chromosomes only", DataFormatError,
      r"the test split is empty")
def _(tmp):
    return load(tmp, bed=(str(w(tmp, "p.bed", "chr1\t10\t20\n")),), genome=genome(tmp), shuffled_negatives=1,
                test_fraction=0.0)


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)


def test_skipping_bad_intervals_is_explicit_and_counted(tmp_path):
    bed = w(tmp_path, "p.bed", "chr1\t10\t20\n1\t30\t40\nchr1\t75\t80\nchr2\t30\t40\n")
    d = load(tmp_path, 8, bed=(str(bed),), genome=genome(tmp_path), skip_bad_intervals=True, shuffled_negatives=1,
             test_chroms=("chr2",), valid_fraction=0.0)
    assert len(d.skipped) == 2 and "line 2" in d.skipped[0] and "line 3" in d.skipped[1]
    assert d.counts()["train"]["rows"] == 2 and d.counts()["test"]["rows"] == 2  # each positive + its shuffle


def test_windows_are_centred_and_minus_strand_is_reverse_complemented(tmp_path):
    from keras_motifs.data import reverse_complement_strings

    g = ">chr1\n" + "AAAAACCCCCGGGGGTTTTT" * 2 + "\n"
    bed = w(tmp_path, "s.bed", "chr1\t4\t12\tf\t0\t+\nchr1\t4\t12\tr\t0\t-\nchr1\t30\t31\n")
    d = load(tmp_path, 6, bed=(str(bed),), genome=str(w(tmp_path, "g.fa", g)), shuffled_negatives=1,
             test_fraction=0.3, valid_fraction=0.0)
    letters = np.array(list("ACGTN"))
    seqs = {i: "".join(letters[x]) for i, x in zip(d.ids, d.sequences)}
    assert seqs["f(+)"] == g[6 + 5 : 6 + 11]  # centre 8, window 5-11
    assert seqs["r(-)"] == reverse_complement_strings(seqs["f(+)"])
    assert seqs["chr1:30-31"] == g[6 + 27 : 6 + 33]


def test_one_target_per_bed_marks_overlapping_peaks_of_the_other_file(tmp_path):
    a = w(tmp_path, "a.bed", "chr1\t10\t20\nchr2\t10\t20\n")
    b = w(tmp_path, "b.bed", "chr1\t12\t18\nchr1\t50\t60\n")
    d = load(tmp_path, 8, bed=(str(a), str(b)), genome=genome(tmp_path), shuffled_negatives=1,
             test_chroms=("chr2",), valid_fraction=0.0)
    assert d.target_names == ["a", "b"]
    rows = dict(zip(d.ids, map(tuple, d.labels)))
    assert rows["chr1:10-20"] == (1, 1) and rows["chr2:10-20"] == (1, 0) and rows["chr1:50-60"] == (0, 1)
    assert rows["chr1:10-20_shuffle0"] == (0, 0)


def test_splits_by_chromosome_and_fraction_are_seeded_and_shuffles_follow_their_positive(tmp_path):
    from keras_motifs.data.intervals import split_by_fraction

    a = split_by_fraction(100, 0.2, 0.1, seed=3)
    assert (a == split_by_fraction(100, 0.2, 0.1, seed=3)).all() and (a == "test").sum() == 20
    assert (a == "validation").sum() == 10 and not (a == split_by_fraction(100, 0.2, 0.1, seed=4)).all()
    bed = w(tmp_path, "p.bed", "".join(f"chr{c}\t{s}\t{s + 4}\n" for c in (1, 2) for s in range(8, 70, 10)))
    d = load(tmp_path, 8, bed=(str(bed),), genome=genome(tmp_path), shuffled_negatives=2, test_chroms=("chr2",))
    for i, sid in enumerate(d.ids):
        if "_shuffle" in sid:
            parent = d.ids.index(sid.rsplit("_shuffle", 1)[0])
            assert d.split[i] == d.split[parent]
    assert set(d.split[[i for i, o in enumerate(d.origins) if "chr2:" in o]]) == {"test"}


def test_flank_negatives_overlap_no_interval(tmp_path):
    g = ">chr1\n" + "ACGTTGCA" * 50 + "\n"
    bed = w(tmp_path, "p.bed", "chr1\t100\t110\nchr1\t300\t310\n")
    d = load(tmp_path, 20, bed=(str(bed),), genome=str(w(tmp_path, "g.fa", g)), flank_negatives=True,
             flank_distance=40, test_fraction=0.25, valid_fraction=0.0)
    flanks = [o for o, y in zip(d.origins, d.labels) if y[0] == 0]
    assert len(flanks) == 4 and all("flank" in o for o in flanks)
