"""BED intervals (peaks, regions), every record kept with its file and line for error messages.

:func:`read_bed` reads a BED file (plain or gzip): tab-separated columns ``chrom start end [name
[score [strand [...]]]]`` (0-based, end exclusive; a file without tabs is split on spaces);
``#``, ``track`` and ``browser`` lines and blank lines are skipped. Optional label columns
(1-based column numbers, e.g. 7 and 8 of a BED6+2) give each interval its targets: numbers from
0 to 1. Any bad line stops the reader with a :class:`~keras_motifs.errors.DataFormatError`
naming the file, the line and the problem (nothing is dropped silently): too few columns, a start
or end that is not a whole number, start > end, a negative start, a strand other than ``+``,
``-`` or ``.``, a missing or non-numeric label, a label outside 0..1 or NaN.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from ..errors import DataFormatError
from .text import gunzip_if_gzipped

__all__ = ["Interval", "read_bed"]

SKIPPED_PREFIXES = ("#", "track", "browser")


@dataclass(frozen=True)
class Interval:
    """One BED record: 0-based half-open ``[start, end)`` on ``chrom``; ``labels`` from the label
    columns (None without them); ``path`` and ``line`` say where it was read."""

    chrom: str
    start: int
    end: int
    name: str
    strand: str = "."
    labels: tuple | None = None
    path: str = ""
    line: int = 0

    @property
    def where(self) -> str:
        return f"file '{self.path}', line {self.line}"

    @property
    def region(self) -> str:
        return f"{self.chrom}:{self.start}-{self.end}"


def _text(path: str) -> str:
    from .files import check_input_file
    from .text import decode_text

    path = check_input_file(path, "BED file")
    with open(path, "rb") as fh:
        data = fh.read()
    data = gunzip_if_gzipped(data, path)
    text = decode_text(data, path, "a BED file")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataFormatError(f"file '{path}', line {line}: a NUL byte; not a text BED file")
    return text


def _whole(value: str, what: str, where: str) -> int:
    text = value.strip()
    if not text.isdigit() or not text.isascii():
        raise DataFormatError(f"{where}: {what} {value!r} is not a whole number >= 0 (BED columns 2 and 3 are "
                              "0-based start and end)")
    return int(text)


def read_bed(path: "str | os.PathLike", label_columns: "list[int] | tuple[int, ...] | None" = None
             ) -> list[Interval]:
    """The intervals of a BED file, in file order (see the module docstring); at least one."""
    path = os.fspath(path)
    text = _text(path)
    label_columns = tuple(label_columns or ())
    for c in label_columns:
        if c <= 3:
            raise DataFormatError(f"file '{path}': label column {c} is one of the BED's chrom, start or end "
                                  "columns (1-3); label columns are numbered from 1, e.g. 7 for a BED6+1")
    out: list[Interval] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith(SKIPPED_PREFIXES):
            continue
        cols = line.rstrip("\r").split("\t") if "\t" in line else line.split()
        where = f"file '{path}', line {lineno}"
        if len(cols) < 3:
            raise DataFormatError(f"{where}: {len(cols)} column(s); a BED line has at least 3 tab-separated "
                                  "columns: chrom, start, end")
        chrom = cols[0].strip()
        if not chrom:
            raise DataFormatError(f"{where}: empty chromosome name")
        start = _whole(cols[1], "start", where)
        end = _whole(cols[2], "end", where)
        if end < start:
            raise DataFormatError(f"{where}: end {end} is before start {start}")
        name = cols[3].strip() if len(cols) > 3 and cols[3].strip() else f"{chrom}:{start}-{end}"
        strand = cols[5].strip() if len(cols) > 5 else "."
        if strand not in ("+", "-", "."):
            raise DataFormatError(f"{where}: strand {strand!r} (column 6) must be '+', '-' or '.'")
        labels = None
        if label_columns:
            values = []
            for c in label_columns:
                if c > len(cols):
                    raise DataFormatError(f"{where}: no label column {c} (the line has {len(cols)} columns)")
                raw = cols[c - 1].strip()
                try:
                    v = float(raw)
                except ValueError:
                    raise DataFormatError(f"{where}: label {raw!r} in column {c} is not a number (0 or 1)") from None
                if not math.isfinite(v) or not 0.0 <= v <= 1.0:
                    raise DataFormatError(f"{where}: label {raw!r} in column {c} must be a number from 0 to 1")
                values.append(v)
            labels = tuple(values)
        out.append(Interval(chrom, start, end, name, strand, labels, path, lineno))
    if not out:
        raise DataFormatError(f"file '{path}': no intervals (a BED line is chrom<TAB>start<TAB>end)")
    return out
