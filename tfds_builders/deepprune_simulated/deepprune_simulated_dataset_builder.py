"""deepprune_simulated: the five simulated data sets of Deepprune (Luo, Chi & Deng 2019).

Recipe (paper, "Simulated Datasets"): DNA sequences of i.i.d. uniform bases; half of them are
positives, each with one motif instance inserted at a random position; the motif of each
positive is chosen uniformly from the set's motifs (sets 1-3: one of two motifs, set 4: one of
four, set 5: one of eight); train and test have the same size.

The paper sampled TRANSFAC motifs, which are not public; we use JASPAR CORE 2016 vertebrate
motifs from ``pyjaspar`` (listed in :data:`MOTIFS` and the README, with the reason for each
choice). Each instance is sampled column by column from the motif's position frequency matrix
(counts / column total). Sequence length 101 (the paper's "101 bp" with ``d = 4`` kernels of 24);
the insert start is uniform over all positions where the motif fits. The paper does not give
the number of sequences: we use 5,000 train + 5,000 test by default (configurable).
Generation is deterministic given the config's ``seed``.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds

from keras_motifs.data import indices_to_one_hot

JASPAR_RELEASE = "JASPAR2016"
# set -> JASPAR 2016 matrix IDs (name, length, information content in bits in the comments)
MOTIFS: dict[str, tuple[str, ...]] = {
    # two low-information motifs: hard to classify ("information entropy in the true model")
    "set1": ("MA0002.2", "MA0090.2"),  # RUNX1 11 bp 10.4 bits; TEAD1 10 bp 9.5 bits
    # two distinct, informative motifs
    "set2": ("MA0139.1", "MA0035.3"),  # CTCF 19 bp 17.2 bits; Gata1 11 bp 13.6 bits
    # one long and one short motif (the paper's set 3 has a short motif that 4 baseline
    # kernels failed to match)
    "set3": ("MA0138.2", "MA0161.1"),  # REST 21 bp 23.1 bits; NFIC 6 bp 7.0 bits
    # four distinct families
    "set4": ("MA0139.1", "MA0035.3", "MA0080.4", "MA0148.3"),  # CTCF, Gata1, SPI1 14 bp, FOXA1 15 bp
    # eight: set 4 plus four more families (twice the final 4 kernels)
    "set5": (
        "MA0139.1", "MA0035.3", "MA0080.4", "MA0148.3",
        "MA0083.3", "MA0466.2", "MA0143.3", "MA0052.3",  # SRF 16 bp, CEBPB 10 bp, Sox2 8 bp, MEF2A 12 bp
    ),
}


def planted_motifs(set_name: str) -> list[tuple[str, str, np.ndarray]]:
    """``[(matrix_id, name, frequencies (L, 4) in A, C, G, T order), ...]`` of a set."""
    from pyjaspar import jaspardb

    if set_name not in MOTIFS:
        raise KeyError(f"unknown simulated set {set_name!r}; choose from {sorted(MOTIFS)}")
    db = jaspardb(release=JASPAR_RELEASE)
    out = []
    for mid in MOTIFS[set_name]:
        m = db.fetch_motif_by_id(mid)
        counts = np.array([m.counts[b] for b in "ACGT"], dtype=np.float64).T  # (L, 4)
        out.append((mid, m.name, counts / counts.sum(1, keepdims=True)))
    return out


def generate(motifs: list[np.ndarray], n: int, length: int, rng: np.random.Generator):
    """Simulate ``n`` sequences: exactly ``n // 2`` positives (shuffled order).

    Returns (indices uint8 (n, length) in A, C, G, T codes, labels (n,), motif index (n,) with -1
    for negatives, insert start (n,) with -1 for negatives).
    """
    idx = rng.integers(0, 4, size=(n, length), dtype=np.uint8)
    labels = np.zeros(n, dtype=np.int64)
    labels[: n // 2] = 1
    rng.shuffle(labels)
    which = np.full(n, -1, dtype=np.int64)
    start = np.full(n, -1, dtype=np.int64)
    for i in np.flatnonzero(labels):
        k = int(rng.integers(len(motifs)))
        pfm = motifs[k]
        w = pfm.shape[0]
        if w > length:
            raise ValueError(f"motif {k} ({w} bp) is longer than the sequences ({length} bp)")
        s = int(rng.integers(0, length - w + 1))
        cum = np.cumsum(pfm, axis=1)
        u = rng.random(w)[:, None]
        idx[i, s : s + w] = np.minimum((u > cum).sum(1), 3)
        which[i], start[i] = k, s
    return idx, labels, which, start


class SimConfig(tfds.core.BuilderConfig):
    def __init__(self, *, name: str, motif_set: str | None = None, num_train: int = 5000,
                 num_test: int = 5000, sequence_length: int = 101, seed: int = 2019, **kwargs):
        motif_set = motif_set or name
        super().__init__(
            name=name,
            description=f"Deepprune simulated {motif_set}: JASPAR 2016 {', '.join(MOTIFS[motif_set])}",
            **kwargs,
        )
        self.motif_set = motif_set
        self.num_train = num_train
        self.num_test = num_test
        self.sequence_length = sequence_length
        self.seed = seed


class Builder(tfds.core.GeneratorBasedBuilder):
    """Deepprune's simulated sets 1-5 (101 bp, uniform background, JASPAR 2016 motifs planted)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [SimConfig(name=f"set{k}", seed=2019 + k) for k in range(1, 6)]

    def _info(self) -> tfds.core.DatasetInfo:
        cfg = self.builder_config
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Tensor(shape=(cfg.sequence_length, 4), dtype=np.uint8),
                    "label": tfds.features.ClassLabel(names=["background", "motif"]),
                    "motif_index": np.int64,
                    "motif_start": np.int64,
                }
            ),
            supervised_keys=("sequence", "label"),
            homepage="https://github.com/klovbe/Deepprune",
        )

    def _split_generators(self, dl_manager):
        cfg = self.builder_config
        motifs = [pfm for _, _, pfm in planted_motifs(cfg.motif_set)]
        rng = np.random.default_rng(cfg.seed)
        n = cfg.num_train + cfg.num_test
        idx, y, which, start = generate(motifs, n, cfg.sequence_length, rng)
        x = indices_to_one_hot(idx, 4, dtype=np.uint8)
        parts = {"train": slice(0, cfg.num_train), "test": slice(cfg.num_train, n)}
        return {s: self._generate_examples(x[p], y[p], which[p], start[p]) for s, p in parts.items()}

    def _generate_examples(self, x, y, which, start):
        for i in range(len(y)):
            yield i, {"sequence": x[i], "label": int(y[i]), "motif_index": int(which[i]),
                      "motif_start": int(start[i])}
