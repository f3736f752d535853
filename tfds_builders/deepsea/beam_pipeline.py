"""Apache Beam generation of the DeepSEA splits (``tfds.builder("deepsea/full", beam=True)``).

The HDF5 ``train.mat`` is cut into ranges of ``chunk`` samples; each Beam worker opens the file
itself and converts its ranges (HDF5 slicing reads only those samples), so the 4.4M-sample split
is processed in parallel with memory bounded per worker. The MATLAB v5 ``valid.mat``/``test.mat``
cannot be sliced (``scipy.io.loadmat`` reads a whole variable) and become one range each.
Example keys are the sample indices, so with the builder's ``disable_shuffling`` the written
order is the file's order, exactly as in the non-Beam path.

Run locally with the DirectRunner and several workers::

    import tensorflow_datasets as tfds, tfds_builders
    from apache_beam.options.pipeline_options import PipelineOptions
    opts = PipelineOptions(["--direct_num_workers=4", "--direct_running_mode=multi_processing"])
    tfds.builder("deepsea/full", beam=True).download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir="...", beam_options=opts))

The same pipeline runs on Dataflow/Spark/Flink by passing that runner's ``PipelineOptions``
(the workers then need this package installed and the .mat files on shared storage, e.g. GCS).
"""

from __future__ import annotations

from pathlib import Path

import h5py

from . import mat_reader
from keras_motifs.io import open_hdf5

DEFAULT_CHUNK = 10_000


def split_ranges(path, prefix: str, chunk: int = DEFAULT_CHUNK) -> list[tuple[str, str, int, int, int]]:
    """Validate a split file and cut it into ``(path, prefix, start, stop, n)`` work items."""
    reader = mat_reader.open_split(path, prefix)  # checks names, shapes, even count (below)
    n = reader.num_examples
    is_hdf5 = isinstance(reader, mat_reader._HDF5Split)
    if is_hdf5:
        reader._f.close()
    step = chunk if is_hdf5 else n
    return [(str(path), prefix, s, min(s + step, n), n) for s in range(0, n, step)]


def read_range(item):
    """Yield ``(index, example)`` for samples ``start..stop`` of one split file (runs on a worker)."""
    path, prefix, start, stop, n = item
    half = n // 2
    if h5py.is_hdf5(path):
        with open_hdf5(path) as f:
            x = f[f"{prefix}xdata"][:, :, start:stop].transpose(2, 0, 1)  # (m, 1000, 4)
            y = f[f"{prefix}data"][:, start:stop].T
        idx = mat_reader.onehot_to_indices(x, path, start)
        lab = mat_reader._check_labels(y, path, start)
        chunks = [(start, idx, lab)]
    else:
        chunks = mat_reader.open_split(Path(path), prefix).iter_chunks()
    for first, idx, lab in chunks:
        for j in range(len(idx)):
            i = first + j
            if start <= i < stop:
                yield i, {"sequence": idx[j], "label": lab[j], "pair_index": i % half, "strand": int(i >= half)}


def examples_ptransform(path, prefix: str, chunk: int = DEFAULT_CHUNK, label: str = ""):
    """The Beam ``PTransform`` TFDS expects from ``_generate_examples`` for one split."""
    from tensorflow_datasets.core.utils.lazy_imports_utils import apache_beam as beam

    items = split_ranges(path, prefix, chunk)
    tag = label or prefix
    return (
        f"Ranges_{tag}" >> beam.Create(items)
        | f"Spread_{tag}" >> beam.Reshuffle()  # hand the ranges to different workers
        | f"Read_{tag}" >> beam.FlatMap(read_range)
    )
