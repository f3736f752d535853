"""The data options of ``keras-motifs train`` (your own labelled sequences): FASTA files per class,
a FASTA + labels table, or BED intervals + a reference genome; negatives generated or given; splits
by chromosome or fraction. They fill a :class:`keras_motifs.io.labelled.LabelledSpec` (the same
inputs as the ``labelled_sequences`` TFDS builder)."""

from __future__ import annotations

import argparse

DATA_HELP = """\
data (one kind):
  --positives A.fa [--negatives B.fa]      FASTA files per class (one target), sequences of the model's length
  --fasta X.fa --labels Y.tsv              a FASTA and a labels table: id<TAB>target1<TAB>target2..., a header line
  --bed PEAKS.bed [--bed OTHER.bed] --genome GENOME.fa
                                           intervals resized to the model's length around their centre, read from
                                           the genome (reverse complement on strand '-'); one target per BED file, or
                                           the BED's own --label-columns
"""


def chrom_list(text) -> list[str]:
    """An argparse ``type``: comma-separated chromosome names (``chr8,chr9``)."""
    names = [p.strip() for p in str(text).split(",")]
    if not names or any(not n for n in names):
        raise argparse.ArgumentTypeError(f"expected comma-separated chromosome names such as chr8,chr9, got {text!r}")
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a chromosome is named twice in {text!r}")
    return names


def column_list(text) -> list[int]:
    """An argparse ``type``: comma-separated 1-based BED column numbers past the first three (``7,8``)."""
    from ..cli_args import index_list

    values = index_list(text)
    low = [v for v in values if v < 4]
    if low:
        raise argparse.ArgumentTypeError(f"column {low[0]} is a BED position column (1-3 are chrom, start, end); label "
                                         "columns are numbered from 1, e.g. 7,8 for a BED6+2")
    return values


column_list.kind = "index_list"


BED_SUFFIXES = (".bed", ".bed.gz", ".narrowpeak", ".broadpeak")  # compared with the lower-cased name


def bed_sequences(bed: str, genome_path: str, length: int, skip: bool = False):
    """The sequences of a BED file's intervals read from a genome, for ``predict`` and ``attribute``:
    each interval resized to ``length`` around its centre (reverse-complemented on strand ``-``).
    Returns ``(sequences, origins, columns, skipped)``: ``origins`` name each one's file, line and
    window (for errors), ``columns`` the table columns id, chrom, start, end (the window read) and
    strand, ``skipped`` the intervals left out with ``skip`` (else such an interval is an error)."""
    from ..data.intervals import check_in_genome, resize
    from ..data.onehot import reverse_complement_strings
    from ..errors import DataFormatError
    from ..io.bed import read_bed
    from ..io.fasta import chromosome_sizes, open_reference

    intervals = read_bed(bed)
    genome = open_reference(genome_path)
    windows = resize(intervals, length)
    kept, skipped = check_in_genome(windows, chromosome_sizes(genome), skip=skip, original=intervals)
    if not kept:
        raise DataFormatError(f"file '{bed}': all {len(skipped)} intervals were skipped; first: {skipped[0]}")
    seqs, origins = [], []
    for w in kept:
        s = str(genome[w.chrom][w.start : w.end])
        seqs.append(reverse_complement_strings(s) if w.strand == "-" else s)
        origins.append(f"{w.where} ({w.chrom}:{w.start}-{w.end})")
    columns = {"id": [w.name for w in kept], "chrom": [w.chrom for w in kept], "start": [w.start for w in kept],
               "end": [w.end for w in kept], "strand": [w.strand for w in kept]}
    return seqs, origins, columns, skipped


def add_interval_options(p) -> None:
    """``--skip-bad-intervals`` (shared by train and predict)."""
    p.add_argument("--skip-bad-intervals", action="store_true",
                   help="leave out intervals on chromosomes the genome lacks or running past a chromosome end, and "
                        "print how many (default: such an interval is an error naming its file and line)")


def add_data_options(p) -> None:
    from ..cli_args import float_in_range, input_file, nonnegative_int, positive_int

    g = p.add_argument_group("data (see 'data' below)")
    g.add_argument("--positives", action="append", default=[], type=input_file("positives FASTA"),
                   help="FASTA of positive sequences (repeatable)")
    g.add_argument("--negatives", action="append", default=[], type=input_file("negatives FASTA"),
                   help="FASTA of negative sequences (repeatable)")
    g.add_argument("--fasta", type=input_file("sequence FASTA"), help="FASTA of sequences labelled by --labels")
    g.add_argument("--labels", type=input_file("labels file"),
                   help="tab-separated labels of the --fasta records: a header id<TAB>target..., values 0 to 1")
    g.add_argument("--bed", action="append", default=[], type=input_file("BED file"),
                   help="BED of positive intervals, one target per file (repeatable)")
    g.add_argument("--negative-bed", action="append", default=[], type=input_file("negative BED file"),
                   help="BED of intervals negative for every target (repeatable)")
    g.add_argument("--genome", type=input_file("reference FASTA"),
                   help="reference genome FASTA of the BED intervals (indexed with pyfaidx on first use)")
    g.add_argument("--label-columns", type=column_list, default=None,
                   help="the BED's columns holding the targets' labels, 1-based and comma-separated (e.g. 7,8)")
    g.add_argument("--shuffled-negatives", type=nonnegative_int, default=0,
                   help="add this many dinucleotide shuffles of every positive as negatives (DeepBind's background; "
                        "default 0)")
    g.add_argument("--flank-negatives", action="store_true",
                   help="add windows to both sides of each BED interval, overlapping no interval, as negatives")
    g.add_argument("--flank-distance", type=positive_int, default=None,
                   help="distance in bp from an interval's window to its flank windows (default: twice the length)")
    g.add_argument("--test-chroms", type=chrom_list, default=None,
                   help="hold out these chromosomes as the test split (comma-separated, e.g. chr8,chr9; BED input)")
    g.add_argument("--valid-chroms", type=chrom_list, default=None,
                   help="these chromosomes as the validation split (default: --valid-fraction of the rest)")
    g.add_argument("--test-fraction", type=float_in_range(0.0, 0.9, what="a fraction"), default=0.1,
                   help="fraction of the sequences held out for testing when no --test-chroms (default 0.1)")
    g.add_argument("--valid-fraction", type=float_in_range(0.0, 0.9, what="a fraction"), default=0.1,
                   help="fraction used for validation (early stopping, best model), default 0.1")
    add_interval_options(g)


def spec_from_args(args):
    """The :class:`~keras_motifs.io.labelled.LabelledSpec` of the parsed options."""
    from ..io.labelled import LabelledSpec

    spec = LabelledSpec(
        positives=tuple(args.positives), negatives=tuple(args.negatives), fasta=args.fasta, labels=args.labels,
        bed=tuple(args.bed), negative_bed=tuple(args.negative_bed), genome=args.genome,
        label_columns=tuple(args.label_columns or ()), shuffled_negatives=args.shuffled_negatives,
        flank_negatives=args.flank_negatives, flank_distance=args.flank_distance,
        test_chroms=tuple(args.test_chroms or ()), valid_chroms=tuple(args.valid_chroms or ()),
        test_fraction=args.test_fraction, valid_fraction=args.valid_fraction, seed=args.seed,
        skip_bad_intervals=args.skip_bad_intervals,
    )
    spec.kind  # noqa: B018  (checks the combination of options before any work)
    return spec


def name_the_record(exc, origins, offset: int = 0):
    """An encoder's ``InvalidSequenceError`` ("sequence N: problem") raised again with the record's
    origin (``origins[offset + N]``: file and record, or BED line) in place of its index."""
    from ..errors import InvalidSequenceError

    if getattr(exc, "index", None) is None or not exc.detail.startswith(": "):
        raise exc
    raise InvalidSequenceError(f"{origins[offset + exc.index]}: {exc.detail[2:]}") from None
