"""The deepsea/synthetic recipe (tfds_builders/deepsea/synthetic.py): its knobs as data (Recipe)."""

import numpy as np
import pytest

from tfds_builders.deepsea import synthetic


def test_default_recipe_is_the_config_recipe():
    assert synthetic.default_recipe() is synthetic.RECIPES[synthetic.RECIPE_VERSION] == synthetic.RECIPES["2.0.0"]
    a = synthetic.generate(20, 2016, 1)
    b = synthetic.generate(20, 2016, 1, recipe=synthetic.RECIPES["2.0.0"])
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    assert synthetic.Recipe().is_default() and not synthetic.Recipe(copies=3).is_default()
    assert synthetic.RECIPES["1.0.0"] == synthetic.Recipe()  # recipe 1.0.0: the dataclass defaults


def test_recipe_1_is_unchanged():
    """Recipe 1.0.0 as deepsea 1.0.0 generated it (a digest of the first sequences and labels, taken
    before recipe 2.0.0 was added)."""
    import hashlib

    x, y, planted = synthetic.generate(5, 2016, 1, recipe=synthetic.RECIPES["1.0.0"])
    digest = hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()[:16]
    assert digest == RECIPE_1_DIGEST and planted[0][0] == RECIPE_1_FIRST_SITE


def test_recipe_2_labels_follow_the_centre_and_the_flanks_hold_decoys():
    r = synthetic.RECIPES["2.0.0"]
    inner, decoys = synthetic.slot_layout(r)
    assert inner.min() >= 300 and inner.max() + 21 <= 700 and len(inner) >= 16 and len(decoys) >= 24
    names = [n for _, n, _ in synthetic.load_motifs(r.motifs)]
    assert names == ["CTCF", "REST", "SPI1", "ZNF143", "NFKB1", "RFX5", "SRF", "ESR1"]
    _, y, planted = synthetic.generate(400, 2016, 1)
    assert all(300 <= s and s < 700 for inst in planted for _, s, _ in inst)  # listed: the labelled, central ones
    spec = synthetic.target_spec(2016)
    assert spec.names[125] == "synthetic_TF_CTCF_00" or spec.names[125].startswith("synthetic_TF_CTCF_00_with_")


def test_knobs_change_what_is_planted_and_the_labels():
    seqs, labels, planted = synthetic.generate(200, 2016, 1, recipe=synthetic.Recipe(copies=4, p_present=0.3, slot=30))
    for inst in planted:
        per_motif = np.bincount([m for m, _, _ in inst], minlength=8)
        assert set(per_motif[per_motif > 0]) <= {4}  # every present motif planted 4 times
        starts = sorted(s for _, s, _ in inst)
        assert all(b // 30 != a // 30 for a, b in zip(starts, starts[1:]))  # one instance per 30-bp slot
    present = np.mean([len(inst) / 4 for inst in planted]) / 8
    assert 0.25 < present < 0.35
    spec = synthetic.target_spec(2016, recipe=synthetic.Recipe(tf_sensitivity=(0.9, 0.99), tf_false_positive=(0.0, 0.01)))
    tf = spec.kind == 0
    assert spec.sensitivity[tf].min() >= 0.9 and spec.false_positive[tf].max() <= 0.01


def test_slots_narrower_than_a_motif_are_refused():
    with pytest.raises(ValueError, match="narrower than the widest motif"):
        synthetic.generate(2, 2016, 1, recipe=synthetic.Recipe(slot=15))
    with pytest.raises(ValueError, match="do not fit"):
        synthetic.generate(2, 2016, 1, recipe=synthetic.Recipe(copies=6, slot=30))


CENTRAL = synthetic.Recipe(layout="central", center=500, slot=22, copies=2, p_present=0.3, p_flank=0.3, cobinding=0.25)


def test_central_layout_plants_labelled_instances_in_the_centre_and_decoys_in_the_flanks():
    seqs, labels, planted = synthetic.generate(300, 2016, 1, recipe=CENTRAL)
    inner, decoys = synthetic.slot_layout(CENTRAL)
    lo, hi = 250, 750
    assert inner.min() >= lo and inner.max() + 22 <= hi
    assert all((d + 22 <= lo) or (d >= hi) for d in decoys)
    for inst in planted:  # listed instances: the labelled ones, all inside the centre
        assert all(lo <= s and s + 22 <= hi for _, s, _ in inst)
    # the decoys change the flanks but no label: same draws without decoys give other flanks
    spec = synthetic.target_spec(2016, recipe=CENTRAL)
    tf = np.flatnonzero(spec.kind == 0)
    solo = tf[spec.motif_sets[tf, 1] < 0]
    paired = tf[spec.motif_sets[tf, 1] >= 0]
    assert 0.15 < len(paired) / len(tf) < 0.35  # co-binding fraction
    assert all("_with_" in spec.names[t] for t in paired)
    present = np.zeros((300, 8), bool)
    for i, inst in enumerate(planted):
        for m, _, _ in inst:
            present[i, m] = True
    # a co-binding target is positive (beyond its false positives) only when both motifs are in the centre
    for t in paired[:20]:
        a, b = spec.motif_sets[t, :2]
        both = present[:, a] & present[:, b]
        assert labels[:300, t][~both].mean() < 0.06 and labels[:300, t][both].mean() > 0.6
    t = solo[0]
    has = present[:, spec.motif_sets[t, 0]]
    assert labels[:300, t][has].mean() > 0.6 > 0.06 > labels[:300, t][~has].mean()


def _best_flank_score(seqs_agct, ppm):
    """Best log-odds score of ``ppm`` (A,C,G,T) on either strand in each sequence's flanks (outside 250-750)."""
    acgt = synthetic.ACGT_TO_AGCT.argsort()[seqs_agct]  # AGCT indices -> ACGT indices
    lo = np.log2(ppm + 0.01) + 2  # log-odds against a uniform background
    w = len(ppm)
    best = np.full(len(acgt), -np.inf)
    for flank in (acgt[:, :250], acgt[:, 750:]):
        for rc in (False, True):
            f = (3 - flank[:, ::-1]) if rc else flank
            win = np.lib.stride_tricks.sliding_window_view(f, w, axis=1)  # (n, positions, w)
            score = lo[np.arange(w), win].sum(-1)
            best = np.maximum(best, score.max(1))
    return best


def test_central_layout_decoys_are_real_instances_the_labels_ignore():
    ctcf = synthetic.load_motifs()[0][2]  # MA0139.1, 19 bp
    with_decoys, y, planted = synthetic.generate(400, 2016, 1, recipe=CENTRAL)
    no_decoys, _, _ = synthetic.generate(400, 2016, 1, recipe=synthetic.Recipe(
        layout="central", center=500, slot=22, copies=2, p_present=0.3, cobinding=0.25))
    cut = 0.6 * (np.log2(ctcf.max(1) + 0.01) + 2).sum()  # 60 % of the consensus score: no random 19-mer gets there
    hit_with = (_best_flank_score(with_decoys[:400], ctcf) > cut).mean()
    hit_without = (_best_flank_score(no_decoys[:400], ctcf) > cut).mean()
    assert hit_without < 0.02 and 0.2 < hit_with < 0.4  # p_flank 0.3
    # a TF target of CTCF does not follow its flank decoys: only the centre counts
    spec = synthetic.target_spec(2016, recipe=CENTRAL)
    t = next(t for t in np.flatnonzero(spec.kind == 0) if spec.motif_sets[t, 0] == 0 and spec.motif_sets[t, 1] < 0)
    centre = np.array([any(m == 0 for m, _, _ in inst) for inst in planted])
    flank = _best_flank_score(with_decoys[:400], ctcf) > cut
    assert y[:400, t][flank & ~centre].mean() < 0.1 < 0.6 < y[:400, t][centre].mean()


def test_unknown_layout_and_a_centre_too_small_are_refused():
    with pytest.raises(ValueError, match="layout must be"):
        synthetic.generate(2, 2016, 1, recipe=synthetic.Recipe(layout="ring"))
    with pytest.raises(ValueError, match="do not fit"):
        synthetic.generate(2, 2016, 1, recipe=synthetic.Recipe(layout="central", center=200, slot=22, copies=2))


def _acgt(seqs_agct):
    return synthetic.ACGT_TO_AGCT.argsort()[seqs_agct]


def test_gc_sd_varies_the_background_gc_per_sequence():
    flat, _, _ = synthetic.generate(300, 2016, 1, recipe=synthetic.Recipe(p_present=0.0))
    varied, _, _ = synthetic.generate(300, 2016, 1, recipe=synthetic.Recipe(p_present=0.0, gc_sd=0.1))
    def gc(s):  # G + C fraction per forward sequence (C, G = 1, 2 in ACGT order)
        return np.isin(_acgt(s[:300]), (1, 2)).mean(1)

    assert abs(gc(flat).mean() - 0.5) < 0.01 and gc(flat).std() < 0.03  # binomial noise only
    assert abs(gc(varied).mean() - 0.5) < 0.03 and 0.07 < gc(varied).std() < 0.12
    assert gc(varied).min() > 0.25 and gc(varied).max() < 0.75  # clipped to [0.3, 0.7] (+ sampling noise)
    a = _acgt(varied[:300])
    assert abs((a == 0).mean() - (a == 3).mean()) < 0.01 and abs((a == 1).mean() - (a == 2).mean()) < 0.01


def test_sharpen_1_samples_instances_from_the_jaspar_matrix_itself():
    def agreement(sharpen):
        recipe = synthetic.Recipe(sharpen=sharpen)
        seqs, _, planted = synthetic.generate(300, 2016, 1, recipe=recipe)
        motifs = synthetic.load_motifs()
        hits = []
        for i, inst in enumerate(planted):
            for m, begin, strand in inst:
                ppm = motifs[m][2]
                site = _acgt(seqs[i, begin:begin + len(ppm)])
                if strand == "-":
                    site = (3 - site)[::-1]
                hits.append(np.mean(site == ppm.argmax(1)))
        return float(np.mean(hits))
    loose, sharp = agreement(1.0), agreement(3.0)
    assert sharp > 0.85 and loose < sharp - 0.1, (loose, sharp)  # PPM**3 is near the consensus, the PPM itself is not


def test_flank_copies_sets_the_number_of_decoy_instances(monkeypatch):
    recipe = synthetic.Recipe(layout="central", center=600, slot=21, copies=3, p_present=0.3, p_flank=0.5, flank_copies=2)
    calls = []
    plant = synthetic._plant
    monkeypatch.setattr(synthetic, "_plant", lambda row, motifs, chosen, starts, *a: calls.append(
        (int(starts[0]) == 0, np.bincount(chosen, minlength=8))) or plant(row, motifs, chosen, starts, *a))
    synthetic.generate(300, 2016, 1, recipe=recipe)
    centre = [c for d, c in calls if not d]
    flank = [c for d, c in calls if d]
    assert len(centre) == len(flank) == 300
    assert all(set(c.tolist()) <= {0, 3} for c in centre) and all(set(c.tolist()) <= {0, 2} for c in flank)
    assert 0.4 < np.mean([(c > 0).mean() for c in flank]) < 0.6  # p_flank 0.5
    with pytest.raises(ValueError, match="decoy copies do not fit"):
        synthetic.generate(2, 2016, 1, recipe=synthetic.Recipe(layout="central", center=600, slot=21, copies=3,
                                                              p_flank=0.5, flank_copies=3))


RECIPE_1_DIGEST = "7080737aa4c16c40"  # sha256 of generate(5, 2016, 1)'s sequences + labels at deepsea 1.0.0
RECIPE_1_FIRST_SITE = (2, 971, "-")
