"""The Koo & Eddy 2019 in-vivo dataset: the DeepSEA data restricted to 12 TF ChIP-seq targets.

Recipe (p-koo/learning_sequence_motifs ``code/0_Generate_invivo_dataset.ipynb``; paper S1 Table):
from each DeepSEA split keep the 12 K562/... TF targets below (0-based DeepSEA target indices) and the
sequences positive for at least one of them; reorder channels A,G,C,T -> A,C,G,T. Data come from
the ``deepsea`` TFDS builder (``tfds_builders/deepsea``; sequences stored as uint8 base indices
in A,G,C,T order, 4 = N).
"""

from __future__ import annotations

import numpy as np

# (DeepSEA 0-based target index, TF) in the in-vivo label order (code notebook; paper S1 Table).
INVIVO_TARGETS: list[tuple[int, str]] = [
    (592, "ARID3A"), (602, "CEBPB"), (344, "FOSL1"), (345, "GABP"), (635, "MafK"), (636, "Max"),
    (349, "MEF2A"), (642, "NF-YB"), (359, "SP1"), (361, "SRF"), (661, "STAT1"), (369, "YY1"),
]
TARGET_INDICES = [i for i, _ in INVIVO_TARGETS]

# A,G,C,T base index -> A,C,G,T base index (N = 4 stays 4).
_AGCT_TO_ACGT = np.array([0, 2, 1, 3, 4], dtype=np.uint8)


def select(sequences_agct: np.ndarray, labels_919: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep rows positive for >= 1 of the 12 targets.

    Args:
      sequences_agct: uint8 (N, L) base indices in A,G,C,T order (4 = N), as the deepsea builder stores.
      labels_919: (N, 919) 0/1 labels.
    Returns ``(indices (M, L) in A,C,G,T order, labels (M, 12) float32)``.
    """
    seqs = np.asarray(sequences_agct)
    labels = np.asarray(labels_919)
    if labels.ndim != 2 or labels.shape[1] <= max(TARGET_INDICES):
        raise ValueError(f"labels have shape {labels.shape}; expected (N, 919) DeepSEA targets")
    y = labels[:, TARGET_INDICES].astype(np.float32)
    keep = y.max(axis=1) > 0
    return _AGCT_TO_ACGT[seqs[keep]], y[keep]


def load_invivo(manual_dir=None, data_dir=None, config: str = "full", batch_size: int = 10_000) -> dict:
    """``{"train"|"validation"|"test": (one_hot float32 (M, L, 4) A,C,G,T, labels (M, 12))}``.

    ``config="full"`` needs the DeepSEA bundle (train/valid/test.mat in ``manual_dir`` or
    downloadable); ``"synthetic_tiny"``/``"synthetic"`` exercise the same path offline.
    """
    import tensorflow_datasets as tfds

    from . import deepsea_dataset_builder  # noqa: F401  (registers 'deepsea')
    from keras_motifs.data import indices_to_one_hot

    builder = tfds.builder(f"deepsea/{config}", data_dir=data_dir)
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=manual_dir, try_download_gcs=False)
    )
    out = {}
    for split in ("train", "validation", "test"):
        xs, ys = [], []
        for batch in tfds.as_numpy(builder.as_dataset(split=split, batch_size=batch_size)):
            x, y = select(batch["sequence"], batch["label"])
            xs.append(x)
            ys.append(y)
        x = np.concatenate(xs) if xs else np.zeros((0, 1000), np.uint8)
        out[split] = (indices_to_one_hot(x), np.concatenate(ys) if ys else np.zeros((0, 12), np.float32))
    return out
