"""The ``keras-motifs`` command as a user meets it: a fresh process, its common options, and no
TensorFlow start-up noise in its output."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import keras_motifs

NOISE = ("cuInit", "cudart_stub", "oneDNN custom operations", "absl::InitializeLog", "cpu_feature_guard")


def _cli(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # the CLI's own default
    return subprocess.run([sys.executable, "-m", "keras_motifs.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def test_version_and_help():
    r = _cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"keras-motifs {keras_motifs.__version__}"
    r = _cli("--help")
    assert r.returncode == 0 and "--quiet" in r.stdout and "--verbose" in r.stdout


def test_a_command_prints_no_tensorflow_noise_and_errors_are_one_line(tmp_path):
    from keras_motifs.io import save_model
    from keras_motifs.models import DanQ

    model = DanQ(sequence_length=30, conv_filters=4, conv_width=5, pool_size=5, lstm_units=2, dense_units=4,
                 num_targets=2)
    save_model(model, tmp_path / "m.keras")
    np.save(tmp_path / "x.npy", np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 30))])
    r = _cli("mutation-map", str(tmp_path / "m.keras"), str(tmp_path / "x.npy"), "--out", str(tmp_path / "map.png"))
    assert r.returncode == 0, r.stderr
    assert not [line for line in (r.stdout + r.stderr).splitlines() if any(n in line for n in NOISE)], r.stderr
    bad = _cli("mutation-map", str(tmp_path / "missing.keras"), str(tmp_path / "x.npy"), "--out", str(tmp_path / "o.png"))
    lines = bad.stderr.strip().splitlines()
    assert bad.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: argument model: model file"), bad.stderr
    # -v: the traceback too, for an error while running (a missing model is refused while parsing);
    # without -v such errors are one line (tests/test_cli_every_command.py)
    (tmp_path / "damaged.keras").write_bytes(b"not a zip")
    loud = _cli("-v", "mutation-map", str(tmp_path / "damaged.keras"), str(tmp_path / "x.npy"), "--out",
                str(tmp_path / "o.png"))
    assert loud.returncode == 1 and "Traceback" in loud.stderr and loud.stderr.strip().splitlines()[-1].startswith("error:")


def test_underscore_spellings_and_dash_for_stdout(tmp_path):
    from keras_motifs.io import save_model
    from keras_motifs.models import DeepBind

    save_model(DeepBind(sequence_length=20, detector_len=4, num_detectors=2), tmp_path / "m.keras")
    (tmp_path / "pairs.tsv").write_text("id\tref\talt\nv1\t" + "ACGT" * 5 + "\t" + "ACGA" + "ACGT" * 4 + "\n")
    r = _cli("score-variants", str(tmp_path / "m.keras"), "--pairs", str(tmp_path / "pairs.tsv"), "--alphabet", "ACGT",
             "--batch_size", "8", "--out", "-")
    assert r.returncode == 0, r.stderr
    rows = r.stdout.strip().splitlines()
    assert rows[0].split("\t")[0] == "id" and rows[1].startswith("v1\t")
    assert "wrote 1 rows to standard output" in r.stderr
    assert not (tmp_path / "-").exists()


def test_export_for_sharing_round_trip_in_a_fresh_process(tmp_path):
    """export_model: weights-only + architecture (and a SavedModel); loaded back with only
    ``import keras_motifs`` in a new process, identical predictions."""
    from keras_motifs import export_model
    from keras_motifs.models import DanQ

    model = DanQ(sequence_length=30, conv_filters=4, conv_width=5, pool_size=5, lstm_units=2, dense_units=4,
                 num_targets=2)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (3, 30))]
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "want.npy", model.predict(x, verbose=0))
    desc = export_model(model, tmp_path / "shared", savedmodel=True)
    assert desc["preset"] == "danq"
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["model.json", "model.weights.h5", "savedmodel"]
    code = (
        "import sys, numpy as np, keras_motifs, tensorflow as tf\n"
        f"d = {str(tmp_path)!r}\n"
        "x, want = np.load(d + '/x.npy'), np.load(d + '/want.npy')\n"
        "m = keras_motifs.load_exported(d + '/shared')\n"
        "assert np.array_equal(m.predict(x, verbose=0), want)\n"
        "saved = tf.saved_model.load(d + '/shared/savedmodel')  # keep a reference: its variables live in it\n"
        "served = saved.serve(x).numpy()\n"
        "assert np.allclose(served, want, rtol=0, atol=1e-6), abs(served - want).max()\n"
        "assert not [k for k in sys.modules if k.startswith('keras_motifs.models')]\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]


def test_cli_errors_name_cli_options_not_python_keywords(tmp_path):
    """A VCF/FASTA mismatch tells a CLI user the CLI's option (--on-mismatch flag), not only Python's."""
    from keras_motifs.io import save_model
    from keras_motifs.models import DeepBind

    save_model(DeepBind(sequence_length=20, detector_len=4, num_detectors=2), tmp_path / "m.keras")
    (tmp_path / "g.fa").write_text(">chr1\n" + "ACGT" * 10 + "\n")
    (tmp_path / "v.vcf").write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\nchr1\t5\tv1\tC\tG\n")
    r = _cli("score-variants", str(tmp_path / "m.keras"), "--vcf", str(tmp_path / "v.vcf"), "--fasta",
             str(tmp_path / "g.fa"), "--alphabet", "ACGT", "--out", str(tmp_path / "s.tsv"))
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and "--on-mismatch flag" in lines[0], r.stderr


_SEEDED_FIT = """
import sys, time
from keras_motifs import logs
tf = logs.import_tensorflow_quietly()
if sys.argv[1] == "split":  # the devices may still be split after the quiet import (MirroredStrategy on CPUs)
    from keras_motifs.training.devices import configure_logical_cpus
    assert len(configure_logical_cpus(2)) == 2
import numpy as np, keras
from keras_motifs.metrics import predict_arrays
from keras_motifs.pruning.fitting import fit_model
from keras_motifs.training.determinism import set_seed
set_seed(0)
class SlowFirstEpoch(keras.callbacks.Callback):  # the validation iterator is made more than 5 s after the training one
    def on_train_batch_end(self, batch, logs=None):
        if batch == 0 and not getattr(self, "slept", False):
            self.slept = True
            time.sleep(5.5)
m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(1, activation="sigmoid")])
x, y = np.random.rand(40, 6).astype("float32"), (np.random.rand(40) < 0.5).astype("float32")
for _ in range(2):  # a second fit more than 5 s after the first
    m.fit = (lambda fit: lambda *a, **k: fit(*a, **{**k, "callbacks": [SlowFirstEpoch(), *k["callbacks"]]}))(type(m).fit.__get__(m))
    fit_model(m, x, y, 0.01, {"epochs": 2, "batch_size": 8})
    time.sleep(5.5)
    assert predict_arrays(m, x, 32).shape == (40, 1)  # a partial batch, as a Keras predict that printed it
print("ok")
"""


@pytest.mark.parametrize("devices", ["as_found", "split"])
def test_seeded_fits_and_predictions_in_a_script_print_no_tf_data_rewrite_error(devices):
    """Under op determinism (every seeded run) TF 2.21 logs ``E0000 ... node_def_util.cc:682]
    NodeDef mentions attribute use_unbounded_threadpool ... MapDataset`` when a Keras pipeline over
    NumPy arrays gets its iterator (a fit's training and validation iterators, every predict and
    evaluate), at most once every 5 s. In a process that imported TensorFlow quietly (the scripts)
    the package's fits spend it silently just before each of those iterators and its predictions on
    arrays avoid it; each step here comes more than 5 s after the last (a line spent once per process,
    the earlier fix, failed this). Splitting the CPU into logical devices after the quiet import
    still works. Fresh process, errors shown (the scripts' level)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    r = subprocess.run([sys.executable, "-c", _SEEDED_FIT, devices], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-3000:]
    assert "node_def_util" not in r.stderr and "use_unbounded_threadpool" not in r.stderr, r.stderr[-3000:]
