"""TFDS builder tests for ``koo_eddy_synthetic``: the recipe (small config) and the original-file
reader on a dummy ``synthetic_dataset.h5`` in the original HDF5 layout."""

from pathlib import Path

import h5py
import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_motifs.errors import DataFormatError
from tfds_builders.koo_eddy_synthetic import synthetic

from . import koo_eddy_synthetic_dataset_builder as mod

DUMMY = Path(__file__).parent / "dummy_data"


class KooEddySyntheticSmallTest(tfds.testing.DatasetBuilderTestCase):
    """``small``: 1,000 sequences of the published recipe, generated locally."""

    DATASET_CLASS = mod.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["small"]
    SPLITS = {"train": 700, "validation": 100, "test": 200}
    SKIP_CHECKSUMS = True


class KooEddySyntheticOriginalH5Test(tfds.testing.DatasetBuilderTestCase):
    """``original_h5``: the original file layout, read from manual_dir (= dummy_data/)."""

    DATASET_CLASS = mod.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["original_h5"]
    SPLITS = {"train": 14, "validation": 2, "test": 4}
    SKIP_CHECKSUMS = True


def test_original_h5_round_trip_equals_the_recipe(tmp_path):
    """The dummy file holds recipe(seed 7, 20 sequences); reading it back gives the same data."""
    builder = mod.Builder(config="original_h5", data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY), try_download_gcs=False))
    rows = list(tfds.as_numpy(builder.as_dataset(split="test")))
    expected = synthetic.generate(num_sequences=20, seed=7)["test"]
    np.testing.assert_array_equal(np.stack([r["sequence"] for r in rows]), expected["sequence"])
    np.testing.assert_array_equal(np.stack([r["label"] for r in rows]), expected["label"])
    np.testing.assert_allclose(np.stack([r["pwm"] for r in rows]), expected["pwm"])
    assert builder.info.metadata["tf_names"] == synthetic.TF_NAMES


def _write(path, **overrides):
    with h5py.File(DUMMY / "synthetic_dataset.h5", "r") as src, h5py.File(path, "w") as dst:
        for name in src:
            data = overrides.get(name, src[name][()])
            if data is not None:
                dst.create_dataset(name, data=data)


def test_original_h5_errors_name_file_dataset_and_record(tmp_path):
    with h5py.File(DUMMY / "synthetic_dataset.h5", "r") as f:
        x = f["X_valid"][()]
    x[1, :, 7] = 0.25  # not one-hot at record 1, position 7
    _write(tmp_path / "a.h5", X_valid=x)
    with pytest.raises(DataFormatError, match=r"a\.h5', dataset 'X_valid', record 1: position 7"):
        mod.read_original_h5(tmp_path / "a.h5")
    _write(tmp_path / "b.h5", Y_test=None)
    with pytest.raises(DataFormatError, match="'Y_test' is missing"):
        mod.read_original_h5(tmp_path / "b.h5")
    _write(tmp_path / "c.h5", Y_train=np.zeros((14, 11)))
    with pytest.raises(DataFormatError, match="'Y_train' has shape"):
        mod.read_original_h5(tmp_path / "c.h5")


def test_missing_manual_file_is_a_clear_error(tmp_path):
    builder = mod.Builder(config="original_h5", data_dir=str(tmp_path / "data"))
    with pytest.raises(Exception, match="synthetic_dataset.h5"):
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=str(tmp_path), try_download_gcs=False)
        )
