"""Compare motifs with known motifs: Tomtom through ``memelite`` (no MEME-suite binary), JASPAR
through ``pyjaspar`` (offline, bundled SQLite releases), summary metrics as the papers use them.

``memelite.tomtom`` compiles with numba on its first call (~45 s on a 2-core machine); numba
caches the compiled code in the package folder, or in ``$NUMBA_CACHE_DIR`` when set — set it
to a persistent, writable folder in CI or on read-only installs.

How it follows MEME-suite Tomtom (``src/tomtom.c``, what the papers ran; DanQ used 4.11) with
memelite as the engine (memelite implements Tomtom's "complete scores" and p-values: each query
column's scores shifted by their median over all target columns, scaled to integers with
``scale_score_matrix``'s integer floors, and the p-value of the best alignment from the
distribution of the best of all alignments of a target of that length, both strands):
  * ``distance="pearson"`` (``-dist pearson``): MEME's column score is the Pearson correlation r
    of the two columns (``pearson_scores``). memelite only scores by Euclidean distance, so each
    column is given to it as features whose distance is ``1 + sqrt(2) - r`` exactly (see
    ``_pearson_features``): memelite's score is then r minus a constant that the median shift
    removes, and every rounded score, null distribution and p-value is MEME's. (Earlier versions
    gave memelite centred unit-norm columns, whose score ``-sqrt(2 - 2r)`` is only monotone in r;
    on the DanQ filters that moved p-values by a median factor of 3.5 and changed the best JASPAR
    match of 20 of 146 filters, against 10 of 149 now.) ``distance="euclidean"`` is ``-dist ed``.
  * memelite's approximations are switched off: target columns are not merged by hashing
    (``n_target_bins=None``) and the median is taken over 100,000 bins (MEME sorts; with
    memelite's default 1,000 bins some p-values moved by two orders of magnitude).
  * Each strand of each target is searched as a target of its own and the two are merged as
    ``tomtom.c`` does; p-values are rounded to single precision as it stores them, and matches are
    sorted as ``tomtom_match_compare`` sorts them (p-value, longer overlap, ``+``, target ID), so
    exact ties (palindromes, duplicate matrices) come out in MEME's order.
  * The null distribution of each query column is built from the columns of all targets given
    (both strands), as MEME builds it from all the databases it was given: p-values depend on the
    database. ``null_targets`` adds motifs to the null (and to the E-value count) without
    reporting them. This is what remains between our DanQ results and the published ones: the
    authors searched JASPAR together with Jolma 2013 and UniPROBE (1,748 motifs), whose matrices
    we do not have.
  * Pseudocounts: ``tomtom.c`` (``load_motifs``; ``-motif-pseudo``, default 0.1) has each motif
    read with a pseudocount, ``p' = (n p + 0.1 b) / (n + 0.1)`` for n sites and the query file's
    background b (``motif.c apply_pseudocount_to_motif``). With a uniform background (DanQ.meme's,
    JASPAR's MEME files') that scales each centred column, which leaves r unchanged, so we add none.
  * The median: MEME's is ``(s[floor(N/2) - 1] + s[ceil(N/2) - 1]) / 2`` of the N sorted scores
    (``shift_all_pairwise_scores``), memelite's the value where half the N columns are reached; for
    even N (always, with both strands) they are the same order statistic.
  * ``min_overlap`` is applied after the search: a best alignment shorter than it is dropped
    (MEME instead keeps the best alignment among those long enough; on the DanQ filters no pair
    with E < 0.01 is affected). Among alignments of equal score MEME reports the longest, memelite
    the first it finds, so ``offset``/``overlap`` can differ at such ties (not the p-value).
  * E-value = p-value × number of target motifs (MEME's definition; targets plus
    ``null_targets``); pass ``n_targets_evalue`` to use another database size (e.g. the 1,748
    motifs of the three databases DanQ searched together). q-values are Benjamini–Hochberg over
    each query's p-values against all targets (MEME estimates pi0, Storey's q-values).
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

import numpy as np

from .meme import MemeFile, Motif, read_meme

COLUMNS = ["query", "target_id", "target_name", "offset", "overlap", "orientation",
           "p_value", "e_value", "q_value", "query_consensus", "target_consensus"]


def jaspar_motifs(
    release: str = "JASPAR2016",
    collection: str = "CORE",
    tax_group: "str | Sequence[str] | None" = "vertebrates",
    all_versions: bool = False,
    **filters,
) -> list[Motif]:
    """Motifs of a JASPAR release from the ``pyjaspar`` package (offline), as PPMs (W, 4) in A,C,G,T.

    Default: JASPAR 2016 CORE vertebrates (519 matrices, latest version of each — the set of the
    ``JASPAR_CORE_2016_vertebrates.meme`` file DanQ and Koo & Eddy searched). ``release`` may be
    any release pyjaspar ships (``"JASPAR2014"`` … ``"JASPAR2026"``); other ``filters`` go to
    ``jaspardb.fetch_motifs`` (e.g. ``tf_class``, ``species``).
    """
    from pyjaspar import jaspardb

    release = check_jaspar_release(release)
    db = jaspardb(release=release)
    if tax_group is not None and isinstance(tax_group, str):
        tax_group = [tax_group]
    found = db.fetch_motifs(collection=collection, tax_group=tax_group, all_versions=all_versions, **filters)
    out = []
    for m in found:
        counts = np.array([[m.counts[a][i] for a in "ACGT"] for i in range(m.length)], dtype=np.float64)
        ppm = counts / counts.sum(1, keepdims=True)
        nsites = int(round(counts.sum(1).max()))
        out.append(Motif(m.matrix_id, ppm, alt=m.name, nsites=nsites, evalue="0",
                         url=f"http://jaspar.genereg.net/matrix/{m.matrix_id}"))
    return out


def jaspar_releases() -> list[str]:
    """The JASPAR releases the installed ``pyjaspar`` ships (offline), e.g. ``JASPAR2016``."""
    import pyjaspar

    releases = getattr(pyjaspar, "jaspar_releases", None)
    if releases is None:
        releases = pyjaspar.jaspardb().get_releases()
    return sorted(releases)


def check_jaspar_release(release: str) -> str:
    """``release`` spelled as pyjaspar spells it (``jaspar2016`` → ``JASPAR2016``); a release that
    pyjaspar does not ship is a DataFormatError listing those it does (pyjaspar itself only prints
    a warning and then fails somewhere else)."""
    from ..errors import DataFormatError

    known = {r.upper(): r for r in jaspar_releases()}
    found = known.get(str(release).strip().upper())
    if found is None:
        raise DataFormatError(f"Tomtom targets {str(release)[:80]!r}: no such JASPAR release; pyjaspar has "
                              f"{', '.join(sorted(known.values()))}")
    return found


def load_targets(targets) -> list[Motif]:
    """Targets as a list of :class:`Motif` (PPMs (W, A)): a list of motifs, a :class:`MemeFile`, a MEME file
    path, or ``"JASPAR2016"``-style release names (CORE vertebrates). At least one motif: an empty
    target set would report "0 matches" for any motifs, so it is a DataFormatError."""
    from ..errors import DataFormatError, MissingFileError

    if isinstance(targets, MemeFile):
        found, source = list(targets.motifs), "the MEME motifs given"
    elif isinstance(targets, (str, os.PathLike)):
        name = str(targets)
        if name.upper().startswith("JASPAR") and not os.path.lexists(name):
            found, source = jaspar_motifs(release=name), f"JASPAR release {name}"
        elif not os.path.lexists(name):
            raise MissingFileError(f"Tomtom targets '{name}': no such MEME file, nor a JASPAR release name "
                                   f"({', '.join(jaspar_releases())})")
        else:
            found, source = list(read_meme(name).motifs), f"file '{name}'"
    else:
        found, source = list(targets), "the target motifs given"
    if not found:
        raise DataFormatError(f"{source}: no motifs (no 'MOTIF' entries); Tomtom needs at least one target motif")
    return found


# Pearson scores through memelite's Euclidean kernel. memelite scores a query column x against a
# target column y as -sqrt(|x|^2 + |y|^2 - 2 x.y). Give it, for a column with centred, unit-norm
# probabilities u (so that u.v = r, the Pearson correlation), the features
#     query:  [a u, e_q, e_t,  b vec(u u^T), e_t, e_q, a u]
#     target: [a v, e_q, e_t, -b vec(v v^T), e_t, e_q, a v]
# with 2a^2 = 1 + sqrt(2) and b^2 = 1/2. Then |x|^2 = |y|^2 = 3/2 + sqrt(2), x.y = (1 + sqrt(2)) r - r^2/2
# and the squared distance is (1 + sqrt(2) - r)^2, so memelite's column score is exactly
# r - (1 + sqrt(2)): MEME's pearson score with slope 1 (memelite, like MEME, scales the scores with
# integer floors, so the slope must be MEME's too) and a constant that the median shift removes.
# A flat column (no variance: MEME's pearson score is 0 against everything) gets only its own
# e-coordinates (e_q for a query column, e_t for a target column), of the same norm, so its score
# is 0 - (1 + sqrt(2)) against every column. The layout is a palindrome and vec(u u^T) reversed is
# vec of the complement's, so memelite's reverse complement of the features (rows and columns
# reversed) is the features of the reverse-complemented motif (A,C,G,T order).
_PEARSON_A = np.sqrt((1.0 + np.sqrt(2.0)) / 2.0)
_PEARSON_B = np.sqrt(0.5)
_PEARSON_E = np.sqrt((1.5 + np.sqrt(2.0)) / 2.0)  # each of the two e-coordinates: together of norm^2 3/2 + sqrt(2)
PEARSON_SCORE_OFFSET = 1.0 + np.sqrt(2.0)  # memelite's column score is r - PEARSON_SCORE_OFFSET


def _pearson_features(ppm: np.ndarray, side: str) -> np.ndarray:
    """memelite input (F, W) whose column scores are MEME's pearson scores minus a constant."""
    ppm = np.asarray(ppm, dtype=np.float64)
    c = ppm - ppm.mean(1, keepdims=True)  # MEME centres at 1/A (pearson_scores); the same for rows summing to 1
    norm = np.linalg.norm(c, axis=1, keepdims=True)
    flat = norm[:, 0] == 0
    u = np.divide(c, norm, out=np.zeros_like(c), where=norm > 0)
    uu = np.einsum("wi,wj->wij", u, u).reshape(len(u), -1)
    e = np.where(flat, _PEARSON_E, 0.0)[:, None]
    zero = np.zeros_like(e)
    e_q, e_t = (e, zero) if side == "query" else (zero, e)
    sign = 1.0 if side == "query" else -1.0
    f = np.concatenate([_PEARSON_A * u, e_q, e_t, sign * _PEARSON_B * uu, e_t, e_q, _PEARSON_A * u], axis=1)
    return np.ascontiguousarray(f.T)


def _memelite_input(ppm: np.ndarray, distance: str, side: str) -> np.ndarray:
    if distance == "pearson":
        return _pearson_features(ppm, side)
    if distance == "euclidean":  # memelite's own score, -sqrt(sum (x - y)^2): MEME's "ed"
        return np.ascontiguousarray(np.asarray(ppm, dtype=np.float64).T)
    raise ValueError(f"distance must be 'pearson' or 'euclidean', not {distance!r}")


def _bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values along the last axis."""
    p = np.asarray(p, dtype=np.float64)
    m = p.shape[-1]
    order = np.argsort(p, axis=-1)
    ranked = np.take_along_axis(p, order, -1) * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(ranked)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), -1)
    return q


# memelite's settings for MEME's arithmetic: no merging of similar target columns (MEME scores every
# column) and a median exact to ~1e-5 of the score range (MEME sorts; memelite bins, 1,000 bins by
# default, which moves the median by up to 1/1000 of the range and some rounded scores by one bin).
MEDIAN_BINS = 100_000


def tomtom(
    queries: "Iterable[Motif] | MemeFile | str",
    targets="JASPAR2016",
    distance: str = "pearson",
    min_overlap: int = 5,
    evalue_threshold: float | None = 0.01,
    qvalue_threshold: float | None = None,
    n_targets_evalue: int | None = None,
    alphabet: str = "ACGT",
    reverse_complement: bool | None = None,
    n_jobs: int = -1,
    null_targets=None,
):
    """Tomtom: every query motif against every target; returns a ``pandas.DataFrame``.

    One row per (query, target) pair passing the thresholds, sorted by query, then as MEME-suite
    Tomtom sorts its matches (tomtom.c ``tomtom_match_compare``: p-value, then longer overlap,
    then ``+`` before ``-``, then target ID), with columns ``query, target_id, target_name,
    offset, overlap, orientation (+/-), p_value, e_value, q_value, query_consensus,
    target_consensus``. ``offset`` and ``overlap`` are MEME's (the query's shift relative to the
    target, and the aligned length). Settings default to those the DanQ authors recorded
    (``-dist pearson -min-overlap 5 -evalue -thresh 0.01``). Pass ``evalue_threshold=None`` to get
    every pair.

    ``queries``/``targets``: lists of :class:`Motif` (PPMs (W, 4) in A,C,G,T or A,C,G,U), a
    :class:`MemeFile`, a MEME path; ``targets`` also a JASPAR release name (CORE vertebrates).
    ``alphabet`` is the motifs' column order (``"ACGT"`` or ``"ACGU"``); targets are also tried
    reverse-complemented (orientation ``-``) for DNA and not for RNA (MEME-suite Tomtom treats
    RNA motifs as single-stranded), unless ``reverse_complement`` says otherwise.

    ``null_targets`` (same forms as ``targets``): further motifs searched but not reported, as
    when MEME is given several databases and only some of their matches are wanted. MEME builds
    each query column's null distribution from the columns of *all* target motifs, so the
    databases searched together change every p-value; their motifs also count in the E-value
    (unless ``n_targets_evalue`` says otherwise).
    """
    import pandas as pd

    from .pwm import consensus

    queries = load_targets(queries)
    targets = load_targets(targets)
    extra = load_targets(null_targets) if null_targets is not None else []
    if not queries or not targets:
        return pd.DataFrame(columns=COLUMNS)
    for m in list(queries) + list(targets) + list(extra):
        if m.ppm.shape[1] != 4:
            raise ValueError(f"motif {m.name}: Tomtom needs 4-letter motifs, got {m.ppm.shape[1]} columns")
    if reverse_complement is None:
        reverse_complement = set(alphabet) == set("ACGT")
    elif reverse_complement and set(alphabet) != set("ACGT") and set(alphabet) != set("ACGU"):
        raise ValueError(f"alphabet {alphabet} has no reverse complement")
    if alphabet not in ("ACGT", "ACGU"):
        raise ValueError(f"Tomtom motifs must be in canonical A,C,G,T or A,C,G,U order, not {alphabet!r}")
    p, overlaps, offsets, strands = _search(queries, list(targets) + list(extra), distance, reverse_complement,
                                            n_jobs)
    p, overlaps, offsets, strands = (a[:, :len(targets)] for a in (p, overlaps, offsets, strands))
    n_evalue = n_targets_evalue or (len(targets) + len(extra))
    e = p * n_evalue
    q = _bh(p)
    keep = overlaps >= min_overlap
    if evalue_threshold is not None:
        keep &= e < evalue_threshold
    if qvalue_threshold is not None:
        keep &= q < qvalue_threshold
    rows = []
    q_cons = [consensus(m.ppm, alphabet) for m in queries]
    t_cons = {}
    for i, j in zip(*np.nonzero(keep)):
        if j not in t_cons:
            t_cons[j] = consensus(targets[j].ppm, alphabet)
        rows.append((queries[i].name, targets[j].name, targets[j].alt or "", int(offsets[i, j]),
                     int(overlaps[i, j]), "-" if strands[i, j] else "+", p[i, j], e[i, j], q[i, j],
                     q_cons[i], t_cons[j]))
    df = pd.DataFrame(rows, columns=COLUMNS)
    order = {m.name: k for k, m in enumerate(queries)}
    df["_q"] = df["query"].map(order)
    df["_ov"] = -df["overlap"]
    df = df.sort_values(["_q", "p_value", "_ov", "orientation", "target_id"], kind="stable")
    return df.drop(columns=["_q", "_ov"]).reset_index(drop=True)


def _search(queries, targets, distance, reverse_complement, n_jobs):
    """memelite on every (query, target): p-values, overlaps, offsets and strands (1 for ``-``),
    arrays (Q, T). Each strand of each target is searched as a target of its own, and the two are
    merged as MEME merges them (tomtom.c): the p-value of a strand's best score is that of the best
    of all alignments on both strands (1 - (1 - p)^2 for memelite's one-strand p), the strand with
    the lower p-value is reported, ties going to the longer overlap, then to ``+``. p-values are
    rounded to single precision, as tomtom.c stores them (``float truncated_pvalue``), so that
    equal scores give equal p-values and ties are broken as MEME breaks them."""
    from memelite import tomtom as _tomtom

    q_arrays = [_memelite_input(m.ppm, distance, "query") for m in queries]
    t_arrays = [_memelite_input(m.ppm, distance, "target") for m in targets]
    n_t = len(t_arrays)
    if reverse_complement:
        t_arrays = t_arrays + [np.ascontiguousarray(a[::-1, ::-1]) for a in t_arrays]
    p1, _, off, ov, _ = _tomtom(q_arrays, t_arrays, n_target_bins=None, n_median_bins=MEDIAN_BINS,
                                reverse_complement=False, n_jobs=n_jobs)[:5]
    p1 = np.clip(p1, 0.0, 1.0)
    off, ov = np.rint(off).astype(int), np.rint(ov).astype(int)
    if not reverse_complement:
        p = p1.astype(np.float32).astype(np.float64)
        return p, ov, off, np.zeros(p.shape, int)
    fwd, rev = slice(0, n_t), slice(n_t, 2 * n_t)
    pf, pr = p1[:, fwd] * (2 - p1[:, fwd]), p1[:, rev] * (2 - p1[:, rev])
    pf, pr = pf.astype(np.float32).astype(np.float64), pr.astype(np.float32).astype(np.float64)
    use_rev = (pr < pf) | ((pr == pf) & (ov[:, rev] > ov[:, fwd]))
    p = np.where(use_rev, pr, pf)
    return p, np.where(use_rev, ov[:, rev], ov[:, fwd]), np.where(use_rev, off[:, rev], off[:, fwd]), \
        use_rev.astype(int)


def best_matches(table):
    """The best (lowest p-value) row per query of a Tomtom table (a DataFrame with the columns
    of :func:`tomtom`), in p-value order. Among equal p-values the table's order decides: for
    :func:`tomtom`'s tables and MEME's ``tomtom.txt`` that is MEME's (longer overlap, ``+``, ID)."""
    if len(table) == 0:
        return table
    return table.sort_values("p_value", kind="stable").groupby("query", sort=False).head(1).reset_index(drop=True)


def match_summary(table, query_names: Sequence[str], ground_truth: "dict[str, Iterable[str]] | None" = None) -> dict:
    """Koo & Eddy Table 1 style summary of a Tomtom table (a DataFrame with the columns of
    :func:`tomtom`) of Q queries (``query_names``).

    * ``match_any``: fraction of the queries (filters) with any hit in ``table``;
    * ``match_ground_truth``: fraction of the queries whose best hit (lowest q-value, then
      p-value) is one of the ground-truth target IDs (``ground_truth``: TF name → its IDs);
    * ``coverage``: fraction of the ground-truth TFs that are the best hit of at least one query.
    """
    n = len(query_names)
    hit = set(table["query"]) if len(table) else set()
    out = {"n_queries": n, "n_match_any": len(hit & set(query_names)),
           "match_any": len(hit & set(query_names)) / n if n else float("nan")}
    if ground_truth is not None:
        id_to_tf = {tid: tf for tf, ids in ground_truth.items() for tid in ids}
        best = table.sort_values(["q_value", "p_value"], kind="stable").groupby("query", sort=False).head(1) \
            if len(table) else table
        best = best[best["query"].isin(set(query_names))] if len(table) else best
        matched = [id_to_tf[t] for t in best["target_id"] if t in id_to_tf] if len(table) else []
        out["n_match_ground_truth"] = len(matched)
        out["match_ground_truth"] = len(matched) / n if n else float("nan")
        out["tfs_covered"] = sorted(set(matched))
        out["coverage"] = len(set(matched)) / len(ground_truth) if ground_truth else float("nan")
    return out


def read_tomtom_table(path: "str | os.PathLike"):
    """Read a MEME-suite ``tomtom.txt`` (tab-separated, header starting ``#Query ID`` or
    ``Query_ID``) into a DataFrame with the column names of :func:`tomtom`."""
    import pandas as pd

    from ..errors import DataFormatError

    try:
        df = pd.read_csv(path, sep="\t", comment=None, dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, EOFError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFormatError(f"file '{path}': not a Tomtom tab-separated table ({first})") from None
    first = df.columns[0].lstrip("#").strip().replace("_", " ")
    if first != "Query ID":
        raise DataFormatError(f"file '{path}': header does not start with 'Query ID' (got {df.columns[0]!r})")
    if df.shape[1] < 10:
        raise DataFormatError(f"file '{path}': {df.shape[1]} columns, a Tomtom table has at least 10")
    df = df[~df.iloc[:, 0].astype(str).str.startswith("#")]
    rename = {df.columns[0]: "query", df.columns[1]: "target_id", df.columns[2]: "offset", df.columns[3]: "p_value",
              df.columns[4]: "e_value", df.columns[5]: "q_value", df.columns[6]: "overlap",
              df.columns[7]: "query_consensus", df.columns[8]: "target_consensus", df.columns[9]: "orientation"}
    df = df.rename(columns=rename)
    df = df.reset_index(drop=True)
    for c, kind in (("p_value", float), ("e_value", float), ("q_value", float), ("offset", int), ("overlap", int)):
        try:
            df[c] = df[c].astype(kind)
        except (ValueError, TypeError):
            bad = next(i for i, v in enumerate(df[c]) if not _parses(v, kind))
            raise DataFormatError(f"file '{path}', data row {bad + 1}: {c} {df[c][bad]!r} is not "
                                  f"{'a number' if kind is float else 'an integer'}") from None
        if kind is float and not np.isfinite(df[c].to_numpy()).all():
            bad = int(np.flatnonzero(~np.isfinite(df[c].to_numpy()))[0])
            raise DataFormatError(f"file '{path}', data row {bad + 1}: {c} {df[c][bad]!r} is not a finite number")
    return df


def _parses(value, kind) -> bool:
    try:
        kind(value)
        return True
    except (ValueError, TypeError):
        return False
