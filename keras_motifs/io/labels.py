"""A labels table for the sequences of a FASTA file: one row per sequence, one column per target.

Tab-separated, with a header line: the first column holds the sequence IDs (the FASTA record IDs,
the first word of each ``>`` line), every further column one target, named in the header. Values
are numbers from 0 to 1 (0/1 for binary targets). :func:`read_label_table` stops with a
:class:`~keras_motifs.errors.DataFormatError` naming the file and line of any problem: no header
or no targets, an empty or repeated target name, a row with another number of columns, an empty
or repeated ID, a value that is not a number, NaN or outside 0..1.
"""

from __future__ import annotations

import math
import os

import numpy as np

from ..errors import DataFormatError

__all__ = ["read_label_table"]


def read_label_table(path: "str | os.PathLike") -> tuple[list[str], list[str], np.ndarray, list[int]]:
    """``(ids, target_names, labels (N, T) float32, line numbers)`` of a labels table."""
    from .files import check_input_file
    from .text import decode_text

    path = check_input_file(os.fspath(path), "labels file")
    with open(path, "rb") as fh:
        text = decode_text(fh.read(), path, "a tab-separated labels table")
    if "\x00" in text:
        raise DataFormatError(f"file '{path}', line {text[: text.index(chr(0))].count(chr(10)) + 1}: a NUL byte; "
                              "not a text labels table")
    rows = [(n, line.rstrip("\r")) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise DataFormatError(f"file '{path}': empty; a labels table has a header line (id<TAB>target...) and one "
                              "row per sequence")
    head_line, head = rows[0]
    header = head.split("\t")
    if len(header) < 2:
        raise DataFormatError(f"file '{path}', line {head_line}: the header has {len(header)} column(s); expected "
                              "id<TAB>target1[<TAB>target2...] (tab-separated)")
    names = [h.strip() for h in header[1:]]
    for i, name in enumerate(names):
        if not name:
            raise DataFormatError(f"file '{path}', line {head_line}: target column {i + 2} has no name")
        if name in names[:i]:
            raise DataFormatError(f"file '{path}', line {head_line}: target {name!r} is named twice")
    if all(_is_number(h) for h in names):
        raise DataFormatError(f"file '{path}', line {head_line}: the first line holds numbers, not target names; "
                              "the table needs a header line id<TAB>target1...")
    ids, values, lines, seen = [], [], [], {}
    for lineno, line in rows[1:]:
        cols = line.split("\t")
        where = f"file '{path}', line {lineno}"
        if len(cols) != len(header):
            raise DataFormatError(f"{where}: {len(cols)} tab-separated columns, the header has {len(header)}")
        sid = cols[0].strip()
        if not sid:
            raise DataFormatError(f"{where}: empty sequence ID")
        if sid in seen:
            raise DataFormatError(f"{where}: sequence ID {sid!r} is listed twice (first on line {seen[sid]})")
        seen[sid] = lineno
        row = []
        for name, raw in zip(names, cols[1:]):
            raw = raw.strip()
            try:
                v = float(raw)
            except ValueError:
                raise DataFormatError(f"{where}: target {name!r}: {raw!r} is not a number (0 or 1)") from None
            if not math.isfinite(v) or not 0.0 <= v <= 1.0:
                raise DataFormatError(f"{where}: target {name!r}: {raw!r} must be a number from 0 to 1")
            row.append(v)
        ids.append(sid)
        values.append(row)
        lines.append(lineno)
    if not ids:
        raise DataFormatError(f"file '{path}': a header but no rows")
    return ids, names, np.asarray(values, dtype=np.float32), lines


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
