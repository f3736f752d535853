"""The deepsea/synthetic recipe (tfds_builders/deepsea/synthetic.py): its knobs as data (Recipe)."""

import numpy as np
import pytest

from tfds_builders.deepsea import synthetic


def test_default_recipe_is_the_config_recipe():
    a = synthetic.generate(20, 2016, 1)
    b = synthetic.generate(20, 2016, 1, recipe=synthetic.Recipe())
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    assert synthetic.Recipe().is_default() and not synthetic.Recipe(copies=3).is_default()


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
