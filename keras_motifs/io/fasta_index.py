"""A reference FASTA's ``.fai`` index checked against the file before it is trusted.

pyfaidx (like samtools) rebuilds ``<fasta>.fai`` only when the FASTA is *newer* than it. A FASTA
replaced by a file with an older timestamp (copied with ``cp -p``, unpacked from an archive,
synced with ``rsync -t``) keeps the old index, whose offsets then point at the wrong bases: the
windows of variants were cut from the wrong places, and some were scored as ``ok``.

:func:`open_indexed_fasta` checks the index against the file first (:func:`index_problem`):
five tab-separated integer columns per record; every record's offset, line length and line bytes
consistent with the file size; the records tiling the file (each record's ``>name`` header line
ends just before its offset, the next header starts where it ends, nothing but line ends after
the last one); and a spot check of the line ends at the recorded offsets (first, last and a few
lines between). An index that fails is never overwritten: a warning names it and the problem,
and an index built in a private temporary folder is used instead. A FASTA without an index gets
one next to it (a new file, as pyfaidx does), or a private one when its folder is not writable.

A FASTA whose layout is unchanged (same names, lengths and line lengths) passes: the index is
then right for it, whatever its bases. bgzip-compressed FASTA (``.gz`` with ``.gzi``) is checked
by timestamps only (an index older than the FASTA is replaced by a private one).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import weakref

LOG = logging.getLogger("keras_motifs.interpret")  # the name its users (interpret.open_fasta) log under

_NEWLINES = (b"\n", b"\r\n")
_SPOT_LINES = 6
_MAX_HEADER = 1 << 20
_MAX_GAP = 1 << 16


def _read(fh, start: int, n: int) -> bytes:
    fh.seek(max(0, start))
    return fh.read(max(0, n))


def index_problem(fasta: str, fai: str) -> str | None:
    """Why ``fai`` does not describe ``fasta`` (an uncompressed FASTA), or None when it does."""
    try:
        with open(fai, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return "it is not a text file"
    records = []
    names = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 5:
            return f"line {lineno} has {len(cols)} tab-separated columns, a FASTA index has 5"
        name, *nums = cols
        if not all(c.isdigit() for c in nums):
            return f"line {lineno} ({name}): columns 2-5 must be whole numbers, got {nums}"
        length, offset, linebases, linewidth = map(int, nums)
        if name in names:
            return f"line {lineno}: record {name!r} is listed twice"
        names.add(name)
        if length and (linebases < 1 or not 0 <= linewidth - linebases <= 2):
            return f"line {lineno} ({name}): line length {linebases} with {linewidth} bytes per line is impossible"
        records.append((offset, name, length, linebases, linewidth, lineno))
    if not records:
        return "it lists no records"
    size = os.path.getsize(fasta)
    records.sort()
    with open(fasta, "rb") as fh:
        expected_header = 0  # where the next header line should start
        for offset, name, length, linebases, linewidth, lineno in records:
            where = f"record {name!r} (index line {lineno})"
            if offset < 1 or offset > size:
                return f"{where}: offset {offset} is outside the file ({size} bytes)"
            # the header line: '>' + name, ending just before the offset
            back = min(offset, 4096)
            before = _read(fh, offset - back, back)
            while before.rfind(b"\n", 0, len(before) - 1) < 0 and back < min(offset, _MAX_HEADER):
                back = min(offset, back * 4)
                before = _read(fh, offset - back, back)
            if not before.endswith(b"\n"):
                return f"{where}: the byte before offset {offset} is not a line end"
            start = before.rfind(b"\n", 0, len(before) - 1) + 1
            header_at = offset - back + start
            header = before[start:].rstrip(b"\r\n")
            fields = header[1:].split()
            if not header.startswith(b">") or not fields or fields[0].decode("latin-1") != name:
                return f"{where}: the line before offset {offset} is not the header '>{name}'"
            gap = _read(fh, expected_header, header_at - expected_header) if header_at >= expected_header else None
            if gap is None or len(gap) > _MAX_GAP or gap.strip():
                return f"{where}: its header at byte {header_at} does not follow the previous record (which ends at byte {expected_header})"
            if length == 0:
                expected_header = offset
                continue
            nlines = -(-length // linebases)
            last_len = length - (nlines - 1) * linebases
            last_start = offset + (nlines - 1) * linewidth
            end = last_start + last_len
            if end > size:
                return f"{where}: {length} bases in lines of {linebases} end at byte {end}, past the end of the file ({size} bytes)"
            # line ends: the first lines, a few between, the last line
            spots = sorted({0, 1, nlines - 2, nlines - 1} | {nlines * k // (_SPOT_LINES + 1) for k in range(1, _SPOT_LINES + 1)})
            for i in (i for i in spots if 0 <= i < nlines):
                line_start = offset + i * linewidth
                n = last_len if i == nlines - 1 else linebases
                chunk = _read(fh, line_start, n + 2)
                body, tail = chunk[:n], chunk[n:]
                if len(body) < n or any(c in body for c in b"\r\n>"):
                    return (f"{where}: line {i + 1} of the sequence (bytes {line_start}-{line_start + n}) is not "
                            f"{n} bases")
                if i < nlines - 1 or tail:
                    if not (tail.startswith(b"\n") or tail.startswith(b"\r\n")):
                        return f"{where}: line {i + 1} of the sequence does not end at byte {line_start + n}"
            nl = _read(fh, end, 2)
            expected_header = end + (2 if nl.startswith(b"\r\n") else 1 if nl.startswith(b"\n") else 0)
        rest = _read(fh, expected_header, min(size - expected_header, _MAX_GAP + 1))
        if len(rest) > _MAX_GAP or rest.strip():
            return f"the file goes on after the last indexed record (byte {expected_header} of {size}): records are missing"
    return None


def _private_fasta(fasta: str, fasta_kwargs: dict, compressed: bool):
    import pyfaidx

    folder = tempfile.mkdtemp(prefix="keras-motifs-fai-")
    extra = {"gzi_indexname": os.path.join(folder, "index.gzi")} if compressed else {}
    try:
        fa = pyfaidx.Fasta(fasta, indexname=os.path.join(folder, "index.fai"), **extra, **fasta_kwargs)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(fa, shutil.rmtree, folder, True)
    return fa


def open_indexed_fasta(fasta: str, **fasta_kwargs):
    """``pyfaidx.Fasta(fasta, **fasta_kwargs)`` with its index checked first (see the module
    docstring); pyfaidx's own errors are passed on."""
    import pyfaidx

    fai = fasta + ".fai"
    compressed = fasta.endswith((".gz", ".bgz", ".bgzf"))
    if os.path.exists(fai):
        if compressed:
            fresh = os.path.getmtime(fai) >= os.path.getmtime(fasta)
            problem = None if fresh else "it is older than the FASTA"
        else:
            problem = index_problem(fasta, fai)
        if problem is None:
            return pyfaidx.Fasta(fasta, rebuild=False, **fasta_kwargs)
        LOG.warning("reference FASTA '%s': its index '%s' does not describe it (%s); it was probably built for an "
                    "earlier file; using an index built in a temporary folder instead (the file '%s' is left as it "
                    "is: delete it, or rebuild it with 'samtools faidx', to use an index next to the FASTA again)",
                    fasta, fai, problem, fai)
        return _private_fasta(fasta, fasta_kwargs, compressed)
    folder = os.path.dirname(os.path.abspath(fasta))
    if not os.access(folder, os.W_OK):
        return _private_fasta(fasta, fasta_kwargs, compressed)
    return pyfaidx.Fasta(fasta, **fasta_kwargs)
