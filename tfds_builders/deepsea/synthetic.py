"""The ``deepsea/synthetic`` recipe: DeepSEA-shaped data with planted JASPAR motifs.

Same shapes and layout as the real DeepSEA bundle — 1,000-bp sequences in A,G,C,T channel order,
919 binary targets in three groups (125 "DNase", 690 "TF", 104 "Histone", in that order), each
split holding the forward sequences followed by their reverse complements in the same order —
but generated locally in seconds, so that DanQ can be trained and evaluated end to end without
the 4.4 GB download.

Recipe 2.0.0 (the ``deepsea/synthetic`` configs since deepsea 2.0.0; deterministic from ``seed``;
its knobs are :data:`RECIPES` ``["2.0.0"]``, a :class:`Recipe`):
  1. Motifs: 8 JASPAR 2016 CORE vertebrate matrices of TFs profiled by ENCODE, each carrying at
     least 17 bits (:data:`HIGH_INFORMATION_MOTIF_IDS`: CTCF, REST, SPI1, ZNF143, NFKB1, RFX5, SRF,
     ESR1; from ``pyjaspar``, offline), as probability matrices.
  2. Sequences: i.i.d. uniform background. As DeepSEA's labels, which describe the central 200 bp
     of each 1,000-bp window, only the centre counts: each motif is present in the central 400 bp
     with probability 0.3, planted 2 times there (each copy in its own 21-bp slot at a random
     offset and strand, sampled letter by letter from PPM**3, close to the consensus); independently,
     each motif is planted 3 times in the flanks (the outer 2 x 300 bp) with probability 0.5 —
     decoys no label sees, as binding sites outside a peak's centre are in real data.
  3. Targets (a fixed "target spec" drawn from ``seed``, shared by all splits):
       TF t (690):      motif t mod 8 present in the centre, detected with sensitivity s ~ U(.9, .99),
                        plus false positives at rate f ~ U(.002, .01); a quarter of them (co-binding)
                        need a second, random motif in the centre as well
       DNase d (125):   either of 2 random motifs present in the centre, s ~ U(.7, .95), f ~ U(.01, .05)
       Histone h (104): one random motif present without a second, s ~ U(.7, .95), f ~ U(.01, .05)
  4. Reverse complements: the second half of each split is the reverse complement of the
     first half (A<->T, C<->G, reversed), with identical labels.

Why this design (docs/RESULTS.md, "Designs of the synthetic set"): the decoys outnumber the labelled
instances, so motif counts over the whole window — what a k-mer model sees — tell a labelled
sequence from an unlabelled one only partly (the paper's k-mer logistic regression: validation ROC
AUC 0.738 after 1,200 steps), while a model that reads positions (DanQ's dense layer over its 75
BLSTM steps) can tell the centre from the flanks; and high-information motifs are learnt within a
CPU budget (with recipe 1.0.0's RUNX1, 10 bits, DanQ had not learnt it after 1,000 steps).

Recipe 1.0.0 (deepsea 1.0.0; ``RECIPES["1.0.0"]``, the defaults of :class:`Recipe`): the 8 matrices
of :data:`MOTIF_IDS` (CTCF, REST, Gata1, RUNX1, SPI1, CEBPB, FOXA1, HNF4A), each present anywhere
in the sequence with probability 0.5, 2 copies in 40-bp slots, no decoys; TF s ~ U(.75, .98),
f ~ U(.01, .05), no co-binding. Every instance counted wherever it was, which a k-mer model reads
almost directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# 8 distinct, well-characterised vertebrate motifs (JASPAR 2016 CORE matrix IDs): CTCF, REST,
# Gata1, RUNX1, SPI1, CEBPB, FOXA1, HNF4A.
MOTIF_IDS = ("MA0139.1", "MA0138.2", "MA0035.3", "MA0002.2", "MA0080.4", "MA0466.1", "MA0148.3", "MA0114.2")
# 8 ENCODE-profiled TFs whose JASPAR 2016 matrices carry >= 17 bits and do not resemble each other:
# CTCF, REST, SPI1, ZNF143, NFKB1, RFX5, SRF, ESR1 (a design knob, Recipe.motifs).
HIGH_INFORMATION_MOTIF_IDS = ("MA0139.1", "MA0138.2", "MA0080.4", "MA0088.2", "MA0105.4", "MA0510.2", "MA0083.3",
                              "MA0112.3")
JASPAR_RELEASE = "JASPAR2016"
RECIPE_VERSION = "2.0.0"  # the deepsea builder version whose synthetic configs this recipe generates (RECIPES)
GROUP_SIZES = (("DNase", 125), ("TF", 690), ("Histone", 104))
N_TARGETS = 919
SLOT = 40
SHARPEN = 3.0  # instances are sampled from PPM**SHARPEN (renormalised): close to the consensus
COPIES = 2  # each chosen motif is planted this many times (in distinct slots)
P_PRESENT = 0.5  # each motif is present in a sequence with this probability, independently
ACGT_TO_AGCT = np.array([0, 2, 1, 3], dtype=np.uint8)  # index in ACGT order -> index in AGCT order

TF_SENSITIVITY = (0.75, 0.98)  # TF targets: detection probability of a present motif, U(low, high)
TF_FALSE_POSITIVE = (0.01, 0.05)  # TF targets: false-positive rate, U(low, high)


@dataclass(frozen=True)
class Recipe:
    """The knobs of the recipe. The defaults are recipe 1.0.0's; :data:`RECIPES` names the released
    ones (the ``deepsea/synthetic`` configs use ``RECIPES[RECIPE_VERSION]``); other values are for
    exploring designs, e.g. ``reproductions/danq_early_steps.py --copies``."""

    copies: int = COPIES
    p_present: float = P_PRESENT
    slot: int = SLOT
    tf_sensitivity: tuple = TF_SENSITIVITY
    tf_false_positive: tuple = TF_FALSE_POSITIVE
    # "uniform": instances anywhere, every one counts (recipe 1.0.0). "central": as DeepSEA's labels,
    # only instances in the central ``center`` bp count; the flanks hold decoy instances of the same
    # motifs (each motif with probability ``p_flank``) that no label sees, and a fraction
    # ``cobinding`` of the TF targets need a partner motif in the centre as well.
    layout: str = "uniform"
    center: int = 200
    p_flank: float = 0.0
    cobinding: float = 0.0
    # Realism knobs: ``sharpen`` is the exponent of the PPM that instances are sampled from (1 = the
    # JASPAR matrix itself, as real sites vary; 3 = close to the consensus, recipe 1.0.0);
    # ``gc_sd`` > 0 draws each sequence's GC fraction from N(0.5, gc_sd) clipped to [0.3, 0.7] (real
    # regulatory DNA varies in GC content from region to region) instead of a uniform background.
    sharpen: float = SHARPEN
    gc_sd: float = 0.0
    flank_copies: int = 0  # layout central: copies of a decoy motif in the flanks (0: ``copies``)
    motifs: tuple = MOTIF_IDS  # the JASPAR matrix IDs planted (8 of them: the TF targets cycle over them)

    def is_default(self) -> bool:
        """Recipe 1.0.0's knobs (the dataclass defaults)."""
        return self == Recipe()


RECIPES = {
    "1.0.0": Recipe(),
    "2.0.0": Recipe(layout="central", center=400, slot=21, copies=2, p_present=0.3, p_flank=0.5, flank_copies=3,
                    tf_sensitivity=(0.9, 0.99), tf_false_positive=(0.002, 0.01), cobinding=0.25,
                    motifs=HIGH_INFORMATION_MOTIF_IDS),
}


def default_recipe() -> "Recipe":
    """The recipe of the ``deepsea/synthetic`` configs (``RECIPES[RECIPE_VERSION]``)."""
    return RECIPES[RECIPE_VERSION]


_PWM_CACHE: dict = {}


def load_motifs(ids=MOTIF_IDS, release: str = JASPAR_RELEASE) -> list[tuple[str, str, np.ndarray]]:
    """(matrix id, name, PPM (w, 4) in A,C,G,T order) for each id, from pyjaspar (offline)."""
    key = (tuple(ids), release)
    if key not in _PWM_CACHE:
        from pyjaspar import jaspardb

        db = jaspardb(release=release)
        out = []
        for mid in ids:
            m = db.fetch_motif_by_id(mid)
            if m is None:
                raise LookupError(f"{mid} not found in pyjaspar release {release}")
            counts = np.array([m.counts[b] for b in "ACGT"], dtype=np.float64).T
            out.append((mid, m.name, counts / counts.sum(1, keepdims=True)))
        _PWM_CACHE[key] = out
    return _PWM_CACHE[key]


@dataclass
class TargetSpec:
    names: list
    groups: list
    kind: np.ndarray  # 0 TF, 1 DNase, 2 Histone
    motif_sets: np.ndarray  # (T, 4) motif indices, -1 padded
    sensitivity: np.ndarray
    false_positive: np.ndarray


def target_spec(seed: int, n_motifs: int | None = None, recipe: "Recipe | None" = None) -> TargetSpec:
    """The 919 target definitions, drawn once from ``seed`` and shared by every split
    (``recipe``: default the configs' :func:`default_recipe`)."""
    recipe = recipe or default_recipe()
    rng = np.random.default_rng([seed, 919])
    motifs = load_motifs(recipe.motifs)
    n_motifs = n_motifs or len(motifs)
    names, groups, kinds = [], [], []
    sets = np.full((N_TARGETS, 4), -1, dtype=np.int64)
    sens = np.empty(N_TARGETS)
    fp = np.empty(N_TARGETS)
    t = 0
    for group, n in GROUP_SIZES:
        for j in range(n):
            if group == "TF":
                m = j % n_motifs
                sets[t, 0] = m
                sens[t], fp[t] = rng.uniform(*recipe.tf_sensitivity), rng.uniform(*recipe.tf_false_positive)
                name = f"synthetic_TF_{motifs[m][1]}_{j // n_motifs:02d}"
                if recipe.cobinding and rng.random() < recipe.cobinding:  # needs a partner too (co-binding)
                    sets[t, 1] = (m + 1 + rng.integers(n_motifs - 1)) % n_motifs
                    name += f"_with_{motifs[sets[t, 1]][1]}"
                names.append(name)
                kinds.append(0)
            elif group == "DNase":
                sets[t, :2] = rng.choice(n_motifs, 2, replace=False)
                sens[t], fp[t] = rng.uniform(0.7, 0.95), rng.uniform(0.01, 0.05)
                names.append(f"synthetic_DNase_{j:03d}")
                kinds.append(1)
            else:
                sets[t, :2] = rng.choice(n_motifs, 2, replace=False)
                sens[t], fp[t] = rng.uniform(0.7, 0.95), rng.uniform(0.01, 0.05)
                names.append(f"synthetic_Histone_{j:03d}")
                kinds.append(2)
            groups.append(group)
            t += 1
    return TargetSpec(names, groups, np.array(kinds), sets, sens, fp)


def reverse_complement_agct(indices: np.ndarray) -> np.ndarray:
    """Reverse complement of base indices in A,G,C,T order (A=0,G=1,C=2,T=3,N=4)."""
    comp = np.array([3, 2, 1, 0, 4], dtype=np.uint8)
    return comp[indices][..., ::-1]


def _plant(row, motifs, chosen, slot_starts, slot, rng, sharpen: float = SHARPEN) -> list:
    """Plant one instance of each motif in ``chosen`` into ``row`` (ACGT indices), each in its own
    slot (of those starting at ``slot_starts``), at a random offset and strand."""
    slots = rng.choice(len(slot_starts), len(chosen), replace=False)
    inst = []
    for m, k in zip(chosen, slots):
        ppm = motifs[m][2] ** sharpen
        ppm = ppm / ppm.sum(1, keepdims=True)
        w = ppm.shape[0]
        u = rng.random(w)[:, None]
        letters = (u > np.cumsum(ppm, axis=1)).sum(1).astype(np.uint8)
        letters = np.minimum(letters, 3)
        strand = "+" if rng.random() < 0.5 else "-"
        if strand == "-":
            letters = (3 - letters)[::-1]
        begin = int(slot_starts[k]) + int(rng.integers(0, slot - w + 1))
        row[begin : begin + w] = letters
        inst.append((int(m), begin, strand))
    return inst


def slot_layout(recipe: "Recipe", length: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Start positions of the slots whose instances count (the labelled ones) and of the decoy slots.
    ``uniform``: every slot counts, none is a decoy; ``central``: the slots inside the central
    ``center`` bp count, the slots wholly outside it are decoys."""
    slot = recipe.slot
    if recipe.layout == "uniform":
        return np.arange(length // slot) * slot, np.zeros(0, dtype=np.int64)
    if recipe.layout != "central":
        raise ValueError(f"layout must be 'uniform' or 'central', not {recipe.layout!r}")
    if not slot <= recipe.center <= length:
        raise ValueError(f"center ({recipe.center} bp) must lie between the slot width ({slot}) and the length ({length})")
    lo = (length - recipe.center) // 2
    inner = lo + np.arange(recipe.center // slot) * slot
    n_side = lo // slot
    left = np.arange(n_side) * slot
    right = lo + recipe.center + np.arange((length - lo - recipe.center) // slot) * slot
    return inner, np.concatenate([left, right])


def generate(n_forward: int, seed: int, split_seed: int, length: int = 1000, recipe: "Recipe | None" = None):
    """Generate one split.

    Returns ``(sequences, labels, planted)``: ``sequences`` uint8 (2n, length) base indices in
    A,G,C,T order (forward half, then reverse complements), ``labels`` uint8 (2n, 919), and
    ``planted`` a list (per forward sequence) of (motif index, start, strand) tuples of the
    instances the labels see (layout ``central``: in the centre; the decoys are not listed).
    ``recipe``: default the configs' :func:`default_recipe`; other knobs for exploring designs.
    """
    recipe = recipe or default_recipe()
    SLOT, COPIES, P_PRESENT = recipe.slot, recipe.copies, recipe.p_present  # noqa: N806 (the module's defaults, overridden)
    if length < SLOT:
        raise ValueError(f"length must be at least {SLOT}")
    motifs = load_motifs(recipe.motifs)
    if max(m[2].shape[0] for m in motifs) > SLOT:
        raise ValueError(f"slots of {SLOT} bp are narrower than the widest motif ({max(m[2].shape[0] for m in motifs)} bp)")
    spec = target_spec(seed, recipe=recipe)
    rng = np.random.default_rng([seed, split_seed])
    inner, decoys = slot_layout(recipe, length)
    if len(motifs) * COPIES > len(inner):
        raise ValueError(f"{len(motifs)} motifs x {COPIES} copies do not fit {len(inner)} slots of {SLOT} bp")
    flank_copies = recipe.flank_copies or COPIES
    if recipe.p_flank and len(motifs) * flank_copies > len(decoys):
        raise ValueError(f"{len(motifs)} motifs x {flank_copies} decoy copies do not fit {len(decoys)} flank slots of {SLOT} bp")
    seqs = rng.integers(0, 4, size=(n_forward, length), dtype=np.uint8)  # ACGT indices
    if recipe.gc_sd:  # a GC fraction per sequence: P(C) = P(G) = gc / 2, P(A) = P(T) = (1 - gc) / 2
        gc = np.clip(rng.normal(0.5, recipe.gc_sd, size=(n_forward, 1)), 0.3, 0.7)
        u = rng.random((n_forward, length))
        seqs = np.where(u < gc, np.where(u < gc / 2, 1, 2), np.where(u < gc + (1 - gc) / 2, 0, 3)).astype(np.uint8)
    present = rng.random((n_forward, len(motifs))) < P_PRESENT
    decoy = rng.random((n_forward, len(motifs))) < recipe.p_flank if recipe.p_flank else None
    planted = []
    for i in range(n_forward):
        planted.append(_plant(seqs[i], motifs, np.repeat(np.flatnonzero(present[i]), COPIES), inner, SLOT, rng,
                              recipe.sharpen))
        if decoy is not None:
            _plant(seqs[i], motifs, np.repeat(np.flatnonzero(decoy[i]), flank_copies), decoys, SLOT, rng, recipe.sharpen)
    # Labels.
    sets = spec.motif_sets
    kind = spec.kind
    signal = np.zeros((n_forward, N_TARGETS), dtype=bool)
    a = present[:, np.maximum(sets[:, 0], 0)]
    b = present[:, np.maximum(sets[:, 1], 0)]
    pair = sets[:, 1] >= 0
    signal[:, kind == 0] = (a & (b | ~pair))[:, kind == 0]  # TF: its motif (and its partner, if it has one)
    signal[:, kind == 1] = (a | b)[:, kind == 1]  # DNase: either of two motifs
    signal[:, kind == 2] = (a & ~b)[:, kind == 2]  # Histone: one motif without the other
    detect = rng.random((n_forward, N_TARGETS)) < spec.sensitivity
    false_pos = rng.random((n_forward, N_TARGETS)) < spec.false_positive
    labels = ((signal & detect) | false_pos).astype(np.uint8)
    fwd = ACGT_TO_AGCT[seqs]
    sequences = np.concatenate([fwd, reverse_complement_agct(fwd)], axis=0)
    return sequences, np.concatenate([labels, labels], axis=0), planted
