"""deepbind_encode_chipseq: the ENCODE ChIP-seq sets of DeepBind (Alipanahi et al. 2015), one
config per experiment, in the supplementary code's ``.seq.gz`` format.

Files (jisraeli/DeepBind ``data/encode/``): ``<TF>_<cell>_<antibody>_<lab>_AC.seq.gz`` and
``..._B.seq.gz``, gzipped TSV with the header ``FoldID  EventID  seq  Bound``. ``_AC`` holds the
training peaks (positives only, ``Bound`` = 1, 101 nt; the top 500 odd-numbered peaks
``seq_00001_peak``, ``seq_00003_peak``, ... come first); ``_B`` the test set: the top 500
even-numbered peaks and 500 dinucleotide shuffles (``..._shuf``, ``Bound`` = 0).

Splits (the paper's two training sets, Supplementary Notes sec. 6.1; code
``deepbind_train_encode.py`` modes "top" and "all"):
  ``train_top500``  the first 500 ``_AC`` rows ("DeepBind"),
  ``train_all``     every ``_AC`` row ("DeepBind*"),
  ``test``          the ``_B`` file as it is.
Each training positive is followed by one dinucleotide shuffle of itself (label 0), made with
:func:`keras_motifs.deepbind.shuffle.dinucleotide_shuffles` seeded by the config's ``seed`` and
the row's index in ``_AC`` (so a peak has the same negative in both training splits). The
original trainer repeats the positives to at least 100,000 rows with a fresh shuffle each; the
reproduction does that on the fly with further seeded shuffles (``stream`` > 0).

Sequences are stored as uint8 base indices A, C, G, T = 0..3 (N = 4); decode with
``keras_motifs.data.indices_to_one_hot(x, 4, n_value=0.25)`` (DeepBind's N = 0.25).

Sources, in order: the manual folder (``DownloadConfig(manual_dir=...)``; the project's
``../shared/data/deepbind_encode`` holds 10 experiments), else the original URL (raw files of the
jisraeli/DeepBind repository).
"""

from __future__ import annotations

import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_motifs.data import encode_indices
from keras_motifs.errors import DataFormatError, InvalidSequenceError
from keras_motifs.io.text import gunzip_if_gzipped
from keras_motifs.paths import shared_data_dir

URL = "https://raw.githubusercontent.com/jisraeli/DeepBind/master/data/encode/{experiment}_{part}.seq.gz"
SEQUENCE_LENGTH = 101
TOP = 500
HEADER = ["FoldID", "EventID", "seq", "Bound"]
# The 10 experiments of the DeepBind supplementary code (jisraeli/DeepBind data/encode/*_AC.seq.gz).
KNOWN_EXPERIMENTS = (
    "ARID3A_K562_ARID3A_(sc-8821)_Stanford",
    "CTCFL_K562_CTCFL_(SC-98982)_HudsonAlpha",
    "ELK1_GM12878_ELK1_(1277-1)_Stanford",
    "FOXA1_HepG2_FOXA1_(SC-101058)_HudsonAlpha",
    "GABPA_GM12878_GABP_HudsonAlpha",
    "MYC_H1-hESC_c-Myc_Stanford",
    "REST_GM12878_NRSF_HudsonAlpha",
    "SP1_GM12878_SP1_HudsonAlpha",
    "USF1_HepG2_USF-1_HudsonAlpha",
    "ZBTB7A_HepG2_ZBTB7A_(SC-34508)_HudsonAlpha",
)


def config_name(experiment: str) -> str:
    """TFDS-safe config name of an experiment (parentheses dropped)."""
    return re.sub(r"[^\w\-.]", "", experiment)


def read_seq_file(path, sequence_length: int = SEQUENCE_LENGTH):
    """Read a DeepBind ``.seq(.gz)`` file → (event ids, sequences, labels int64 array).

    Raises DataFormatError / InvalidSequenceError naming the file and line of a bad record.
    """
    path = epath.Path(path)
    with path.open("rb") as fh:
        data = fh.read()
    data = gunzip_if_gzipped(data, path)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"file '{path}': not an ASCII text file ({exc})") from None
    events, seqs, labels = [], [], []
    header = "\t".join(HEADER)
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split("\t")
        if lineno == 1:
            if fields != HEADER:
                raise DataFormatError(f"file '{path}', line 1: expected the header {header!r}, got {line.strip()!r}")
            continue
        if not line.strip():
            continue
        if len(fields) != 4:
            raise DataFormatError(f"file '{path}', line {lineno}: expected 4 tab-separated fields, got {len(fields)}")
        _, event, seq, bound = fields
        if bound not in ("0", "1"):
            raise DataFormatError(f"file '{path}', line {lineno}: Bound must be 0 or 1, got {bound!r}")
        if len(seq) != sequence_length:
            raise InvalidSequenceError(
                f"file '{path}', line {lineno}: sequence has length {len(seq)}, expected {sequence_length}")
        try:
            encode_indices([seq], "ACGT")
        except InvalidSequenceError as exc:
            raise InvalidSequenceError(f"file '{path}', line {lineno}: " + str(exc).replace("sequence 0: ", "")) from None
        events.append(event)
        seqs.append(seq.upper())
        labels.append(int(bound))
    if not seqs:
        raise DataFormatError(f"file '{path}': no records")
    return events, seqs, np.asarray(labels, dtype=np.int64)


class DeepBindEncodeConfig(tfds.core.BuilderConfig):
    """One ENCODE experiment; ``experiment`` is the file-name prefix."""

    def __init__(self, *, experiment: str, seed: int = 0, **kwargs):
        super().__init__(name=config_name(experiment), description=f"DeepBind ENCODE ChIP-seq set {experiment}", **kwargs)
        self.experiment = experiment
        self.seed = seed


def _found_experiments() -> list[str]:
    folder = shared_data_dir("deepbind_encode")
    try:
        found = sorted(p.name[: -len("_AC.seq.gz")] for p in folder.glob("*_AC.seq.gz"))
    except OSError:
        found = []
    return list(dict.fromkeys(list(KNOWN_EXPERIMENTS) + found))


class Builder(tfds.core.GeneratorBasedBuilder):
    """DeepBind's ENCODE ChIP-seq sets (101 bp; shuffled negatives), one config per experiment."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = [DeepBindEncodeConfig(experiment=e) for e in _found_experiments()]
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    Optional. Put <experiment>_AC.seq.gz and <experiment>_B.seq.gz (jisraeli/DeepBind data/encode/)
    in the manual folder, e.g. the project's ../shared/data/deepbind_encode. Without it the builder
    downloads them from the DeepBind repository.
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "event_id": tfds.features.Text(),
                    "sequence": tfds.features.Tensor(shape=(SEQUENCE_LENGTH,), dtype=np.uint8),
                    "label": tfds.features.ClassLabel(names=["unbound", "bound"]),
                    "peak_index": np.int64,  # row of the positive in _AC (training) or _B (test)
                }
            ),
            supervised_keys=("sequence", "label"),
            disable_shuffling=True,
            homepage="https://github.com/jisraeli/DeepBind",
            metadata=tfds.core.MetadataDict(
                alphabet="ACGT", sequence_encoding="uint8 base index A,C,G,T = 0..3, N = 4; one-hot with N = 0.25"
            ),
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        exp = self.builder_config.experiment
        files = None
        try:
            folder = epath.Path(dl_manager.manual_dir)
            cand = {p: folder / f"{exp}_{p}.seq.gz" for p in ("AC", "B")}
            if all(c.exists() for c in cand.values()):
                files = cand
        except Exception:  # no manual folder: download from the original repository
            files = None
        if files is None:
            files = dl_manager.download({p: URL.format(experiment=exp, part=p) for p in ("AC", "B")})
        return {
            "train_top500": self._generate_examples(files["AC"], "train", top=TOP),
            "train_all": self._generate_examples(files["AC"], "train", top=None),
            "test": self._generate_examples(files["B"], "test"),
        }

    def _generate_examples(self, path, kind: str, top: int | None = None):
        if kind == "test":
            yield from self._generate_test(path)
        else:
            yield from self._generate_train(path, top)

    def _generate_train(self, path, top):
        from keras_motifs.deepbind.shuffle import dinucleotide_shuffles

        events, seqs, labels = read_seq_file(path)
        if (labels != 1).any():
            i = int(np.flatnonzero(labels != 1)[0])
            raise DataFormatError(f"file '{path}': training file row {i + 1} ({events[i]}) is not a positive (Bound=1)")
        if top is not None:
            events, seqs = events[:top], seqs[:top]
        shuffles = dinucleotide_shuffles(seqs, seed=self.builder_config.seed, stream=0)
        x = encode_indices(seqs, "ACGT")
        xs = encode_indices(shuffles, "ACGT")
        for i in range(len(seqs)):
            yield 2 * i, {"event_id": events[i], "sequence": x[i], "label": 1, "peak_index": i}
            yield 2 * i + 1, {"event_id": events[i] + "_shuf", "sequence": xs[i], "label": 0, "peak_index": i}

    def _generate_test(self, path):
        events, seqs, labels = read_seq_file(path)
        x = encode_indices(seqs, "ACGT")
        for i in range(len(seqs)):
            yield i, {"event_id": events[i], "sequence": x[i], "label": int(labels[i]), "peak_index": i}


def builder_for(experiment: str, **kwargs) -> Builder:
    """The builder of any experiment by its file prefix (a new config if not predefined)."""
    name = config_name(experiment)
    if any(c.name == name for c in Builder.BUILDER_CONFIGS):
        return tfds.builder(f"deepbind_encode_chipseq/{name}", **kwargs)
    return tfds.builder("deepbind_encode_chipseq", config=DeepBindEncodeConfig(experiment=experiment), **kwargs)
