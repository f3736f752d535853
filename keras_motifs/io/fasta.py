"""FASTA files: whole files of sequences (:func:`read_fasta`) and indexed reference genomes
(:func:`open_reference`, :func:`chromosome_sizes`) read with pyfaidx, their ``.fai`` index checked
first (:mod:`keras_motifs.io.fasta_index`).
"""

from __future__ import annotations

import os

from ..errors import DataFormatError


def read_fasta(path: "str | os.PathLike") -> tuple[list[str], list[str]]:
    """Names and sequences of a FASTA file (plain or gzip), in order; empty records are errors."""
    import gzip

    from Bio import SeqIO

    from .files import check_input_file

    path = check_input_file(path, "sequence file")  # a folder, FIFO or device is refused unopened
    opener = gzip.open if path.endswith(".gz") else open
    with open(path, "rb") as raw:
        head = raw.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff") and not path.endswith(".gz"):
        raise DataFormatError(f"file '{path}': UTF-16 text (it starts with a UTF-16 byte-order mark); save it as "
                              "ASCII or UTF-8 text; a FASTA file starts with '>'")
    names, seqs = [], []
    with opener(path, "rt", encoding="utf-8-sig") as fh:  # -sig: a leading byte-order mark is skipped
        try:
            for i, rec in enumerate(SeqIO.parse(fh, "fasta")):
                if len(rec.seq) == 0:
                    raise DataFormatError(f"file '{path}', record {i} ({rec.id}): empty sequence")
                names.append(rec.id)
                seqs.append(str(rec.seq))
        except (OSError, EOFError) as exc:  # gzip: not gzip data, or cut short
            raise DataFormatError(f"file '{path}': not a readable gzip file ({exc}): it is cut short (an "
                                  f"interrupted download?) or not gzip-compressed; {len(seqs)} records were read "
                                  "before the error") from None
        except ValueError as exc:
            if isinstance(exc, DataFormatError):
                raise
            first = str(exc).splitlines()[0]
            raise DataFormatError(f"file '{path}': not a FASTA file ({first}); a FASTA file starts with '>'") from None
    if not seqs:
        raise DataFormatError(f"file '{path}': no FASTA records (a FASTA file starts with '>')")
    return names, seqs


def open_reference(fasta: "str | os.PathLike"):
    """Open a reference FASTA with pyfaidx (building its ``.fai`` index on first use). An existing
    index is checked against the file first and, when it does not describe it (a FASTA replaced
    by an older-timestamped file keeps its old index), replaced by a private one with a warning,
    the user's ``.fai`` untouched (:mod:`keras_motifs.io.fasta_index`). pyfaidx's errors
    (no '>' header, uneven line lengths, plain gzip instead of bgzip) become DataFormatError."""
    import pyfaidx

    from .fasta_index import open_indexed_fasta

    path = str(fasta)
    if not os.path.exists(path):
        raise FileNotFoundError(f"reference FASTA '{path}' not found")
    try:
        return open_indexed_fasta(path, as_raw=True, sequence_always_upper=True)
    except (pyfaidx.FastaIndexingError, pyfaidx.UnsupportedCompressionFormat, ValueError, OSError, EOFError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{path}': not a usable reference FASTA ({first})") from None


def chromosome_sizes(reference) -> dict[str, int]:
    """``{name: length}`` of an open reference (:func:`open_reference`)."""
    return {name: len(record) for name, record in reference.records.items()}
