"""Every ``keras-motifs`` sub-command that takes a trained model, on one saved model of every model
family, in a fresh process (as a user meets it: the only imports are the CLI's own).

One subprocess runs all the calls through ``keras_motifs.cli.main`` (a TensorFlow import per call
would cost minutes); each call's exit status and last stderr line come back as JSON. A family a
command cannot take (iDeepS has two inputs; the k-mer LR's input is not a one-hot scan) must
give a one-line ``error:`` and exit status 1, never a traceback (REFUSED below).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

# preset -> small overrides (sizes only; the family's layer types are unchanged)
FAMILIES = {
    "danq": dict(conv_filters=8, conv_width=9, pool_size=5, lstm_units=4, dense_units=8, num_targets=3,
                 sequence_length=60),
    "deepsea": dict(conv_filters=(8, 8, 8), conv_width=5, pool_size=2, dense_units=8, num_targets=3,
                    sequence_length=60),
    "kmer_lr": dict(num_targets=3, sequence_length=60),
    "deepbind_encode": dict(sequence_length=60),
    "deepprune": dict(kernels=8, sequence_length=60),
    "ideeps": dict(sequence_length=60),
    "koo_eddy_cnn_25": dict(sequence_length=60),
}
# (family preset, command) pairs that are expected to refuse the model with a clear error:
# iDeepS has two inputs (sequence + structure), the k-mer LR has no convolution, and the trainable
# DeepBind's motif scan reads the padded reverse-complement pair, not the input itself.
# attribute (integrated gradients here) refuses iDeepS (two inputs) and the k-mer LR (its counts have
# no gradient; ism explains it).
REFUSED = {("ideeps", "motifs"), ("ideeps", "mutation-map"), ("ideeps", "score-variants"), ("kmer_lr", "motifs"),
           ("deepbind_encode", "motifs"), ("ideeps", "attribute"), ("kmer_lr", "attribute")}

RUNNER = r"""
import contextlib, io, json, sys
from keras_motifs import cli
calls = json.loads(sys.argv[1])
out = []
for name, argv in calls:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:
            rc = exc.code
        except BaseException as exc:  # a traceback: what the CLI must never give
            rc = "traceback: " + type(exc).__name__ + ": " + str(exc)[:300]
    lines = [l for l in err.getvalue().splitlines() if l.strip()]
    out.append([name, argv[0], rc, lines[-1] if lines else ""])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    import keras_motifs.models  # noqa: F401
    from keras_motifs.io import save_model
    from keras_motifs.registry import build, preset_info

    root = tmp_path_factory.mktemp("families")
    rng = np.random.default_rng(0)
    found = {}
    for preset, overrides in FAMILIES.items():
        try:
            model = build(preset, **overrides)
        except TypeError:  # a family without this override: fall back to its own length
            model = build(preset, **{k: v for k, v in overrides.items() if k != "sequence_length"})
        path = root / f"{preset}.keras"
        save_model(model, path)
        length = model.inputs[0].shape[1]
        channels = len(preset_info(preset).alphabet)
        x = np.eye(channels, dtype=np.float32)[rng.integers(0, channels, (6, length))]
        np.save(root / f"{preset}.npy", x)
        letters = "ACGT"
        ref = "".join(rng.choice(list(letters), length))
        alt = ref[: length // 2] + ("A" if ref[length // 2] != "A" else "C") + ref[length // 2 + 1:]
        (root / f"{preset}_pairs.tsv").write_text(f"id\tref\talt\nv1\t{ref}\t{alt}\n")
        found[preset] = (path, root / f"{preset}.npy", root / f"{preset}_pairs.tsv", root)
    return found


def test_every_command_on_every_family_in_a_fresh_process(saved_models):
    calls = []
    for preset, (model, npy, pairs, root) in saved_models.items():
        alphabet = "ACGU" if preset == "ideeps" else None
        extra = ["--alphabet", alphabet] if alphabet else []
        calls.append([preset, ["motifs", str(model), str(npy), "--out", str(root / f"{preset}_motifs"), "--no-tomtom",
                               "--no-logos", "--max-sequences", "6", *extra]])
        calls.append([preset, ["mutation-map", str(model), str(npy), "--out", str(root / f"{preset}_map.png"), *extra]])
        calls.append([preset, ["score-variants", str(model), "--pairs", str(pairs), "--out",
                               str(root / f"{preset}_scores.tsv"), *extra]])
        calls.append([preset, ["attribute", str(model), str(npy), "--target", "0", "--steps", "4", "--shuffles", "2",
                               "--logos", "1", "--out", str(root / f"{preset}_attr"), *extra]])
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_MOTIFS_PROGRESS": "0"}
    r = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(calls)], capture_output=True, text=True,
                       timeout=900, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    results = json.loads(r.stdout.strip().splitlines()[-1])
    problems = []
    for preset, command, rc, last in results:
        if (preset, command) in REFUSED:
            if rc != 1 or "error:" not in last:
                problems.append(f"{preset} {command}: expected a one-line error, got rc={rc!r} {last!r}")
        elif rc != 0:
            problems.append(f"{preset} {command}: rc={rc!r} {last!r}")
    assert not problems, "\n".join(problems)
    for preset, (model, npy, pairs, root) in saved_models.items():
        if (preset, "motifs") not in REFUSED:
            assert (root / f"{preset}_motifs" / "filters.meme").exists(), preset
        if (preset, "score-variants") not in REFUSED:
            assert (root / f"{preset}_scores.tsv").read_text().startswith("id\t"), preset
        if (preset, "attribute") not in REFUSED:
            assert (root / f"{preset}_attr" / "attributions.npz").exists(), preset
