"""Dinucleotide-preserving shuffles (Altschul & Erickson 1985), deterministic from a seed.

DeepBind's ENCODE negatives are "shuffled positive sequences with matching dinucleotide
composition" (Alipanahi et al. 2015; the supplementary ``doublet_shuffle``). The algorithm:

1. Treat the sequence as an Eulerian path in the multigraph whose vertices are letters and whose
   edges are the n - 1 consecutive pairs.
2. For every vertex except the last letter, pick one of its out-edges at random as its "last
   exit"; accept the choice only if the last exits form a tree pointing to the last letter
   (every vertex reaches it by following last exits), else draw again.
3. Randomly order each vertex's other out-edges and put the last exit at the end.
4. Walk from the first letter, always taking the next unused out-edge.

The result has exactly the same dinucleotide (and letter) counts and the same first and last
letters, and every such sequence is equally likely (Kandel et al. 1996). Any letters work (N
included); case is kept as given.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def dinucleotide_shuffle(seq: str, rng: "np.random.Generator | int | None" = None) -> str:
    """One dinucleotide-preserving shuffle of ``seq`` (see the module docstring)."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    n = len(seq)
    if n <= 2:
        return seq
    first, last = seq[0], seq[-1]
    edges: dict[str, list[str]] = {}
    for a, b in zip(seq[:-1], seq[1:]):
        edges.setdefault(a, []).append(b)
    vertices = list(edges)
    while True:
        # random last exit (index into the vertex's edge list) for every vertex but the last letter
        last_exit = {v: int(rng.integers(len(edges[v]))) for v in vertices if v != last}
        if _is_tree(last_exit, edges, last):
            break
    order: dict[str, list[str]] = {}
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
    return "".join(result)


def _is_tree(last_exit: dict[str, int], edges: dict[str, list[str]], last: str) -> bool:
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
