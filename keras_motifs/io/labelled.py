"""Your own labelled sequences for training: FASTA files per class, a FASTA with a labels table, or
BED intervals with a reference genome, turned into index-encoded sequences, labels and splits.

Shared by the ``labelled_sequences`` TFDS builder and ``keras-motifs train``/``predict``.

Inputs (:class:`LabelledSpec`; exactly one kind):

* **FASTA per class**: ``positives`` (label 1) and ``negatives`` (label 0) FASTA files; one target.
* **FASTA + labels**: ``fasta`` and a tab-separated ``labels`` table (:mod:`keras_motifs.io.labels`),
  one column per target, matched to the FASTA records by ID (a record without a row, or a row
  without a record, is an error naming it).
* **BED + genome**: ``bed`` files of intervals and the reference ``genome`` FASTA (pyfaidx, its
  index checked: :mod:`keras_motifs.io.fasta_index`). Each interval is resized to the model's
  length around its centre and read from the genome, reverse-complemented on strand ``-``. With
  ``label_columns`` the BED's columns give the targets; else each ``bed`` file is one target (an
  interval is positive for its own file's target and for every other file with an interval
  covering its centre). ``negative_bed`` files add intervals negative for every target.
  A chromosome missing from the genome or a window past a chromosome's end is an error naming
  the BED file and line, or with ``skip_bad_intervals`` left out and counted (``skipped``).

Negatives can be generated: ``shuffled_negatives`` dinucleotide shuffles of every positive
(DeepBind's background; :mod:`keras_motifs.data.shuffle`), each in its positive's split, and
(BED input) ``flank_negatives``: windows ``flank_distance`` bp to both sides of each interval that
overlap no interval.

Splits (:mod:`keras_motifs.data.intervals`): by chromosome (``test_chroms``, optional
``valid_chroms``, else a seeded ``valid_fraction`` of the rest; BED input only) or by seeded
fractions (``test_fraction``, ``valid_fraction``).

Checked before anything is written, against the model's ``length`` and ``alphabet``: every
sequence's length (FASTA input must already have the model's length), its letters (the alphabet's
and N; another letter, such as an IUPAC code, is an error naming the file, record and position),
labels from 0 to 1, every target with positives and negatives, non-empty training and test splits.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataFormatError, InvalidSequenceError, UsageError

__all__ = ["LabelledSpec", "LabelledData", "load_labelled", "read_spec_file"]


@dataclass(frozen=True)
class LabelledSpec:
    """Where the labelled sequences come from and how they are split (see the module docstring)."""

    positives: tuple = ()
    negatives: tuple = ()
    fasta: str | None = None
    labels: str | None = None
    bed: tuple = ()
    negative_bed: tuple = ()
    genome: str | None = None
    label_columns: tuple = ()
    shuffled_negatives: int = 0
    flank_negatives: bool = False
    flank_distance: int | None = None
    test_chroms: tuple = ()
    valid_chroms: tuple = ()
    test_fraction: float = 0.1
    valid_fraction: float = 0.1
    seed: int = 0
    skip_bad_intervals: bool = False

    def __post_init__(self):
        for name in ("positives", "negatives", "bed", "negative_bed", "label_columns", "test_chroms", "valid_chroms"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value or ()))

    @property
    def kind(self) -> str:
        """``"classes"``, ``"labels"`` or ``"bed"``; UsageError for no input or a mix."""
        kinds = [k for k, on in (("classes", self.positives or self.negatives), ("labels", self.fasta or self.labels),
                                 ("bed", self.bed or self.negative_bed or self.genome)) if on]
        if not kinds:
            raise UsageError("no data: give --positives (and --negatives), or --fasta and --labels, or --bed and "
                             "--genome")
        if len(kinds) > 1:
            opts = {"classes": "--positives/--negatives", "labels": "--fasta/--labels", "bed": "--bed/--genome"}
            raise UsageError(f"give one kind of data, not {' and '.join(opts[k] for k in kinds)}")
        kind = kinds[0]
        if kind == "classes" and not self.positives:
            raise UsageError("--negatives needs --positives (the FASTA of the positive class)")
        if kind == "labels" and not (self.fasta and self.labels):
            raise UsageError("--fasta and --labels go together (the sequences and their labels table)")
        if kind == "bed":
            if not self.bed:
                raise UsageError("--negative-bed needs --bed (the intervals of the positives)")
            if not self.genome:
                raise UsageError("--bed needs --genome (the reference FASTA the intervals are read from)")
        if kind != "bed":
            for option, value in (("--test-chroms", self.test_chroms), ("--valid-chroms", self.valid_chroms),
                                  ("--flank-negatives", self.flank_negatives), ("--label-columns", self.label_columns)):
                if value:
                    raise UsageError(f"{option} needs BED intervals (--bed and --genome)")
        if self.valid_chroms and not self.test_chroms:
            raise UsageError("--valid-chroms needs --test-chroms (a split by chromosome)")
        if self.shuffled_negatives < 0:
            raise UsageError(f"shuffled negatives must be 0 or more, got {self.shuffled_negatives}")
        return kind

    def inputs(self) -> dict:
        """``{option: path}`` of every input file (for :func:`keras_motifs.io.check_distinct`)."""
        out = {}
        for option, paths in (("--positives", self.positives), ("--negatives", self.negatives), ("--bed", self.bed),
                              ("--negative-bed", self.negative_bed)):
            out.update({f"{option} {p}": p for p in paths})
        out.update({"--fasta": self.fasta, "--labels": self.labels, "--genome": self.genome})
        return {k: v for k, v in out.items() if v}

    def to_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict, base_dir: "str | os.PathLike | None" = None,
                  where: str = "spec") -> "LabelledSpec":
        """A spec from a dict (e.g. JSON); relative paths are taken from ``base_dir``; an unknown
        key is a DataFormatError naming ``where``."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise DataFormatError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")

        def at(p):
            return p if base_dir is None or os.path.isabs(p) else os.path.join(os.fspath(base_dir), p)

        out = dict(values)
        for key in ("positives", "negatives", "bed", "negative_bed"):
            if key in out:
                paths = [out[key]] if isinstance(out[key], str) else out[key]
                out[key] = tuple(at(p) for p in paths)
        for key in ("fasta", "labels", "genome"):
            if out.get(key):
                out[key] = at(out[key])
        return cls(**out)


def read_spec_file(path: "str | os.PathLike") -> LabelledSpec:
    """A :class:`LabelledSpec` from a JSON file (paths relative to its folder)."""
    from .files import check_input_file
    from .text import decode_text

    path = check_input_file(os.fspath(path), "dataset spec file")
    with open(path, "rb") as fh:
        text = decode_text(fh.read(), path, "a JSON dataset spec")
    try:
        values = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"file '{path}', line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(values, dict):
        raise DataFormatError(f"file '{path}': expected a JSON object of spec keys (positives, bed, genome, ...)")
    try:
        return LabelledSpec.from_dict(values, os.path.dirname(os.path.abspath(path)), where=f"file '{path}'")
    except TypeError as exc:
        raise DataFormatError(f"file '{path}': {exc}") from None


@dataclass
class LabelledData:
    """Index-encoded sequences (N, L) uint8 (N as ``len(alphabet)``), labels (N, T) float32,
    target names, the split of every row, where each row came from, and the intervals left out."""

    ids: list
    sequences: np.ndarray
    labels: np.ndarray
    target_names: list
    split: np.ndarray
    origins: list
    alphabet: str
    skipped: list = field(default_factory=list)
    n_with_n: int = 0

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        rows = self.split == name
        return self.sequences[rows], self.labels[rows]

    def counts(self) -> dict:
        """``{split: {"rows": n, "positives": [per target]}}``."""
        out = {}
        for name in ("train", "validation", "test"):
            rows = self.split == name
            out[name] = {"rows": int(rows.sum()), "positives": [int(v) for v in (self.labels[rows] > 0.5).sum(0)]}
        return out


@dataclass
class _Rows:
    ids: list = field(default_factory=list)
    seqs: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    origins: list = field(default_factory=list)
    chroms: list = field(default_factory=list)

    def add(self, sid, seq, labels, origin, chrom=None):
        self.ids.append(sid)
        self.seqs.append(seq)
        self.labels.append(tuple(labels))
        self.origins.append(origin)
        self.chroms.append(chrom)


def read_fasta_of_length(path: str, length: int):
    """(names, sequences) of a FASTA file whose every record has ``length`` letters; InvalidSequenceError
    naming the file and record otherwise."""
    from .fasta import read_fasta

    names, seqs = read_fasta(path)
    for i, (name, s) in enumerate(zip(names, seqs)):
        if len(s) != length:
            raise InvalidSequenceError(f"file '{path}', record {i} ({name}): length {len(s)}, the model takes "
                                       f"{length}; cut or extend the sequences to {length}, or give BED intervals and "
                                       "a genome (resized around their centre)")
    return names, seqs


def _from_classes(spec: LabelledSpec, length: int, rows: _Rows) -> list:
    for label, paths in ((1.0, spec.positives), (0.0, spec.negatives)):
        for path in paths:
            names, seqs = read_fasta_of_length(path, length)
            for i, (name, s) in enumerate(zip(names, seqs)):
                rows.add(name, s, (label,), f"file '{path}', record {i} ({name})")
    return ["positive"]


def _from_labels(spec: LabelledSpec, length: int, rows: _Rows) -> list:
    from .labels import read_label_table

    names, seqs = read_fasta_of_length(spec.fasta, length)
    ids, targets, values, lines = read_label_table(spec.labels)
    by_id = {sid: i for i, sid in enumerate(ids)}
    seen = {}
    for i, (name, s) in enumerate(zip(names, seqs)):
        if name in seen:
            raise DataFormatError(f"file '{spec.fasta}', record {i}: ID {name!r} is used twice (first by record "
                                  f"{seen[name]}); the labels table cannot tell them apart")
        seen[name] = i
        if name not in by_id:
            raise DataFormatError(f"file '{spec.fasta}', record {i}: ID {name!r} has no row in the labels table "
                                  f"'{spec.labels}'")
        rows.add(name, s, values[by_id[name]], f"file '{spec.fasta}', record {i} ({name})")
    extra = [(sid, line) for sid, line in zip(ids, lines) if sid not in seen]
    if extra:
        sid, line = extra[0]
        raise DataFormatError(f"file '{spec.labels}', line {line}: ID {sid!r} is not a record of the FASTA "
                              f"'{spec.fasta}'" + (f" ({len(extra)} such rows)" if len(extra) > 1 else ""))
    return targets


def _covering(index, chrom, pos) -> bool:
    from ..data.intervals import _overlaps

    return _overlaps(index, chrom, pos, pos + 1)


def _from_bed(spec: LabelledSpec, length: int, rows: _Rows, skipped: list) -> list:
    from ..data.intervals import _by_chrom, check_in_genome, flanking_windows, resize
    from ..data.onehot import reverse_complement_strings
    from .bed import read_bed
    from .fasta import chromosome_sizes, open_reference

    genome = open_reference(spec.genome)
    sizes = chromosome_sizes(genome)
    per_file = [read_bed(p, spec.label_columns) for p in spec.bed]
    negatives = [read_bed(p, spec.label_columns) for p in spec.negative_bed]
    if spec.label_columns:
        targets = [f"column_{c}" for c in spec.label_columns]
    else:
        targets = [os.path.basename(p).split(".")[0] or f"bed_{i}" for i, p in enumerate(spec.bed)]
        for i, name in enumerate(targets):  # two files named alike: keep the names apart
            if name in targets[:i]:
                targets[i] = f"{name}_{i}"
    index = [_by_chrom(ivs) for ivs in per_file]

    def take(intervals, labels_of):
        resized = resize(intervals, length)
        kept, problems = check_in_genome(resized, sizes, skip=spec.skip_bad_intervals, original=intervals)
        skipped.extend(problems)
        for w in kept:
            seq = str(genome[w.chrom][w.start : w.end])
            if w.strand == "-":
                seq = reverse_complement_strings(seq)
            label = labels_of(w)
            name = w.name if w.strand == "." else f"{w.name}({w.strand})"
            rows.add(name, seq, label, f"{w.where} ({w.chrom}:{w.start}-{w.end}{w.strand if w.strand != '.' else ''})",
                     w.chrom)
        return kept

    positive_windows = []
    for f, intervals in enumerate(per_file):
        if spec.label_columns:
            positive_windows += take(intervals, lambda w: w.labels)
        else:
            def labels_of(w, f=f):
                centre = w.start + length // 2
                return tuple(1.0 if t == f or _covering(index[t], w.chrom, centre) else 0.0
                             for t in range(len(targets)))

            positive_windows += take(intervals, labels_of)
    zeros = tuple(0.0 for _ in targets)
    for intervals in negatives:
        take(intervals, lambda w: zeros)
    if spec.flank_negatives:
        originals = [iv for ivs in per_file + negatives for iv in ivs]
        distance = spec.flank_distance or 2 * length
        for w in flanking_windows(positive_windows, sizes, distance, avoid=originals):
            seq = str(genome[w.chrom][w.start : w.end])
            rows.add(w.name, seq, zeros, f"{w.where} (flank {w.chrom}:{w.start}-{w.end})", w.chrom)
    return targets


def _encode(rows: _Rows, alphabet: str) -> np.ndarray:
    from ..data.onehot import encode_indices

    try:
        return encode_indices(rows.seqs, alphabet)
    except InvalidSequenceError as exc:
        if exc.index is None:
            raise
        rest = exc.detail[1:] if exc.detail.startswith(":") else exc.detail
        raise InvalidSequenceError(f"{rows.origins[exc.index]}:{rest}") from None


def load_labelled(spec: LabelledSpec, length: int, alphabet: str = "ACGT") -> LabelledData:
    """Read, check, label, split and encode (see the module docstring)."""
    from ..data.alphabets import get_alphabet
    from ..data.intervals import split_by_chromosome, split_by_fraction
    from ..data.shuffle import dinucleotide_shuffles

    kind = spec.kind
    alpha = get_alphabet(alphabet)
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
        raise UsageError(f"sequence length must be a positive integer, got {length!r}")
    rows, skipped = _Rows(), []
    if kind == "classes":
        targets = _from_classes(spec, int(length), rows)
    elif kind == "labels":
        targets = _from_labels(spec, int(length), rows)
    else:
        targets = _from_bed(spec, int(length), rows, skipped)
    if not rows.seqs:
        raise DataFormatError("no sequences were left to train on" + (f": all {len(skipped)} intervals were skipped "
                                                                       f"(first: {skipped[0]})" if skipped else ""))
    # splits of the given rows (generated negatives follow their positive)
    if spec.test_chroms:
        split = split_by_chromosome(rows.chroms, spec.test_chroms, spec.valid_chroms, spec.valid_fraction, spec.seed)
    else:
        split = split_by_fraction(len(rows.seqs), spec.test_fraction, spec.valid_fraction, spec.seed)
    split = list(split)
    if spec.shuffled_negatives:
        positives = [i for i, lab in enumerate(rows.labels) if max(lab) > 0]
        zeros = tuple(0.0 for _ in targets)
        for stream in range(spec.shuffled_negatives):
            shuffled = dinucleotide_shuffles([rows.seqs[i] for i in positives], seed=spec.seed, stream=stream)
            for i, s in zip(positives, shuffled):
                rows.add(f"{rows.ids[i]}_shuffle{stream}", s, zeros,
                         f"{rows.origins[i]}, dinucleotide shuffle {stream}", rows.chroms[i])
                split.append(split[i])
    x = _encode(rows, alpha.letters)
    y = np.asarray(rows.labels, dtype=np.float32).reshape(len(rows.seqs), len(targets))
    split = np.asarray(split, dtype=object)
    for t, name in enumerate(targets):
        column = y[:, t]
        if not (column > 0.5).any() or not (column <= 0.5).any():
            what = "positives" if not (column > 0.5).any() else "negatives"
            raise DataFormatError(f"target {name!r} has no {what}; a classifier needs both (negatives: --negatives, "
                                  "--negative-bed, --shuffled-negatives or --flank-negatives)")
    for name in ("train", "test"):
        if not (split == name).any():
            raise DataFormatError(f"the {name} split is empty ({len(split)} sequences); give more data or other "
                                  "--test-chroms / --test-fraction")
    n_with_n = int((x == len(alpha)).any(axis=1).sum())
    return LabelledData(rows.ids, x, y, list(targets), split, rows.origins, alpha.letters, skipped, n_with_n)
