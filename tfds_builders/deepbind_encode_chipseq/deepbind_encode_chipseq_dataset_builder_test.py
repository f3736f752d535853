"""deepbind_encode_chipseq builder on dummy files in the real ``.seq.gz`` format."""

import gzip

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_motifs.deepbind.shuffle import dinucleotide_counts
from keras_motifs.errors import DataFormatError, InvalidSequenceError

from . import deepbind_encode_chipseq_dataset_builder as db

MYC = db.config_name("MYC_H1-hESC_c-Myc_Stanford")


class DeepBindEncodeManualTest(tfds.testing.DatasetBuilderTestCase):
    """Files from the manual folder: 7 training peaks (+ 7 shuffles), 3 + 3 test rows."""

    DATASET_CLASS = db.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = [MYC]
    SPLITS = {"train_top500": 14, "train_all": 14, "test": 6}
    OVERLAPPING_SPLITS = ["train_top500", "train_all"]  # the top 500 are part of all peaks


def test_train_pairs_are_dinucleotide_shuffles(tmp_path):
    from pathlib import Path

    dummy = Path(db.__file__).parent / "dummy_data"
    builder = tfds.builder(f"deepbind_encode_chipseq/{MYC}", data_dir=str(tmp_path))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(dummy), try_download_gcs=False))
    rows = list(tfds.as_numpy(builder.as_dataset(split="train_all")))
    events, seqs, _ = db.read_seq_file(dummy / "MYC_H1-hESC_c-Myc_Stanford_AC.seq.gz")
    assert [r["label"] for r in rows] == [1, 0] * 7
    letters = np.array(list("ACGT"))
    for i in range(7):
        pos = "".join(letters[rows[2 * i]["sequence"]])
        neg = "".join(letters[rows[2 * i + 1]["sequence"]])
        assert pos == seqs[i] and rows[2 * i]["event_id"].decode() == events[i]
        assert dinucleotide_counts(neg) == dinucleotide_counts(pos) and neg != pos
    again = tfds.builder(f"deepbind_encode_chipseq/{MYC}", data_dir=str(tmp_path / "again"))
    again.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(dummy), try_download_gcs=False))
    rows2 = list(tfds.as_numpy(again.as_dataset(split="train_top500")))
    assert all((a["sequence"] == b["sequence"]).all() for a, b in zip(rows, rows2))  # seeded


@pytest.mark.parametrize(
    "text, err, match",
    [
        ("FoldID\tEventID\tseq\n", DataFormatError, "line 1: expected the header"),
        ("FoldID\tEventID\tseq\tBound\nA\tx\tACGT\t2\n", DataFormatError, "line 2: Bound must be 0 or 1"),
        ("FoldID\tEventID\tseq\tBound\nA\tx\tACG\t1\n", InvalidSequenceError, "line 2: sequence has length 3"),
        ("FoldID\tEventID\tseq\tBound\nA\tx\tACGT\t1\nA\ty\tAXGT\t1\n", InvalidSequenceError, "line 3: letter 'X'"),
        ("FoldID\tEventID\tseq\tBound\nA\tx\tACGT\n", DataFormatError, "line 2: expected 4"),
        ("FoldID\tEventID\tseq\tBound\n", DataFormatError, "no records"),
    ],
)
def test_read_seq_file_errors(tmp_path, text, err, match):
    p = tmp_path / "bad_AC.seq.gz"
    with gzip.open(p, "wt") as fh:
        fh.write(text)
    with pytest.raises(err, match=match) as info:
        db.read_seq_file(p, sequence_length=4)
    assert "bad_AC.seq.gz" in str(info.value)


def test_configs_cover_the_known_experiments(tmp_path):
    names = {c.name for c in db.Builder.BUILDER_CONFIGS}
    assert {db.config_name(e) for e in db.KNOWN_EXPERIMENTS} <= names
    assert db.config_name("ARID3A_K562_ARID3A_(sc-8821)_Stanford") == "ARID3A_K562_ARID3A_sc-8821_Stanford"
    other = db.builder_for("ATF1_K562_ATF1_(06-325)_Harvard", data_dir=str(tmp_path))
    assert other.builder_config.experiment == "ATF1_K562_ATF1_(06-325)_Harvard"


@pytest.mark.shared_data
def test_shared_files_parse(shared_data):
    folder = shared_data / "deepbind_encode"
    path = folder / "MYC_H1-hESC_c-Myc_Stanford_B.seq.gz"
    if not path.exists():
        pytest.skip(f"{path} absent")
    events, seqs, labels = db.read_seq_file(path)
    assert len(seqs) == 1000 and labels.sum() == 500 and events[0] == "seq_00002_peak"
