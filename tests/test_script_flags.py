"""One flag style in the reproduction and benchmark scripts (keras_motifs.cli_args): hyphenated
options, underscore spellings accepted, the shared --data-dir/--out/--seed/--tfds-dir/--models/-q/-v.

The scripts are run as a user runs them (``python reproductions/<x>.py ... --help`` in a
subprocess; argparse reads the options left to right, so an underscore spelling placed before
``--help`` is parsed, and rejected with exit status 2 if unknown, before the help is printed)."""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from keras_motifs.cli_args import (
    ArgumentParser,
    ListAction,
    common_options,
    fit_verbose,
)

REPO = Path(__file__).resolve().parent.parent
NOISE = re.compile(r"cuInit|cudart_stub|oneDNN|absl::InitializeLog")
UNDERSCORE_OPTION = re.compile(r"(?<![\w-])--[a-z0-9]+_[a-z0-9_]+")

# script -> (underscore spellings parsed before --help, options its help must list)
SHARED = ["--out", "-q", "--quiet", "-v", "--verbose"]
REPRODUCTIONS = {
    "danq": (["--data_dir", "d", "--tfds_dir", "t", "--max_train", "5", "--motif_sequences", "10", "--batch_size", "4",
              "--num_devices", "1", "--learning_rate", "0.1", "--model", "lr", "--model", "danq", "--seed", "1",
              "--shuffle_buffer", "10"],
             ["--data-dir", "--tfds-dir", "--seed", "--models", "--model", "--presets", "--max-train",
              "--motif-sequences", "--batch-size", "--num-devices", "--learning-rate", "--shuffle-buffer", "--fresh"]),
    "danq_early_steps": (["--n_train", "100", "--epsilon", "1e-6,1e-8", "--seed", "2"],
                         ["--n-train", "--epsilon", "--steps", "--every", "--seed", "--preset"]),
    "deepbind": (["--data_dir", "d", "--tfds_dir", "t", "--n_calib", "2", "--folds_run", "1", "--no_images",
                  "--summary_only", "--redraw_if_stuck", "1", "--units", "u"],
                 ["--data-dir", "--tfds-dir", "--seed", "--n-calib", "--n-folds", "--folds-run", "--calib-steps",
                  "--final-steps", "--final-trials", "--min-rows", "--batch-size", "--redraw-if-stuck", "--val-rows",
                  "--no-images", "--summary-only", "--stacked", "--units"]),
    "deepprune": (["--data_dir", "d", "--tfds_dir", "t", "--seeds", "0,1", "--zeng_seeds", "paper", "--n_train", "10",
                   "--baseline_max_kernels", "4", "--report_only", "--no_motifs"],
                  ["--data-dir", "--tfds-dir", "--seed", "--seeds", "--zeng-seeds", "--n-train", "--n-test",
                   "--baseline-max-kernels", "--no-motifs", "--report-only"]),
    "ideeps": (["--data_dir", "d", "--tfds_dir", "t", "--seeds", "1,2", "--presets", "ideeps,ideeps_cnn",
                "--max_train", "10", "--max_test", "10", "--restore_best", "--structure_cache", "c", "--report_only"],
               ["--data-dir", "--tfds-dir", "--seed", "--seeds", "--models", "--model", "--presets",
                "--structure-cache", "--restore-best", "--max-train", "--max-test", "--report-only", "--fresh"]),
    "koo_eddy": (["--data_dir", "d", "--models", "koo_eddy_cnn_25", "koo_eddy_cnn_1", "--trial_ids", "0",
                  "--deepsea_manual_dir", "m", "--trial_major", "--export_arrays", "x.npz", "--steps_per_execution", "5"],
                 ["--tfds-dir", "--data-dir", "--seed", "--models", "--model", "--presets", "--trial-ids",
                  "--deepsea-manual-dir", "--deepsea-config", "--trial-major", "--export-arrays", "--fresh",
                  "--steps-per-execution"]),
    "tomtom_parity": (["--data_dir", "d", "--model", "DanQ-JASPAR", "--seed", "0"],
                      ["--data-dir", "--seed", "--models", "--model", "--presets"]),
}
BENCHMARKS = {
    "danq_throughput": (["--infer_batch", "10", "--infer_warmup", "1", "--no_inference"],
                        ["--infer-batch", "--infer-warmup", "--no-inference"]),
    "deepbind_budget": (["--n_calib", "30", "--n_folds", "3", "--min_rows", "10", "--final_trials", "6",
                         "--session_hours", "3"],
                        ["--data-dir", "--tfds-dir", "--seed", "--out", "--n-calib", "--n-folds", "--min-rows",
                         "--final-trials", "--session-hours"]),
    "koo_eddy_throughput": (["--models", "koo_eddy_cnn_2", "--seed", "1", "--torch_threads", "1"],
                            ["--models", "--model", "--presets", "--seed", "--out", "--rounds", "--epochs", "--spe",
                             "--rows", "--torch", "--torch-threads"]),
    "deepbind_pretrained": (["--n_seqs", "5", "--original_n_seqs", "2", "--models", "3"],
                            ["--n-seqs", "--original-n-seqs", "--n-models", "--seed", "--out"]),
    "deepsea_prepare": (["--beam_workers", "2"], ["--beam-workers"]),
    "epoch_times": (["--models", "danq", "--steps", "2"], ["--models", "--model", "--presets"]),
    "gpu_throughput": (["--no_torch", "--models"], ["--no-torch", "--models"]),
    "onehot_speed": (["--ref_n", "10"], ["--ref-n"]),
    "pipeline_throughput": (["--data_dir", "d", "--tfds_dir", "t", "--danq_warmup", "1", "--danq_rate", "2"],
                            ["--tfds-dir", "--data-dir", "--danq-warmup", "--danq-steps", "--danq-rate"]),
    "shuffle_throughput": (["--tfds_dir", "t", "--reach_n", "1000", "--danq_rate", "2"],
                           ["--tfds-dir", "--seed", "--rows", "--buffer", "--reach-n", "--danq-rate"]),
}


def _start(folder: str, name: str, args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the scripts themselves must keep TensorFlow quiet
    return subprocess.Popen([sys.executable, str(REPO / folder / f"{name}.py"), *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_helps(folder: str, scripts: dict, extra=()):
    """Start every script's ``--help`` at once (each mostly waits on importing TensorFlow)."""
    procs = {name: _start(folder, name, [*underscored, "--help"]) for name, (underscored, _) in scripts.items()}
    procs.update({key: _start(folder, name, args) for key, name, args in extra})
    done = {key: (p.wait(timeout=300), *p.communicate()) for key, p in procs.items()}
    for name, (_, expected) in scripts.items():
        rc, out, err = done[name]
        assert rc == 0, f"{folder}/{name}.py: {err[-2000:]}"
        options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", out))
        missing = [o for o in [*expected, *(SHARED if folder == "reproductions" else [])] if o not in options]
        assert not missing, f"{folder}/{name}.py --help lacks {missing}:\n{out}"
        assert not UNDERSCORE_OPTION.findall(out), f"{folder}/{name}.py --help lists underscore options:\n{out}"
        assert not NOISE.search(err), f"{folder}/{name}.py printed TensorFlow's start-up lines:\n{err}"
    return done


def test_every_reproduction_has_hyphenated_options_and_accepts_underscores(tmp_path):
    done = _check_helps("reproductions", REPRODUCTIONS, extra=[
        # koo_eddy's --data_dir: the old name of --tfds-dir, accepted with a deprecation warning
        ("koo_eddy_old_data_dir", "koo_eddy", ["--data_dir", str(tmp_path), "--model", "nope", "--out", str(tmp_path)]),
    ])
    rc, _, err = done["koo_eddy_old_data_dir"]
    assert rc == 2 and "--data_dir is deprecated: use --tfds-dir" in err and "unknown model 'nope'" in err, err
    assert not NOISE.search(err), err


@pytest.mark.slow
def test_every_benchmark_has_hyphenated_options_and_accepts_underscores():
    _check_helps("benchmarks", BENCHMARKS)


def _parser(**kwargs):
    return common_options(ArgumentParser(prog="x"), **kwargs)


def test_common_options_hyphens_underscores_and_defaults():
    p = _parser(data_dir="data", out="out", seed=3, models="models", models_default=["a"], models_choices=["a", "b", "c"])
    a = p.parse_args([])
    assert (a.data_dir, a.out, a.seed, a.tfds_dir, a.models, a.verbosity) == (None, None, 3, None, ["a"], 0)
    a = p.parse_args(["--data_dir", "D", "--tfds_dir=T", "--out", "O", "--seed", "7", "--model", "b", "--presets", "c,a", "-vv"])
    assert (a.data_dir, a.tfds_dir, a.out, a.seed, a.models, a.verbosity) == ("D", "T", "O", 7, ["b", "c", "a"], 2)
    assert p.parse_args(["-q"]).verbosity == -1
    with pytest.raises(SystemExit):
        p.parse_args(["--models", "a,z"])  # checked after the comma split
    with pytest.raises(SystemExit):
        p.parse_args(["-q", "-v"])


def test_seed_lists_take_spaces_commas_repeats_and_named_lists():
    p = _parser(seed=0, seeds=True, seed_words={"paper": [0, 1, 100]}, tfds_dir=False, verbosity=False)
    assert p.parse_args([]).seed == [0]
    assert p.parse_args(["--seed", "1", "2,3"]).seed == [1, 2, 3]
    assert p.parse_args(["--seeds", "4", "--seed", "5"]).seed == [4, 5]  # repeats add; the default is replaced
    assert p.parse_args(["--seeds", "paper"]).seed == [0, 1, 100]
    assert p.parse_args(["--seeds", ""]).seed == []  # an empty list: no seed (deepprune's --seeds '')
    with pytest.raises(SystemExit):
        p.parse_args(["--seed", "x"])
    assert not any(isinstance(a, ListAction) for a in _parser(seed=1)._actions)  # one seed: a plain int


def test_optional_model_list_may_be_empty():
    p = _parser(models="m", models_nargs="*", tfds_dir=False)
    assert p.parse_args([]).models is None and p.parse_args(["--models"]).models == []


def test_fit_verbose_keeps_each_scripts_default_output():
    # danq's default is one line per epoch (2); ideeps' and koo_eddy's is silent (0)
    assert [fit_verbose(v, default=2) for v in (-1, 0, 1, 2)] == [0, 2, 1, 1]
    assert [fit_verbose(v, default=0) for v in (-1, 0, 1, 2, 3)] == [0, 0, 2, 1, 1]


def test_mapped_verbosity_help_replaces_the_generic_text():
    p = _parser(verbosity="debug logging; Keras fit: silent")
    helps = {a.option_strings[0]: a.help for a in p._actions if isinstance(a, argparse.Action) and a.option_strings}
    assert helps["-v"] == "more output, repeat for more: debug logging; Keras fit: silent"
