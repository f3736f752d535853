"""Sequence sources and model loading for the interpretation commands."""

import keras
import numpy as np
import pytest

from keras_motifs.data import one_hot
from keras_motifs.errors import DataFormatError, InvalidSequenceError, ModelInputError
from keras_motifs.interpret.sources import infer_alphabet, load_model, load_sequences, resolve_alphabet
from keras_motifs.io import save_model
from keras_motifs.models import DanQ


def test_fasta_source(tmp_path):
    fa = tmp_path / "s.fa"
    fa.write_text(">a desc\nACGT\nAC\n>b\nNNACGT\n")
    x, names = load_sequences(fa, "AGCT", length=6)
    assert names == ["a", "b"] and x.shape == (2, 6, 4)
    np.testing.assert_array_equal(x[0], one_hot("ACGTAC", "AGCT"))
    with pytest.raises(InvalidSequenceError, match=r"s.fa', record 0 \(a\): length 6, the model takes 7"):
        load_sequences(fa, "ACGT", length=7)
    fa.write_text(">a\nACGU\n")
    with pytest.raises(InvalidSequenceError, match="s.fa"):
        load_sequences(fa, "ACGT")
    (tmp_path / "e.fa").write_text("ACGT\n")
    with pytest.raises(DataFormatError, match="e.fa': not a FASTA file"):
        load_sequences(tmp_path / "e.fa", "ACGT")


def test_npy_source_channels_first(tmp_path):
    x = one_hot(["ACGTACGTAA", "TTTTACGTAA"], "AGCT")
    np.save(tmp_path / "cl.npy", x)
    np.save(tmp_path / "cf.npy", np.swapaxes(x, 1, 2))  # DeepSEA .mat layout (N, 4, L)
    a, _ = load_sequences(tmp_path / "cl.npy", "AGCT", length=10)
    b, _ = load_sequences(tmp_path / "cf.npy", "AGCT", length=10, max_sequences=1)
    np.testing.assert_array_equal(a, x)
    np.testing.assert_array_equal(b, x[:1])
    with pytest.raises(DataFormatError, match="length 10, the model takes 12"):
        load_sequences(tmp_path / "cl.npy", "AGCT", length=12)
    with pytest.raises(DataFormatError, match="unknown sequence file type"):
        load_sequences(_touch(tmp_path / "x.txt"), "ACGT")
    with pytest.raises(DataFormatError, match="not a sequence file"):
        load_sequences("no_such_dataset_xyz", "ACGT")


def _touch(path):
    path.write_text("x")
    return path


def test_load_model_and_alphabet_inference(tmp_path):
    model = DanQ(conv_filters=4, lstm_units=2, dense_units=4, num_targets=2, sequence_length=50)
    save_model(model, tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.name == "danq" and infer_alphabet(loaded) == "AGCT"
    assert resolve_alphabet(loaded, "ACGT") == "ACGT"
    other = keras.Sequential([keras.Input((10, 4)), keras.layers.Conv1D(2, 3)], name="mine")
    with pytest.raises(ModelInputError, match="--alphabet"):
        resolve_alphabet(other, None)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "none.keras")
