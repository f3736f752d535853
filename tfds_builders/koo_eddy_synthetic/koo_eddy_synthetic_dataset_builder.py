"""TFDS builder for the Koo & Eddy 2019 synthetic dataset (12 JASPAR 2016 TF motifs in random DNA).

Configs:
  ``default``      the published recipe (paper Methods; notebook
                   ``0_Generate_synthetic_dataset.ipynb``): 25,000 sequences of 200 nt, seed 33,
                   split 0.7/0.1/0.2 = 17,500 / 2,500 / 5,000. Generated locally from the JASPAR 2016
                   PFMs shipped with ``pyjaspar``; nothing is downloaded.
  ``small``        the same recipe with 1,000 sequences (700 / 100 / 200), for tests and demos.
  ``original_h5``  the original file ``synthetic_dataset.h5`` (if you have it) read from
                   ``manual_dir``: HDF5 datasets ``X_train`` (N, 4, 200) one-hot A,C,G,T,
                   ``Y_train`` (N, 12), ``model_train`` (N, 4, 200), and the same for ``valid``
                   and ``test``.

Features: ``sequence`` uint8 (200,) base indices in A,C,G,T order (decode with
``keras_motifs.data.indices_to_one_hot`` or :func:`tfds_builders.koo_eddy_synthetic.to_one_hot`),
``label`` uint8 (12,) multi-hot over :data:`TF_NAMES`, ``pwm`` float32 (200, 4) the generating
sequence model (the original's ``model_*``), ``index`` the example's row in the source split
(generation order for the recipe configs' whole set).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow_datasets as tfds

from keras_motifs.errors import DataFormatError
from tfds_builders.koo_eddy_synthetic import synthetic

SEQUENCE_LENGTH = synthetic.SEQUENCE_LENGTH
ALPHABET = "ACGT"
H5_FILE = "synthetic_dataset.h5"
_SPLITS = {"train": "train", "validation": "valid", "test": "test"}


@dataclasses.dataclass
class KooEddySyntheticConfig(tfds.core.BuilderConfig):
    source: str = "recipe"  # "recipe" or "h5"
    num_sequences: int = synthetic.NUM_SEQUENCES
    seed: int = synthetic.SEED


class Builder(tfds.core.GeneratorBasedBuilder):
    """Koo & Eddy 2019 synthetic multi-TF dataset: 200-nt sequences, 12 binary labels."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: recipe (default, small) and original_h5 configs."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Only the `original_h5` config needs a manual file: put the original "
        f"`{H5_FILE}` (Koo & Eddy 2019) in manual_dir. The other configs are generated locally."
    )
    BUILDER_CONFIGS = [
        KooEddySyntheticConfig(name="default", description="Published recipe, 25,000 sequences, seed 33."),
        KooEddySyntheticConfig(name="small", description="Published recipe, 1,000 sequences, seed 33.", num_sequences=1000),
        KooEddySyntheticConfig(name="original_h5", description=f"The original {H5_FILE} from manual_dir.", source="h5"),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "default"

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Tensor(shape=(SEQUENCE_LENGTH,), dtype=np.uint8),
                    "label": tfds.features.Tensor(shape=(len(synthetic.TF_NAMES),), dtype=np.uint8),
                    "pwm": tfds.features.Tensor(
                        shape=(SEQUENCE_LENGTH, 4), dtype=np.float32, encoding=tfds.features.Encoding.ZLIB
                    ),
                    "index": np.int64,
                }
            ),
            supervised_keys=("sequence", "label"),
            disable_shuffling=True,
            homepage="https://github.com/p-koo/learning_sequence_motifs",
            metadata=tfds.core.MetadataDict(
                alphabet=ALPHABET,
                sequence_encoding="uint8 base index in A,C,G,T order",
                tf_names=list(synthetic.TF_NAMES),
                jaspar_ids=[i for _, i in synthetic.CORE_MOTIFS],
            ),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        if cfg.source == "h5":
            manual = Path(dl_manager.manual_dir)
            path = manual / H5_FILE
            if not path.exists():
                raise FileNotFoundError(f"'{path}' not found: {self.MANUAL_DOWNLOAD_INSTRUCTIONS}")
            data = read_original_h5(path)
        else:
            data = synthetic.generate(num_sequences=cfg.num_sequences, seed=cfg.seed)
        return {name: self._generate_examples(data[key]) for name, key in _SPLITS.items()}

    def _generate_examples(self, split: dict):
        for i in range(len(split["sequence"])):
            yield i, {
                "sequence": split["sequence"][i],
                "label": split["label"][i].astype(np.uint8),
                "pwm": split["pwm"][i].astype(np.float32),
                "index": int(split["index"][i]),
            }


def read_original_h5(path) -> dict[str, dict[str, np.ndarray]]:
    """Read the original ``synthetic_dataset.h5`` into the recipe's split dictionaries.

    Checks dataset names, shapes, 0/1 labels and that every position of ``X_*`` is one-hot;
    raises :class:`DataFormatError` naming the file, dataset and record otherwise.
    """
    from keras_motifs.io import open_hdf5

    out = {}
    with open_hdf5(path) as f:
        for key in ("train", "valid", "test"):
            names = [f"X_{key}", f"Y_{key}", f"model_{key}"]
            for name in names:
                if name not in f:
                    raise DataFormatError(f"file '{path}': dataset '{name}' is missing (found {sorted(f)})")
            x, y, m = (np.asarray(f[n][()]) for n in names)
            if x.ndim == 4 and x.shape[2] == 1:  # (N, 4, L, 1) variant
                x, m = x[:, :, :, 0], m[:, :, :, 0] if m.ndim == 4 else m
            if x.ndim != 3 or x.shape[1] != 4:
                raise DataFormatError(f"file '{path}': dataset 'X_{key}' has shape {x.shape}, expected (N, 4, L)")
            n = x.shape[0]
            if y.shape != (n, len(synthetic.TF_NAMES)):
                raise DataFormatError(f"file '{path}': dataset 'Y_{key}' has shape {y.shape}, expected ({n}, 12)")
            if m.shape != x.shape:
                raise DataFormatError(f"file '{path}': dataset 'model_{key}' has shape {m.shape}, expected {x.shape}")
            if x.shape[2] != SEQUENCE_LENGTH:
                raise DataFormatError(f"file '{path}': dataset 'X_{key}' has length {x.shape[2]}, expected {SEQUENCE_LENGTH}")
            bad = ~((x == 0) | (x == 1)).all(axis=1) | (x.sum(axis=1) != 1)
            if bad.any():
                rec, pos = np.argwhere(bad)[0]
                raise DataFormatError(
                    f"file '{path}', dataset 'X_{key}', record {rec}: position {pos} is not one-hot "
                    f"(values {x[rec, :, pos].tolist()})"
                )
            if not np.isin(y, (0, 1)).all():
                rec = int(np.argwhere(~np.isin(y, (0, 1)))[0][0])
                raise DataFormatError(f"file '{path}', dataset 'Y_{key}', record {rec}: labels must be 0 or 1")
            bad_m = ~np.isfinite(m) | (m < 0) | (m > 1)
            if bad_m.any():
                rec, ch, pos = (int(v) for v in np.argwhere(bad_m)[0])
                raise DataFormatError(
                    f"file '{path}', dataset 'model_{key}', record {rec}: position {pos} holds {m[rec, ch, pos].item()!r}; "
                    "the generating model holds letter probabilities between 0 and 1"
                )
            out[key] = {
                "sequence": x.argmax(axis=1).astype(np.uint8),
                "label": y.astype(np.float32),
                "pwm": np.transpose(m, (0, 2, 1)).astype(np.float32),
                "index": np.arange(n),
            }
    return out
