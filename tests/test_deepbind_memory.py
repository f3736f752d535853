"""Long sequences through the DeepBind scorer: bounded memory, the same scores.

``deepbind.Scorer`` (and so ``keras-motifs deepbind``) scores a long sequence in stretches of its
windows, each overlapping the next by the window's frame length minus one. Before, one sequence
was one call: about 10 kB per base (a 1 Mb sequence needed ~10 GB; a parameter file within the
reader's old size caps ~90 GB for 10 kb).

* The stretches give exactly (bit for bit) the scores of the whole sequence in one call, for max
  and average, N and flank padding, strands, pooling and hidden layers (random long sequences).
* The command's peak memory does not grow with the sequence: measured in a child process (its
  peak ``VmHWM`` against its resident size after TensorFlow's import; not ``ru_maxrss``, which on
  Linux carries the forking parent's peak across exec: under pytest after the DanQ tests it read
  ~2.9 GB for a child whose own peak was ~0.8 GB) — 100 kb in the default
  run, 1 Mb with the largest parameter file the reader accepts under ``-m slow``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from keras_motifs.deepbind import Scorer, build_model, encode, parse_params
from keras_motifs.deepbind.params import MAX_SIZES
from test_deepbind_pretrained import make_params_text, reference_score

REPO = Path(__file__).resolve().parent.parent
ARCHS = [(1, 4, 6, 0, 0), (0, 4, 5, 1, 3), (1, 3, 7, 1, 0), (0, 2, 4, 0, 5), (1, 8, 11, 1, 6)]
RELEASED = (1, 16, 24, 0, 32)  # the largest released shape (D00328.003 and others: 16 detectors, 32 hidden)


def _params(archs=ARCHS, seed=1):
    rng = np.random.default_rng(seed)
    return [parse_params(make_params_text(rng, *a), model_id=f"D{i + 1:05d}.001") for i, a in enumerate(archs)]


def _sequences(lengths, seed=3):
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), n)) for n in lengths]
    seqs[1] = seqs[1][:500] + "N" * 40 + seqs[1][540:]
    return seqs


def _same_however_cut(params, seqs, budget, **settings):
    whole = Scorer(params, max_elements=1 << 40, **settings).score(seqs)
    cut = Scorer(params, max_elements=budget, **settings).score(seqs)
    np.testing.assert_array_equal(cut, whole)  # bit for bit
    return whole


@pytest.mark.parametrize("padding", ["N", "flank"])
@pytest.mark.parametrize("average", [False, True], ids=["max", "average"])
@pytest.mark.parametrize("window_size", [None, 50])
def test_stretches_of_a_long_sequence_give_the_whole_sequence_scores_exactly(padding, average, window_size):
    params = _params()
    seqs = _sequences((1201, 1201, 700, 57, 5, 1))
    # 100 k floats a call: ~30 windows of the largest of these models, ~100-200 of the others
    whole = _same_however_cut(params, seqs, 100_000, window_size=window_size, average=average, window_padding=padding)
    # the layer's own whole-sequence computation (the Keras model): max bit for bit; the average
    # sums its windows in float32 in TensorFlow's order, the scorer in float64 in window order
    x = np.stack(encode(seqs[:1]))
    for p, score in zip(params, whole[0]):
        layer = build_model(p, window_size=window_size, average=average, window_padding=padding)(x, training=False)
        if average:
            assert float(layer.numpy()[0, 0]) == pytest.approx(float(score), rel=1e-5, abs=1e-5)
        else:
            assert layer.numpy()[0, 0] == score
    if padding == "N":  # the original's algorithm (independent NumPy transcription), a short sequence
        want = [reference_score(p, seqs[3], window_size, average) for p in params]
        np.testing.assert_allclose(whole[3], want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding, average", [("N", False), ("flank", True)])
def test_stretches_with_the_largest_released_shape(padding, average):
    params = _params([RELEASED])
    _same_however_cut(params, _sequences((1501, 1501, 60)), 400_000, average=average, window_padding=padding)


def test_a_window_too_long_for_one_call_is_refused_with_the_longest_allowed():
    from keras_motifs.errors import ModelInputError

    params = _params([RELEASED])
    scorer = Scorer(params, window_size=5000, max_elements=1 << 20)
    limit = scorer.max_window(params[0])
    seq = "ACGT" * 1500
    with pytest.raises(ModelInputError, match=rf"sequence 0 \(length 6000\): a window of 5000 bases is more than the "
                                              rf"scorer holds at once .* at most {limit} bases"):
        scorer.score([seq])
    assert Scorer(params, window_size=limit, max_elements=1 << 20).score([seq[:limit + 5]]).shape == (1, 1)


# ---------------------------------------------------------------------------------- peak memory
LARGEST = (1, MAX_SIZES["num_detectors"], MAX_SIZES["detector_len"], 1, MAX_SIZES["num_hidden"])
MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from keras_motifs.logs import import_tensorflow_quietly
    import_tensorflow_quietly()
    import keras_motifs.deepbind, keras_motifs.commands.deepbind  # noqa: F401
    try:  # the resident size now (the peak so far can be a transient of the import)
        base = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("VmRSS:")][0])
    except (OSError, IndexError):
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from keras_motifs.cli import main
    out = open(sys.argv[3], "w")
    sys.stdout = out
    rc = main(["deepbind", "--db", sys.argv[1], "D00001.001", sys.argv[2]])
    out.close()
    try:  # this process image's peak (ru_maxrss keeps the parent's peak across fork + exec on Linux)
        peak = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")][0])
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rc": rc, "base_kb": base, "peak_kb": peak}), file=sys.__stdout__)
    """
)


def _measure(tmp_path, arch, length):
    db = tmp_path / "db"
    (db / "params").mkdir(parents=True)
    (db / "params" / "D00001.001.txt").write_text(make_params_text(np.random.default_rng(0), *arch))
    (db / "db.tsv").write_text("ID\tProtein\tType\tSpecies\tFamily\tClass\tExperiment\tExperiment Details\tModel\t"
                               "Cite\tLabels\tPath\tComment\nD00001.001\tX\tTF\tHomo sapiens\t\t\tSELEX\t[]\t"
                               "deepbind 0.1\t\t\t\t\n")
    rng = np.random.default_rng(1)
    seq = "".join(rng.choice(list("ACGT"), length))
    fasta = tmp_path / "long.fa"
    fasta.write_text(">long\n" + "\n".join(seq[i:i + 60] for i in range(0, length, 60)) + "\n")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(db), str(fasta), str(tmp_path / "scores.tsv")],
                          env=env, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    lines = (tmp_path / "scores.tsv").read_text().splitlines()
    assert res["rc"] == 0 and lines[0] == "D00001.001" and len(lines) == 2 and np.isfinite(float(lines[1]))
    return res["base_kb"] / 1024, res["peak_kb"] / 1024


def _check(base_mb, peak_mb, length):
    print(f"{length} bases: peak {peak_mb:.0f} MB, resident after importing TensorFlow {base_mb:.0f} MB")
    assert peak_mb - base_mb < 256, f"scoring {length} bases added {peak_mb - base_mb:.0f} MB"
    if base_mb < 768:  # where TensorFlow's import itself leaves room for the target
        assert peak_mb < 1024


def test_command_memory_on_100_kb_stays_bounded(tmp_path):
    base, peak = _measure(tmp_path, RELEASED, 100_000)
    _check(base, peak, 100_000)


@pytest.mark.slow
def test_command_memory_on_1_mb_with_the_largest_accepted_parameter_file(tmp_path):
    base, peak = _measure(tmp_path, LARGEST, 1_000_000)
    _check(base, peak, 1_000_000)
