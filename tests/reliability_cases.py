"""The bad-input table of the reliability work: bad input to every reader and trainer of the package
→ a package error naming file, record and problem, raised before any output is written.

The cases live in one module per reader, ``tests/test_reliability_<reader>.py`` (listed in
``READER_MODULES``); each registers its cases here with ``@case(...)`` and runs them with
``test_bad_input_gives_a_clear_package_error``. This module holds the one case table (``CASES``),
the helpers the modules share and the generator of the table's rows. It is not a test module
(pytest does not collect it); the test modules import it as ``reliability_cases``, which works
because pytest puts ``tests/`` (a folder without ``__init__.py``) on ``sys.path``.

Each case is one row of the table in ``docs/RELIABILITY.md`` (the test
``tests/test_reliability_table.py::test_reliability_table_lists_every_case`` keeps the two in
step). Print the table's rows with the messages the cases produce now::

    PYTHONPATH=. python tests/reliability_cases.py
"""

from __future__ import annotations

import gzip
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from keras_motifs.errors import KerasMotifsError

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parent / "docs" / "RELIABILITY.md"
TEST_NAME = "test_bad_input_gives_a_clear_package_error"

# The modules holding the cases, in the order of the table's rows.
READER_MODULES = [
    "test_reliability_fasta",
    "test_reliability_npy",
    "test_reliability_ionmf",
    "test_reliability_deepbind_seq",
    "test_reliability_zeng",
    "test_reliability_deepsea_mat",
    "test_reliability_deepsea_random_access",
    "test_reliability_koo_eddy_h5",
    "test_reliability_meme",
    "test_reliability_deepbind_params",
    "test_reliability_deepbind_index",
    "test_reliability_vcf",
    "test_reliability_torch_state",
    "test_reliability_fasta_index",
    "test_reliability_bed",
    "test_reliability_labels_table",
    "test_reliability_labelled",
    "test_reliability_user_sequences",
    "test_reliability_keras",
    "test_reliability_train",
    "test_reliability_train_folder",
    "test_reliability_disk_full",
    "test_reliability_cli",
    "test_reliability_outputs",
]


@dataclass
class Case:
    id: str
    reader: str
    tried: str
    error: type
    match: str
    run: Callable[[Path], object]
    module: str  # the test module that registered the case, e.g. 'test_reliability_fasta'

    @property
    def node(self) -> str:
        """The case's pytest node id, as the table in docs/RELIABILITY.md names it."""
        return f"tests/{self.module}.py::{TEST_NAME}[{self.id}]"


CASES: list[Case] = []


def case(id, reader, tried, error, match):
    """Register the decorated function ``fn(tmp_path)`` as a case of the module that defines it."""
    def deco(fn):
        CASES.append(Case(id, reader, tried, error, match, fn, Path(fn.__code__.co_filename).stem))
        return fn
    return deco


def cases_in(file: str) -> list[Case]:
    """The cases registered by the module ``file`` (its ``__file__``), in their order."""
    return [c for c in CASES if c.module == Path(file).stem]


def check_bad_input(c: Case, tmp_path: Path, monkeypatch) -> None:
    """The body of every module's ``test_bad_input_gives_a_clear_package_error``."""
    monkeypatch.chdir(tmp_path)  # nothing may be created in the working folder (e.g. 'PWNED')
    with pytest.raises(c.error, match=c.match) as info:
        c.run(tmp_path)
    assert isinstance(info.value, KerasMotifsError)
    assert not (tmp_path / "PWNED").exists()


def load_all() -> list[Case]:
    """Import every module of ``READER_MODULES`` so that ``CASES`` is complete; return ``CASES``."""
    for name in READER_MODULES:
        importlib.import_module(name)
    return CASES


# ============================================================================ shared helpers
def w(tmp: Path, name: str, data) -> Path:
    path = tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def fifo(tmp: Path, name: str, unblock_after: float = 20.0) -> Path:
    """A named pipe (FIFO) ``tmp/name``. Reading one blocks until a writer comes, so a reader that
    (wrongly) opens it would hang the test run: after ``unblock_after`` seconds a thread opens
    and closes its other end, the blocked reader then sees an empty file and the case fails with
    a wrong message instead of hanging."""
    import os
    import threading

    path = tmp / name
    os.mkfifo(path)

    def unblock():
        try:
            fd = os.open(path, os.O_RDWR | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass

    timer = threading.Timer(unblock_after, unblock)
    timer.daemon = True
    timer.start()
    return path


def symlink_loop(tmp: Path, name: str) -> Path:
    """``tmp/name``, a symbolic link in a loop (name -> name.b -> name)."""
    import os

    os.symlink(f"{name}.b", tmp / name)
    os.symlink(name, tmp / f"{name}.b")
    return tmp / name


def truncated_gzip(text: str) -> bytes:
    data = gzip.compress(text.encode())
    return data[: len(data) - 12]


_MODELS: dict = {}


def tiny_model(length: int = 8, channels: int = 4, targets: int = 2):
    """A small Conv1D model (built once per shape)."""
    key = (length, channels, targets)
    if key not in _MODELS:
        import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((length, channels), name="sequence")
        x = keras.layers.Conv1D(3, 3, activation="relu", name="conv")(inp)
        out = keras.layers.Dense(targets, activation="sigmoid")(keras.layers.Flatten()(x))
        _MODELS[key] = keras.Model(inp, out, name="tiny")
    return _MODELS[key]


def save_tiny(tmp):
    from keras_motifs.io import save_model

    save_model(tiny_model(), tmp / "m.keras")
    return tmp / "m.keras"


def onehot(n=3, length=10, seed=0):
    rng = np.random.default_rng(seed)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]


def load_seqs(path, alphabet="ACGT", length=None):
    from keras_motifs.interpret.sources import load_sequences

    return load_sequences(path, alphabet, length=length)


def deepsea_pairs(n_forward=2):
    from tfds_builders.deepsea.dummy_data_generation import _onehot_pairs

    return _onehot_pairs(n_forward, np.random.default_rng(0))


def deepsea_v73(tmp, name="train.mat", x=None, y=None, **h5):
    from tfds_builders.deepsea.dummy_data_generation import write_train_v73

    px, py = deepsea_pairs()
    write_train_v73(tmp / name, px if x is None else x, py if y is None else y)
    return tmp / name


# Good files that the command-line cases damage too.
MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
        "MOTIF m1 alt\nletter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0\n0.25 0.25 0.25 0.25\n0.1 0.2 0.3 0.4\n")
HDR = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
VCF = HDR + "chr1\t5\trs1\tA\tG\t.\t.\t.\n"
REF = ">chr1\nACGTACGTACGTACGT\n"


# ============================================================================ the table in docs/RELIABILITY.md
def doc_nodes() -> list[tuple[str, str]]:
    """(module, case id) of every row of the bad-input table in docs/RELIABILITY.md."""
    text = DOC.read_text()
    text = text[text.index("## 1."):text.index("## 2.")]  # the bad-input table
    row = rf"^\|.*\| `tests/(test_reliability_\w+)\.py::{TEST_NAME}\[([\w\-.]+)\]` \|$"
    return re.findall(row, text, flags=re.M)


def table_rows() -> list[str]:  # pragma: no cover - a helper to regenerate the table in docs/RELIABILITY.md
    import tempfile

    rows = []
    for c in sorted(load_all(), key=lambda c: READER_MODULES.index(c.module)):
        with tempfile.TemporaryDirectory() as d:
            try:
                c.run(Path(d))
                outcome = "**no error**"
            except Exception as exc:  # noqa: BLE001
                msg = str(exc).replace(d + "/", "").replace(d, "")
                msg = re.sub(r"\s+", " ", msg)
                msg = msg if len(msg) <= 110 else msg[:107] + "..."
                outcome = f"`{type(exc).__name__}`: {msg.replace('|', '/')}"
        rows.append(f"| {c.reader} | {c.tried} | {outcome} | `{c.node}` |")
    return rows


if __name__ == "__main__":  # pragma: no cover
    # Run as a script this file is '__main__'; the reader modules register their cases in the
    # module 'reliability_cases', so use that one.
    import reliability_cases

    print("\n".join(reliability_cases.table_rows()))
