"""A small worked example of your own data: a genome of a few chromosomes with a motif planted at
peak centres, and the BED of those peaks (the README's "Your own data" section and the tests).

    python -m tfds_builders.labelled_sequences.example OUT_DIR [--chromosomes 4] [--length 40000]
        [--peaks 80] [--seed 0]

writes ``OUT_DIR/genome.fa`` (chromosomes ``chr1``... of random sequence, 42 % GC, 60 bp per
line) and ``OUT_DIR/peaks.bed`` (BED6: each peak 150-250 bp, its centre within 10 bp of a planted
instance of the motif, on a random strand; the strand column says which) and ``OUT_DIR/sites.bed``
(BED6: the planted instances, named after their peaks; the truth an attribution should find). The motif is the
consensus of JASPAR MA0139.1 (CTCF), ``TGGCCACCAGGGGGCGCTA``, each base mutated with probability
``--mutation`` (default 0.1) at each instance.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

MOTIF = "TGGCCACCAGGGGGCGCTA"  # JASPAR MA0139.1 (CTCF) consensus
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def make_example(out_dir, chromosomes: int = 4, length: int = 40_000, peaks: int = 80, seed: int = 0,
                 mutation: float = 0.1, motif: str = MOTIF) -> dict:
    """Write ``genome.fa``, ``peaks.bed`` and ``sites.bed`` in ``out_dir``; returns their paths
    (keys ``genome``, ``bed``, ``sites``)."""
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    letters = np.array(list("ACGT"))
    probs = [0.29, 0.21, 0.21, 0.29]
    records, bed, sites = [], [], []
    spacing = length // peaks
    if spacing < 400:
        raise ValueError(f"{peaks} peaks do not fit on {length} bp (at least 400 bp each)")
    for c in range(1, chromosomes + 1):
        seq = letters[rng.choice(4, size=length, p=probs)]
        for p in range(peaks):
            centre = p * spacing + spacing // 2 + int(rng.integers(-spacing // 8, spacing // 8 + 1))
            site = "".join(b if rng.random() >= mutation else "ACGT"[rng.integers(4)] for b in motif)
            strand = "+" if rng.random() < 0.5 else "-"
            if strand == "-":
                site = site.translate(_COMPLEMENT)[::-1]
            start = centre - len(site) // 2
            seq[start : start + len(site)] = list(site)
            width = int(rng.integers(150, 251))
            peak_centre = centre + int(rng.integers(-10, 11))
            s = peak_centre - width // 2
            bed.append(f"chr{c}\t{s}\t{s + width}\tpeak_{c}_{p}\t{int(rng.integers(100, 1000))}\t{strand}\n")
            sites.append(f"chr{c}\t{start}\t{start + len(site)}\tpeak_{c}_{p}\t0\t{strand}\n")
        text = "".join(seq)
        records.append(f">chr{c}\n" + "\n".join(text[i : i + 60] for i in range(0, length, 60)) + "\n")
    paths = {"genome": os.path.join(out_dir, "genome.fa"), "bed": os.path.join(out_dir, "peaks.bed"),
             "sites": os.path.join(out_dir, "sites.bed")}
    with open(paths["genome"], "w") as fh:
        fh.write("".join(records))
    with open(paths["bed"], "w") as fh:
        fh.write("".join(bed))
    with open(paths["sites"], "w") as fh:
        fh.write("".join(sites))
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--chromosomes", type=int, default=4)
    parser.add_argument("--length", type=int, default=40_000)
    parser.add_argument("--peaks", type=int, default=80, help="peaks per chromosome")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mutation", type=float, default=0.1)
    args = parser.parse_args(argv)
    paths = make_example(args.out_dir, args.chromosomes, args.length, args.peaks, args.seed, args.mutation)
    print(f"wrote {paths['genome']}, {paths['bed']} and {paths['sites']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
