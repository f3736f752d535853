"""The one motif pipeline: filters → PPMs → MEME → (trimming) → Tomtom → matches → (logos).

:func:`analyse_filters` runs a :class:`~keras_motifs.interpret.protocol.MotifProtocol` on a model
and its data (or on PPMs already made): ``keras-motifs motifs`` and every paper's motif analysis
(``keras_motifs.papers``: DanQ, iDeepS, Deepprune, Koo & Eddy) call it with their protocol, and
add only their own file names and report formats.

Steps, each set by the protocol:

1. alignment — :func:`~keras_motifs.interpret.filter_motifs` on ``protocol.layer`` with the
   protocol's rule, window, alphabet and minimum sites (skipped when ``motifs=`` is given);
2. MEME — the motifs (every filter, or those with enough sites), canonical alphabet, uniform or
   input-letter background; written once, atomically;
3. trimming — flanks under ``trim_bits`` bits clipped, ``trim_pad`` kept (Koo & Eddy);
4. Tomtom — :func:`~keras_motifs.interpret.tomtom` of the (trimmed) motifs against the targets;
   a hit is a pair whose ``threshold_on`` value (E, p or q) is below ``threshold``; the table
   written holds the hits, or every pair (``all_pairs``);
5. matches — how many motifs have a hit, each motif's best hit (ranked by ``best_by``) and, with
   ground-truth target IDs, how many motifs match one and how many ground-truth motifs are
   recovered, by the protocol's rule (``any`` hit or the ``best`` hit);
6. logos — optional: a grid, or one logo per motif (+ beside its best match) and a grid.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .alignment import FilterMotifs, conv_geometry, filter_motifs, window_geometry
from .meme import MemeFile, Motif, _default_strands, write_meme
from .protocol import MotifProtocol, get_protocol
from .pwm import canonical_alphabet, trim

# Output files of the pipeline (``keras-motifs motifs``' names); a call passes its own names,
# None leaves a file out.
DEFAULT_FILES = {
    "meme": "filters.meme",  # every analysed motif (MEME minimal v4)
    "trimmed_meme": "filters_trimmed.meme",  # the same, flanks clipped
    "tomtom": "tomtom.tsv",  # Tomtom hits (or every pair)
    "logo_grid": "logo_grid.png",  # all logos in one image
    "logos": "logos",  # folder: one logo per motif, <motif>_match.png beside its best hit
}

# Target sets by name, beside JASPAR release names (pyjaspar): files of the shared data folder.
SHARED_TARGETS = {
    "Ray2013": ("motifs", "Ray2013_rbp_RNA.meme"),  # Ray et al. 2013 RNAcompete motifs (iDeepS Fig. 3)
}


@dataclass
class MotifAnalysis:
    """What :func:`analyse_filters` found. Matrices are in the canonical ``alphabet`` (A,C,G,T /
    A,C,G,U / F,T,I,H,M,S): each motif's ``ppm`` is (W, A)."""

    protocol: MotifProtocol
    alphabet: str  # canonical letters of the motifs
    filters: FilterMotifs | None  # the alignment (None when PPMs were given)
    motifs: list[Motif]  # the analysed motifs, in MEME file order
    meme: MemeFile
    trimmed: list[Motif] | None  # clipped motifs (when trimmed or written)
    queries: list[Motif]  # the motifs Tomtom compared
    table: Any = None  # pandas.DataFrame as written: the hits, or every pair (all_pairs); None: no Tomtom
    hits: Any = None  # pandas.DataFrame of the pairs passing the threshold
    targets: list[Motif] | None = None
    summary: dict = field(default_factory=dict)  # see match_hits; "tomtom": why skipped, if it was
    files: list[str] = field(default_factory=list)  # written, relative to out_dir
    timings_s: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.motifs]


def resolve_targets(targets):
    """A target set name → what :func:`~keras_motifs.interpret.load_targets` reads: the shared
    file of a :data:`SHARED_TARGETS` name (e.g. ``Ray2013``), else ``targets`` unchanged (a
    JASPAR release name, a MEME path, motifs)."""
    if isinstance(targets, str) and targets in SHARED_TARGETS:
        from ..paths import shared_data_dir

        return str(shared_data_dir(*SHARED_TARGETS[targets]))
    return targets


def match_hits(hits, query_names: Sequence[str], match: str = "any", best_by: Sequence[str] = ("p_value",),
               ground_truth: "Mapping[str, Sequence[str]] | None" = None) -> dict:
    """Match counts of a Tomtom table of hits (rows already cut at the threshold): ``hits`` is a
    ``pandas.DataFrame`` with the columns of :func:`~keras_motifs.interpret.tomtom` (one row per
    (query, target) pair), ``query_names`` the Q motifs compared.

    * ``n_queries``, ``n_match_any``, ``match_any`` — motifs with any hit;
    * ``best`` — each motif's best hit (lowest ``best_by`` columns, ties in table order), in that
      order: ``{query: {target_id, target_name, p_value, e_value, q_value, offset, overlap,
      orientation}}``;
    * with ``ground_truth`` (name → target IDs): ``n_match_ground_truth``/``match_ground_truth``
      — motifs matching a ground-truth motif; ``tfs_covered``/``n_covered``/``coverage`` — the
      ground-truth names matched by at least one motif. ``match="best"``: only a motif's best hit
      counts (Koo & Eddy Table 1); ``"any"``: any of its hits.
    """
    names = list(query_names)
    wanted = set(names)
    n = len(names)
    empty = hits is None or len(hits) == 0
    rows = hits if empty else hits[hits["query"].isin(wanted)]
    hit = set() if empty else set(rows["query"])
    out: dict = {"n_queries": n, "n_match_any": len(hit), "match_any": len(hit) / n if n else float("nan")}
    best = rows if empty else rows.sort_values(list(best_by), kind="stable").groupby("query", sort=False).head(1)
    out["best"] = {} if empty else {
        r.query: {"target_id": r.target_id, "target_name": r.target_name, "p_value": float(r.p_value),
                  "e_value": float(r.e_value), "q_value": float(r.q_value), "offset": int(r.offset),
                  "overlap": int(r.overlap), "orientation": r.orientation}
        for r in best.itertuples()}
    if ground_truth is not None:
        id_to = {str(tid): name for name, ids in ground_truth.items() for tid in ids}
        if match == "best":
            matched = [] if empty else [id_to[t] for t in best["target_id"] if t in id_to]
            covered = set(matched)
            n_gt = len(matched)
        elif match == "any":
            pairs = [] if empty else [(q, id_to[t]) for q, t in zip(rows["query"], rows["target_id"]) if t in id_to]
            covered = {name for _, name in pairs}
            n_gt = len({q for q, _ in pairs})
        else:
            raise ValueError(f"match must be 'any' or 'best', not {match!r}")
        out["n_match_ground_truth"] = n_gt
        out["match_ground_truth"] = n_gt / n if n else float("nan")
        out["tfs_covered"] = sorted(covered)
        out["n_covered"] = len(covered)
        out["coverage"] = len(covered) / len(ground_truth) if ground_truth else float("nan")
    return out


def write_table(path: "str | os.PathLike", df, float_format: str | None = "%.6g") -> None:
    """A pandas DataFrame as a tab-separated file, atomically (``float_format`` None: full
    precision)."""
    from ..io import atomic_open

    with atomic_open(path, "w") as fh:
        df.to_csv(fh, sep="\t", index=False, float_format=float_format)


def _input_letter_frequencies(model, data, layer, window, batch_size, max_sequences) -> np.ndarray:
    """Letter frequencies (+1 pseudocount per letter) of the input the filters read, in the
    model's channel order: (A,)."""
    from .batches import input_batches

    index = conv_geometry(model, layer).input_index if window is None else window_geometry(model, layer, window).input_index
    counts = None
    for inputs in input_batches(data, model, batch_size=batch_size, max_samples=max_sequences):
        x = np.asarray(inputs[index], dtype=np.float64)
        c = x.reshape(-1, x.shape[-1]).sum(0)
        counts = c if counts is None else counts + c
    counts = counts + 1.0
    return counts / counts.sum()


def align_filters(model, data, protocol: "MotifProtocol | Mapping | str | None" = None, *,
                  name_prefix: str = "filter", batch_size: int = 64, max_sequences: int | None = None,
                  log: Callable[[str], None] | None = None) -> FilterMotifs:
    """Step 1 of :func:`analyse_filters`: :func:`~keras_motifs.interpret.filter_motifs` with the
    protocol's layer, rule, window, alphabet and minimum sites over one-hot ``data`` (N, L, A);
    PPMs (F, W, A) in the canonical alphabet, filters named ``<name_prefix><index>``."""
    protocol = get_protocol(protocol)
    if protocol.alphabet is None:
        raise ValueError("the protocol has no alphabet: give the model's channel order (e.g. ACGT, AGCT)")
    fm = filter_motifs(model, data, layer=protocol.layer, rule=protocol.rule, alphabet=protocol.alphabet,
                       batch_size=batch_size, max_sequences=max_sequences, min_sites=protocol.min_sites,
                       window=protocol.window)
    fm.filter_names = [f"{name_prefix}{i}" for i in range(len(fm.ppm))]
    if log is not None:
        log(f"{len(fm.ppm)} filters of layer {fm.layer!r} aligned over {fm.n_sequences} sequences "
            f"(rule {fm.rule}); {int(fm.enough_sites.sum())} with >= {fm.min_sites} sites")
    return fm


def input_index(model, protocol: "MotifProtocol | Mapping | str | None" = None) -> int:
    """Which model input the protocol's layer reads its windows from."""
    protocol = get_protocol(protocol)
    if protocol.window is None:
        return conv_geometry(model, protocol.layer).input_index
    return window_geometry(model, protocol.layer, protocol.window).input_index


def analyse_filters(
    model,
    data,
    protocol: "MotifProtocol | Mapping | str | None" = None,
    out_dir: "str | os.PathLike | None" = None,
    *,
    motifs: "FilterMotifs | np.ndarray | None" = None,
    targets=None,
    ground_truth: "Mapping[str, Sequence[str]] | None" = None,
    background: "np.ndarray | None" = None,
    files: "Mapping[str, str | None] | None" = None,
    name_prefix: str = "filter",
    batch_size: int = 64,
    max_sequences: int | None = None,
    logos: "bool | str" = False,
    grid_columns: int = 10,
    table_float_format: str | None = "%.6g",
    log: Callable[[str], None] | None = None,
) -> MotifAnalysis:
    """Run a motif protocol: filters → MEME → Tomtom → match counts (→ logos); see the module
    docstring.

    Args:
      model: a Keras model with the protocol's layer (None when ``motifs`` is given).
      data: its inputs, one-hot (N, L, A) in the model's channel order — an array, a list of
        arrays (one per model input), a ``tf.data.Dataset`` or a callable
        (:mod:`keras_motifs.interpret.batches`).
      protocol: a :class:`MotifProtocol`, its dict, a registered name (``"koo_eddy"``, ``"danq"``,
        a preset name) or None (``keras-motifs motifs``' own).
      out_dir: where ``files`` are written (None: nothing is written).
      motifs: skip the alignment: a :class:`FilterMotifs`, or PPMs (F, W, A) in the canonical
        order of ``protocol.alphabet``.
      targets: Tomtom targets instead of ``protocol.targets`` (motifs, a MEME path, a name); a
        protocol or call without targets skips Tomtom.
      ground_truth: name → target IDs instead of ``protocol.ground_truth``.
      background: MEME background (A,) in the canonical order, instead of the protocol's.
      files: output file names by kind (keys of :data:`DEFAULT_FILES`; missing or None: not written).
      name_prefix: motifs are named ``<name_prefix><filter index>``.
      batch_size, max_sequences: of the alignment's forward passes.
      logos: False; ``"grid"`` (one image of all logos); True (one logo per motif, beside its best
        hit when it has one, and the grid).
      table_float_format: of the Tomtom table (None: full precision).
      log: called with progress lines.

    Returns a :class:`MotifAnalysis`.
    """
    protocol = get_protocol(protocol)
    names = dict(DEFAULT_FILES if files is None else files)
    out = Path(out_dir) if out_dir is not None else None
    say = log or (lambda msg: None)
    timings: dict = {}
    written: list[str] = []

    def path(kind):
        name = names.get(kind)
        return None if out is None or not name else out / name

    target_spec = resolve_targets(protocol.targets if targets is None else targets)
    preloaded = None
    if target_spec is not None and isinstance(target_spec, (str, os.PathLike, MemeFile)):
        from .tomtom import load_targets

        # a bad MEME file, a misspelt JASPAR release or an empty target set fails here, before any output
        preloaded = load_targets(target_spec)

    # 1. alignment
    t0 = time.perf_counter()
    fm = None
    if motifs is None:
        fm = align_filters(model, data, protocol, name_prefix=name_prefix, batch_size=batch_size,
                           max_sequences=max_sequences, log=log)
        timings["filter_motifs"] = round(time.perf_counter() - t0, 3)
    elif isinstance(motifs, FilterMotifs):
        fm = motifs
    if fm is not None:
        canon = fm.alphabet.letters
        analysed = fm.motifs(include_all=protocol.all_filters)
    else:
        ppms = np.asarray(motifs, dtype=np.float64)
        if ppms.ndim != 3:
            raise ValueError(f"motifs must be PPMs of shape (F, W, A), got {ppms.shape}")
        canon = canonical_alphabet(protocol.alphabet or "ACGT").letters
        analysed = [Motif(f"{name_prefix}{i}", p) for i, p in enumerate(ppms)]

    # 2. MEME
    if background is None and protocol.background == "letter_frequencies" and fm is not None and model is not None:
        from .pwm import reorder

        background = reorder(_input_letter_frequencies(model, data, protocol.layer, protocol.window, batch_size,
                                                       max_sequences), protocol.alphabet, canon)
    meme = MemeFile(analysed, alphabet=canon, strands=_default_strands(canon), background=background,
                    background_source="from uniform background" if background is None else "from the input sequences")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    if path("meme") is not None:
        write_meme(path("meme"), meme)
        written.append(names["meme"])

    # 3. trimming
    trimmed = None
    if protocol.trim or path("trimmed_meme") is not None:
        trimmed = []
        for m in analysed:
            t, start, end = trim(m.ppm, threshold=protocol.trim_bits, pad=protocol.trim_pad)
            if protocol.meme_style == "koo_eddy":  # the code's MEME writer: nsites = width, no alt
                trimmed.append(Motif(m.name, t, nsites=len(t)))
            else:
                trimmed.append(Motif(m.name, t, alt=f"trim{start}-{end}", nsites=m.nsites))
        if path("trimmed_meme") is not None:
            write_meme(path("trimmed_meme"), MemeFile(trimmed, alphabet=meme.alphabet, strands=meme.strands,
                                                      background=meme.background,
                                                      background_source=meme.background_source))
            written.append(names["trimmed_meme"])
    queries = trimmed if protocol.trim else analysed

    # 4. Tomtom, 5. matches
    result = MotifAnalysis(protocol=protocol, alphabet=canon, filters=fm, motifs=analysed, meme=meme,
                           trimmed=trimmed, queries=queries, files=written, timings_s=timings)
    gt = protocol.ground_truth_ids if ground_truth is None else {k: list(v) for k, v in ground_truth.items()}
    if target_spec is None:
        result.summary = {"tomtom": "skipped: no targets"}
    elif not queries:
        result.summary = {"tomtom": "skipped: no motifs"}
    elif len(canon) != 4:
        result.summary = {"tomtom": "skipped: Tomtom needs 4-letter motifs"}
    else:
        from .tomtom import load_targets, tomtom

        t0 = time.perf_counter()
        target_list = preloaded if preloaded is not None else load_targets(target_spec)
        pairs = tomtom(queries, target_list, distance=protocol.distance, min_overlap=protocol.min_overlap,
                       evalue_threshold=None, alphabet=canon)
        hits = pairs[pairs[protocol.threshold_on] < protocol.threshold].reset_index(drop=True)
        table = pairs if protocol.all_pairs else hits
        if path("tomtom") is not None:
            write_table(path("tomtom"), table, table_float_format)
            written.append(names["tomtom"])
        timings["tomtom"] = round(time.perf_counter() - t0, 3)
        result.table, result.hits, result.targets = table, hits, target_list
        result.summary = match_hits(hits, [m.name for m in queries], protocol.match, protocol.best_by, gt)
        result.summary["n_targets"] = len(target_list)
        say(f"Tomtom: {result.summary['n_match_any']} of {len(queries)} filters match {len(target_list)} targets at "
            f"{protocol.threshold_on[0].upper()} < {protocol.threshold:g}")

    # 6. logos
    if logos and analysed and out is not None:
        t0 = time.perf_counter()
        _draw_logos(result, out, names, logos, grid_columns)
        timings["logos"] = round(time.perf_counter() - t0, 3)
    return result


def _draw_logos(result: MotifAnalysis, out: Path, names: dict, logos, grid_columns: int) -> None:
    from .logos import save_logo, save_logo_grid, save_logo_with_match

    letters = result.alphabet
    grid = out / names["logo_grid"] if names.get("logo_grid") else None
    if logos == "grid":
        if grid is not None:
            save_logo_grid(grid, result.motifs, letters, ncols=grid_columns)
            result.files.append(names["logo_grid"])
        return
    folder = out / (names.get("logos") or DEFAULT_FILES["logos"])
    folder.mkdir(exist_ok=True)
    targets = {m.name: m for m in (result.targets or [])}
    best = result.summary.get("best", {})
    queries = {m.name: m for m in result.queries}
    pngs = []
    for m in result.motifs:
        pngs.append(save_logo(folder / f"{m.name}.png", m.ppm, letters, title=m.name))
        b = best.get(m.name)
        if b is not None and b["target_id"] in targets:
            save_logo_with_match(folder / f"{m.name}_match.png", queries[m.name], targets[b["target_id"]],
                                 offset=b["offset"], orientation=b["orientation"], alphabet=letters,
                                 title=f"{m.name} ~ {b['target_id']} {b['target_name']} (E = {b['e_value']:.2g})")
    if grid is not None:
        save_logo_grid(grid, result.motifs, letters, ncols=grid_columns, pngs=pngs)
        result.files.append(names["logo_grid"])
    result.files.append(folder.name + "/")
