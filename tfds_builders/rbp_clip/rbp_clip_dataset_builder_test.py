"""rbp_clip builder on dummy files in the real iONMF layout (manual folder and URL paths)."""

import gzip

import numpy as np
import pytest
import tensorflow_datasets as tfds

from keras_motifs.errors import DataFormatError, InvalidSequenceError

from . import rbp_clip_dataset_builder as rb


class RbpClipManualTest(tfds.testing.DatasetBuilderTestCase):
    """dummy_data/23_PARCLIP_PUM2_hg19/30000/...: 14 training records (9 unbound, 5 bound) →
    validation int(9 * 0.2) + int(5 * 0.2) = 2, train 12; test 5."""

    DATASET_CLASS = rb.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["e23_pum2"]
    SPLITS = {"train": 12, "validation": 2, "test": 5}


class RbpClipDownloadTest(tfds.testing.DatasetBuilderTestCase):
    """Experiment 1 is absent from the manual folder: read from the original URL (mocked)."""

    DATASET_CLASS = rb.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["e01_ago_eif"]
    DL_DOWNLOAD_RESULT = {"train": "download/1_training_sample_0.fa.gz", "test": "download/1_test_sample_0.fa.gz"}
    SPLITS = {"train": 10, "validation": 1, "test": 3}


def _write(path, text, compress=True):
    data = text.encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def test_read_ionmf_fasta_records(tmp_path):
    p = _write(tmp_path / "s.fa.gz", "> chr1,+,10,14; class:1\nACGU\nn\n>chrX,-,5,8;class:0\nacgt\n")
    recs = rb.read_ionmf_fasta(p)
    assert [(r.index, r.line, r.chrom, r.strand, r.start, r.end, r.label, r.sequence) for r in recs] == [
        (0, 1, "chr1", "+", 10, 14, 1, "ACGUN"),
        (1, 4, "chrX", "-", 5, 8, 0, "ACGT"),
    ]
    assert rb.read_ionmf_fasta(_write(tmp_path / "plain.fa", "> c,+,1,2; class:0\nAC\n", compress=False))[0].sequence == "AC"


@pytest.mark.parametrize(
    "text, err, match",
    [
        ("> chr1,+,10,13; class:1\nACGT\n> chr1 10 14 class 0\nACGT\n", DataFormatError, "line 3: header"),
        ("> chr1,+,10,14; class:2\nACGT\n", DataFormatError, "line 1: label '2' is not 0 or 1"),
        ("> chr1,+,10,14; class:\nACGT\n", DataFormatError, "line 1: label '' is not 0 or 1"),
        ("> chr1,*,10,14; class:0\nACGT\n", DataFormatError, "line 1: header"),
        ("ACGT\n> chr1,+,10,14; class:0\nACGT\n", DataFormatError, "line 1: sequence line before"),
        ("> chr1,+,10,14; class:0\n> chr1,+,20,24; class:0\nACGT\n", DataFormatError, "line 1: header has no sequence"),
        ("> chr1,+,10,14; class:0\nACGT\nACXT\n", InvalidSequenceError, "line 3: letter 'X' at column 3"),
        ("\n\n", DataFormatError, "no FASTA records"),
    ],
)
def test_read_ionmf_fasta_errors(tmp_path, text, err, match):
    p = _write(tmp_path / "bad.fa.gz", text)
    with pytest.raises(err, match=match) as info:
        rb.read_ionmf_fasta(p)
    assert "bad.fa.gz" in str(info.value)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    p = tmp_path / "trunc.fa.gz"
    p.write_bytes(gzip.compress(b"> chr1,+,1,2; class:0\nACGT\n" * 50)[:40])
    with pytest.raises(DataFormatError, match="trunc.fa.gz.*gzip"):
        rb.read_ionmf_fasta(p)


def test_split_takes_first_fifth_of_each_class_in_file_order():
    labels = np.array([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0])  # 9 zeros, 6 ones
    train, val = rb.split_validation(labels)
    # int(9 * 0.2) = 1 zero (index 0), int(6 * 0.2) = 1 one (index 1)
    assert val.tolist() == [0, 1]
    assert train.tolist() == [i for i in range(15) if i not in (0, 1)]
    labels = np.repeat([0, 1], [24000, 6000])[np.random.default_rng(0).permutation(30000)]
    train, val = rb.split_validation(labels)
    assert len(train) == 24000 and len(val) == 6000
    assert (labels[val] == 1).sum() == 1200
    first_pos = np.flatnonzero(labels == 1)[:1200]
    np.testing.assert_array_equal(np.sort(val[labels[val] == 1]), first_pos)


def test_configs_and_lookup(tmp_path):
    assert len(rb.CONFIGS) == 31 and len({c.name for c in rb.CONFIGS}) == 31
    assert rb.config_for(23).name == "e23_pum2"
    assert rb.config_for("31_ICLIP_U2AF65_Hela_iCLIP_ctrl+kd_all_clusters").name == "e31_u2af2_kd"
    (tmp_path / "23_PARCLIP_PUM2_hg19" / "30000").mkdir(parents=True)
    (tmp_path / "7_CLIP-seq-eIF4AIII_2" / "30000").mkdir(parents=True)
    assert [c.index for c in rb.experiments_in(tmp_path)] == [7, 23]
    lines = (rb.epath.Path(rb.__file__).parent / "checksums.tsv").read_text().splitlines()
    urls = {line.split("\t")[0] for line in lines}
    assert len(urls) == 62
    for cfg in rb.CONFIGS:
        for split in rb.FILES.values():
            assert rb.URL.format(folder=cfg.folder, split=split) in urls


def test_examples_have_structure_of_the_sequence(tmp_path):
    from keras_motifs.structure import predict_structures

    builder = rb.Builder(config="e23_pum2", data_dir=str(tmp_path / "tfds"))
    dummy = rb.epath.Path(rb.__file__).parent / "dummy_data"
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(dummy), try_download_gcs=False)
    )
    ex = list(tfds.as_numpy(builder.as_dataset(split="validation")))
    assert sorted(int(e["index"]) for e in ex) == [0, 1]  # the first record of each class
    for e in ex:
        seq = e["sequence"].decode()
        assert len(e["structure"]) == len(seq) == len(e["dotbracket"]) == 101
        assert [(d.encode(), c.encode()) for d, c in predict_structures([seq])] == [(e["dotbracket"], e["structure"])]
    assert (tmp_path / "tfds" / "rbp_clip" / "structures.sqlite").exists()


@pytest.mark.shared_data
def test_shared_rbp31_headers_parse(shared_data):
    folder = shared_data / "rbp31" / "23_PARCLIP_PUM2_hg19" / "30000"
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    recs = rb.read_ionmf_fasta(folder / "test_sample_0" / "sequences.fa.gz")
    labels = np.array([r.label for r in recs])
    assert len(recs) == 10000 and labels.sum() == 2000
    assert {len(r.sequence) for r in recs} == {101}
