"""zeng_chipseq: the 690 ENCODE ChIP-seq sets of Zeng, Edwards, Liu & Gifford (2016), one config
per experiment, in the ``.data`` format of cnn.csail.mit.edu/motif_discovery.

Each ``<experiment>/{train,test}.data`` file has one record per line, whitespace separated:
``<name> <101-nt sequence> <label>``; names look like ``chr6:11575902-11576002`` (negatives, made by
dinucleotide-shuffling positives, end in ``_shuf``; some copies prefix a ``>``). Sequences are
one-hot encoded A, C, G, T (N = all zeros) as Deepprune / ePooling's HDF5 converter did.

Sources, in order: the manual folder (``DownloadConfig(manual_dir=...)``, holding
``<experiment>/train.data`` and ``test.data``; the project's ``../shared/data/zeng690`` has three
experiments), else the original URL ``http://cnn.csail.mit.edu/motif_discovery/<experiment>/``.
Only the splits whose files exist are built (the shared MCF10A experiment has a test file only).
Configs: the three shared experiments; any other experiment with ``ZengConfig(name=<experiment>)``.
"""

from __future__ import annotations


import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_motifs.data import one_hot
from keras_motifs.errors import DataFormatError, InvalidSequenceError
from keras_motifs.io.text import decode_text

URL = "http://cnn.csail.mit.edu/motif_discovery/{experiment}/{split}.data"
SEQUENCE_LENGTH = 101
SHARED_EXPERIMENTS = (
    "wgEncodeAwgTfbsSydhGm12878Stat3IggmusUniPk",
    "wgEncodeAwgTfbsSydhHelas3Stat3IggrabUniPk",
    "wgEncodeAwgTfbsSydhMcf10aesStat3TamUniPk",
)


def read_data_file(path, sequence_length: int = SEQUENCE_LENGTH):
    """Read a Zeng ``.data`` file → (names list, one-hot uint8 (N, L, 4), labels int64 (N,)).

    Raises DataFormatError / InvalidSequenceError naming the file and line of a bad record.
    """
    path = epath.Path(path)
    names, seqs, labels, linenos = [], [], [], []
    with path.open("rb") as fh:
        data = fh.read()
    text = decode_text(data, path, "a Zeng .data file", encoding="ascii",
                       gzip_advice="a Zeng .data file is plain text (gunzip it first)")
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != 3:
            raise DataFormatError(
                f"file '{path}', line {lineno}: expected 3 fields 'name sequence label', got {len(fields)}"
            )
        name, seq, label = fields
        if label not in ("0", "1"):
            raise DataFormatError(f"file '{path}', line {lineno}: label must be 0 or 1, got {label!r}")
        if len(seq) != sequence_length:
            raise InvalidSequenceError(
                f"file '{path}', line {lineno}: sequence has length {len(seq)}, expected {sequence_length}"
            )
        names.append(name.lstrip(">"))
        seqs.append(seq)
        labels.append(int(label))
        linenos.append(lineno)
    if not seqs:
        raise DataFormatError(f"file '{path}': no records")
    try:
        x = one_hot(seqs, "ACGT", n_value=0.0, dtype=np.uint8)
    except InvalidSequenceError as exc:
        if exc.index is not None and exc.detail.startswith(": "):
            raise InvalidSequenceError(f"file '{path}', line {linenos[exc.index]}: {exc.detail[2:]}") from None
        raise InvalidSequenceError(f"file '{path}': {exc}") from None
    return names, x, np.asarray(labels, dtype=np.int64)


class ZengConfig(tfds.core.BuilderConfig):
    """One ENCODE experiment; ``name`` is the experiment folder name."""

    def __init__(self, *, name: str, sequence_length: int = SEQUENCE_LENGTH, **kwargs):
        super().__init__(name=name, description=f"Zeng et al. 2016 ChIP-seq set {name}", **kwargs)
        self.sequence_length = sequence_length


class Builder(tfds.core.GeneratorBasedBuilder):
    """Zeng et al. 2016 ENCODE ChIP-seq sets (101 bp, shuffled negatives), one config each."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [ZengConfig(name=e) for e in SHARED_EXPERIMENTS]
    # keep the file order: Keras's validation_split then takes the same last 10 % as the original
    disable_shuffling = True
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    Optional. Put <experiment>/train.data and <experiment>/test.data (from
    http://cnn.csail.mit.edu/motif_discovery/<experiment>/) in the manual folder, e.g. the
    project's ../shared/data/zeng690. Without it the builder downloads from that URL.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        length = self.builder_config.sequence_length
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "name": tfds.features.Text(),
                    "sequence": tfds.features.Tensor(shape=(length, 4), dtype=np.uint8),
                    "label": tfds.features.ClassLabel(names=["unbound", "bound"]),
                }
            ),
            supervised_keys=("sequence", "label"),
            homepage="http://cnn.csail.mit.edu/motif_discovery/",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        experiment = self.builder_config.name
        folder = None
        try:
            candidate = epath.Path(dl_manager.manual_dir) / experiment
            if candidate.exists():
                folder = candidate
        except Exception:  # no manual folder given: fall back to the original URL
            folder = None
        if folder is not None:
            files = {s: folder / f"{s}.data" for s in ("train", "test") if (folder / f"{s}.data").exists()}
            if not files:
                raise FileNotFoundError(f"'{folder}' holds neither train.data nor test.data")
        else:
            files = dl_manager.download({s: URL.format(experiment=experiment, split=s) for s in ("train", "test")})
        return {split: self._generate_examples(path) for split, path in files.items()}

    def _generate_examples(self, path):
        names, x, y = read_data_file(path, self.builder_config.sequence_length)
        for i in range(len(names)):
            yield i, {"name": names[i], "sequence": x[i], "label": int(y[i])}


def builder_for(experiment: str, **kwargs) -> Builder:
    """The builder of any experiment: a predefined config by name, else a new ``ZengConfig``."""
    if experiment in SHARED_EXPERIMENTS:
        return tfds.builder(f"zeng_chipseq/{experiment}", **kwargs)
    return tfds.builder("zeng_chipseq", config=ZengConfig(name=experiment), **kwargs)
