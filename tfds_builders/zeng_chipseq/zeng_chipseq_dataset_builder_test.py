"""zeng_chipseq builder on dummy files in the real `.data` format (manual folder and URL paths)."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_motifs.errors import DataFormatError, InvalidSequenceError

from . import zeng_chipseq_dataset_builder as zb

GM, HELA, MCF = zb.SHARED_EXPERIMENTS


class ZengManualTest(tfds.testing.DatasetBuilderTestCase):
    """Files from the manual folder (dummy_data/<experiment>/{train,test}.data)."""

    DATASET_CLASS = zb.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [GM]
    SPLITS = {"train": 6, "test": 4}


class ZengTestOnlyTest(tfds.testing.DatasetBuilderTestCase):
    """An experiment with a test file only builds the test split only."""

    DATASET_CLASS = zb.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [MCF]
    SPLITS = {"test": 3}


class ZengDownloadTest(tfds.testing.DatasetBuilderTestCase):
    """Experiment absent from the manual folder: downloaded from the original URL (mocked)."""

    DATASET_CLASS = zb.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [HELA]
    DL_DOWNLOAD_RESULT = {"train": f"download/{HELA}_train.data", "test": f"download/{HELA}_test.data"}
    SPLITS = {"train": 5, "test": 2}
    SKIP_CHECKSUMS = True  # the original server's checksums cannot be recorded offline


def test_read_data_file_encoding(tmp_path):
    p = tmp_path / "x.data"
    p.write_text(">chr1:1-4 ACGN 1\nchr1:5-8_shuf tgca 0\n")
    names, x, y = zb.read_data_file(p, sequence_length=4)
    assert names == ["chr1:1-4", "chr1:5-8_shuf"] and y.tolist() == [1, 0]
    np.testing.assert_array_equal(x[0], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(x[1], [[0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]])


@pytest.mark.parametrize(
    "text, err, match",
    [
        ("a ACGT 1\nb ACGT\n", DataFormatError, "line 2: expected 3 fields"),
        ("a ACGT 2\n", DataFormatError, "line 1: label must be 0 or 1"),
        ("a ACGTA 1\n", InvalidSequenceError, "line 1: sequence has length 5"),
        ("a ACGT 1\nb ACXT 0\n", InvalidSequenceError, "line 2: letter 'X' at position 2"),
        ("\n", DataFormatError, "no records"),
    ],
)
def test_read_data_file_errors(tmp_path, text, err, match):
    p = tmp_path / "bad.data"
    p.write_text(text)
    with pytest.raises(err, match=match) as info:
        zb.read_data_file(p, sequence_length=4)
    assert "bad.data" in str(info.value)


@pytest.mark.shared_data
def test_shared_zeng_files_parse(shared_data):
    folder = shared_data / "zeng690" / GM
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    names, x, y = zb.read_data_file(folder / "test.data")
    assert x.shape == (2547, 101, 4) and set(np.unique(y)) == {0, 1}
    assert (x.sum(-1) <= 1).all()


def test_builder_for_any_experiment(tmp_path):
    assert zb.builder_for(GM, data_dir=str(tmp_path)).builder_config.name == GM
    other = zb.builder_for("wgEncodeAwgTfbsHaibK562SrfV0416101UniPk", data_dir=str(tmp_path))
    assert other.builder_config.name == "wgEncodeAwgTfbsHaibK562SrfV0416101UniPk"
