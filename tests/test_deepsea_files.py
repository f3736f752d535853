"""DeepSEA file formats: the shared example.h5, malformed .mat files, the synthetic recipe."""

import h5py
import numpy as np
import pytest
import scipy.io

from keras_motifs.data import decode, indices_to_one_hot, reverse_complement
from keras_motifs.errors import DataFormatError
from tfds_builders.deepsea import mat_reader, synthetic


def test_shared_example_h5_decodes_and_rows_4_7_are_reverse_complements(shared_data):
    idx = mat_reader.read_example_h5(shared_data / "deepsea" / "example.h5")
    assert idx.shape == (8, 1000) and idx.max() <= 3
    x = indices_to_one_hot(idx, 4)  # channels A,G,C,T
    np.testing.assert_array_equal(reverse_complement(x[:4], "AGCT"), x[4:])
    seqs = decode(x, "AGCT")
    comp = str.maketrans("ACGT", "TGCA")
    assert all(seqs[i + 4] == seqs[i].translate(comp)[::-1] for i in range(4))
    # The A,G,C,T order (not A,C,G,T) shows as CpG depletion, as in any human sequence:
    # CG must be rarer than GC when read in the A,G,C,T order.
    joined = "".join(seqs[:4])
    assert joined.count("CG") < 0.5 * joined.count("GC")


def _write_h5(path, xname="trainxdata", yname="traindata", x_shape=(1000, 4, 4), y_shape=(919, 4), x=None):
    with h5py.File(path, "w") as f:
        xd = np.zeros(x_shape, np.uint8) if x is None else x
        if x is None and x_shape[:2] == (1000, 4):
            xd[:, 0, :] = 1
        f.create_dataset(xname, data=xd)
        f.create_dataset(yname, data=np.zeros(y_shape, np.uint8))


def test_wrong_dataset_names_are_named(tmp_path):
    p = tmp_path / "train.mat"
    _write_h5(p, xname="x", yname="y")
    with pytest.raises(DataFormatError, match=r"dataset\(s\) \['trainxdata', 'traindata'\] not found"):
        mat_reader.open_split(p, "train")


def test_wrong_axis_order_is_explained(tmp_path):
    p = tmp_path / "train.mat"
    _write_h5(p, x_shape=(4, 4, 1000))
    with pytest.raises(DataFormatError, match=r"expected \(1000, 4, N\)"):
        mat_reader.open_split(p, "train")


def test_non_one_hot_column_names_record_and_position(tmp_path):
    p = tmp_path / "train.mat"
    x = np.zeros((1000, 4, 3), np.uint8)
    x[:, 1, :] = 1
    x[17, 2, 2] = 1  # record 2, position 17 has two ones
    _write_h5(p, x=x, y_shape=(919, 3))
    r = mat_reader.open_split(p, "train", chunk=2)
    with pytest.raises(DataFormatError, match="record 2: position 17 is not one-hot"):
        list(r.iter_chunks())


def test_v5_labels_must_be_binary_and_empty_file_rejected(tmp_path):
    p = tmp_path / "valid.mat"
    x = np.zeros((2, 4, 1000), np.uint8)
    x[:, 0, :] = 1
    y = np.zeros((2, 919), np.uint8)
    y[1, 5] = 2
    scipy.io.savemat(p, {"validxdata": x, "validdata": y})
    r = mat_reader.open_split(p, "valid")
    with pytest.raises(DataFormatError, match="record 1: target 5 has label 2"):
        list(r.iter_chunks())
    empty = tmp_path / "test.mat"
    empty.write_bytes(b"")
    with pytest.raises(DataFormatError, match="is empty"):
        mat_reader.open_split(empty, "test")
    junk = tmp_path / "junk.mat"
    junk.write_bytes(b"not a matlab file at all" * 10)
    with pytest.raises(DataFormatError, match="not a readable MATLAB file"):
        mat_reader.open_split(junk, "test")


def test_synthetic_is_deterministic_paired_and_learnable():
    x1, y1, planted = synthetic.generate(300, seed=5, split_seed=1)
    x2, y2, _ = synthetic.generate(300, seed=5, split_seed=1)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    x3, _, _ = synthetic.generate(300, seed=5, split_seed=2)
    assert not np.array_equal(x1, x3)
    assert x1.shape == (600, 1000) and y1.shape == (600, 919)
    np.testing.assert_array_equal(x1[300:], synthetic.reverse_complement_agct(x1[:300]))
    np.testing.assert_array_equal(y1[:300], y1[300:])
    # TF targets follow their motif: positives are far more frequent when it was planted.
    spec = synthetic.target_spec(5)
    t = 125  # first TF target
    m = spec.motif_sets[t, 0]
    has = np.array([any(p[0] == m for p in inst) for inst in planted])
    assert y1[:300, t][has].mean() > 0.7 > 0.1 > y1[:300, t][~has].mean()
    # Each present motif is planted COPIES times, without overlaps.
    assert all(len(inst) % synthetic.COPIES == 0 for inst in planted)
    starts = sorted(st for st, _ in [(p[1], p[0]) for p in planted[0]])
    assert all(b - a >= 6 for a, b in zip(starts, starts[1:]))
    motifs = synthetic.load_motifs(synthetic.default_recipe().motifs)
    assert len(motifs) == 8 and all(abs(p.sum(1) - 1).max() < 1e-9 for _, _, p in motifs)
    # The labels are learnable from sequence: a PWM scan of the labelled centre (recipe 2.0.0: the
    # central 400 bp) for the TF target's motif separates them; over the whole window the flanks'
    # decoys blur it.
    from sklearn.metrics import roc_auc_score

    lo = np.log((motifs[m][2] + 1e-3) / 0.25)[:, [0, 2, 1, 3]]  # A,C,G,T -> A,G,C,T columns
    onehot = np.eye(4)[x1[:300]]
    w = len(lo)
    windows = np.lib.stride_tricks.sliding_window_view(onehot, (w, 4), axis=(1, 2))[:, :, 0]
    scores = (windows * lo).sum((-1, -2))
    centre = roc_auc_score(y1[:300, t], scores[:, 300:700 - w + 1].max(1))
    whole = roc_auc_score(y1[:300, t], scores.max(1))
    assert centre > 0.8 and whole < centre - 0.1, (centre, whole)
