"""DanQ-JASPAR filter initialisation from JASPAR 2016 CORE vertebrate motifs.

Recipe of the original uci-cbcl/DanQ ``DanQ-JASPAR_train.py`` (motifs from the repository's
``JASPAR_CORE_2016_vertebrates.npy``):
  * the 519 JASPAR 2016 CORE vertebrate PWMs, in matrix-ID order (MA0002.2 RUNX1 first), plus the
    reverse complements of six of them (indices 19 Gata1, 97 REST, 98 CTCF, 99 GATA1::TAL1,
    100 ESRRB, 101 Pou5f1::Sox2) = 525 motifs for filters 0..524;
  * each written as ``PWM - 0.25`` into its filter (kernel width 30, ``filter_length=30``, line 37)
    at a start offset ``np.random.randint(low=3, high=30-w+1-3)`` (line 55), numpy's high end
    excluded: uniform on 3 .. 27 - w, i.e. at least 3 positions of margin on each side; the other
    positions keep their random initial values;
  * that filter's bias drawn from U(-1, 0) (line 58).
The original reversed each motif along its length because Theano's convolution flips kernels;
Keras's Conv1D is a cross-correlation, so the motif is written as is (no reversal). The flip also
mirrors the offset (a motif at kernel position s acts at position 30 - w - s), which maps 3 .. 27 - w
onto itself, so drawing the offset with the same rule gives the same distribution.
PWMs come from the ``pyjaspar`` package (offline), converted to the data's A,G,C,T channel order.
"""

from __future__ import annotations

import numpy as np

RC_EXTRA_INDICES = (19, 97, 98, 99, 100, 101)


def _id_key(matrix_id: str):
    base, version = matrix_id.split(".")
    return base[:2], int(base[2:]), int(version)


def jaspar_pwms(release: str = "JASPAR2016", channel_order: str = "AGCT") -> list[tuple[str, str, np.ndarray]]:
    """(matrix id, name, PPM (w, 4) in ``channel_order``) for all CORE vertebrate motifs, ID order."""
    from pyjaspar import jaspardb

    motifs = jaspardb(release=release).fetch_motifs(collection="CORE", tax_group=["vertebrates"], all_versions=False)
    motifs = sorted(motifs, key=lambda m: _id_key(m.matrix_id))
    cols = ["ACGT".index(c) for c in channel_order]
    out = []
    for m in motifs:
        counts = np.array([m.counts[b] for b in "ACGT"], dtype=np.float64).T
        ppm = counts / counts.sum(1, keepdims=True)
        out.append((m.matrix_id, m.name, ppm[:, cols]))
    return out


def danq_jaspar_motifs(release: str = "JASPAR2016", channel_order: str = "AGCT") -> list[tuple[str, str, np.ndarray]]:
    """The 525 motifs DanQ-JASPAR initialises from: 519 PWMs + 6 reverse complements."""
    motifs = jaspar_pwms(release, channel_order)
    if len(motifs) != 519 and release == "JASPAR2016":
        raise RuntimeError(f"expected 519 JASPAR 2016 CORE vertebrate motifs, pyjaspar gave {len(motifs)}")
    perm = ["ACGT"["TGCA".index(c)] for c in channel_order]  # complement letter of each channel
    comp_cols = [channel_order.index(c) for c in perm]
    extra = [(motifs[i][0] + "_rc", motifs[i][1] + " (reverse complement)", motifs[i][2][::-1][:, comp_cols])
             for i in RC_EXTRA_INDICES]
    return motifs + extra


def apply_jaspar_init(model, motifs=None, seed: int | None = None, layer: str = "conv") -> list[dict]:
    """Write motifs into the first filters of ``model``'s conv layer (in place).

    Returns one record per initialised filter: filter index, motif id, name, offset.
    """
    conv = model.get_layer(layer)
    kernel = np.array(conv.kernel.numpy())  # (width, channels, filters)
    bias = np.array(conv.bias.numpy())
    width, channels, n_filters = kernel.shape
    motifs = danq_jaspar_motifs() if motifs is None else motifs
    if len(motifs) > n_filters:
        raise ValueError(f"{len(motifs)} motifs for {n_filters} filters")
    rng = np.random.default_rng(seed if seed is not None else np.random.randint(0, 2**31 - 1))
    records = []
    for i, (mid, name, pwm) in enumerate(motifs):
        w = pwm.shape[0]
        if pwm.shape[1] != channels:
            raise ValueError(f"motif {mid} has {pwm.shape[1]} channels, the filters have {channels}")
        if w > width - 6:
            raise ValueError(f"motif {mid} of width {w} does not fit a {width}-wide filter with 3-position margins")
        start = int(rng.integers(3, width - w + 1 - 3))  # DanQ-JASPAR_train.py: randint(3, 30-w+1-3)
        kernel[start : start + w, :, i] = pwm - 0.25
        bias[i] = rng.uniform(-1.0, 0.0)
        records.append({"filter": i, "motif_id": mid, "name": name, "offset": start, "width": w})
    conv.kernel.assign(kernel)
    conv.bias.assign(bias)
    return records
