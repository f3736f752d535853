"""Compare motifs with known motifs: Tomtom through ``memelite`` (no MEME-suite binary), JASPAR
through ``pyjaspar`` (offline, bundled SQLite releases), summary metrics as the papers use them.

``memelite.tomtom`` compiles with numba on its first call (~45 s on a 2-core machine); numba
caches the compiled code in the package folder, or in ``$NUMBA_CACHE_DIR`` when set — set it
to a persistent, writable folder in CI or on read-only installs.

Differences from MEME-suite Tomtom (what the papers ran):
  * memelite scores columns by Euclidean distance ("complete" scores). ``distance="pearson"``
    (the papers' ``-dist pearson``) is emulated by giving memelite centred, unit-norm columns:
    the Euclidean distance between two such columns is ``sqrt(2 − 2r)``, a monotone function of
    their Pearson correlation r, so per-column rankings match Pearson's, but column scores are
    summed on that scale rather than on r itself. p-values therefore differ somewhat from MEME's.
  * ``min_overlap`` is applied after the search: a best alignment shorter than it is dropped
    (MEME instead keeps the best alignment among those long enough).
  * E-value = p-value × number of target motifs (MEME's definition); pass ``n_targets_evalue``
    to use another database size (e.g. the 1,748 motifs of the three databases DanQ searched
    together). q-values are Benjamini–Hochberg over each query's p-values against all targets.
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


def _column_transform(ppm: np.ndarray, distance: str) -> np.ndarray:
    if distance == "euclidean":
        return ppm
    if distance == "pearson":
        c = ppm - ppm.mean(1, keepdims=True)
        norm = np.linalg.norm(c, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(norm > 0, c / norm, 0.0)
        return out
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
):
    """Tomtom: every query motif against every target; returns a ``pandas.DataFrame``.

    One row per (query, target) pair passing the thresholds, sorted by query then p-value, with
    columns ``query, target_id, target_name, offset, overlap, orientation (+/-), p_value,
    e_value, q_value, query_consensus, target_consensus``. ``offset`` and ``overlap`` are
    memelite's (the shift of the query relative to the target, and the aligned length).
    Settings default to those the DanQ authors recorded (``-dist pearson -min-overlap 5
    -evalue -thresh 0.01``). Pass ``evalue_threshold=None`` to get every pair.

    ``queries``/``targets``: lists of :class:`Motif` (PPMs (W, 4) in A,C,G,T or A,C,G,U), a
    :class:`MemeFile`, a MEME path; ``targets`` also a JASPAR release name (CORE vertebrates).
    ``alphabet`` is the motifs' column order (``"ACGT"`` or ``"ACGU"``); targets are also tried
    reverse-complemented (orientation ``-``) for DNA and not for RNA (MEME-suite Tomtom treats
    RNA motifs as single-stranded), unless ``reverse_complement`` says otherwise.
    """
    import pandas as pd
    from memelite import tomtom as _tomtom

    from .pwm import consensus

    queries = load_targets(queries)
    targets = load_targets(targets)
    if not queries or not targets:
        return pd.DataFrame(columns=COLUMNS)
    for m in list(queries) + list(targets):
        if m.ppm.shape[1] != 4:
            raise ValueError(f"motif {m.name}: Tomtom needs 4-letter motifs, got {m.ppm.shape[1]} columns")
    q_arrays = [np.ascontiguousarray(_column_transform(m.ppm, distance).T) for m in queries]
    t_arrays = [np.ascontiguousarray(_column_transform(m.ppm, distance).T) for m in targets]
    # a motif with no information at all (every column flat, all-zero after the Pearson
    # transform) matches nothing; memelite refuses all-zero motifs, so leave them out
    q_ok = [i for i, a in enumerate(q_arrays) if np.abs(a).max() > 0]
    t_ok = [j for j, a in enumerate(t_arrays) if np.abs(a).max() > 0]
    if not q_ok or not t_ok:
        return pd.DataFrame(columns=COLUMNS)
    shape = (len(queries), len(targets))
    p = np.ones(shape)
    offsets, overlaps, strands = np.zeros(shape, int), np.zeros(shape, int), np.zeros(shape, int)
    if reverse_complement is None:
        reverse_complement = set(alphabet) == set("ACGT")
    elif reverse_complement and set(alphabet) != set("ACGT") and set(alphabet) != set("ACGU"):
        raise ValueError(f"alphabet {alphabet} has no reverse complement")
    if alphabet not in ("ACGT", "ACGU"):
        raise ValueError(f"Tomtom motifs must be in canonical A,C,G,T or A,C,G,U order, not {alphabet!r}")
    res = _tomtom([q_arrays[i] for i in q_ok], [t_arrays[j] for j in t_ok], n_jobs=n_jobs,
                  reverse_complement=reverse_complement)
    grid = np.ix_(q_ok, t_ok)
    p[grid], offsets[grid], overlaps[grid], strands[grid] = res[0], res[2], res[3], res[4]
    n_evalue = n_targets_evalue or len(targets)
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
    df = df.sort_values(["query", "p_value"], key=lambda s: s.map(order) if s.name == "query" else s,
                        kind="stable").reset_index(drop=True)
    return df


def best_matches(table):
    """The best (lowest p-value) row per query of a Tomtom table (a DataFrame with the columns
    of :func:`tomtom`), in p-value order."""
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
