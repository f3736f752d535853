"""Bad input to DeepSEA's ``.mat`` files (v7.3/HDF5 and v5) read by ``deepsea.mat_reader``
and the DeepSEA builder, and ``example.h5`` read by ``mat_reader.read_example_h5``.

One module of the bad-input table (bad input and faults); the case table, its helpers and the
generator of the rows of ``docs/RELIABILITY.md`` are in ``tests/reliability_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, FileAccessError
from reliability_cases import case, cases_in, check_bad_input, deepsea_pairs, deepsea_v73, fifo, w


R_MAT73 = "DeepSEA `.mat` v7.3/HDF5 (`deepsea.mat_reader`)"
R_MAT5 = "DeepSEA `.mat` v5 (`deepsea.mat_reader`)"


def _read_split(path, prefix):
    from tfds_builders.deepsea import mat_reader

    r = mat_reader.open_split(path, prefix)
    return sum(len(c[1]) for c in r.iter_chunks())


def _v5(tmp, name="valid.mat", x=None, y=None, prefix="valid"):
    from tfds_builders.deepsea.dummy_data_generation import write_v5

    px, py = deepsea_pairs()
    write_v5(tmp / name, prefix, px if x is None else x, py if y is None else y)
    return tmp / name


@case("mat73-truncated", R_MAT73, "file cut short", DataFormatError,
      r"t\.mat': not a readable HDF5 / MATLAB v7\.3 file .*cut short")
def _(tmp):
    data = deepsea_v73(tmp).read_bytes()
    return _read_split(w(tmp, "t.mat", data[: len(data) // 2]), "train")


@case("mat73-empty", R_MAT73, "empty file", DataFormatError, r"e\.mat' is empty")
def _(tmp):
    return _read_split(w(tmp, "e.mat", b""), "train")


@case("mat73-wrong-names", R_MAT73, "datasets `x`, `y`", DataFormatError,
      r"dataset\(s\) \['trainxdata', 'traindata'\] not found \(found \['x', 'y'\]\)")
def _(tmp):
    import h5py

    with h5py.File(tmp / "n.mat", "w") as f:
        f["x"] = np.zeros((1000, 4, 2), np.uint8)
        f["y"] = np.zeros((919, 2), np.uint8)
    return _read_split(tmp / "n.mat", "train")


@case("mat73-axis-order", R_MAT73, "axes (N, 4, 1000) instead of (1000, 4, N)", DataFormatError,
      r"'trainxdata' has shape \(4, 4, 1000\); expected \(1000, 4, N\)")
def _(tmp):
    import h5py

    with h5py.File(tmp / "a.mat", "w") as f:
        f["trainxdata"] = np.zeros((4, 4, 1000), np.uint8)
        f["traindata"] = np.zeros((919, 4), np.uint8)
    return _read_split(tmp / "a.mat", "train")


@case("mat73-label-not-01", R_MAT73, "label 2", DataFormatError, r"record 1: target 3 has label 2; labels must be 0 or 1")
def _(tmp):
    x, y = deepsea_pairs()
    y = y.copy()
    y[1, 3] = 2
    return _read_split(deepsea_v73(tmp, x=x, y=y), "train")


@case("mat73-not-one-hot", R_MAT73, "a position with two ones", DataFormatError, r"record 2: position 17 is not one-hot")
def _(tmp):
    x, y = deepsea_pairs()
    x = x.copy()
    x[2, 17, :2] = 1
    return _read_split(deepsea_v73(tmp, x=x, y=y), "train")


@case("mat73-label-shape", R_MAT73, "labels for 918 targets", DataFormatError, r"'traindata' has shape \(918, 4\); expected \(919, 4\)")
def _(tmp):
    import h5py

    x, y = deepsea_pairs()
    with h5py.File(tmp / "s.mat", "w") as f:
        f["trainxdata"] = np.transpose(x, (1, 2, 0))
        f["traindata"] = y.T[:918]
    return _read_split(tmp / "s.mat", "train")


@case("mat5-truncated", R_MAT5, "file cut short", DataFormatError, r"t5\.mat': not a readable MATLAB file")
def _(tmp):
    data = _v5(tmp).read_bytes()
    return _read_split(w(tmp, "t5.mat", data[: len(data) // 2]), "valid")


@case("mat5-not-matlab", R_MAT5, "text file named `.mat`", DataFormatError, r"j\.mat': not a readable MATLAB file")
def _(tmp):
    return _read_split(w(tmp, "j.mat", "hello world\n" * 20), "valid")


@case("mat5-wrong-names", R_MAT5, "`validxdata` read as the test split", DataFormatError,
      r"variable\(s\) \['testxdata', 'testdata'\] not found \(found \['validxdata', 'validdata'\]\)")
def _(tmp):
    return _read_split(_v5(tmp), "test")


@case("mat5-axis-order", R_MAT5, "axes (N, 1000, 4) instead of (N, 4, 1000)", DataFormatError,
      r"'validxdata' has shape \(4, 1000, 4\); expected \(N, 4, 1000\)")
def _(tmp):
    x, y = deepsea_pairs()
    return _read_split(_v5(tmp, x=np.transpose(x, (0, 2, 1)), y=y), "valid")


@case("mat5-label-nan", R_MAT5, "label NaN", DataFormatError, r"record 1: target 3 has label nan; labels must be 0 or 1")
def _(tmp):
    x, y = deepsea_pairs()
    y = y.astype(np.float32)
    y[1, 3] = np.nan
    return _read_split(_v5(tmp, x=x, y=y), "valid")


@case("mat5-x-inf", R_MAT5, "sequence value inf", DataFormatError, r"record 0: position 5 has value inf; one-hot values must be 0 or 1")
def _(tmp):
    x, y = deepsea_pairs()
    x = x.astype(np.float32)
    x[0, 5, 1] = np.inf
    return _read_split(_v5(tmp, x=x, y=y), "valid")


@case("mat5-odd-count", R_MAT5, "3 sequences (forward + reverse-complement halves needed)", DataFormatError,
      r"3 sequences, expected an even number")
def _(tmp):
    from tfds_builders.deepsea.deepsea_dataset_builder import Builder

    x, y = deepsea_pairs()
    return list(Builder._generate_mat(None, _v5(tmp, x=x[:3], y=y[:3]), "valid"))


@case("example-h5-truncated", "DeepSEA `example.h5` (`mat_reader.read_example_h5`)", "file cut short", DataFormatError,
      r"ex\.h5': not a readable HDF5")
def _(tmp):
    from tfds_builders.deepsea import mat_reader

    data = deepsea_v73(tmp).read_bytes()
    return mat_reader.read_example_h5(w(tmp, "ex.h5", data[:3000]))


def _secret(tmp):
    """A local file the crafted HDF5 files point at (its bytes must never be read)."""
    path = tmp / "secret.txt"
    path.write_bytes(b"TOP SECRET\n" * 400)
    return path


@case("mat73-external-storage", R_MAT73, "`trainxdata` stored in an external raw file (any local file)", DataFormatError,
      r"ext\.mat': '/trainxdata' is a dataset stored in external file\(s\) \['.*secret\.txt'\]; HDF5 files that "
      r"read other files are refused")
def _(tmp):
    import h5py

    secret = _secret(tmp)
    with h5py.File(tmp / "ext.mat", "w") as f:
        f.create_dataset("trainxdata", shape=(1000, 4, 1), dtype="u1", external=[(str(secret), 0, 4000)])
        f["traindata"] = np.zeros((919, 1), np.uint8)
    return _read_split(tmp / "ext.mat", "train")


@case("mat73-external-link", R_MAT73, "`trainxdata` an external link to another HDF5 file", DataFormatError,
      r"link\.mat': '/trainxdata' is an external link to '.*other\.h5'")
def _(tmp):
    import h5py

    with h5py.File(tmp / "other.h5", "w") as f:
        f["x"] = np.zeros((1000, 4, 2), np.uint8)
    with h5py.File(tmp / "link.mat", "w") as f:
        f["trainxdata"] = h5py.ExternalLink(str(tmp / "other.h5"), "/x")
        f["traindata"] = np.zeros((919, 2), np.uint8)
    return _read_split(tmp / "link.mat", "train")


@case("mat73-virtual-dataset", R_MAT73, "`trainxdata` a virtual dataset mapping another file", DataFormatError,
      r"vds\.mat': '/trainxdata' is a virtual dataset")
def _(tmp):
    import h5py

    with h5py.File(tmp / "src.h5", "w") as f:
        f["x"] = np.zeros((1000, 4, 2), np.uint8)
    with h5py.File(tmp / "vds.mat", "w") as f:
        layout = h5py.VirtualLayout(shape=(1000, 4, 2), dtype="u1")
        layout[:] = h5py.VirtualSource(str(tmp / "src.h5"), "x", shape=(1000, 4, 2))
        f.create_virtual_dataset("trainxdata", layout)
        f["traindata"] = np.zeros((919, 2), np.uint8)
    return _read_split(tmp / "vds.mat", "train")


@case("mat73-nested-external-link", R_MAT73, "an external link deep in a group", DataFormatError,
      r"deep\.mat': '/a/b/c' is an external link")
def _(tmp):
    import h5py

    with h5py.File(tmp / "deep.mat", "w") as f:
        f["a/b/c"] = h5py.ExternalLink("/etc/hostname", "/x")
        f["a/b/d"] = np.zeros(3)
    from keras_motifs.io import open_hdf5

    return open_hdf5(tmp / "deep.mat")


@case("mat73-fifo", R_MAT73, "a named pipe (FIFO) named `.mat`", FileAccessError,
      r"HDF5 file '.*p\.mat': is a named pipe \(FIFO\)")
def _(tmp):
    from keras_motifs.io import open_hdf5

    return open_hdf5(fifo(tmp, "p.mat"))


CASES = cases_in(__file__)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    check_bad_input(c, tmp_path, monkeypatch)
