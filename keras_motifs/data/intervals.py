"""Genomic intervals for a model: resized to its input length, checked against the genome, flanking
background regions, and splits by chromosome or by fraction.

Works on :class:`keras_motifs.io.bed.Interval` records (anything with ``chrom``, ``start``,
``end``, ``name``, ``strand``, ``path``, ``line`` and dataclass ``replace``).

* :func:`centred_window` / :func:`resize`: the window of ``length`` bp around an interval's centre
  (``(start + end) // 2``; the window starts ``length // 2`` before it), as DeepBind's 101-bp
  peak windows and DeepSEA's 1,000-bp bins.
* :func:`check_in_genome`: every window's chromosome must be in the genome and the window inside
  it. A problem is an error naming the BED file, the line and the problem (a chromosome-name
  mismatch such as ``chr1`` against ``1`` says so); with ``skip=True`` the bad intervals are left
  out instead and returned with their messages, for the caller to count and print.
* :func:`flanking_windows`: background windows at a distance on both sides of each interval,
  inside the chromosome and overlapping no interval.
* :func:`split_by_chromosome`, :func:`split_by_fraction`: ``"train"``, ``"validation"`` or
  ``"test"`` per record.
"""

from __future__ import annotations

import bisect
import dataclasses
from typing import Sequence

import numpy as np

from ..errors import DataFormatError, UsageError

__all__ = ["centred_window", "resize", "check_in_genome", "flanking_windows", "split_by_chromosome",
           "split_by_fraction", "SPLITS"]

SPLITS = ("train", "validation", "test")


def centred_window(start: int, end: int, length: int) -> tuple[int, int]:
    """``(start, end)`` of the ``length``-bp window centred on ``[start, end)``."""
    centre = (start + end) // 2
    s = centre - length // 2
    return s, s + length


def resize(intervals: Sequence, length: int) -> list:
    """Each interval replaced by its centred window of ``length`` bp (name, strand, labels and
    origin kept)."""
    out = []
    for iv in intervals:
        s, e = centred_window(iv.start, iv.end, length)
        out.append(dataclasses.replace(iv, start=s, end=e))
    return out


def _name_hint(chrom: str, sizes: dict) -> str:
    alt = chrom[3:] if chrom.lower().startswith("chr") else "chr" + chrom
    if alt in sizes:
        return (f"; the genome calls it {alt!r}: the BED and the FASTA name chromosomes differently (e.g. 'chr1' "
                "against '1'); rename one of them")
    names = list(sizes)
    shown = ", ".join(names[:5]) + (f", ... ({len(names)} in all)" if len(names) > 5 else "")
    return f"; the genome has {shown}"


def check_in_genome(windows: Sequence, sizes: dict, *, skip: bool = False, original: Sequence | None = None
                    ) -> tuple[list, list[str]]:
    """``(kept, problems)``: windows whose chromosome is in ``sizes`` ({name: length}) and which
    lie inside it. Without ``skip`` the first problem raises DataFormatError (naming the file and
    line); with it the bad windows are left out and their messages returned. ``original``: the
    intervals before resizing (same order), named in the messages."""
    kept, problems = [], []
    for i, w in enumerate(windows):
        orig = original[i] if original is not None else w
        where = f"file '{w.path}', line {w.line}"
        problem = None
        if w.chrom not in sizes:
            problem = f"{where}: chromosome {w.chrom!r} is not in the genome{_name_hint(w.chrom, sizes)}"
        elif w.start < 0 or w.end > sizes[w.chrom]:
            resized = "" if orig is w else f" resized to {w.end - w.start} bp around its centre ({w.start}-{w.end})"
            problem = (f"{where}: interval {orig.chrom}:{orig.start}-{orig.end}{resized} runs past the "
                       f"{'start' if w.start < 0 else 'end'} of chromosome {w.chrom} (length {sizes[w.chrom]})")
        if problem is None:
            kept.append(w)
        elif skip:
            problems.append(problem)
        else:
            raise DataFormatError(problem + " (or pass --skip-bad-intervals to leave such intervals out, counted)")
    return kept, problems


def _by_chrom(intervals: Sequence) -> dict:
    spans: dict[str, list] = {}
    for iv in intervals:
        spans.setdefault(iv.chrom, []).append((iv.start, iv.end))
    out = {}
    for chrom, pairs in spans.items():
        pairs.sort()
        starts = [p[0] for p in pairs]
        max_end = list(np.maximum.accumulate([p[1] for p in pairs]))
        out[chrom] = (starts, max_end)
    return out


def _overlaps(index: dict, chrom: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` overlaps an interval of ``index`` (from :func:`_by_chrom`)."""
    if chrom not in index:
        return False
    starts, max_end = index[chrom]
    i = bisect.bisect_left(starts, end)  # intervals starting before our end
    return i > 0 and max_end[i - 1] > start


def flanking_windows(windows: Sequence, sizes: dict, distance: int, avoid: Sequence = ()) -> list:
    """Background windows: each window shifted ``distance`` bp left and right (same length), kept
    when inside its chromosome and overlapping none of ``windows`` and ``avoid`` (e.g. the
    original peaks), nor a flank already taken. Names get ``_flank_left``/``_flank_right``; the
    strand is ``+``."""
    if distance < 1:
        raise UsageError(f"flank distance must be a positive number of bp, got {distance}")
    blocked = _by_chrom(list(windows) + list(avoid))
    taken: set = set()
    out = []
    for w in windows:
        for side, shift in (("left", -distance), ("right", distance)):
            s, e = w.start + shift, w.end + shift
            if s < 0 or e > sizes.get(w.chrom, -1) or (w.chrom, s) in taken or _overlaps(blocked, w.chrom, s, e):
                continue
            taken.add((w.chrom, s))
            out.append(dataclasses.replace(w, start=s, end=e, name=f"{w.name}_flank_{side}", strand="+",
                                           labels=None))
    return out


def split_by_chromosome(chroms: Sequence[str], test: Sequence[str], validation: Sequence[str] = (),
                        validation_fraction: float = 0.0, seed: int = 0) -> np.ndarray:
    """``"test"`` for records on a ``test`` chromosome, ``"validation"`` on a ``validation`` one
    (or, without those, a seeded ``validation_fraction`` of the rest), else ``"train"``. A
    chromosome named in both lists, or one no record lies on, is a UsageError."""
    chroms = np.asarray(list(chroms), dtype=object)
    test, validation = list(test), list(validation)
    both = sorted(set(test) & set(validation))
    if both:
        raise UsageError(f"chromosome(s) {', '.join(both)} are in both --test-chroms and --valid-chroms")
    present = set(chroms.tolist())
    for option, names in (("--test-chroms", test), ("--valid-chroms", validation)):
        missing = [c for c in names if c not in present]
        if missing:
            shown = ", ".join(sorted(present)[:8]) + (", ..." if len(present) > 8 else "")
            raise UsageError(f"{option}: no interval lies on {', '.join(missing)} (the data's chromosomes: {shown})")
    split = np.full(len(chroms), "train", dtype=object)
    split[np.isin(chroms, test)] = "test"
    if validation:
        split[np.isin(chroms, validation)] = "validation"
    elif validation_fraction > 0:
        rest = np.flatnonzero(split == "train")
        rng = np.random.default_rng(seed)
        n = int(round(validation_fraction * len(rest)))
        split[rng.permutation(rest)[:n]] = "validation"
    return split


def split_by_fraction(n: int, test_fraction: float, validation_fraction: float, seed: int = 0) -> np.ndarray:
    """A seeded random ``test_fraction`` of ``n`` records as ``"test"``, ``validation_fraction``
    as ``"validation"``, the rest ``"train"``."""
    if not 0 <= test_fraction < 1 or not 0 <= validation_fraction < 1 or test_fraction + validation_fraction >= 1:
        raise UsageError(f"test fraction {test_fraction} and validation fraction {validation_fraction} must be from 0 "
                         "to 1 and leave some training data")
    order = np.random.default_rng(seed).permutation(n)
    n_test, n_valid = int(round(test_fraction * n)), int(round(validation_fraction * n))
    split = np.full(n, "train", dtype=object)
    split[order[:n_test]] = "test"
    split[order[n_test : n_test + n_valid]] = "validation"
    return split
