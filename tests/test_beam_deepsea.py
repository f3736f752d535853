"""deepsea/full through TFDS's Apache Beam support (DirectRunner, several workers) on a generated
train.mat in the real MATLAB v7.3/HDF5 layout: same examples, same order as the default path.

Skips when ``apache-beam`` is not installed (``pip install -e '.[beam]'``).
"""

import numpy as np
import pytest

beam = pytest.importorskip("apache_beam")

import tensorflow_datasets as tfds  # noqa: E402

import tfds_builders  # noqa: E402,F401
from tfds_builders.deepsea import beam_pipeline  # noqa: E402
from tfds_builders.deepsea.dummy_data_generation import _onehot_pairs, write_train_v73, write_v5  # noqa: E402


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deepsea_bundle")
    rng = np.random.default_rng(7)
    write_train_v73(folder / "train.mat", *_onehot_pairs(150, rng))  # 300 samples
    write_v5(folder / "valid.mat", "valid", *_onehot_pairs(5, rng))
    write_v5(folder / "test.mat", "test", *_onehot_pairs(6, rng))
    return folder


def _arrays(builder, split):
    ds = builder.as_dataset(split=split, shuffle_files=False)
    rows = list(tfds.as_numpy(ds))
    return (
        np.stack([r["sequence"] for r in rows]),
        np.stack([r["label"] for r in rows]),
        np.array([r["pair_index"] for r in rows]),
        np.array([r["strand"] for r in rows]),
    )


def test_split_ranges_cover_the_file(bundle):
    items = beam_pipeline.split_ranges(bundle / "train.mat", "train", chunk=64)
    assert [(s, e) for _, _, s, e, _ in items] == [(0, 64), (64, 128), (128, 192), (192, 256), (256, 300)]
    assert len(beam_pipeline.split_ranges(bundle / "test.mat", "test")) == 1  # v5: not sliceable
    got = [k for it in items for k, _ in beam_pipeline.read_range(it)]
    assert got == list(range(300))


def test_beam_direct_runner_two_workers_matches_default_path(bundle, tmp_path):
    from apache_beam.options.pipeline_options import PipelineOptions

    opts = PipelineOptions(["--direct_num_workers=2", "--direct_running_mode=multi_threading"])
    b = tfds.builder("deepsea/full", data_dir=str(tmp_path / "beam"), beam=True, beam_chunk=64)
    b.download_and_prepare(download_config=tfds.download.DownloadConfig(
        manual_dir=str(bundle), try_download_gcs=False, beam_options=opts))
    ref = tfds.builder("deepsea/full", data_dir=str(tmp_path / "plain"))
    ref.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=str(bundle), try_download_gcs=False))
    assert b.info.splits["train"].num_examples == 300
    for split in ("train", "validation", "test"):
        for got, want in zip(_arrays(b, split), _arrays(ref, split)):
            np.testing.assert_array_equal(got, want)
    seq, _, pair, strand = _arrays(b, "train")
    assert seq[0, 10] == 4  # the planted N
    assert (pair[:150] == np.arange(150)).all() and (strand[150:] == 1).all()
