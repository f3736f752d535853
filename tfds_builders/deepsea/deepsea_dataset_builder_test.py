"""TFDS builder tests for ``deepsea`` on dummy files in the exact real formats."""

import numpy as np
import tensorflow_datasets as tfds

from . import deepsea_dataset_builder, synthetic


class DeepseaFullTest(tfds.testing.DatasetBuilderTestCase):
    """``full`` config from dummy train.mat (v7.3/HDF5), valid.mat and test.mat (v5)."""

    DATASET_CLASS = deepsea_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["full"]
    SPLITS = {"train": 6, "validation": 4, "test": 4}
    DL_EXTRACT_RESULT = ""  # the extracted bundle = dummy_data/
    SKIP_CHECKSUMS = True


class DeepseaSyntheticTinyTest(tfds.testing.DatasetBuilderTestCase):
    """``synthetic_tiny`` config: generated locally, nothing downloaded."""

    DATASET_CLASS = deepsea_dataset_builder.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["synthetic_tiny"]
    SPLITS = {"train": 400, "validation": 100, "test": 200}
    SKIP_CHECKSUMS = True


def test_full_config_keeps_file_order_and_pairs(tmp_path):
    """Examples come out in file order: forward half, then reverse complements; decoded exactly."""
    import h5py

    builder = deepsea_dataset_builder.Builder(config="full", data_dir=str(tmp_path))
    dummy = deepsea_dataset_builder.Path(__file__).parent / "dummy_data"
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(dummy), try_download_gcs=False))
    rows = list(tfds.as_numpy(builder.as_dataset(split="train")))
    with h5py.File(dummy / "train.mat", "r") as f:
        x = np.transpose(f["trainxdata"][:], (2, 0, 1))
        y = f["traindata"][:].T
    expected = x.argmax(-1)
    expected[x.sum(-1) == 0] = 4
    assert [r["pair_index"] for r in rows] == [0, 1, 2, 0, 1, 2]
    assert [r["strand"] for r in rows] == [0, 0, 0, 1, 1, 1]
    np.testing.assert_array_equal(np.stack([r["sequence"] for r in rows]), expected)
    np.testing.assert_array_equal(np.stack([r["label"] for r in rows]), y)
    assert rows[0]["sequence"][10] == 4  # the N
    np.testing.assert_array_equal(rows[3]["sequence"], synthetic.reverse_complement_agct(rows[0]["sequence"]))
    assert builder.info.metadata["alphabet"] == "AGCT"
    assert len(builder.info.metadata["target_names"]) == 919
