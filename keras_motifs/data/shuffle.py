"""Dinucleotide-preserving shuffles (Altschul & Erickson 1985), deterministic from a seed, of
strings and of one-hot arrays.

DeepBind's ENCODE negatives are "shuffled positive sequences with matching dinucleotide
composition" (Alipanahi et al. 2015; the supplementary ``doublet_shuffle``), and attribution
baselines are dinucleotide-shuffled copies of the explained sequence
(:mod:`keras_motifs.interpret.attribution`). The algorithm:

1. Treat the sequence as an Eulerian path in the multigraph whose vertices are letters and whose
   edges are the n - 1 consecutive pairs.
2. For every vertex except the last letter, pick one of its out-edges at random as its "last
   exit"; accept the choice only if the last exits form a tree pointing to the last letter
   (every vertex reaches it by following last exits), else draw again.
3. Randomly order each vertex's other out-edges and put the last exit at the end.
4. Walk from the first letter, always taking the next unused out-edge.

The result has exactly the same dinucleotide (and letter) counts and the same first and last
letters, and every such sequence is equally likely (Kandel et al. 1996). Any letters work (N
included); case is kept as given. A one-hot sequence is shuffled as the sequence of its rows:
each distinct row (a letter, an all-zero or 0.25 N row) is one "letter", so the result holds
exactly the rows of the input, with the same counts of consecutive row pairs.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence

import numpy as np


def _as_rng(rng) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _shuffle_tokens(seq: Sequence[Hashable], rng: np.random.Generator) -> list:
    """One dinucleotide-preserving shuffle of a sequence of hashable tokens (len > 2)."""
    n = len(seq)
    first, last = seq[0], seq[-1]
    edges: dict = {}
    for a, b in itertools.pairwise(seq):
        edges.setdefault(a, []).append(b)
    vertices = list(edges)
    while True:
        # random last exit (index into the vertex's edge list) for every vertex but the last letter
        last_exit = {v: int(rng.integers(len(edges[v]))) for v in vertices if v != last}
        if _is_tree(last_exit, edges, last):
            break
    order: dict = {}
    for v in vertices:
        out = list(edges[v])
        if v != last:
            exit_letter = out.pop(last_exit[v])
        perm = rng.permutation(len(out))
        out = [out[i] for i in perm]
        if v != last:
            out.append(exit_letter)
        order[v] = out
    pos = {v: 0 for v in vertices}
    result = [first]
    current = first
    for _ in range(n - 1):
        nxt = order[current][pos[current]]
        pos[current] += 1
        result.append(nxt)
        current = nxt
    return result


def _is_tree(last_exit: dict, edges: dict, last) -> bool:
    """Whether following last exits from every vertex reaches ``last`` (no cycle)."""
    for start in last_exit:
        seen = set()
        v = start
        while v != last:
            if v in seen:
                return False
            seen.add(v)
            v = edges[v][last_exit[v]]
    return True


def dinucleotide_shuffle(seq: str, rng: np.random.Generator | int | None = None) -> str:
    """One dinucleotide-preserving shuffle of ``seq`` (see the module docstring)."""
    if len(seq) <= 2:
        return seq
    return "".join(_shuffle_tokens(seq, _as_rng(rng)))


def dinucleotide_shuffles(sequences: Sequence[str], seed: int, stream: int = 0) -> list[str]:
    """Shuffle each sequence with its own generator seeded by ``(seed, stream, index)``.

    Sequence ``i`` always gets the same shuffle for the same ``seed``/``stream``, whatever the
    other sequences or their order of processing; ``stream`` gives independent extra draws.
    """
    return [
        dinucleotide_shuffle(s, np.random.default_rng([seed, stream, i])) for i, s in enumerate(sequences)
    ]


def dinucleotide_counts(seq: str) -> dict[str, int]:
    """Counts of the n - 1 overlapping dinucleotides of ``seq``."""
    counts: dict[str, int] = {}
    for i in range(len(seq) - 1):
        counts[seq[i : i + 2]] = counts.get(seq[i : i + 2], 0) + 1
    return counts


def dinucleotide_shuffle_one_hot(x: np.ndarray, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """One dinucleotide-preserving shuffle of a one-hot sequence ``x`` (L, A): its rows reordered
    (see the module docstring); the dtype is kept."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"a one-hot sequence is (L, A); got shape {x.shape}")
    if len(x) <= 2:
        return x.copy()
    rows, tokens = np.unique(x, axis=0, return_inverse=True)
    shuffled = _shuffle_tokens(tokens.reshape(-1).tolist(), _as_rng(rng))
    return rows[np.asarray(shuffled)]


def dinucleotide_shuffles_one_hot(x: np.ndarray, n_shuffles: int, seed: int = 0, first_index: int = 0) -> np.ndarray:
    """``n_shuffles`` shuffles of each one-hot sequence of ``x`` (N, L, A) → (N, n_shuffles, L, A).

    Shuffle ``k`` of sequence ``i`` comes from a generator seeded by ``(seed, first_index + i, k)``:
    the same whatever the other sequences or the batch size (``first_index``: the index of
    ``x[0]`` in the whole data, when ``x`` is one batch of it).
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"one-hot sequences are (N, L, A); got shape {x.shape}")
    if int(n_shuffles) < 1:
        raise ValueError(f"n_shuffles must be at least 1, got {n_shuffles}")
    out = np.empty((len(x), int(n_shuffles)) + x.shape[1:], dtype=x.dtype)
    for i in range(len(x)):
        for k in range(int(n_shuffles)):
            out[i, k] = dinucleotide_shuffle_one_hot(x[i], np.random.default_rng([seed, first_index + i, k]))
    return out


def dinucleotide_counts_one_hot(x: np.ndarray) -> dict[tuple, int]:
    """Counts of the L - 1 overlapping pairs of rows of a one-hot sequence (L, A), keyed by the
    pair of rows (as tuples)."""
    x = np.asarray(x)
    counts: dict[tuple, int] = {}
    for a, b in itertools.pairwise(x):
        key = (tuple(a.tolist()), tuple(b.tolist()))
        counts[key] = counts.get(key, 0) + 1
    return counts


__all__ = [
    "dinucleotide_counts",
    "dinucleotide_counts_one_hot",
    "dinucleotide_shuffle",
    "dinucleotide_shuffle_one_hot",
    "dinucleotide_shuffles",
    "dinucleotide_shuffles_one_hot",
]
