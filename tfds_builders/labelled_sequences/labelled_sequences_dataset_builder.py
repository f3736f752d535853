"""labelled_sequences: your own labelled DNA sequences as a TFDS dataset, configured by you.

Inputs (any one kind; :mod:`keras_motifs.io.labelled`, shared with ``keras-motifs train``):
FASTA files per class (``positives``/``negatives``), a FASTA + a labels table (``fasta``,
``labels``: one column per target), or BED intervals + a reference genome (``bed``,
``negative_bed``, ``genome``, optional ``label_columns``), intervals resized to ``length`` around
their centre, reverse-complemented on strand ``-``. Negatives may be generated
(``shuffled_negatives``: dinucleotide shuffles of the positives; ``flank_negatives``). Splits by
chromosome (``test_chroms``, ``valid_chroms``) or seeded fractions (``test_fraction``,
``valid_fraction``). Bad input (a chromosome the genome lacks, an interval past a chromosome end,
a letter outside ACGT/N, a wrong length, a bad label) stops the build with an error naming the
file and line; ``skip_bad_intervals`` leaves such intervals out, counted in the metadata.

Two ways to configure it:

* a config of your own: ``builder_for("my_peaks", spec=LabelledSpec(bed=("peaks.bed",),
  genome="hg38.fa", test_chroms=("chr8",), shuffled_negatives=1), length=101, data_dir=...)``;
* the ``manual`` config: a manual folder (``DownloadConfig(manual_dir=...)``) holding
  ``spec.json``, the same keys as :class:`~keras_motifs.io.labelled.LabelledSpec` plus ``length``
  and ``alphabet``, with paths relative to the folder (see ``dummy_data/spec.json``).

Features: ``id`` (FASTA record ID or BED name), ``sequence`` (uint8 letter indices in the
config's alphabet, N = 4; ``keras_motifs.data.indices_to_one_hot``), ``label`` (float32, one per
target), ``origin`` (file and line or record). Splits ``train``, ``validation`` (when not empty),
``test``. Metadata: ``target_names``, ``alphabet``, ``length``, ``skipped_intervals``.
"""

from __future__ import annotations

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_motifs.errors import DataFormatError
from keras_motifs.io.labelled import LabelledSpec, load_labelled

SPEC_FILE = "spec.json"
_EXTRA_KEYS = ("length", "alphabet")


class LabelledSequencesConfig(tfds.core.BuilderConfig):
    """One dataset of your own: ``spec`` (None: read ``spec.json`` from the manual folder),
    ``length`` (the model's input length) and ``alphabet`` (channel order of the indices)."""

    def __init__(self, *, name: str, spec: LabelledSpec | None = None, length: int | None = None,
                 alphabet: str = "ACGT", **kwargs):
        described = "from spec.json in the manual folder" if spec is None else str(spec.to_dict())
        super().__init__(name=name, description=f"labelled sequences {described}", **kwargs)
        self.spec, self.length, self.alphabet = spec, length, alphabet


def _manual_spec(folder) -> tuple[LabelledSpec, int, str]:
    """The spec, length and alphabet of ``spec.json`` in the manual folder."""
    import json

    path = epath.Path(folder) / SPEC_FILE
    if not path.exists():
        raise DataFormatError(f"manual folder '{folder}': no {SPEC_FILE} (the dataset's inputs: e.g. "
                              '{"bed": ["peaks.bed"], "genome": "genome.fa", "length": 101, "test_chroms": ["chr8"]})')
    try:
        values = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"file '{path}', line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(values, dict):
        raise DataFormatError(f"file '{path}': expected a JSON object of spec keys (bed, genome, length, ...)")
    extra = {k: values.pop(k) for k in _EXTRA_KEYS if k in values}
    if "length" not in extra:
        raise DataFormatError(f"file '{path}': no 'length' (the model's input length in bp)")
    try:
        spec = LabelledSpec.from_dict(values, str(path.parent), where=f"file '{path}'")
    except TypeError as exc:
        raise DataFormatError(f"file '{path}': {exc}") from None
    return spec, int(extra["length"]), str(extra.get("alphabet", "ACGT"))


class Builder(tfds.core.GeneratorBasedBuilder):
    """Your own labelled sequences (FASTA per class, FASTA + labels, or BED + genome)."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [LabelledSequencesConfig(name="manual")]
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    For the 'manual' config: a folder with spec.json (LabelledSpec keys plus "length" and
    "alphabet"; paths relative to the folder) and the files it names. Or build a config of your
    own with tfds_builders.labelled_sequences.builder_for(name, spec=..., length=...).
    """

    def _info(self) -> tfds.core.DatasetInfo:
        length = self.builder_config.length
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict({
                "id": tfds.features.Text(),
                "sequence": tfds.features.Tensor(shape=(length,), dtype=np.uint8),
                "label": tfds.features.Tensor(shape=(None,), dtype=np.float32),
                "origin": tfds.features.Text(),
            }),
            supervised_keys=("sequence", "label"),
            disable_shuffling=True,
            homepage="https://genome.ucsc.edu/FAQ/FAQformat.html#format1",
            metadata=tfds.core.MetadataDict(),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        if cfg.spec is None:
            spec, length, alphabet = _manual_spec(dl_manager.manual_dir)
        else:
            spec, length, alphabet = cfg.spec, cfg.length, cfg.alphabet
            if length is None:
                raise DataFormatError(f"config {cfg.name!r}: no length (the model's input length in bp)")
        if cfg.length is not None and length != cfg.length:
            raise DataFormatError(f"config {cfg.name!r}: length {cfg.length}, but the spec says {length}")
        data = load_labelled(spec, length, alphabet)
        self.info.metadata.update({"target_names": list(data.target_names), "alphabet": data.alphabet,
                                   "length": int(length), "skipped_intervals": list(data.skipped)})
        splits = {}
        for name in ("train", "validation", "test"):
            rows = np.flatnonzero(data.split == name)
            if len(rows):
                splits[name] = self._generate_examples(data, rows)
        return splits

    def _generate_examples(self, data, rows):
        for i in rows:
            yield int(i), {"id": data.ids[i], "sequence": data.sequences[i], "label": data.labels[i],
                           "origin": data.origins[i]}


def builder_for(name: str, *, spec: LabelledSpec, length: int, alphabet: str = "ACGT", **kwargs) -> Builder:
    """The builder of a dataset of your own (``kwargs``: e.g. ``data_dir``)."""
    config = LabelledSequencesConfig(name=name, spec=spec, length=length, alphabet=alphabet)
    return tfds.builder("labelled_sequences", config=config, **kwargs)
