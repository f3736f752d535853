"""A slow, plain-numpy Tomtom with MEME-suite's arithmetic, for tests (not collected).

Written from the description of MEME-suite ``src/tomtom.c`` (complete scores, the default):
``pearson_scores`` (Pearson r of two columns, 0 for a flat column), ``shift_all_pairwise_scores``
(each query column's scores minus the mean of the order statistics floor(N/2) and ceil(N/2) of its
N scores against every target column, both strands), ``pssm.c scale_score_matrix`` (offset
``floor(min)``, scale ``floor(100 / (max - offset))``, rounded), ``get_pv_lookup_new`` (the score
distribution of every span of query columns, each column's scores drawn uniformly from the N
target columns), ``compare_motifs`` (the best alignment of at least ``min_overlap`` columns; ties to
the longer overlap) and ``calc_shifted_scores_pvalues_per_query`` (the p-value of that score under
the distribution of the best of all alignments, both strands, of a target of that length, stored
in single precision). Returns, per target, the best strand's p-value, overlap and strand.
"""

from __future__ import annotations

import math

import numpy as np


def pearson_scores(query: np.ndarray, target: np.ndarray) -> np.ndarray:
    qc, tc = query - 0.25, target - 0.25
    num = qc @ tc.T
    den = np.sqrt(np.outer((qc ** 2).sum(1), (tc ** 2).sum(1)))
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


def _rc(m: np.ndarray) -> np.ndarray:
    return m[::-1, ::-1]


def meme_tomtom(query: np.ndarray, targets: list, min_overlap: int = 5, bins: int = 100):
    """(p-values, overlaps, strands (1 for -)) of one query PPM (W, 4) against target PPMs."""
    strands = [m for t in targets for m in (t, _rc(t))]
    lens = np.array([len(t) for t in strands])
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    n_cols = int(lens.sum())
    w = len(query)
    s = pearson_scores(query, np.concatenate(strands))
    srt = np.sort(s, axis=1)
    i1 = max(int(math.floor(0.5 * n_cols)) - 1, 0)
    i2 = max(int(math.ceil(0.5 * n_cols)) - 1, i1)
    s = s - ((srt[:, i1] + srt[:, i2]) / 2.0)[:, None]
    small, large = s.min(), s.max()
    if large == small:
        small = large - 1
    small = math.floor(small)
    scale = math.floor(bins / (large - small))
    si = np.floor((s - small) * scale + 0.5).astype(np.int64)
    hist = np.zeros((w, bins + 1))
    for c in range(w):
        np.add.at(hist[c], si[c], 1.0 / n_cols)
    size = w * bins + 1
    off = small * scale  # an integer
    ext_len = int(math.ceil(size - (w - 1) * off))
    ext = {}
    for start in range(w - 1, -1, -1):
        pmf = np.zeros(size)
        pmf[0] = 1
        for end in range(start, w):
            pmf = np.convolve(pmf, hist[end])[:size]
            shift = int(np.rint(off * (w - 1 - (end - start))))
            a = np.zeros(ext_len)
            idx = np.arange(size) - shift
            ok = (idx >= 0) & (idx < ext_len)
            a[idx[ok]] = pmf[ok]
            ext[start, end] = a
    survival = {}
    for length in set(lens.tolist()):
        best = np.zeros(ext_len)
        best[0] = 1.0
        for i in range(w + length - 1):
            first = w - i - 1 if i < w else 0
            last = min(w, first + length) - 1 if i < w else min(w, length + w - i - 1) - 1
            cur = ext[first, last]
            cdf_cur = np.cumsum(cur)
            for _strand in range(2):
                cdf_old = np.cumsum(best)
                new = np.empty_like(best)
                new[0] = cur[0] * best[0]
                new[1:] = cur[1:] * cdf_old[:-1] + best[1:] * cdf_cur[:-1] + cur[1:] * best[1:]
                best = new
        survival[length] = np.cumsum(best[::-1])[::-1]
    out = {}
    for j, (t0, length) in enumerate(zip(starts, lens)):
        mo = min(min_overlap, w, length) if min_overlap > 1 else 1
        best_key, best_overlap = None, -1
        for conf in range(mo, w + length - mo + 1):
            qc, tc = (w - conf, 0) if conf <= w else (0, conf - w)
            n = min(w - qc, length - tc)
            key = int(np.rint(si[np.arange(qc, qc + n), t0 + np.arange(tc, tc + n)].sum() + n * off))
            if best_key is None or key > best_key or (key == best_key and n > best_overlap):
                best_key, best_overlap = key, n
        score = best_key - int(np.rint(w * off))
        sv = survival[length]
        p = float(np.float32(sv[score])) if 0 <= score < len(sv) else float(score < 0)
        sort_key = (p, -best_overlap, j % 2)
        if j // 2 not in out or sort_key < out[j // 2][0]:
            out[j // 2] = (sort_key, p, best_overlap, j % 2)
    n_t = len(targets)
    return (np.array([out[i][1] for i in range(n_t)]), np.array([out[i][2] for i in range(n_t)]),
            np.array([out[i][3] for i in range(n_t)]))
