"""Sequence logos with ``logomaker``: one filter, a grid of filters, a filter above its best
Tomtom match. Heights are information content (bits) by default; DNA, RNA and the iDeepS
structure alphabet (F,T,I,H,M,S) are supported.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state, no backend switch) and
written atomically as PNG.
"""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

from ..data import get_alphabet
from ..io import atomic_path
from .pwm import ic_heights, reverse_complement

# colours: DNA/RNA as in the classic logo; structure contexts in six distinct colours
_COLORS = {
    "A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839", "U": "#D62839",
    "F": "#8c564b", "I": "#9467bd", "H": "#17becf", "M": "#e377c2", "S": "#7f7f7f",
}
_STRUCTURE_COLORS = {"F": "#8c564b", "T": "#bcbd22", "I": "#9467bd", "H": "#17becf", "M": "#e377c2", "S": "#7f7f7f"}


def _colors(letters: str) -> dict:
    if set(letters) == set("FTIHMS"):
        return {a: _STRUCTURE_COLORS[a] for a in letters}
    return {a: _COLORS.get(a, "#333333") for a in letters}


def draw_logo(df, ax, **kwargs):
    """``logomaker.Logo(df, ax=ax, **kwargs)`` without its warning on an all-zero logo.

    A logo whose letters all have height 0 (a filter that never fires or a uniform PPM, drawn in
    bits; a sequence with no importance) makes logomaker set equal y limits and warn "Attempting to
    set identical low and high ylims makes transformation singular"; matplotlib widens them itself
    and every caller here sets its own limits afterwards, so the warning says nothing to a user."""
    import warnings

    import logomaker

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Attempting to set identical low and high ylims")
        return logomaker.Logo(df, ax=ax, **kwargs)


def logo_dataframe(ppm: np.ndarray, alphabet: str = "ACGT", heights: str = "ic", background=None):
    """A ``pandas.DataFrame`` (W positions × A letters) of the letter heights of a PPM (W, A):
    ``"ic"`` (p × information content, bits) or ``"probability"``."""
    import pandas as pd

    alpha = get_alphabet(alphabet)
    ppm = np.asarray(ppm, dtype=np.float64)
    if ppm.shape[-1] != len(alpha):
        raise ValueError(f"matrix has {ppm.shape[-1]} columns, alphabet {alpha.letters} has {len(alpha)} letters")
    if heights == "ic":
        values = ic_heights(ppm, background)
    elif heights == "probability":
        values = ppm
    else:
        raise ValueError(f"heights must be 'ic' or 'probability', not {heights!r}")
    return pd.DataFrame(values, columns=list(alpha.letters))


def plot_logo(ax, ppm: np.ndarray, alphabet: str = "ACGT", title: str | None = None, heights: str = "ic",
              first_index: int = 0, background=None):
    """Draw the logo of a PPM (W, A) on a matplotlib axis; returns the ``logomaker.Logo``."""
    alpha = get_alphabet(alphabet)
    df = logo_dataframe(ppm, alpha.letters, heights, background)
    df.index = np.arange(first_index, first_index + len(df))
    logo = draw_logo(df, ax, color_scheme=_colors(alpha.letters), show_spines=False)
    ymax = math.log2(len(alpha)) if heights == "ic" else 1.0
    ax.set_ylim(0, ymax)
    ax.set_ylabel("bits" if heights == "ic" else "probability", fontsize=8)
    ax.tick_params(labelsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return logo


def _save(fig, path, tight: bool = True) -> None:
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=fig.dpi, bbox_inches="tight" if tight else None)


def render_logo(ppm: np.ndarray, alphabet: str = "ACGT", title: str | None = None, heights: str = "ic",
                dpi: int = 100, width: float | None = None) -> bytes:
    """One logo rendered as PNG bytes (fixed figure size: logos of equal width tile exactly)."""
    import io

    from matplotlib.figure import Figure

    width = width or max(2.0, 0.3 * len(ppm) + 0.8)
    fig = Figure(figsize=(width, 1.8), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1)
    plot_logo(ax, ppm, alphabet, title, heights)
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.15, top=0.85)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def save_logo(path: "str | os.PathLike", ppm: np.ndarray, alphabet: str = "ACGT", title: str | None = None,
              heights: str = "ic", dpi: int = 100) -> bytes:
    """The logo of a PPM (W, A) as a PNG (atomically); returns the PNG bytes (reusable by
    :func:`save_logo_grid`)."""
    png = render_logo(ppm, alphabet, title, heights, dpi)
    with atomic_path(path, suffix=".png") as tmp:
        tmp.write_bytes(png)
    return png


def tile_pngs(path: "str | os.PathLike", pngs: Sequence[bytes], ncols: int = 8) -> None:
    """Tile PNG images (e.g. from :func:`render_logo`) into one grid PNG, row by row."""
    import io

    import matplotlib.image as mpimg

    if not pngs:
        raise ValueError("no images to tile")
    images = [mpimg.imread(io.BytesIO(b), format="png") for b in pngs]
    images = [im if im.shape[-1] == 4 else np.dstack([im, np.ones(im.shape[:2])]) for im in images]
    h = max(im.shape[0] for im in images)
    w = max(im.shape[1] for im in images)
    ncols = max(1, min(ncols, len(images)))
    nrows = math.ceil(len(images) / ncols)
    grid = np.ones((nrows * h, ncols * w, 4), dtype=np.float32)
    for i, im in enumerate(images):
        r, c = divmod(i, ncols)
        grid[r * h : r * h + im.shape[0], c * w : c * w + im.shape[1]] = im
    with atomic_path(path, suffix=".png") as tmp:
        mpimg.imsave(tmp, grid, format="png")


def save_logo_grid(path: "str | os.PathLike", motifs: Sequence, alphabet: str = "ACGT", ncols: int = 8,
                   titles: Sequence[str] | None = None, heights: str = "ic", dpi: int = 60,
                   pngs: Sequence[bytes] | None = None) -> None:
    """All motifs of a model in one image, ``ncols`` logos per row. ``motifs``: :class:`Motif`
    objects or (W, A) matrices. Each logo is drawn once with logomaker and the images are tiled;
    pass ``pngs`` (from :func:`save_logo`) to reuse logos already drawn."""
    if pngs is None:
        mats = [getattr(m, "ppm", m) for m in motifs]
        if not mats:
            raise ValueError("no motifs to draw")
        if titles is None:
            titles = [getattr(m, "name", f"filter{i}") for i, m in enumerate(motifs)]
        width = max(2.0, 0.3 * max(len(m) for m in mats) + 0.8)
        pngs = [render_logo(m, alphabet, t, heights, dpi, width) for m, t in zip(mats, titles)]
    tile_pngs(path, pngs, ncols)


def save_logo_with_match(path: "str | os.PathLike", query, target, offset: int = 0, orientation: str = "+",
                         alphabet: str = "ACGT", heights: str = "ic", dpi: int = 100,
                         title: str | None = None) -> None:
    """A filter's logo (bottom) aligned under its Tomtom match (top), as in DanQ Fig. 4a;
    ``query``/``target`` are :class:`Motif` objects with PPMs (W, A) in ``alphabet`` order.

    ``offset``/``orientation`` as in :func:`keras_motifs.interpret.tomtom.tomtom`: the match is
    reverse-complemented for ``"-"``, and ``offset`` is the column of the (oriented) target
    aligned with the query's first column.
    """
    from matplotlib.figure import Figure

    t_ppm = target.ppm if orientation == "+" else reverse_complement(target.ppm, alphabet)
    q_ppm = query.ppm
    lo = min(0, -offset)
    hi = max(len(q_ppm), len(t_ppm) - offset)
    fig = Figure(figsize=(max(3.0, 0.3 * (hi - lo) + 1), 3.4), dpi=dpi)
    ax_t = fig.add_subplot(2, 1, 1)
    ax_q = fig.add_subplot(2, 1, 2, sharex=ax_t)
    t_name = f"{target.name} {target.alt or ''}".strip() + (" (reverse complement)" if orientation == "-" else "")
    plot_logo(ax_t, t_ppm, alphabet, title=t_name, heights=heights, first_index=-offset)
    plot_logo(ax_q, q_ppm, alphabet, title=query.name, heights=heights, first_index=0)
    ax_t.set_xlim(lo - 0.5, hi - 0.5)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def save_attribution_logo(path: "str | os.PathLike", heights: np.ndarray, alphabet: str = "ACGT",
                          region: "tuple[int, int] | None" = None, title: str | None = None, dpi: int = 100,
                          ylabel: str = "attribution") -> None:
    """The attribution logo of one sequence as a PNG (atomically): letter heights (L, A) in the
    model's channel order ``alphabet`` — "attribution × one-hot", one signed value per position at
    its letter (:func:`keras_motifs.interpret.attribution.contributions`); letters below zero are
    drawn upside down under the axis. Columns are shown in canonical order (A,C,G,T for DNA).
    ``region=(start, end)`` draws only those positions (0-based, end excluded; the axis keeps
    the sequence's positions)."""
    import pandas as pd
    from matplotlib.figure import Figure

    from .pwm import canonical_alphabet, reorder

    alpha = get_alphabet(alphabet)
    heights = np.asarray(heights, dtype=np.float64)
    if heights.ndim != 2 or heights.shape[1] != len(alpha):
        raise ValueError(f"heights must be (L, {len(alpha)}) for alphabet {alpha.letters}, got shape {heights.shape}")
    if not np.isfinite(heights).all():
        raise ValueError("heights hold NaN or infinity")
    canon = canonical_alphabet(alpha)
    heights = reorder(heights, alpha, canon)
    start, end = region if region is not None else (0, len(heights))
    if not 0 <= start < end <= len(heights):
        raise ValueError(f"region {region} is outside the sequence (length {len(heights)})")
    heights = heights[start:end]
    length = end - start
    fig = Figure(figsize=(min(40.0, max(4.0, 0.16 * length + 1.5)), 1.9), dpi=dpi)
    ax = fig.add_subplot(1, 1, 1)
    df = pd.DataFrame(heights, columns=list(canon.letters), index=np.arange(start, end))
    draw_logo(df, ax, color_scheme=_colors(canon.letters), show_spines=False)
    ax.axhline(0, color="#999999", linewidth=0.5)
    ax.set_ylabel(ylabel, fontsize=7)
    ax.set_xlabel("position", fontsize=7)
    ax.tick_params(labelsize=6)
    if title:
        ax.set_title(title, fontsize=9)
    _save(fig, path)
