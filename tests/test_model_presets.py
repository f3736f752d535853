"""Every registered preset builds, has its output shape and survives a ``.keras`` round trip with
identical outputs (the shared harness of ``tests/model_harness.py``); one model per family also
loads in a fresh process that imports no model code.

Big presets (DanQ 47M, DanQ-JASPAR 68M, DeepSEA 53M parameters) are built with small overrides;
their full-size parameter counts are checked by the parameter arithmetic, which must agree with the
small build and give the original's count at full size (the full models are built once, in
``test_danq_model.py`` and ``test_danq_paper_models.py``). Every other preset is built at full size.
"""

import pytest

import keras_motifs.models  # noqa: F401  (registers every preset)
from keras_motifs.io import save_model
from keras_motifs.registry import available, build, get_preset, preset_info
from model_harness import outputs_of, random_inputs, run_fresh_process_loading_test, run_model_test, trainable_params

# Number of outputs of each family at full size (a new family must be added here).
OUTPUTS = {"danq": 919, "deepsea": 919, "kmer_lr": 919, "deepbind": 1, "deepprune": 1, "ideeps": 2, "koo_eddy": 12}

# Small versions of the big presets.
SMALL = {
    "danq": dict(conv_filters=8, lstm_units=4, dense_units=8, num_targets=3, sequence_length=100),
    # JASPAR initialisation writes 525 motifs: it needs at least 525 filters
    "danq_jaspar": dict(conv_filters=530, lstm_units=2, dense_units=4, num_targets=3, sequence_length=100,
                        jaspar_seed=0),
    "deepsea": dict(conv_filters=(8, 8, 8), dense_units=8, num_targets=3, sequence_length=200),
}

# Full-size parameter counts (as asserted by the model tests).
FULL_PARAMS = {
    "danq": 46_926_479,
    "danq_jaspar": 123_904 + 6_295_552 + 60_621_725 + 850_994,
    "deepsea": 10_560 + 1_229_280 + 3_687_360 + 47_064_925 + 850_994,
    "kmer_lr": 1364 * 919 + 919 + 2 * 1364 + 1,  # dense + normalisation mean, variance, count
    "deepbind_encode": 16 * 24 * 4 + 16 + 16 + 1,
    "deepbind_encode_hidden": 16 * 24 * 4 + 16 + 16 * 32 + 32 + 32 + 1,
    "deepprune": 256 * 24 * 4 + 256 + 256 + 257,  # conv, mask (not trainable), dense
    "deepprune_chipseq": 256 * 15 * 4 + 256 + 256 + 257,
    "ideeps": 16_322,
    "ideeps_cnn": 19_138,
    "ideeps_seq_blstm": 15_346,
    "ideeps_seq_cnn": 9_410,
}
# Koo & Eddy report trainable parameters (batch-norm moving statistics excluded).
FULL_TRAINABLE = {
    **{f"koo_eddy_cnn_{n}": 160_048 for n in (1, 2, 4, 10, 25, 50, 100)},
    "koo_eddy_cnn_50_2": 25_712,
    "koo_eddy_cnn9_4": 158_848,
    "koo_eddy_cnn3_2": 158_128,
    "deepprune": 256 * 24 * 4 + 256 + 257,
}


def _danq_params(hp):
    w, f, u, d = hp["conv_width"], hp["conv_filters"], hp["lstm_units"], hp["dense_units"]
    steps = (hp["sequence_length"] - w + 1) // hp["pool_size"]
    return (w * 4 * f + f) + 2 * 4 * u * (f + u + 1) + (steps * 2 * u * d + d) + (d * hp["num_targets"] + hp["num_targets"])


def _deepsea_params(hp):
    w, p, length, channels, total = hp["conv_width"], hp["pool_size"], hp["sequence_length"], 4, 0
    for i, f in enumerate(hp["conv_filters"]):
        total += w * channels * f + f
        length = length - w + 1
        if i < len(hp["conv_filters"]) - 1:
            length //= p
        channels = f
    d, t = hp["dense_units"], hp["num_targets"]
    return total + (length * channels * d + d) + (d * t + t)


PARAM_ARITHMETIC = {"danq": _danq_params, "deepsea": _deepsea_params}


def _case(preset):
    overrides = SMALL.get(preset, {})
    outputs = overrides.get("num_targets", OUTPUTS[preset_info(preset).family])
    return overrides, (None, outputs)


def test_every_family_has_an_output_size():
    assert {preset_info(p).family for p in available()} <= set(OUTPUTS)
    assert set(SMALL) | set(FULL_PARAMS) | set(FULL_TRAINABLE) <= set(available())


@pytest.mark.parametrize("preset", available())
def test_preset_builds_and_round_trips(preset, tmp_path):
    overrides, output_shape = _case(preset)
    full = not overrides
    model = run_model_test(preset, overrides, expected_output_shape=output_shape, tmp_path=tmp_path,
                           expected_num_params=FULL_PARAMS.get(preset) if full else None,
                           expected_trainable_params=FULL_TRAINABLE.get(preset) if full else None)
    if not full:
        arithmetic = PARAM_ARITHMETIC[preset_info(preset).family]
        small_hp = {**get_preset(preset), **overrides}
        assert arithmetic(small_hp) == model.count_params() == trainable_params(model)
        assert arithmetic(get_preset(preset)) == FULL_PARAMS[preset]


def test_one_model_per_family_loads_in_a_fresh_process(tmp_path):
    families = sorted({preset_info(p).family for p in available()})
    cases = []
    for family in families:
        preset = available(family)[0]
        model = build(preset, **SMALL.get(preset, {}))
        x = random_inputs(model, seed=1)
        save_model(model, tmp_path / f"{preset}.keras")
        cases.append((tmp_path / f"{preset}.keras", x, outputs_of(model, x)))
    assert len(cases) == len(families) >= 7
    run_fresh_process_loading_test(cases, tmp_path)
