"""The DanQ paper's protocol beyond the model (Quang & Xie 2016): post-analyses of trained models.

:func:`init_survival` tells how much of a DanQ-JASPAR's Tomtom matches is its JASPAR
initialisation (filters initialised by ``keras_motifs.models.danq.jaspar.apply_jaspar_init``).
"""

from __future__ import annotations

from ..models.danq.jaspar import danq_jaspar_motifs


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
