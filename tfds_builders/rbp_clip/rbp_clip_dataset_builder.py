"""rbp_clip: the 31 RBP CLIP-seq benchmark sets of iONMF (Stražar et al. 2016) as used by iDeepS,
one config per experiment, with each sequence's predicted RNA structure.

Layout (the iONMF / iDeepS repository's ``datasets/clip``)::

    <N>_<name>/30000/training_sample_0/sequences.fa.gz   30,000 sequences
    <N>_<name>/30000/test_sample_0/sequences.fa.gz       10,000 sequences

gzip FASTA, headers ``> chr1,+,69315,69415; class:0`` (label 0 = unbound, 1 = bound), 101-nt
DNA sequences (A, C, G, T, N) wrapped at 60 characters, records in genome order.

Sources, in order: the manual folder (``DownloadConfig(manual_dir=...)`` holding the
``<N>_<name>`` folders, e.g. the project's ``../shared/data/rbp31`` with 21 of them), else the
original files in the iDeepS GitHub repository (checksums in ``checksums.tsv``).

Splits as the original ``split_training_validation(validation_size=0.2, shuffle=False)``: for
each class, the first 20 % (rounded down) of the training file in file order is ``validation``,
the rest ``train`` (24,000 / 6,000 for 30,000 records); ``test`` is the test file. The feature
``index`` is the record's position in its file, so file order can be restored.

Structure: every sequence is folded with ViennaRNA (MFE) and annotated with F/T/I/H/M/S
contexts (:mod:`keras_motifs.structure`; the original used RNAshapes, see there). Folding is the
slow part (~7 ms per sequence and process); it runs in ``n_jobs`` processes and is cached in a
SQLite file keyed by sequence (default ``<data_dir>/rbp_clip/structures.sqlite``), so
re-preparing an experiment or preparing another one with shared sequences does not fold again::

    builder = tfds.builder("rbp_clip/e23_pum2", data_dir=..., n_jobs=2)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=...))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from keras_motifs.errors import DataFormatError, InvalidSequenceError
from keras_motifs.io.text import gunzip_if_gzipped

URL = "https://raw.githubusercontent.com/xypan1232/iDeepS/master/datasets/clip/{folder}/30000/{split}/sequences.fa.gz"
FILES = {"train": "training_sample_0", "test": "test_sample_0"}
VALIDATION_FRACTION = 0.2

# (index, folder, protein as in iDeepS Table 2)
EXPERIMENTS = (
    (1, "1_PARCLIP_AGO1234_hg19", "Ago/EIF"),
    (2, "2_PARCLIP_AGO2MNASE_hg19", "Ago2-MNase"),
    (3, "3_HITSCLIP_Ago2_binding_clusters", "Ago2-1"),
    (4, "4_HITSCLIP_Ago2_binding_clusters_2", "Ago2-2"),
    (5, "5_CLIPSEQ_AGO2_hg19", "Ago2"),
    (6, "6_CLIP-seq-eIF4AIII_1", "eIF4AIII-1"),
    (7, "7_CLIP-seq-eIF4AIII_2", "eIF4AIII-2"),
    (8, "8_PARCLIP_ELAVL1_hg19", "ELAVL1-1"),
    (9, "9_PARCLIP_ELAVL1MNASE_hg19", "ELAVL1-MNase"),
    (10, "10_PARCLIP_ELAVL1A_hg19", "ELAVL1A"),
    (11, "11_CLIPSEQ_ELAVL1_hg19", "ELAVL1-2"),
    (12, "12_PARCLIP_EWSR1_hg19", "EWSR1"),
    (13, "13_PARCLIP_FUS_hg19", "FUS"),
    (14, "14_PARCLIP_FUS_mut_hg19", "Mut FUS"),
    (15, "15_PARCLIP_IGF2BP123_hg19", "IGFBP1-3"),
    (16, "16_ICLIP_hnRNPC_Hela_iCLIP_all_clusters", "hnRNPC-1"),
    (17, "17_ICLIP_HNRNPC_hg19", "hnRNPC-2"),
    (18, "18_ICLIP_hnRNPL_Hela_group_3975_all-hnRNPL-Hela-hg19_sum_G_hg19--ensembl59_from_2337-2339-741_bedGraph-cDNA-hits-in-genome", "hnRNPL-1"),
    (19, "19_ICLIP_hnRNPL_U266_group_3986_all-hnRNPL-U266-hg19_sum_G_hg19--ensembl59_from_2485_bedGraph-cDNA-hits-in-genome", "hnRNPL-2"),
    (20, "20_ICLIP_hnRNPlike_U266_group_4000_all-hnRNPLlike-U266-hg19_sum_G_hg19--ensembl59_from_2342-2486_bedGraph-cDNA-hits-in-genome", "hnRNPL-like"),
    (21, "21_PARCLIP_MOV10_Sievers_hg19", "MOV10"),
    (22, "22_ICLIP_NSUN2_293_group_4007_all-NSUN2-293-hg19_sum_G_hg19--ensembl59_from_3137-3202_bedGraph-cDNA-hits-in-genome", "Nsun2"),
    (23, "23_PARCLIP_PUM2_hg19", "PUM2"),
    (24, "24_PARCLIP_QKI_hg19", "QKI"),
    (25, "25_CLIPSEQ_SFRS1_hg19", "SRSF1"),
    (26, "26_PARCLIP_TAF15_hg19", "TAF15"),
    (27, "27_ICLIP_TDP43_hg19", "TDP-43"),
    (28, "28_ICLIP_TIA1_hg19", "TIA1"),
    (29, "29_ICLIP_TIAL1_hg19", "TIAL1"),
    (30, "30_ICLIP_U2AF65_Hela_iCLIP_ctrl_all_clusters", "U2AF2"),
    (31, "31_ICLIP_U2AF65_Hela_iCLIP_ctrl+kd_all_clusters", "U2AF2(KD)"),
)

_HEADER = re.compile(r"^>\s*([^,;\s]+),([+-]),(\d+),(\d+)\s*;\s*class\s*:\s*(\S*)\s*$")
_LETTERS = re.compile(r"^[ACGTUNacgtun]*$")


@dataclass
class Record:
    index: int  # position in the file (0-based)
    line: int  # header line number (1-based)
    chrom: str
    strand: str
    start: int
    end: int
    label: int
    sequence: str


def config_name(index: int, protein: str) -> str:
    """``e23_pum2``: experiment number and the protein of Table 2, lower case, ``_`` for others."""
    return f"e{index:02d}_" + re.sub(r"[^a-z0-9]+", "_", protein.lower()).strip("_")


def read_ionmf_fasta(path, check_lengths: bool = True) -> list[Record]:
    """Read one iONMF ``sequences.fa.gz`` (gzip or plain FASTA) into records, in file order.

    Raises DataFormatError (bad header or label, sequence before any header, empty record, no
    records) or InvalidSequenceError (a letter outside A, C, G, T, U, N; with ``check_lengths``,
    a sequence whose length differs from its header's ``end - start + 1``, as in every record of
    the 21 shared experiments) naming file and line.
    """
    path = epath.Path(path)
    with path.open("rb") as raw:
        data = raw.read()
    data = gunzip_if_gzipped(data, path)
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(f"file '{path}', line {line}: non-ASCII byte") from None
    records: list[Record] = []
    current: Record | None = None
    parts: list[str] = []

    def finish():
        if current is not None:
            if not parts:
                raise DataFormatError(f"file '{path}', line {current.line}: header has no sequence")
            current.sequence = "".join(parts).upper()
            expected = current.end - current.start + 1
            if check_lengths and len(current.sequence) != expected:
                raise InvalidSequenceError(
                    f"file '{path}', line {current.line}: the sequence has {len(current.sequence)} letters but its "
                    f"header {current.chrom}:{current.start}-{current.end} spans {expected}; the record is cut "
                    "short or the header is wrong"
                )
            records.append(current)

    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith(">"):
            finish()
            parts = []
            m = _HEADER.match(line)
            if m is None:
                raise DataFormatError(
                    f"file '{path}', line {lineno}: header {line!r} is not '> chrom,strand,start,end; class:0|1'"
                )
            chrom, strand, start, end, label = m.groups()
            if int(end) < int(start):
                raise DataFormatError(f"file '{path}', line {lineno}: header end {end} is before start {start}")
            if label not in ("0", "1"):
                raise DataFormatError(f"file '{path}', line {lineno}: label {label!r} is not 0 or 1")
            current = Record(len(records), lineno, chrom, strand, int(start), int(end), int(label), "")
        else:
            if current is None:
                raise DataFormatError(f"file '{path}', line {lineno}: sequence line before the first header")
            if not _LETTERS.match(line):
                pos = next(i for i, c in enumerate(line) if c not in "ACGTUNacgtun")
                raise InvalidSequenceError(
                    f"file '{path}', line {lineno}: letter {line[pos]!r} at column {pos + 1} is not A, C, G, T, U or N"
                )
            parts.append(line)
    finish()
    if not records:
        raise DataFormatError(f"file '{path}': no FASTA records")
    return records


def split_validation(labels, fraction: float = VALIDATION_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices), both in file order: per class, the first
    ``int(n_class * fraction)`` records are validation (iDeepS ``split_training_validation``)."""
    labels = np.asarray(labels)
    validation = []
    for cl in np.unique(labels):
        members = np.flatnonzero(labels == cl)
        validation.extend(members[: int(len(members) * fraction)].tolist())
    is_val = np.zeros(len(labels), dtype=bool)
    is_val[validation] = True
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


class RbpClipConfig(tfds.core.BuilderConfig):
    """One CLIP-seq experiment of the iONMF benchmark."""

    def __init__(self, *, index: int, folder: str, protein: str, **kwargs):
        super().__init__(
            name=config_name(index, protein),
            description=f"Experiment {index} ({protein}): iONMF folder {folder}",
            **kwargs,
        )
        self.index = index
        self.folder = folder
        self.protein = protein


CONFIGS = [RbpClipConfig(index=i, folder=f, protein=p) for i, f, p in EXPERIMENTS]


def config_for(index_or_folder) -> RbpClipConfig:
    """The config of experiment number ``N`` or of a folder named ``N_...``."""
    index = int(str(index_or_folder).split("_")[0])
    for cfg in CONFIGS:
        if cfg.index == index:
            return cfg
    raise KeyError(f"no rbp_clip experiment number {index} (1-31)")


def experiments_in(folder) -> list[RbpClipConfig]:
    """Configs of the experiments whose ``<N>_<name>/30000`` folder exists under ``folder``."""
    folder = epath.Path(folder)
    found = []
    for cfg in CONFIGS:
        if (folder / cfg.folder / "30000").exists():
            found.append(cfg)
    return found


class Builder(tfds.core.GeneratorBasedBuilder):
    """iONMF / iDeepS RBP CLIP-seq sets (101 nt) with predicted structure contexts."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    BUILDER_CONFIGS = CONFIGS
    MANUAL_DOWNLOAD_INSTRUCTIONS = """
    Optional. Put the iONMF experiment folders (<N>_<name>/30000/{training_sample_0,test_sample_0}/
    sequences.fa.gz, e.g. the project's ../shared/data/rbp31) in the manual folder. Without them
    the builder downloads the files from the iDeepS GitHub repository.
    """

    def __init__(self, *, n_jobs: int = 1, structure_cache=None, **kwargs):
        """``n_jobs``: folding processes; ``structure_cache``: SQLite path (see module doc)."""
        self._n_jobs = n_jobs
        self._structure_cache = structure_cache
        super().__init__(**kwargs)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "sequence": tfds.features.Text(),
                    "structure": tfds.features.Text(),
                    "dotbracket": tfds.features.Text(),
                    "label": tfds.features.ClassLabel(names=["unbound", "bound"]),
                    "chrom": tfds.features.Text(),
                    "strand": tfds.features.Text(),
                    "start": np.int64,
                    "end": np.int64,
                    "index": np.int64,
                }
            ),
            supervised_keys=None,
            homepage="https://github.com/xypan1232/iDeepS",
        )

    def _cache_path(self):
        if self._structure_cache is not None:
            return self._structure_cache
        return str(epath.Path(self._data_dir_root) / "rbp_clip" / "structures.sqlite")

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        cfg = self.builder_config
        folder = None
        try:
            candidate = epath.Path(dl_manager.manual_dir) / cfg.folder
            if candidate.exists():
                folder = candidate / "30000"
        except Exception:  # no manual folder given: fall back to the original URL
            folder = None
        if folder is not None:
            files = {k: folder / v / "sequences.fa.gz" for k, v in FILES.items()}
            missing = [str(p) for p in files.values() if not p.exists()]
            if missing:
                raise FileNotFoundError(f"experiment {cfg.folder}: missing {', '.join(missing)}")
        else:
            files = dl_manager.download({k: URL.format(folder=cfg.folder, split=v) for k, v in FILES.items()})
        train_records = read_ionmf_fasta(files["train"])
        train_idx, val_idx = split_validation([r.label for r in train_records])
        return {
            "train": self._generate_examples(files["train"], train_records, train_idx),
            "validation": self._generate_examples(files["train"], train_records, val_idx),
            "test": self._generate_examples(files["test"], None, None),
        }

    def _generate_examples(self, path, records, indices):
        from keras_motifs.structure import predict_structures

        if records is None:
            records = read_ionmf_fasta(path)
            indices = np.arange(len(records))
        chosen = [records[i] for i in indices]
        try:
            structures = predict_structures(
                [r.sequence for r in chosen], n_jobs=self._n_jobs, cache=self._cache_path()
            )
        except InvalidSequenceError as exc:  # name the file; the message names the record
            raise InvalidSequenceError(f"file '{path}': {exc}") from None
        for r, (dotbracket, contexts) in zip(chosen, structures):
            yield r.index, {
                "sequence": r.sequence,
                "structure": contexts,
                "dotbracket": dotbracket,
                "label": r.label,
                "chrom": r.chrom,
                "strand": r.strand,
                "start": r.start,
                "end": r.end,
                "index": r.index,
            }
