"""The DanQ paper's protocol beyond the model (Quang & Xie 2016): post-analyses of trained models.

:func:`motif_analysis` is the paper's motif analysis (filters → MEME → Tomtom against JASPAR 2016,
E < 0.01: ``keras_motifs.models.danq.MOTIF_PROTOCOL`` run by
:func:`keras_motifs.interpret.analyse_filters`). :func:`init_survival` tells how much of a
DanQ-JASPAR's Tomtom matches is its JASPAR initialisation (filters initialised by
``keras_motifs.models.danq.jaspar.apply_jaspar_init``).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..models.danq import MOTIF_PROTOCOL
from ..models.danq.jaspar import danq_jaspar_motifs


def motif_analysis(model, data, folder: "str | os.PathLike", sequences_scanned: int | None = None,
                   batch_size: int = 100) -> dict:
    """Filters of a trained DanQ → ``<folder>/filters.meme`` (DeepBind/DanQ rule, every filter,
    A,C,G,T) → Tomtom against JASPAR 2016 (Pearson, min overlap 5, E < 0.01) →
    ``<folder>/tomtom_jaspar2016.tsv``; returns the counts of filters with a match.

    ``data``: one-hot test sequences (N, 1000, 4) in the model's A,G,C,T order (an array or a
    ``tf.data.Dataset`` of them); ``sequences_scanned`` is recorded as given.
    """
    from ..interpret import MotifProtocol, analyse_filters

    folder = Path(folder)
    protocol = MotifProtocol.from_dict(dict(MOTIF_PROTOCOL, name="danq"))
    analysis = analyse_filters(model, data, protocol, folder, batch_size=batch_size, table_float_format=None,
                               files={"meme": "filters.meme", "tomtom": "tomtom_jaspar2016.tsv"})
    s = analysis.summary
    return {"meme": str(folder / "filters.meme"), "tomtom": str(folder / "tomtom_jaspar2016.tsv"),
            "n_filters": s["n_queries"], "n_filters_with_match": s["n_match_any"], "fraction_with_match": s["match_any"],
            "evalue_threshold": protocol.threshold, "sequences_scanned": sequences_scanned, "rule": protocol.rule}


def init_survival(table, n_filters: int, motifs=None, query_prefix: str = "filter") -> dict:
    """How much of a DanQ-JASPAR's Tomtom matches is its initialisation.

    ``table``: Tomtom hits of the trained model's filters (columns ``query``, ``target_id``; queries
    named ``<query_prefix><index>``, already cut at the E-value threshold); filter ``i`` was
    initialised from ``motifs[i]`` (default :func:`danq_jaspar_motifs`, as :func:`apply_jaspar_init`
    writes them), the rest at random. Returns counts of initialised filters that match anything /
    still match the motif they started from (a ``_rc`` motif counts as its forward ID), and of
    randomly initialised filters that match anything.
    """
    motifs = danq_jaspar_motifs() if motifs is None else motifs
    own = [m[0][:-3] if m[0].endswith("_rc") else m[0] for m in motifs]
    hits: dict[int, set] = {}
    for q, t in zip(table["query"], table["target_id"]):
        q = str(q)
        if not q.startswith(query_prefix) or not q[len(query_prefix):].isdigit():
            raise ValueError(f"Tomtom query {q!r} is not named {query_prefix}<index>")
        hits.setdefault(int(q[len(query_prefix):]), set()).add(str(t))
    n_init = min(len(own), n_filters)
    return {"n_initialised": n_init, "n_random": n_filters - n_init,
            "initialised_matching_any": sum(1 for f in hits if f < n_init),
            "initialised_matching_own": sum(1 for f, ts in hits.items() if f < n_init and own[f] in ts),
            "random_matching_any": sum(1 for f in hits if n_init <= f < n_filters)}
