"""Bad input to ``.npy`` arrays: one-hot arrays read by ``interpret.load_sequences`` (with
its check of a TFDS source's channel order), object and numeric arrays read by
``io.safe_npy.load_npy``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, FileAccessError, ModelInputError
from reliability_cases import case, cases_in, check_bad_input, fifo, load_seqs, onehot, w


@case("npy-object-array", "one-hot `.npy` (`interpret.load_sequences`)", "pickled Python objects",
      DataFormatError, r"obj\.npy': not a readable numeric \.npy array")
def _(tmp):
    np.save(tmp / "obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    return load_seqs(tmp / "obj.npy")


@case("npy-truncated", "one-hot `.npy` (`interpret.load_sequences`)", "file cut short", DataFormatError,
      r"tr\.npy': not a readable numeric \.npy array")
def _(tmp):
    np.save(tmp / "ok.npy", onehot())
    return load_seqs(w(tmp, "tr.npy", (tmp / "ok.npy").read_bytes()[:-40]))


@case("npy-empty", "one-hot `.npy` (`interpret.load_sequences`)", "empty file", DataFormatError,
      r"em\.npy': not a readable numeric \.npy array")
def _(tmp):
    return load_seqs(w(tmp, "em.npy", b""))


@case("npy-nan", "one-hot `.npy` (`interpret.load_sequences`)", "NaN value", DataFormatError,
      r"nan\.npy', record 1: position 2, channel 0 holds nan")
def _(tmp):
    x = onehot()
    x[1, 2, 0] = np.nan
    np.save(tmp / "nan.npy", x)
    return load_seqs(tmp / "nan.npy")


@case("npy-inf", "one-hot `.npy` (`interpret.load_sequences`)", "infinite value", DataFormatError,
      r"inf\.npy', record 2: position 0, channel 3 holds inf")
def _(tmp):
    x = onehot()
    x[2, 0, 3] = np.inf
    np.save(tmp / "inf.npy", x)
    return load_seqs(tmp / "inf.npy")


@case("npy-length-not-model", "one-hot `.npy` (`interpret.load_sequences`)", "length differs from the model's",
      DataFormatError, r"sequences of length 10, the model takes 12")
def _(tmp):
    np.save(tmp / "ok.npy", onehot())
    return load_seqs(tmp / "ok.npy", length=12)


@case("npy-alphabet-size", "one-hot `.npy` (`interpret.load_sequences`)", "4 channels for a 6-letter alphabet",
      DataFormatError, r"4 channels, alphabet FTIHMS has 6")
def _(tmp):
    np.save(tmp / "ok.npy", onehot())
    return load_seqs(tmp / "ok.npy", "FTIHMS")


@case("npy-rank", "one-hot `.npy` (`interpret.load_sequences`)", "2-D array", DataFormatError,
      r"expected a 3-D one-hot array \(N, L, A\), got shape \(10, 4\)")
def _(tmp):
    np.save(tmp / "r2.npy", onehot()[0])
    return load_seqs(tmp / "r2.npy")


@case("npy-strings", "one-hot `.npy` (`interpret.load_sequences`)", "array of strings", DataFormatError,
      r"s\.npy': array of type <U4, expected numbers")
def _(tmp):
    np.save(tmp / "s.npy", np.array([["ACGT"]]))
    return load_seqs(tmp / "s.npy")


@case("tfds-alphabet-mismatch", "TFDS source (`interpret.load_sequences`)",
      "dataset stored as A,G,C,T read by an A,C,G,T model", ModelInputError,
      r"dataset 'deepsea/synthetic_tiny' stores sequences in channel order AGCT, but the model reads ACGT")
def _(tmp):
    from keras_motifs.interpret.sources import check_dataset_alphabet

    return check_dataset_alphabet("deepsea/synthetic_tiny", {"alphabet": "AGCT"}, "ACGT")


@case("npy-pickle-code", "object `.npy` (`io.safe_npy.load_npy`)", "pickle that calls `os.system`", DataFormatError,
      r"refuses to load pickled object posix\.system")
def _(tmp):
    import os
    import pickle

    from keras_motifs.io.safe_npy import load_npy

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch PWNED",))

    arr = np.empty(1, dtype=object)
    arr[0] = Evil()
    with open(tmp / "evil.npy", "wb") as fh:
        np.lib.format.write_array(fh, arr, allow_pickle=True)
    del pickle
    return load_npy(tmp / "evil.npy")


@case("npy-safe-truncated", "numeric `.npy` (`io.safe_npy.load_npy`)", "file cut short", DataFormatError,
      r"t\.npy': cannot read the array")
def _(tmp):
    from keras_motifs.io.safe_npy import load_npy

    np.save(tmp / "ok.npy", np.arange(100.0))
    return load_npy(w(tmp, "t.npy", (tmp / "ok.npy").read_bytes()[:-100]))


R_NPY = "one-hot `.npy` (`interpret.load_sequences`)"


@case("npy-not-one-hot", R_NPY, "values 7.0 (not one-hot)", DataFormatError,
      r"seven\.npy', record 0: position 0, channel 0 holds 7\.0; one-hot values are between 0 and 1")
def _(tmp):
    np.save(tmp / "seven.npy", np.full((2, 10, 4), 7.0, np.float32))
    return load_seqs(tmp / "seven.npy")


@case("npy-two-ones", R_NPY, "a position with two ones (sum 2)", DataFormatError,
      r"two\.npy', record 1: position 3 is not one-hot \(its values \[1\.0, 1\.0, 0\.0, 0\.0\] sum to 2")
def _(tmp):
    x = onehot()
    x[1, 3] = [1, 1, 0, 0]
    np.save(tmp / "two.npy", x)
    return load_seqs(tmp / "two.npy")


@case("npy-negative", R_NPY, "value -1", DataFormatError, r"neg\.npy', record 2: position 5, channel 1 holds -1\.0")
def _(tmp):
    x = onehot()
    x[2, 5, 1] = -1
    np.save(tmp / "neg.npy", x)
    return load_seqs(tmp / "neg.npy")


@case("npy-int-not-one-hot", R_NPY, "integer array holding base indices (0-3)", DataFormatError,
      r"idx\.npy', record 0: position \d+, channel \d+ holds [23]; one-hot values are between 0 and 1")
def _(tmp):
    np.save(tmp / "idx.npy", np.random.default_rng(0).integers(2, 4, (3, 10, 4)))
    return load_seqs(tmp / "idx.npy")


@case("npy-no-sequences", R_NPY, "array of 0 sequences", DataFormatError, r"z\.npy': no sequences")
def _(tmp):
    np.save(tmp / "z.npy", np.zeros((0, 10, 4), np.float32))
    return load_seqs(tmp / "z.npy")


@case("npy-fifo", R_NPY, "a named pipe (FIFO) named `.npy`", FileAccessError,
      r"sequence file '.*p\.npy': is a named pipe \(FIFO\)")
def _(tmp):
    return load_seqs(fifo(tmp, "p.npy"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
