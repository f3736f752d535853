"""``tfds.load`` as a user meets it: a fresh process, one ``import tfds_builders``, no network.

The default config of ``deepsea`` is the embedded ``synthetic`` set (TFDS reads
``DEFAULT_BUILDER_CONFIG_NAME``; anything else falls back to the first config, the 4.4 GB bundle),
and ``koo_eddy_synthetic``'s is ``default``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Any connection outside loopback fails at once, as on a machine without network.
NO_NETWORK = """
import socket
_connect = socket.socket.connect
def _guard(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"network unreachable in this test (tried {address!r})")
    return _connect(self, address)
socket.socket.connect = _guard
"""


def test_tfds_load_deepsea_gives_the_embedded_synthetic_config_offline(tmp_path):
    code = NO_NETWORK + (
        "import tfds_builders, tensorflow_datasets as tfds\n"
        f"data_dir = {str(tmp_path)!r}\n"
        "assert tfds.builder('deepsea', data_dir=data_dir).info.config_name == 'synthetic'\n"
        "assert tfds.builder('koo_eddy_synthetic', data_dir=data_dir).info.config_name == 'default'\n"
        "ds = tfds.load('deepsea', split='test', data_dir=data_dir)\n"
        "ex = next(iter(ds))\n"
        "print(int(ds.cardinality()), tuple(ex['sequence'].shape), tuple(ex['label'].shape))\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    n, seq_shape, label_shape = r.stdout.strip().splitlines()[-1].split(" ", 2)
    assert int(n) > 0
    assert "1000" in seq_shape and "919" in label_shape


def test_keras_motifs_datasets_registers_the_same_builders():
    code = ("import keras_motifs.datasets, tensorflow_datasets as tfds\n"
            "print(tfds.builder_cls('deepsea').__module__, tfds.builder_cls('rbp_clip').__module__, "
            "tfds.builder_cls('labelled_sequences').__module__)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["tfds_builders.deepsea.deepsea_dataset_builder",
                                "tfds_builders.rbp_clip.rbp_clip_dataset_builder",
                                "tfds_builders.labelled_sequences.labelled_sequences_dataset_builder"]
