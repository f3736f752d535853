"""TFDS builder for the DeepSEA data (Zhou & Troyanskaya 2015) as used by DanQ.

Configs:
  ``full``            the official bundle ``deepsea_train_bundle.v0.9.tar.gz`` (4.4 GB): taken
                      from ``manual_dir`` if ``train.mat``/``valid.mat``/``test.mat`` are there
                      (directly or under ``deepsea_train/``), else downloaded from its original URL.
  ``synthetic``       the embedded default: DeepSEA-shaped data with planted JASPAR motifs,
                      generated locally (``synthetic.py``, recipe 2.0.0 since version 2.0.0: labels
                      from motifs in the central 400 bp, decoys in the flanks); 6,000 + 500 +
                      2,000 forward sequences, each with its reverse complement.
  ``synthetic_tiny``  the same recipe, 200 + 50 + 100 forward sequences, for tests and demos.

Every example stores the sequence compactly as uint8 base indices in the data's own channel order
A,G,C,T (A=0, G=1, C=2, T=3, N/unknown=4) and the 919 labels as uint8; decode to one-hot in the
input pipeline with :func:`tfds_builders.deepsea.to_one_hot`. Each split holds the forward
sequences followed by their reverse complements in the same order; ``pair_index`` identifies the
pair and ``strand`` the orientation, so evaluation can average the two (the DanQ protocol).

File formats of the real bundle (read in chunks, never whole):
  ``train.mat``  MATLAB v7.3 = HDF5: ``trainxdata`` (1000, 4, N) uint8, ``traindata`` (919, N).
  ``valid.mat``, ``test.mat``  MATLAB v5: ``validxdata`` (N, 4, 1000), ``validdata`` (N, 919)
                 (and ``testxdata``/``testdata``), read with ``scipy.io.loadmat``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import tensorflow_datasets as tfds

from keras_motifs.errors import DataFormatError

from . import mat_reader, synthetic

URL = "http://deepsea.princeton.edu/media/code/deepsea_train_bundle.v0.9.tar.gz"
SEQUENCE_LENGTH = 1000
N_TARGETS = 919
ALPHABET = "AGCT"
NAMES_FILE = "deepsea_predictor_names.txt"


@dataclasses.dataclass
class DeepSEAConfig(tfds.core.BuilderConfig):
    source: str = "full"  # "full" or "synthetic"
    n_train: int = 0  # forward sequences per split (synthetic only)
    n_valid: int = 0
    n_test: int = 0
    seed: int = 0


class Builder(tfds.core.GeneratorBasedBuilder):
    """DeepSEA / DanQ data: 1,000-bp sequences (A,G,C,T), 919 chromatin-feature targets."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: full bundle, synthetic and synthetic_tiny configs.",
        "2.0.0": "synthetic configs: recipe 2.0.0 (synthetic.py): 8 high-information ENCODE TF motifs, labels from "
                 "instances in the central 400 bp only, decoy instances in the flanks, co-binding TF targets; "
                 "recipe 1.0.0 (motifs anywhere, all counted) was a k-mer model's task. The full config is unchanged.",
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "For the `full` config, either let TFDS download the bundle from " + URL + ", or put the "
        "extracted train.mat, valid.mat and test.mat (and optionally deepsea_predictor_names.txt "
        "for target names) in manual_dir. The synthetic configs need nothing."
    )
    BUILDER_CONFIGS = [
        DeepSEAConfig(name="full", description="Official DeepSEA training bundle v0.9 (4.4M/8k/455k).", source="full"),
        DeepSEAConfig(
            name="synthetic",
            description="Locally generated DeepSEA-shaped data with planted JASPAR 2016 motifs (embedded default).",
            source="synthetic", n_train=6000, n_valid=500, n_test=2000, seed=2016,
        ),
        DeepSEAConfig(
            name="synthetic_tiny",
            description="Tiny version of the synthetic config for tests and demos.",
            source="synthetic", n_train=200, n_valid=50, n_test=100, seed=2016,
        ),
    ]
    DEFAULT_BUILDER_CONFIG_NAME = "synthetic"

    def __init__(self, *, beam: bool = False, beam_chunk: int | None = None, **kwargs):
        """``beam=True``: generate the ``full`` config with Apache Beam (see ``beam_pipeline.py``;
        pass ``DownloadConfig(beam_options=...)``, e.g. DirectRunner with several workers)."""
        self._beam = bool(beam)
        self._beam_chunk = beam_chunk
        super().__init__(**kwargs)

    def _info(self) -> tfds.core.DatasetInfo:
        zlib = tfds.features.Encoding.ZLIB
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Tensor(shape=(SEQUENCE_LENGTH,), dtype=np.uint8, encoding=zlib),
                    "label": tfds.features.Tensor(shape=(N_TARGETS,), dtype=np.uint8, encoding=zlib),
                    "pair_index": np.int64,
                    "strand": tfds.features.ClassLabel(names=["forward", "reverse_complement"]),
                }
            ),
            supervised_keys=("sequence", "label"),
            disable_shuffling=True,  # keep the files' order: forward half, then reverse complements
            homepage="http://deepsea.princeton.edu/",
            metadata=tfds.core.MetadataDict(
                alphabet=ALPHABET,
                sequence_encoding="uint8 base index in A,G,C,T order; 4 = N",
                layout="forward sequences, then their reverse complements in the same order",
            ),
        )

    # ------------------------------------------------------------------ splits
    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        if cfg.source == "synthetic":
            spec = synthetic.target_spec(cfg.seed)
            self._set_targets(spec.names, spec.groups)
            return {
                "train": self._generate_examples(n_forward=cfg.n_train, split_seed=1),
                "validation": self._generate_examples(n_forward=cfg.n_valid, split_seed=2),
                "test": self._generate_examples(n_forward=cfg.n_test, split_seed=3),
            }
        folder = self._find_bundle(dl_manager)
        names_path = self._find_names(dl_manager, folder)
        if names_path is not None:
            names = [ln.strip() for ln in open(names_path) if ln.strip()]
            if len(names) != N_TARGETS:
                raise DataFormatError(f"file '{names_path}': {len(names)} target names, expected {N_TARGETS}")
        else:
            names = [f"target_{i:03d}" for i in range(N_TARGETS)]
        from keras_motifs.metrics import deepsea_groups

        self._set_targets(names, list(deepsea_groups()))
        if self._beam:
            from . import beam_pipeline

            chunk = self._beam_chunk or beam_pipeline.DEFAULT_CHUNK
            return {
                split: beam_pipeline.examples_ptransform(folder / f"{prefix}.mat", prefix, chunk)
                for split, prefix in (("train", "train"), ("validation", "valid"), ("test", "test"))
            }
        return {
            "train": self._generate_examples(path=folder / "train.mat", prefix="train"),
            "validation": self._generate_examples(path=folder / "valid.mat", prefix="valid"),
            "test": self._generate_examples(path=folder / "test.mat", prefix="test"),
        }

    def _set_targets(self, names, groups):
        self.info.metadata["target_names"] = list(names)
        self.info.metadata["target_groups"] = list(groups)

    def _find_bundle(self, dl_manager) -> Path:
        candidates = []
        manual = getattr(dl_manager, "_manual_dir", None)
        if manual:
            candidates += [Path(manual), Path(manual) / "deepsea_train"]
        for c in candidates:
            if all((c / f).exists() for f in ("train.mat", "valid.mat", "test.mat")):
                return c
        extracted = Path(dl_manager.download_and_extract(URL))
        for c in (extracted, extracted / "deepsea_train"):
            if all((c / f).exists() for f in ("train.mat", "valid.mat", "test.mat")):
                return c
        raise DataFormatError(
            f"folder '{extracted}': the DeepSEA bundle does not contain train.mat, valid.mat and test.mat"
        )

    def _find_names(self, dl_manager, folder: Path):
        manual = getattr(dl_manager, "_manual_dir", None)
        for c in [folder / NAMES_FILE] + ([Path(manual) / NAMES_FILE] if manual else []):
            if c.exists():
                return c
        try:
            from keras_motifs.paths import shared_data_dir

            c = shared_data_dir("deepsea", NAMES_FILE)
            return c if c.exists() else None
        except Exception:  # pragma: no cover - names are optional
            return None

    # --------------------------------------------------------------- examples
    def _generate_examples(self, path=None, prefix=None, n_forward=None, split_seed=None):
        if path is not None:
            yield from self._generate_mat(path, prefix)
        else:
            yield from self._generate_synthetic(n_forward, split_seed)

    def _generate_synthetic(self, n_forward: int, split_seed: int):
        cfg = self.builder_config
        seqs, labels, _ = synthetic.generate(n_forward, cfg.seed, split_seed, SEQUENCE_LENGTH)
        for i in range(len(seqs)):
            yield i, {
                "sequence": seqs[i],
                "label": labels[i],
                "pair_index": i % n_forward,
                "strand": int(i >= n_forward),
            }

    def _generate_mat(self, path: Path, split: str):
        reader = mat_reader.open_split(path, split)
        n = reader.num_examples
        if n % 2:
            raise DataFormatError(f"file '{path}': {n} sequences, expected an even number (forward + reverse complement halves)")
        half = n // 2
        for start, x, y in reader.iter_chunks():
            for j in range(len(x)):
                i = start + j
                yield i, {
                    "sequence": x[j],
                    "label": y[j],
                    "pair_index": i % half,
                    "strand": int(i >= half),
                }
