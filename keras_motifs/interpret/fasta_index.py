"""A reference FASTA's ``.fai`` index checked before it is trusted: moved to the ground floor
(:mod:`keras_motifs.io.fasta_index`, shared with the BED + genome reader); this module keeps the
old import path."""

from ..io.fasta_index import LOG, index_problem, open_indexed_fasta  # noqa: F401

__all__ = ["index_problem", "open_indexed_fasta"]
