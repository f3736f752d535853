"""labelled_sequences builder: the manual folder (dummy_data: spec.json, a genome of two
chromosomes with a motif planted at 8 peaks each, their BED) and a config of one's own."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_motifs.data.shuffle import dinucleotide_counts
from keras_motifs.errors import DataFormatError
from keras_motifs.io.labelled import LabelledSpec

from . import labelled_sequences_dataset_builder as ls


class LabelledSequencesManualTest(tfds.testing.DatasetBuilderTestCase):
    """spec.json: test chromosome chr2 (8 peaks + 8 shuffles), validation a quarter of chr1's rows."""

    DATASET_CLASS = ls.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["manual"]
    SPLITS = {"train": 12, "validation": 4, "test": 16}


def _prepare(builder, manual_dir=None):
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
        manual_dir=str(manual_dir) if manual_dir else None, try_download_gcs=False))
    return builder


def test_a_config_of_ones_own_reads_the_bed_windows_and_their_shuffles(tmp_path):
    from pathlib import Path

    dummy = Path(ls.__file__).parent / "dummy_data"
    spec = LabelledSpec(bed=(str(dummy / "peaks.bed"),), genome=str(dummy / "genome.fa"), test_chroms=("chr2",),
                        valid_fraction=0.0, shuffled_negatives=1)
    b = _prepare(ls.builder_for("mine", spec=spec, length=51, data_dir=str(tmp_path)))
    assert b.info.metadata["target_names"] == ["peaks"] and b.info.metadata["length"] == 51
    test = list(tfds.as_numpy(b.as_dataset(split="test")))
    assert len(test) == 16 and "validation" not in b.info.splits
    letters = np.array(list("ACGT"))
    positives = {r["id"].decode(): "".join(letters[r["sequence"]]) for r in test if r["label"][0] == 1}
    for r in test:
        if r["label"][0] == 0:
            parent = r["id"].decode().rsplit("_shuffle", 1)[0]
            assert dinucleotide_counts("".join(letters[r["sequence"]])) == dinucleotide_counts(positives[parent])
    assert all(r["sequence"].shape == (51,) for r in test)


def test_a_manual_folder_without_spec_is_a_clear_error(tmp_path):
    b = tfds.builder("labelled_sequences/manual", data_dir=str(tmp_path / "tfds"))
    with pytest.raises(DataFormatError, match="no spec.json"):
        _prepare(b, tmp_path)
