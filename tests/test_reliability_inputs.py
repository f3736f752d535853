"""Bad input to every reader and trainer of the package → a package error naming file, record and
problem, raised before any output is written (issue "Reliability").

Each entry of ``CASES`` is one row of the table in ``docs/RELIABILITY.md`` (the test
``test_reliability_table_lists_every_case`` keeps the two in step). Print the table's rows with
the messages the cases produce now::

    PYTHONPATH=. python tests/test_reliability_inputs.py
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from keras_motifs.errors import DataFormatError, InvalidSequenceError, KerasMotifsError, ModelInputError

DOC = Path(__file__).resolve().parent.parent / "docs" / "RELIABILITY.md"


@dataclass
class Case:
    id: str
    reader: str
    tried: str
    error: type
    match: str
    run: Callable[[Path], object]


CASES: list[Case] = []


def case(id, reader, tried, error, match):
    def deco(fn):
        CASES.append(Case(id, reader, tried, error, match, fn))
        return fn
    return deco


def w(tmp: Path, name: str, data) -> Path:
    path = tmp / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def truncated_gzip(text: str) -> bytes:
    data = gzip.compress(text.encode())
    return data[: len(data) - 12]


_MODELS: dict = {}


def tiny_model(length: int = 8, channels: int = 4, targets: int = 2):
    """A small Conv1D model (built once per shape)."""
    key = (length, channels, targets)
    if key not in _MODELS:
        import keras

        keras.utils.set_random_seed(0)
        inp = keras.Input((length, channels), name="sequence")
        x = keras.layers.Conv1D(3, 3, activation="relu", name="conv")(inp)
        out = keras.layers.Dense(targets, activation="sigmoid")(keras.layers.Flatten()(x))
        _MODELS[key] = keras.Model(inp, out, name="tiny")
    return _MODELS[key]


# ============================================================================ FASTA (sources)
FA = ">s1\nACGTACGT\n>s2\nACGTACGA\n"


def _seqs(path, alphabet="ACGT", length=None):
    from keras_motifs.interpret.sources import load_sequences

    return load_sequences(path, alphabet, length=length)


@case("fasta-truncated-gzip", "FASTA (`interpret.load_sequences`)", "gzip cut short", DataFormatError,
      r"t\.fa\.gz': not a readable gzip file .*cut short")
def _(tmp):
    return _seqs(w(tmp, "t.fa.gz", truncated_gzip(FA * 50)))


@case("fasta-not-gzip", "FASTA (`interpret.load_sequences`)", "`.fa.gz` that is not gzip", DataFormatError,
      r"p\.fa\.gz': not a readable gzip file")
def _(tmp):
    return _seqs(w(tmp, "p.fa.gz", FA))


@case("fasta-empty", "FASTA (`interpret.load_sequences`)", "empty file", DataFormatError, r"e\.fa': no FASTA records")
def _(tmp):
    return _seqs(w(tmp, "e.fa", ""))


@case("fasta-missing-header", "FASTA (`interpret.load_sequences`)", "no `>` header line", DataFormatError,
      r"nh\.fa': not a FASTA file .* starts with '>'")
def _(tmp):
    return _seqs(w(tmp, "nh.fa", "ACGTACGT\nACGTACGT\n"))


@case("fasta-non-utf8", "FASTA (`interpret.load_sequences`)", "binary / non-UTF-8 bytes", DataFormatError,
      r"b\.fa': not a FASTA file")
def _(tmp):
    return _seqs(w(tmp, "b.fa", b">s1\nAC\xffGT\n"))


@case("fasta-empty-record", "FASTA (`interpret.load_sequences`)", "header without sequence", DataFormatError,
      r"er\.fa', record 0 \(s1\): empty sequence")
def _(tmp):
    return _seqs(w(tmp, "er.fa", ">s1\n>s2\nACGT\n"))


@case("fasta-bad-letter", "FASTA (`interpret.load_sequences`)", "letter outside the alphabet", InvalidSequenceError,
      r"x\.fa', record 1 \(s2\): letter 'X' at position 2 is not in alphabet ACGT")
def _(tmp):
    return _seqs(w(tmp, "x.fa", ">s1\nACGT\n>s2\nACXT\n"))


@case("fasta-rna-for-dna-model", "FASTA (`interpret.load_sequences`)", "RNA letter U for a DNA (AGCT) model",
      InvalidSequenceError, r"record 0 \(s1\): letter 'U' .* alphabet AGCT .*an RNA letter")
def _(tmp):
    return _seqs(w(tmp, "u.fa", ">s1\nACGU\n"), "AGCT")


@case("fasta-mixed-lengths", "FASTA (`interpret.load_sequences`)", "mixed lengths", InvalidSequenceError,
      r"ml\.fa', record 1 \(s2\) has length 3 but sequence 0 has length 4")
def _(tmp):
    return _seqs(w(tmp, "ml.fa", ">s1\nACGT\n>s2\nACT\n"))


@case("fasta-length-not-model", "FASTA (`interpret.load_sequences`)", "length differs from the model's",
      InvalidSequenceError, r"record 1 \(s2\): length 3, the model takes 4")
def _(tmp):
    return _seqs(w(tmp, "ml.fa", ">s1\nACGT\n>s2\nACT\n"), length=4)


# ============================================================================ .npy (sources)
def _onehot(n=3, length=10, seed=0):
    rng = np.random.default_rng(seed)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, (n, length))]


@case("npy-object-array", "one-hot `.npy` (`interpret.load_sequences`)", "pickled Python objects",
      DataFormatError, r"obj\.npy': not a readable numeric \.npy array")
def _(tmp):
    np.save(tmp / "obj.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    return _seqs(tmp / "obj.npy")


@case("npy-truncated", "one-hot `.npy` (`interpret.load_sequences`)", "file cut short", DataFormatError,
      r"tr\.npy': not a readable numeric \.npy array")
def _(tmp):
    np.save(tmp / "ok.npy", _onehot())
    return _seqs(w(tmp, "tr.npy", (tmp / "ok.npy").read_bytes()[:-40]))


@case("npy-empty", "one-hot `.npy` (`interpret.load_sequences`)", "empty file", DataFormatError,
      r"em\.npy': not a readable numeric \.npy array")
def _(tmp):
    return _seqs(w(tmp, "em.npy", b""))


@case("npy-nan", "one-hot `.npy` (`interpret.load_sequences`)", "NaN value", DataFormatError,
      r"nan\.npy', record 1: position 2, channel 0 holds nan")
def _(tmp):
    x = _onehot()
    x[1, 2, 0] = np.nan
    np.save(tmp / "nan.npy", x)
    return _seqs(tmp / "nan.npy")


@case("npy-inf", "one-hot `.npy` (`interpret.load_sequences`)", "infinite value", DataFormatError,
      r"inf\.npy', record 2: position 0, channel 3 holds inf")
def _(tmp):
    x = _onehot()
    x[2, 0, 3] = np.inf
    np.save(tmp / "inf.npy", x)
    return _seqs(tmp / "inf.npy")


@case("npy-length-not-model", "one-hot `.npy` (`interpret.load_sequences`)", "length differs from the model's",
      DataFormatError, r"sequences of length 10, the model takes 12")
def _(tmp):
    np.save(tmp / "ok.npy", _onehot())
    return _seqs(tmp / "ok.npy", length=12)


@case("npy-alphabet-size", "one-hot `.npy` (`interpret.load_sequences`)", "4 channels for a 6-letter alphabet",
      DataFormatError, r"4 channels, alphabet FTIHMS has 6")
def _(tmp):
    np.save(tmp / "ok.npy", _onehot())
    return _seqs(tmp / "ok.npy", "FTIHMS")


@case("npy-rank", "one-hot `.npy` (`interpret.load_sequences`)", "2-D array", DataFormatError,
      r"expected a 3-D one-hot array \(N, L, A\), got shape \(10, 4\)")
def _(tmp):
    np.save(tmp / "r2.npy", _onehot()[0])
    return _seqs(tmp / "r2.npy")


@case("npy-strings", "one-hot `.npy` (`interpret.load_sequences`)", "array of strings", DataFormatError,
      r"s\.npy': array of type <U4, expected numbers")
def _(tmp):
    np.save(tmp / "s.npy", np.array([["ACGT"]]))
    return _seqs(tmp / "s.npy")


@case("tfds-alphabet-mismatch", "TFDS source (`interpret.load_sequences`)",
      "dataset stored as A,G,C,T read by an A,C,G,T model", ModelInputError,
      r"dataset 'deepsea/synthetic_tiny' stores sequences in channel order AGCT, but the model reads ACGT")
def _(tmp):
    from keras_motifs.interpret.sources import check_dataset_alphabet

    return check_dataset_alphabet("deepsea/synthetic_tiny", {"alphabet": "AGCT"}, "ACGT")


# ============================================================================ iONMF FASTA
ION = "> chr1,+,100,107; class:0\nACGTACGT\n> chr1,-,200,207; class:1\nACGTACGA\n"


def _ion(path):
    from tfds_builders.rbp_clip.rbp_clip_dataset_builder import read_ionmf_fasta

    return read_ionmf_fasta(path)


R_ION = "iONMF FASTA (`rbp_clip.read_ionmf_fasta`)"


@case("ionmf-truncated-gzip", R_ION, "gzip cut short", DataFormatError, r"t\.fa\.gz': not a readable gzip file")
def _(tmp):
    return _ion(w(tmp, "t.fa.gz", truncated_gzip(ION * 20)))


@case("ionmf-empty", R_ION, "empty file", DataFormatError, r"e\.fa\.gz': no FASTA records")
def _(tmp):
    return _ion(w(tmp, "e.fa.gz", b""))


@case("ionmf-wrong-header", R_ION, "header without `; class:`", DataFormatError,
      r"h\.fa', line 1: header '> chr1,\+,100,107' is not '> chrom,strand,start,end; class:0\|1'")
def _(tmp):
    return _ion(w(tmp, "h.fa", ION.replace("; class:0", "")))


@case("ionmf-label-not-01", R_ION, "label 2", DataFormatError, r"l\.fa', line 3: label '2' is not 0 or 1")
def _(tmp):
    return _ion(w(tmp, "l.fa", ION.replace("class:1", "class:2")))


@case("ionmf-label-nan", R_ION, "label nan", DataFormatError, r"line 1: label 'nan' is not 0 or 1")
def _(tmp):
    return _ion(w(tmp, "l.fa", ION.replace("class:0", "class:nan")))


@case("ionmf-bad-letter", R_ION, "letter outside A,C,G,T,U,N", InvalidSequenceError,
      r"x\.fa', line 4: letter 'X' at column 5 is not A, C, G, T, U or N")
def _(tmp):
    return _ion(w(tmp, "x.fa", ION.replace("ACGTACGA", "ACGTXCGA")))


@case("ionmf-mixed-lengths", R_ION, "record shorter than its header's span", InvalidSequenceError,
      r"m\.fa', line 3: the sequence has 5 letters but its header chr1:200-207 spans 8")
def _(tmp):
    return _ion(w(tmp, "m.fa", ION.replace("ACGTACGA", "ACGTA")))


@case("ionmf-start-after-end", R_ION, "header end before start", DataFormatError,
      r"line 1: header end 100 is before start 107")
def _(tmp):
    return _ion(w(tmp, "se.fa", ION.replace("100,107", "107,100")))


@case("ionmf-non-ascii", R_ION, "non-ASCII byte", DataFormatError, r"n\.fa', line 2: non-ASCII byte")
def _(tmp):
    return _ion(w(tmp, "n.fa", ION.encode().replace(b"ACGTACGT", b"ACG\xe9ACGT")))


# ============================================================================ DeepBind .seq.gz
SEQ = "FoldID\tEventID\tseq\tBound\n" + "".join(f"A\tseq_{i:05d}_peak\t{'ACGT' * 25}A\t1\n" for i in range(3))
R_SEQ = "DeepBind `.seq.gz` TSV (`deepbind_encode_chipseq.read_seq_file`)"


def _seq(path):
    from tfds_builders.deepbind_encode_chipseq.deepbind_encode_chipseq_dataset_builder import read_seq_file

    return read_seq_file(path)


@case("seq-truncated-gzip", R_SEQ, "gzip cut short", DataFormatError, r"t\.seq\.gz': not a readable gzip file .*cut short")
def _(tmp):
    return _seq(w(tmp, "t.seq.gz", truncated_gzip(SEQ * 20)))


@case("seq-empty", R_SEQ, "empty file", DataFormatError, r"e\.seq\.gz': no records")
def _(tmp):
    return _seq(w(tmp, "e.seq.gz", gzip.compress(b"")))


@case("seq-header-only", R_SEQ, "header, no records", DataFormatError, r"h\.seq': no records")
def _(tmp):
    return _seq(w(tmp, "h.seq", "FoldID\tEventID\tseq\tBound\n"))


@case("seq-missing-header", R_SEQ, "no header line", DataFormatError,
      r"nh\.seq', line 1: expected the header 'FoldID\\tEventID\\tseq\\tBound'")
def _(tmp):
    return _seq(w(tmp, "nh.seq", SEQ.split("\n", 1)[1]))


@case("seq-wrong-header", R_SEQ, "wrong column names", DataFormatError, r"wh\.seq', line 1: expected the header")
def _(tmp):
    return _seq(w(tmp, "wh.seq", SEQ.replace("Bound", "Label", 1)))


@case("seq-label-not-01", R_SEQ, "Bound 0.5", DataFormatError, r"line 3: Bound must be 0 or 1, got '0\.5'")
def _(tmp):
    rows = SEQ.splitlines(True)
    rows[2] = rows[2].replace("\t1\n", "\t0.5\n")
    return _seq(w(tmp, "lb.seq", "".join(rows)))


@case("seq-label-nan", R_SEQ, "Bound NaN", DataFormatError, r"line 2: Bound must be 0 or 1, got 'NaN'")
def _(tmp):
    return _seq(w(tmp, "ln.seq", SEQ.replace("\t1\n", "\tNaN\n", 1)))


@case("seq-bad-letter", R_SEQ, "letter outside A,C,G,T,N", InvalidSequenceError,
      r"x\.seq', line 2: letter 'X' at position 4 is not in alphabet ACGT")
def _(tmp):
    return _seq(w(tmp, "x.seq", SEQ.replace("ACGTA", "ACGTX", 1)))


@case("seq-wrong-length", R_SEQ, "100-nt sequence (101 required)", InvalidSequenceError,
      r"line 2: sequence has length 100, expected 101")
def _(tmp):
    return _seq(w(tmp, "ln.seq", SEQ.replace("ACGTA\t", "ACGT\t", 1)))


@case("seq-fields", R_SEQ, "3 fields on a line", DataFormatError, r"line 2: expected 4 tab-separated fields, got 3")
def _(tmp):
    return _seq(w(tmp, "f.seq", SEQ.replace("A\tseq_00000", "seq_00000", 1)))


@case("seq-non-ascii", R_SEQ, "non-ASCII byte", DataFormatError, r"na\.seq': not an ASCII text file")
def _(tmp):
    return _seq(w(tmp, "na.seq", SEQ.encode().replace(b"seq_00001", b"seq_\xff0001")))


# ============================================================================ Zeng .data
ZENG = "".join(f"chr1:{i}-{i + 101} {'ACGT' * 25}A {i % 2}\n" for i in range(3))
R_ZENG = "Zeng `.data` (`zeng_chipseq.read_data_file`)"


def _zeng(path):
    from tfds_builders.zeng_chipseq.zeng_chipseq_dataset_builder import read_data_file

    return read_data_file(path)


@case("zeng-empty", R_ZENG, "empty file", DataFormatError, r"e\.data': no records")
def _(tmp):
    return _zeng(w(tmp, "e.data", ""))


@case("zeng-gzip", R_ZENG, "gzip-compressed file", DataFormatError, r"g\.data': gzip-compressed")
def _(tmp):
    return _zeng(w(tmp, "g.data", gzip.compress(ZENG.encode())))


@case("zeng-truncated-gzip", R_ZENG, "gzip cut short", DataFormatError, r"t\.data': gzip-compressed")
def _(tmp):
    return _zeng(w(tmp, "t.data", truncated_gzip(ZENG * 10)))


@case("zeng-non-ascii", R_ZENG, "non-ASCII byte", DataFormatError, r"na\.data', line 2: not ASCII text")
def _(tmp):
    return _zeng(w(tmp, "na.data", ZENG.encode().replace(b"chr1:1-", b"chr\xe91:1-")))


@case("zeng-header-line", R_ZENG, "a header line `name sequence label`", DataFormatError,
      r"line 1: label must be 0 or 1, got 'label'")
def _(tmp):
    return _zeng(w(tmp, "h.data", "name sequence label\n" + ZENG))


@case("zeng-label-not-01", R_ZENG, "label 2", DataFormatError, r"line 3: label must be 0 or 1, got '2'")
def _(tmp):
    return _zeng(w(tmp, "l.data", ZENG.replace("A 0\n", "A 2\n").replace("A 2\n", "A 0\n", 1)))


@case("zeng-label-nan", R_ZENG, "label nan", DataFormatError, r"line 2: label must be 0 or 1, got 'nan'")
def _(tmp):
    return _zeng(w(tmp, "l.data", ZENG.replace(" 1\n", " nan\n")))


@case("zeng-bad-letter", R_ZENG, "letter outside A,C,G,T,N", InvalidSequenceError,
      r"x\.data', line 3: letter 'Z' at position 100 is not in alphabet ACGT")
def _(tmp):
    return _zeng(w(tmp, "x.data", "\n" + ZENG.replace("A 1\n", "Z 1\n")))


@case("zeng-wrong-length", R_ZENG, "100-nt sequence (101 required)", InvalidSequenceError,
      r"line 2: sequence has length 100, expected 101")
def _(tmp):
    return _zeng(w(tmp, "len.data", ZENG.replace("ACGTA 1", "ACGT 1")))


@case("zeng-fields", R_ZENG, "2 fields on a line", DataFormatError, r"line 2: expected 3 fields 'name sequence label', got 2")
def _(tmp):
    return _zeng(w(tmp, "f.data", ZENG.replace(" 1\n", "\n")))


# ============================================================================ DeepSEA .mat
R_MAT73 = "DeepSEA `.mat` v7.3/HDF5 (`deepsea.mat_reader`)"
R_MAT5 = "DeepSEA `.mat` v5 (`deepsea.mat_reader`)"


def _pairs(n_forward=2):
    from tfds_builders.deepsea.dummy_data_generation import _onehot_pairs

    return _onehot_pairs(n_forward, np.random.default_rng(0))


def _read_split(path, prefix):
    from tfds_builders.deepsea import mat_reader

    r = mat_reader.open_split(path, prefix)
    return sum(len(c[1]) for c in r.iter_chunks())


def _v73(tmp, name="train.mat", x=None, y=None, **h5):
    from tfds_builders.deepsea.dummy_data_generation import write_train_v73

    px, py = _pairs()
    write_train_v73(tmp / name, px if x is None else x, py if y is None else y)
    return tmp / name


def _v5(tmp, name="valid.mat", x=None, y=None, prefix="valid"):
    from tfds_builders.deepsea.dummy_data_generation import write_v5

    px, py = _pairs()
    write_v5(tmp / name, prefix, px if x is None else x, py if y is None else y)
    return tmp / name


@case("mat73-truncated", R_MAT73, "file cut short", DataFormatError,
      r"t\.mat': not a readable HDF5 / MATLAB v7\.3 file .*cut short")
def _(tmp):
    data = _v73(tmp).read_bytes()
    return _read_split(w(tmp, "t.mat", data[: len(data) // 2]), "train")


@case("mat73-empty", R_MAT73, "empty file", DataFormatError, r"e\.mat' is empty")
def _(tmp):
    return _read_split(w(tmp, "e.mat", b""), "train")


@case("mat73-wrong-names", R_MAT73, "datasets `x`, `y`", DataFormatError,
      r"dataset\(s\) \['trainxdata', 'traindata'\] not found \(found \['x', 'y'\]\)")
def _(tmp):
    import h5py

    with h5py.File(tmp / "n.mat", "w") as f:
        f["x"] = np.zeros((1000, 4, 2), np.uint8)
        f["y"] = np.zeros((919, 2), np.uint8)
    return _read_split(tmp / "n.mat", "train")


@case("mat73-axis-order", R_MAT73, "axes (N, 4, 1000) instead of (1000, 4, N)", DataFormatError,
      r"'trainxdata' has shape \(4, 4, 1000\); expected \(1000, 4, N\)")
def _(tmp):
    import h5py

    with h5py.File(tmp / "a.mat", "w") as f:
        f["trainxdata"] = np.zeros((4, 4, 1000), np.uint8)
        f["traindata"] = np.zeros((919, 4), np.uint8)
    return _read_split(tmp / "a.mat", "train")


@case("mat73-label-not-01", R_MAT73, "label 2", DataFormatError, r"record 1: target 3 has label 2; labels must be 0 or 1")
def _(tmp):
    x, y = _pairs()
    y = y.copy()
    y[1, 3] = 2
    return _read_split(_v73(tmp, x=x, y=y), "train")


@case("mat73-not-one-hot", R_MAT73, "a position with two ones", DataFormatError, r"record 2: position 17 is not one-hot")
def _(tmp):
    x, y = _pairs()
    x = x.copy()
    x[2, 17, :2] = 1
    return _read_split(_v73(tmp, x=x, y=y), "train")


@case("mat73-label-shape", R_MAT73, "labels for 918 targets", DataFormatError, r"'traindata' has shape \(918, 4\); expected \(919, 4\)")
def _(tmp):
    import h5py

    x, y = _pairs()
    with h5py.File(tmp / "s.mat", "w") as f:
        f["trainxdata"] = np.transpose(x, (1, 2, 0))
        f["traindata"] = y.T[:918]
    return _read_split(tmp / "s.mat", "train")


@case("mat5-truncated", R_MAT5, "file cut short", DataFormatError, r"t5\.mat': not a readable MATLAB file")
def _(tmp):
    data = _v5(tmp).read_bytes()
    return _read_split(w(tmp, "t5.mat", data[: len(data) // 2]), "valid")


@case("mat5-not-matlab", R_MAT5, "text file named `.mat`", DataFormatError, r"j\.mat': not a readable MATLAB file")
def _(tmp):
    return _read_split(w(tmp, "j.mat", "hello world\n" * 20), "valid")


@case("mat5-wrong-names", R_MAT5, "`validxdata` read as the test split", DataFormatError,
      r"variable\(s\) \['testxdata', 'testdata'\] not found \(found \['validxdata', 'validdata'\]\)")
def _(tmp):
    return _read_split(_v5(tmp), "test")


@case("mat5-axis-order", R_MAT5, "axes (N, 1000, 4) instead of (N, 4, 1000)", DataFormatError,
      r"'validxdata' has shape \(4, 1000, 4\); expected \(N, 4, 1000\)")
def _(tmp):
    x, y = _pairs()
    return _read_split(_v5(tmp, x=np.transpose(x, (0, 2, 1)), y=y), "valid")


@case("mat5-label-nan", R_MAT5, "label NaN", DataFormatError, r"record 1: target 3 has label nan; labels must be 0 or 1")
def _(tmp):
    x, y = _pairs()
    y = y.astype(np.float32)
    y[1, 3] = np.nan
    return _read_split(_v5(tmp, x=x, y=y), "valid")


@case("mat5-x-inf", R_MAT5, "sequence value inf", DataFormatError, r"record 0: position 5 has value inf; one-hot values must be 0 or 1")
def _(tmp):
    x, y = _pairs()
    x = x.astype(np.float32)
    x[0, 5, 1] = np.inf
    return _read_split(_v5(tmp, x=x, y=y), "valid")


@case("mat5-odd-count", R_MAT5, "3 sequences (forward + reverse-complement halves needed)", DataFormatError,
      r"3 sequences, expected an even number")
def _(tmp):
    from tfds_builders.deepsea.deepsea_dataset_builder import Builder

    x, y = _pairs()
    return list(Builder._generate_mat(None, _v5(tmp, x=x[:3], y=y[:3]), "valid"))


@case("example-h5-truncated", "DeepSEA `example.h5` (`mat_reader.read_example_h5`)", "file cut short", DataFormatError,
      r"ex\.h5': not a readable HDF5")
def _(tmp):
    from tfds_builders.deepsea import mat_reader

    data = _v73(tmp).read_bytes()
    return mat_reader.read_example_h5(w(tmp, "ex.h5", data[:3000]))


# ============================================================================ Koo & Eddy .h5
R_KOO = "Koo & Eddy `synthetic_dataset.h5` (`koo_eddy_synthetic.read_original_h5`)"


def _koo(tmp, mod=None, name="k.h5"):
    import h5py

    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    rng = np.random.default_rng(0)
    with h5py.File(tmp / name, "w") as f:
        for key in ("train", "valid", "test"):
            x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3, 200))].transpose(0, 2, 1)
            y, m = np.zeros((3, 12)), x.copy()
            if mod is not None and key == "valid":
                x, y, m = mod(x, y, m)
            f["X_" + key], f["Y_" + key], f["model_" + key] = x, y, m
    return read_original_h5(tmp / name)


@case("koo-truncated", R_KOO, "file cut short", DataFormatError, r"t\.h5': not a readable HDF5")
def _(tmp):
    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    _koo(tmp)
    data = (tmp / "k.h5").read_bytes()
    return read_original_h5(w(tmp, "t.h5", data[: len(data) // 2]))


@case("koo-wrong-names", R_KOO, "DeepSEA dataset names", DataFormatError, r"dataset 'X_train' is missing")
def _(tmp):
    from tfds_builders.koo_eddy_synthetic.koo_eddy_synthetic_dataset_builder import read_original_h5

    return read_original_h5(_v73(tmp))


@case("koo-axis-order", R_KOO, "axes (N, L, 4)", DataFormatError, r"dataset 'X_valid' has shape \(3, 200, 4\), expected \(N, 4, L\)")
def _(tmp):
    return _koo(tmp, lambda x, y, m: (x.transpose(0, 2, 1), y, m.transpose(0, 2, 1)))


@case("koo-label-nan", R_KOO, "label NaN", DataFormatError, r"dataset 'Y_valid', record 1: labels must be 0 or 1")
def _(tmp):
    def mod(x, y, m):
        y[1, 2] = np.nan
        return x, y, m
    return _koo(tmp, mod)


@case("koo-not-one-hot", R_KOO, "an all-zero column", DataFormatError, r"dataset 'X_valid', record 0: position 5 is not one-hot")
def _(tmp):
    def mod(x, y, m):
        x = x.copy()
        x[0, :, 5] = 0
        return x, y, m
    return _koo(tmp, mod)


@case("koo-model-nan", R_KOO, "NaN in the generating model", DataFormatError,
      r"dataset 'model_valid', record 1: position 3 holds nan")
def _(tmp):
    def mod(x, y, m):
        m = m.copy()
        m[1, 2, 3] = np.nan
        return x, y, m
    return _koo(tmp, mod)


# ============================================================================ MEME
MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
        "MOTIF m1 alt\nletter-probability matrix: alength= 4 w= 2 nsites= 10 E= 0\n0.25 0.25 0.25 0.25\n0.1 0.2 0.3 0.4\n")
R_MEME = "MEME minimal (`interpret.read_meme`)"


def _meme(tmp, text, name="m.meme"):
    from keras_motifs.interpret import read_meme

    return read_meme(w(tmp, name, text))


@case("meme-empty", R_MEME, "empty file", DataFormatError, r"m\.meme': no 'MEME version' line")
def _(tmp):
    return _meme(tmp, "")


@case("meme-truncated", R_MEME, "file ends inside a matrix", DataFormatError, r"line 12: motif m1: file ends after 1 of 2 matrix rows")
def _(tmp):
    return _meme(tmp, MEME.rsplit("0.1", 1)[0])


@case("meme-truncated-row", R_MEME, "file cut inside a row", DataFormatError, r"line 13: motif m1: matrix row 2 has 2 values, expected 4")
def _(tmp):
    return _meme(tmp, MEME[:-9])


@case("meme-no-alphabet", R_MEME, "no `ALPHABET=` line", DataFormatError, r"m\.meme': no 'ALPHABET=' line")
def _(tmp):
    return _meme(tmp, MEME.replace("ALPHABET= ACGT", "").replace("Background letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n", ""))


# MEME files that differ from the good one by one replacement: (case arguments, old text, new text)
MEME_EDITS = [
    (("meme-nan", R_MEME, "NaN probability", DataFormatError, r"line 13: motif m1: matrix row 2 is not numeric: 'nan 0\.2 0\.3 0\.4'"), "0.1 ", "nan "),
    (("meme-inf", R_MEME, "inf probability", DataFormatError, r"line 13: motif m1: matrix row 2 is not numeric"), "0.1 ", "inf "),
    (("meme-negative", R_MEME, "negative probability", DataFormatError, r"line 13: motif m1: matrix row 2 .* outside \[0, 1\]"), "0.1 ", "-0.1 "),
    (("meme-row-sum", R_MEME, "row summing to 1.8", DataFormatError, r"line 13: motif m1: matrix row 2 .* sums to 1\.8"), "0.1 ", "0.9 "),
    (("meme-row-length", R_MEME, "3 values for a 4-letter alphabet", DataFormatError, r"line 13: motif m1: matrix row 2 has 3 values, expected 4"), "0.1 0.2 0.3 0.4", "0.2 0.3 0.5"),
    (("meme-width", R_MEME, "w= 0", DataFormatError, r"line 11: motif m1: width w= 0 must be between 1 and"), "w= 2", "w= 0"),
    (("meme-alength", R_MEME, "alength= x", DataFormatError, r"line 11: motif m1: alength= 'x' is not an integer"), "alength= 4", "alength= x"),
    (("meme-alength-mismatch", R_MEME, "alength= 5 for ACGT", DataFormatError, r"line 11: motif m1: alength= 5 but alphabet ACGT has 4 letters"), "alength= 4", "alength= 5"),
    (("meme-nsites", R_MEME, "nsites= 1e999", DataFormatError, r"line 11: motif m1: nsites= 1e999 must be a finite number"), "nsites= 10", "nsites= 1e999"),
]


def _meme_edit(old, new):
    return lambda tmp: _meme(tmp, MEME.replace(old, new))


for _args, _old, _new in MEME_EDITS:
    case(*_args)(_meme_edit(_old, _new))


@case("meme-background", R_MEME, "background frequency nan", DataFormatError,
      r"line 8: background frequency 'nan' of letter 'C' is not a number between 0 and 1")
def _(tmp):
    return _meme(tmp, MEME.replace("C 0.25", "C nan"))


@case("meme-duplicate-name", R_MEME, "two motifs named m1", DataFormatError, r"line 15: motif name 'm1' is used twice \(first on line 10\)")
def _(tmp):
    return _meme(tmp, MEME + "\n" + MEME[MEME.index("MOTIF"):])


@case("meme-gzip", R_MEME, "gzip-compressed file", DataFormatError, r"m\.meme\.gz': gzip-compressed")
def _(tmp):
    return _meme(tmp, gzip.compress(MEME.encode()), "m.meme.gz")


@case("meme-non-utf8", R_MEME, "non-UTF-8 byte", DataFormatError, r"line 10: not UTF-8 text")
def _(tmp):
    return _meme(tmp, MEME.encode().replace(b"MOTIF m1", b"MOTIF m\xff1"))


@case("meme-tomtom-targets", "MEME as Tomtom targets (`keras-motifs motifs --targets`)", "bad MEME targets file",
      DataFormatError, r"t\.meme', line 13: motif m1: matrix row 2 .* sums to 1\.8")
def _(tmp):
    from keras_motifs.interpret.tomtom import load_targets

    return load_targets(w(tmp, "t.meme", MEME.replace("0.1 ", "0.9 ")))


# ============================================================================ DeepBind parameter files
PARAMS = ("# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\nhas_avg_pooling = 0\nnum_hidden = 0\n"
          "detectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\nthresholds = -0.5\nweights1 = 1.5\nbiases1 = 0.1\n")
R_PAR = "DeepBind parameter file (`deepbind.read_params`)"


def _params(tmp, text, name="D00001.001.txt"):
    from keras_motifs.deepbind import read_params

    return read_params(w(tmp, name, text))


def _bad_value(id, value, match, field="thresholds = -0.5", tried=None):
    def fn(tmp):
        return _params(tmp, PARAMS.replace(field, field.split("=")[0] + "= " + value))
    CASES.append(Case(id, R_PAR, tried or f"`{field.split('=')[0].strip()} = {value}`", DataFormatError, match, fn))


_bad_value("params-1e999", "1e999", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-1e5000", "1e5000", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-float32-overflow", "-1e39", r"line 8: 'thresholds' holds a non-finite value")
_bad_value("params-nan", "nan", r"line 8: value 0 of 'thresholds' is not a number: 'nan'")
_bad_value("params-inf", "-Infinity", r"line 8: value 0 of 'thresholds' is not a number: '-Infinity'")
_bad_value("params-code", "__import__('os').system('touch PWNED')", r"line 8: value 0 of 'thresholds' is not a number: \"__import__")
_bad_value("params-hex", "0x10", r"value 0 of 'thresholds' is not a number: '0x10'")
_bad_value("params-digit-separator", "1_0", r"value 0 of 'thresholds' is not a number: '1_0'")
_bad_value("params-non-ascii-digit", "\uff11", r"not an ASCII DeepBind parameter file", tried="full-width digit `１`")
_bad_value("params-count", "1,2", r"line 8: 'thresholds' has 2 values, expected 1")
_bad_value("params-int-as-float", "1.0", r"line 3: num_detectors must be an integer, got '1\.0'", field="num_detectors = 1")
_bad_value("params-huge-int", "9" * 5000, r"line 3: num_detectors = 9{20}\.\.\. \(5000 digits\) is larger than any DeepBind model",
           field="num_detectors = 1", tried="`num_detectors` with 5000 digits")
_bad_value("params-oversized-dims", "100000000000", r"line 4: detector_len = 100000000000 is larger than any DeepBind model",
           field="detector_len = 2")
_bad_value("params-int-code", "__import__('os')", r"line 3: num_detectors must be an integer", field="num_detectors = 1")
_bad_value("params-long-digit-run", "1" * 200_000 + "x", r"line 8: value 0 of 'thresholds' is not a number: '1{40}\.\.\.'",
           tried="200,000 digits then a letter (a regular expression that back-tracks would take minutes)")


@case("params-missing-header", R_PAR, "no `# deepbind 0.1` line", DataFormatError, r"line 1: expected the header '# deepbind 0.1'")
def _(tmp):
    return _params(tmp, PARAMS.split("\n", 1)[1])


@case("params-version", R_PAR, "`# deepbind 0.2`", DataFormatError, r"line 1: parameter file is for deepbind 0\.2, not 0\.1")
def _(tmp):
    return _params(tmp, PARAMS.replace("0.1\n", "0.2\n", 1))


@case("params-empty", R_PAR, "empty file", DataFormatError, r"line 1: expected the header")
def _(tmp):
    return _params(tmp, "")


@case("params-unknown-field", R_PAR, "unknown field", DataFormatError, r"line 11: unknown field 'path'")
def _(tmp):
    return _params(tmp, PARAMS + "path = /etc/passwd\n")


@case("params-duplicate-field", R_PAR, "field given twice", DataFormatError, r"line 11: field 'biases1' given twice")
def _(tmp):
    return _params(tmp, PARAMS + "biases1 = 0.2\n")


@case("params-missing-field", R_PAR, "no `weights1`", DataFormatError, r"missing field\(s\) weights1")
def _(tmp):
    return _params(tmp, PARAMS.replace("weights1 = 1.5\n", ""))


@case("params-oversized-file", R_PAR, "a 17 MB file", DataFormatError, r"bytes, larger than any DeepBind parameter file")
def _(tmp):
    return _params(tmp, PARAMS + "#" * (17 * 1024 * 1024))


# ============================================================================ DeepBind db.tsv
DB_HEADER = "ID\tProtein\tType\tSpecies\tFamily\tClass\tExperiment\tExperiment Details\tModel\tCite\tLabels\tPath\tComment\n"
DB_ROW = "D00001.001\tX\tTF\tHomo sapiens\tF\tC\tChIP-seq\t['Lab=Y']\tm\tc\t\t/etc/passwd\t\n"
R_DB = "DeepBind index `db.tsv` (`deepbind.database.read_index`)"


def _db(tmp, text):
    from keras_motifs.deepbind.database import read_index

    return read_index(w(tmp, "db.tsv", text))


@case("dbtsv-empty", R_DB, "empty file", DataFormatError, r"db\.tsv': no 'ID\\tProtein\\t\.\.\.' header line")
def _(tmp):
    return _db(tmp, "")


@case("dbtsv-missing-header", R_DB, "no header", DataFormatError, r"line 1: data line before the 'ID \.\.\.' header")
def _(tmp):
    return _db(tmp, DB_ROW)


@case("dbtsv-wrong-header", R_DB, "a column renamed", DataFormatError, r"line 1: unexpected header")
def _(tmp):
    return _db(tmp, DB_HEADER.replace("Species", "Organism") + DB_ROW)


@case("dbtsv-path-id", R_DB, "ID `../../etc/passwd`", DataFormatError, r"line 2: invalid model id '\.\./\.\./etc/passwd'")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("D00001.001", "../../etc/passwd"))


@case("dbtsv-details-code", R_DB, "Experiment Details `__import__('os')...`", DataFormatError,
      r"line 2: cannot read Experiment Details")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("['Lab=Y']", "__import__('os').system('touch PWNED')"))


@case("dbtsv-details-nested", R_DB, "Experiment Details nested 100,000 deep", DataFormatError,
      r"line 2: Experiment Details of 200000 characters; too long")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW.replace("['Lab=Y']", "[" * 100_000 + "]" * 100_000))


@case("dbtsv-duplicate-id", R_DB, "an ID listed twice", DataFormatError, r"line 3: model id D00001\.001 listed twice")
def _(tmp):
    return _db(tmp, DB_HEADER + DB_ROW + DB_ROW)


@case("dbtsv-non-utf8", R_DB, "non-UTF-8 bytes", DataFormatError, r"db\.tsv': not UTF-8 text")
def _(tmp):
    return _db(tmp, (DB_HEADER + DB_ROW).encode().replace(b"Homo", b"H\xffmo"))


# ============================================================================ VCF + FASTA
HDR = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
VCF = HDR + "chr1\t5\trs1\tA\tG\t.\t.\t.\n"
REF = ">chr1\nACGTACGTACGTACGT\n"
R_VCF = "VCF (`interpret.score_vcf`)"
R_REF = "reference FASTA for a VCF (`interpret.score_vcf`)"


def _vcf(tmp, vcf=VCF, ref=REF, vcf_name="v.vcf", ref_name="ref.fa", **kw):
    from keras_motifs.interpret import score_vcf

    return score_vcf(tiny_model(), w(tmp, vcf_name, vcf), w(tmp, ref_name, ref), **kw)


@case("vcf-truncated-gzip", R_VCF, "gzip cut short", DataFormatError, r"t\.vcf\.gz': not a readable gzip file")
def _(tmp):
    return _vcf(tmp, truncated_gzip(VCF * 30), vcf_name="t.vcf.gz")


@case("vcf-empty", R_VCF, "empty file", DataFormatError, r"v\.vcf': no '#CHROM POS ID REF ALT' header line")
def _(tmp):
    return _vcf(tmp, "")


@case("vcf-missing-header", R_VCF, "no `#CHROM` header line", DataFormatError,
      r"v\.vcf', line 1: variant line before the '#CHROM POS ID REF ALT' header line")
def _(tmp):
    return _vcf(tmp, VCF.split("\n", 2)[2])


@case("vcf-wrong-header", R_VCF, "BED-like header `#CHROM START END`", DataFormatError,
      r"line 1: header columns \['#CHROM', 'START', 'END'\]")
def _(tmp):
    return _vcf(tmp, "#CHROM\tSTART\tEND\nchr1\t4\t5\n")


@case("vcf-no-variants", R_VCF, "header only", DataFormatError, r"v\.vcf': the VCF holds no variants")
def _(tmp):
    return _vcf(tmp, HDR)


@case("vcf-pos-not-integer", R_VCF, "POS `five`", DataFormatError, r"line 3: POS 'five' is not an integer")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\tfive\t"))


@case("vcf-pos-zero", R_VCF, "POS 0", DataFormatError, r"line 3: POS 0 must be >= 1")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\t0\t"))


@case("vcf-columns", R_VCF, "4 columns", DataFormatError, r"line 3: a VCF data line needs at least 5 tab-separated columns")
def _(tmp):
    return _vcf(tmp, HDR + "chr1\t5\trs1\tA\n")


@case("vcf-non-utf8", R_VCF, "non-UTF-8 byte", DataFormatError, r"line 3: not UTF-8 text")
def _(tmp):
    return _vcf(tmp, VCF.encode().replace(b"rs1", b"rs\xff"))


@case("vcf-bad-allele", R_VCF, "ALT allele `X`", DataFormatError, r"line 3 \(chr1:5 A>X\): unsupported allele REF=A ALT=X")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tG\t", "\tX\t"))


@case("vcf-ref-mismatch", R_VCF, "REF differs from the FASTA", DataFormatError,
      r"line 3 \(chr1:5 C>G\): REF allele mismatch: VCF REF=C, FASTA has A at chr1:5")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tA\tG\t", "\tC\tG\t"))


@case("vcf-chrom-missing", R_VCF, "chromosome absent from the FASTA", DataFormatError,
      r"line 3 \(chr9:5 A>G\): chromosome 'chr9' is not in the FASTA")
def _(tmp):
    return _vcf(tmp, VCF.replace("chr1", "chr9"))


@case("vcf-indel", R_VCF, "indel", DataFormatError, r"line 3 \(chr1:5 AC>A\): indel REF=AC ALT=A not supported")
def _(tmp):
    return _vcf(tmp, VCF.replace("\tA\tG\t", "\tAC\tA\t"))


@case("vcf-past-end", R_VCF, "position past the chromosome end", DataFormatError,
      r"line 3 \(chr1:99 A>G\): position 99 is past the end of chr1 \(length 16\)")
def _(tmp):
    return _vcf(tmp, VCF.replace("\t5\t", "\t99\t"))


@case("ref-empty", R_REF, "empty FASTA", DataFormatError, r"ref\.fa': not a usable reference FASTA")
def _(tmp):
    return _vcf(tmp, ref="")


@case("ref-missing-header", R_REF, "no `>` line", DataFormatError, r"ref\.fa': not a usable reference FASTA \(Unexpected text")
def _(tmp):
    return _vcf(tmp, ref="ACGTACGTACGTACGT\n")


@case("ref-plain-gzip", R_REF, "gzip instead of bgzip", DataFormatError, r"ref\.fa\.gz': not a usable reference FASTA \(Compressed FASTA is only supported in BGZF")
def _(tmp):
    return _vcf(tmp, ref=gzip.compress(REF.encode()), ref_name="ref.fa.gz")


@case("ref-ragged-lines", R_REF, "uneven line lengths", DataFormatError, r"ref\.fa': not a usable reference FASTA \(Line length")
def _(tmp):
    return _vcf(tmp, ref=">chr1\nACGTACGT\nACG\nTACGT\n")


@case("ref-bad-letter", R_REF, "letter `X` inside a variant's window", InvalidSequenceError,
      r"ref\.fa', window of chr1:5 \(file '.*v\.vcf', line 3\): letter 'X' at position 7")
def _(tmp):
    return _vcf(tmp, ref=">chr1\nACGTACGXACGTACGT\n")


# ============================================================================ user sequences: predict / ISM / scoring
R_ISM = "sequences for ISM (`interpret.in_silico_mutagenesis`)"
R_PAIRS = "sequence pairs (`interpret.score_sequence_pairs`)"
R_BATCH = "data for filter motifs (`interpret.filter_motifs`)"


def _ism(x):
    from keras_motifs.interpret import in_silico_mutagenesis

    return in_silico_mutagenesis(tiny_model(), x, target=0)


@case("ism-nan", R_ISM, "NaN in the one-hot array", ModelInputError, r"sequence 0: position 3, channel 1 holds nan")
def _(tmp):
    x = _onehot(1, 8)[0]
    x[3, 1] = np.nan
    return _ism(x)


@case("ism-wrong-length", R_ISM, "length 6 for a length-8 model", ModelInputError, r"model input 0 takes length 8, sequences have length 6")
def _(tmp):
    return _ism(_onehot(1, 6)[0])


@case("ism-wrong-alphabet", R_ISM, "3 channels", ModelInputError, r"sequences have 3 channels, alphabet ACGT has 4")
def _(tmp):
    return _ism(_onehot(1, 8)[0][:, :3])


@case("ism-strings", R_ISM, "a string instead of one-hot", ModelInputError, r"ISM takes one-hot arrays .* encode strings first")
def _(tmp):
    return _ism("ACGTACGT")


@case("ism-rank", R_ISM, "a 1-D array", ModelInputError, r"ISM takes one-hot arrays \(L, A\) or \(N, L, A\); got shape \(8,\)")
def _(tmp):
    return _ism(np.zeros(8))


def _pairs_score(refs, alts, alphabet="ACGT"):
    from keras_motifs.interpret import score_sequence_pairs

    return score_sequence_pairs(tiny_model(), refs, alts, alphabet)


@case("pairs-bad-letter", R_PAIRS, "letter `X`", InvalidSequenceError, r"pair 0 \(0\), alternative sequence: letter 'X' at position 4")
def _(tmp):
    return _pairs_score(["ACGTACGT"], ["ACGTXCGT"])


@case("pairs-wrong-length", R_PAIRS, "length 9 for a length-8 model", ModelInputError,
      r"variant sequences of shape \(N, 9, 4\) do not fit the model's input \(N, 8, 4\)")
def _(tmp):
    return _pairs_score(["ACGTACGTA"], ["ACGTTCGTA"])


@case("pairs-rna-for-dna-model", R_PAIRS, "RNA letter for a DNA model", InvalidSequenceError,
      r"pair 0 \(0\), reference sequence: letter 'U' at position 3 .*an RNA letter")
def _(tmp):
    return _pairs_score(["ACGUACGU"], ["ACGUACGA"])


@case("pairs-unequal", R_PAIRS, "reference and alternative of different lengths", ModelInputError,
      r"pair 0: reference length 8 != alternative length 7")
def _(tmp):
    return _pairs_score(["ACGTACGT"], ["ACGTACG"])


def _fm(x):
    from keras_motifs.interpret import filter_motifs

    return filter_motifs(tiny_model(), x, alphabet="ACGT")


@case("batches-wrong-length", R_BATCH, "length 12 for a length-8 model", ModelInputError,
      r"data of shape \('N', 12, 4\) do not fit the model's input \('N', 8, 4\): sequences of length 12")
def _(tmp):
    return _fm(_onehot(5, 12))


@case("batches-wrong-alphabet", R_BATCH, "5 channels", ModelInputError, r"5 channels \(letters\), the model takes 4")
def _(tmp):
    return _fm(np.ones((5, 8, 5), np.float32))


@case("batches-nan", R_BATCH, "NaN in record 3", ModelInputError, r"input 'sequence', record 3: value nan")
def _(tmp):
    x = _onehot(5, 8)
    x[3, 2, 1] = np.nan
    return _fm(x)


@case("deepbind-bad-letter", "sequences for DeepBind (`deepbind.predict`)", "letter `X`", InvalidSequenceError,
      r"sequence 1: letter 'X' at position 2 .*A, C, G, T, U or N expected")
def _(tmp):
    from keras_motifs.deepbind.predictor import encode

    return encode(["ACGT", "ACXT"])


@case("deepbind-empty-sequence", "sequences for DeepBind (`deepbind.predict`)", "empty sequence", InvalidSequenceError,
      r"sequence 1 is empty")
def _(tmp):
    from keras_motifs.deepbind.predictor import encode

    return encode(["ACGT", ""])


@case("deepbind-cli-empty-record", "sequences for `keras-motifs deepbind`", "FASTA record without sequence",
      InvalidSequenceError, r"s\.fa', line 1: FASTA record has no sequence")
def _(tmp):
    from keras_motifs.commands.deepbind import read_sequences

    with open(w(tmp, "s.fa", ">a\n>b\nACGT\n")) as fh:
        return read_sequences(fh, str(tmp / "s.fa"))


# ============================================================================ .keras model files
R_KERAS = "`.keras` model (`interpret.load_model`)"


def _save_tiny(tmp):
    from keras_motifs.io import save_model

    save_model(tiny_model(), tmp / "m.keras")
    return tmp / "m.keras"


@case("keras-truncated", R_KERAS, "file cut short", DataFormatError, r"t\.keras': not a Keras 3 '\.keras' model .*truncated")
def _(tmp):
    from keras_motifs.interpret import load_model

    data = _save_tiny(tmp).read_bytes()
    return load_model(w(tmp, "t.keras", data[: len(data) // 2]))


@case("keras-empty", R_KERAS, "empty file", DataFormatError, r"e\.keras': not a Keras 3 '\.keras' model")
def _(tmp):
    from keras_motifs.interpret import load_model

    return load_model(w(tmp, "e.keras", b""))


@case("keras-lambda-unsafe", R_KERAS, "model with a Lambda layer (Python code)", DataFormatError,
      r"l\.keras': cannot load the model \(.*(Lambda|unsafe|safe_mode)")
def _(tmp):
    import keras

    from keras_motifs.interpret import load_model

    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    model.save(tmp / "l.keras")
    return load_model(tmp / "l.keras")


@case("keras-wrong-suffix", R_KERAS, "an `.h5` file", ModelInputError, r"m\.h5': expected a Keras 3 '\.keras' model file")
def _(tmp):
    from keras_motifs.interpret import load_model

    return load_model(w(tmp, "m.h5", b"\x89HDF\r\n"))


# ============================================================================ train()
R_TRAIN = "arrays given to `training.train`"
TINY = dict(conv_filters=4, conv_width=5, pool_size=5, lstm_units=3, dense_units=8, num_targets=3, sequence_length=50)


def _train(tmp, x=None, y=None, data=None):
    from keras_motifs.models import DanQ
    from keras_motifs.training import train

    rng = np.random.default_rng(0)
    xx = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (32, 50))] if x is None else x
    yy = (rng.random((32, 3)) < 0.5).astype(np.float32) if y is None else y
    out = tmp / "run"
    try:
        return train(lambda: DanQ(**TINY), data if data is not None else (xx, yy), None, output_dir=out,
                     training={"optimizer": "rmsprop", "learning_rate": 1e-2, "batch_size": 16, "epochs": 1},
                     verbose=0, tensorboard=False)
    finally:
        written = [p.name for p in out.iterdir()] if out.exists() else []
        assert written == [], f"output written before the error: {written}"


def _xy():
    rng = np.random.default_rng(0)
    return np.eye(4, dtype=np.float32)[rng.integers(0, 4, (32, 50))], (rng.random((32, 3)) < 0.5).astype(np.float32)


@case("train-x-nan", R_TRAIN, "NaN in x", ModelInputError, r"training data: x, record 3, position 4, channel 0: value nan")
def _(tmp):
    x, y = _xy()
    x[3, 4, 0] = np.nan
    return _train(tmp, x, y)


@case("train-y-inf", R_TRAIN, "inf label", ModelInputError, r"training data: record 2: label inf is not a finite number")
def _(tmp):
    x, y = _xy()
    y[2, 1] = np.inf
    return _train(tmp, x, y)


@case("train-y-not-01", R_TRAIN, "label 2", ModelInputError, r"record 2, target 1: label 2\.0; labels must be 0 or 1")
def _(tmp):
    x, y = _xy()
    y[2, 1] = 2
    return _train(tmp, x, y)


@case("train-wrong-length", R_TRAIN, "length 40 for a length-50 model", ModelInputError,
      r"x has shape \(32, 40, 4\), the model takes \(N, 50, 4\) \(sequence length 50, 4 channels\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x[:, :40], y)


@case("train-wrong-alphabet", R_TRAIN, "5 channels", ModelInputError, r"x has shape \(32, 50, 5\), the model takes \(N, 50, 4\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, np.concatenate([x, x[..., :1]], -1), y)


@case("train-wrong-targets", R_TRAIN, "2 label columns for 3 targets", ModelInputError,
      r"labels have shape \(32, 2\), the model predicts \(N, 3\) \(3 targets\)")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x, y[:, :2])


@case("train-row-mismatch", R_TRAIN, "32 inputs, 20 labels", ModelInputError, r"32 input rows but 20 label rows")
def _(tmp):
    x, y = _xy()
    return _train(tmp, x, y[:20])


@case("train-dataset-shape", "`tf.data.Dataset` given to `training.train`", "elements of length 40", ModelInputError,
      r"dataset elements have shape \(40, 4\), the model takes \(50, 4\) per sequence")
def _(tmp):
    import tensorflow as tf

    x, y = _xy()
    return _train(tmp, data=tf.data.Dataset.from_tensor_slices((x[:, :40], y)))


# ============================================================================ commands: no output on error
R_CLI = "command line (`keras-motifs ...`)"


def _cli_error(tmp, argv, out):
    """Run a command's function as ``keras-motifs`` does (its ``main`` prints the error and exits
    with 1); nothing may have been written at ``out``."""
    from keras_motifs.cli import build_parser

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    finally:
        leftover = sorted(str(p.relative_to(out)) for p in out.rglob("*")) if out.exists() else []
        assert leftover == [], f"output written before the error: {leftover}"


@case("cli-motifs-bad-fasta", R_CLI, "`motifs` with a FASTA holding `X`", InvalidSequenceError,
      r"x\.fa', record 1 \(s2\): letter 'X'")
def _(tmp):
    model = _save_tiny(tmp)
    fa = w(tmp, "x.fa", ">s1\nACGTACGT\n>s2\nACGTXCGT\n")
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--out", str(out)], out)


@case("cli-motifs-bad-targets", R_CLI, "`motifs --targets` with a damaged MEME file", DataFormatError,
      r"t\.meme', line 13: motif m1: matrix row 2 .* sums to 1\.8")
def _(tmp):
    model = _save_tiny(tmp)
    fa = w(tmp, "s.fa", ">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    bad = w(tmp, "t.meme", MEME.replace("0.1 ", "0.9 "))
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--targets", str(bad), "--no-logos",
                            "--out", str(out)], out)


@case("cli-motifs-index", R_CLI, "`motifs --mutation-map-index` past the data", ModelInputError,
      r"mutation map: sequence index 5 is out of range; the data has 2 sequences")
def _(tmp):
    model = _save_tiny(tmp)
    fa = w(tmp, "s.fa", ">s1\nACGTACGT\n>s2\nACGTTCGT\n")
    out = tmp / "out"
    return _cli_error(tmp, ["motifs", str(model), str(fa), "--alphabet", "ACGT", "--no-tomtom", "--no-logos",
                            "--mutation-map-index", "5", "--out", str(out)], out)


@case("cli-score-variants-bad-vcf", R_CLI, "`score-variants` with a VCF without header", DataFormatError,
      r"v\.vcf', line 1: variant line before the '#CHROM POS ID REF ALT' header line")
def _(tmp):
    model = _save_tiny(tmp)
    out = tmp / "out"
    return _cli_error(tmp, ["score-variants", str(model), "--vcf", str(w(tmp, "v.vcf", VCF.split("\n", 2)[2])),
                            "--fasta", str(w(tmp, "ref.fa", REF)), "--alphabet", "ACGT", "--out", str(out / "s.tsv")], out)


@case("cli-mutation-map-nan", R_CLI, "`mutation-map` with NaN in a `.npy`", DataFormatError,
      r"x\.npy', record 0: position 1, channel 2 holds nan")
def _(tmp):
    model = _save_tiny(tmp)
    x = _onehot(2, 8)
    x[0, 1, 2] = np.nan
    np.save(tmp / "x.npy", x)
    out = tmp / "out"
    return _cli_error(tmp, ["mutation-map", str(model), str(tmp / "x.npy"), "--alphabet", "ACGT",
                            "--out", str(out / "m.png")], out)


# ============================================================================ other tables
@case("tomtom-table-empty", "Tomtom table (`interpret.read_tomtom_table`)", "empty file", DataFormatError,
      r"tt\.txt': not a Tomtom tab-separated table")
def _(tmp):
    from keras_motifs.interpret.tomtom import read_tomtom_table

    return read_tomtom_table(w(tmp, "tt.txt", ""))


@case("tomtom-table-number", "Tomtom table (`interpret.read_tomtom_table`)", "p-value `abc`", DataFormatError,
      r"tt\.txt', data row 1: p_value 'abc' is not a number")
def _(tmp):
    from keras_motifs.interpret.tomtom import read_tomtom_table

    head = "Query_ID\tTarget_ID\tOptimal_offset\tp-value\tE-value\tq-value\tOverlap\tQuery_consensus\tTarget_consensus\tOrientation\n"
    return read_tomtom_table(w(tmp, "tt.txt", head + "q\tt\t0\tabc\t1\t1\t5\tACGT\tACGT\t+\n"))


@case("npy-pickle-code", "object `.npy` (`io.safe_npy.load_npy`)", "pickle that calls `os.system`", DataFormatError,
      r"refuses to load pickled object posix\.system")
def _(tmp):
    import os
    import pickle

    from keras_motifs.io.safe_npy import load_npy

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch PWNED",))

    arr = np.empty(1, dtype=object)
    arr[0] = Evil()
    with open(tmp / "evil.npy", "wb") as fh:
        np.lib.format.write_array(fh, arr, allow_pickle=True)
    del pickle
    return load_npy(tmp / "evil.npy")


@case("npy-safe-truncated", "numeric `.npy` (`io.safe_npy.load_npy`)", "file cut short", DataFormatError,
      r"t\.npy': cannot read the array")
def _(tmp):
    from keras_motifs.io.safe_npy import load_npy

    np.save(tmp / "ok.npy", np.arange(100.0))
    return load_npy(w(tmp, "t.npy", (tmp / "ok.npy").read_bytes()[:-100]))


# ============================================================================ the tests
@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_package_error(c, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be created in the working folder (e.g. 'PWNED')
    with pytest.raises(c.error, match=c.match) as info:
        c.run(tmp_path)
    assert isinstance(info.value, KerasMotifsError)
    assert not (tmp_path / "PWNED").exists()


def test_cli_prints_the_error_and_exits_1(tmp_path, capsys):
    from keras_motifs.cli import main

    model = _save_tiny(tmp_path)
    fa = w(tmp_path, "x.fa", ">s1\nACGTACGT\n>s2\nACGTXCGT\n")
    rc = main(["motifs", str(model), str(fa), "--alphabet", "ACGT", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1 and "keras-motifs motifs: error: file" in err and "record 1 (s2): letter 'X'" in err
    assert not (tmp_path / "out").exists()


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def _doc_ids() -> list[str]:
    text = DOC.read_text()
    text = text[text.index("## 1."):text.index("## 2.")]  # the bad-input table
    row = r"^\|.*\| `tests/test_reliability_inputs\.py::test_bad_input_gives_a_clear_package_error\[([\w\-.]+)\]` \|$"
    return re.findall(row, text, flags=re.M)


def test_reliability_table_lists_every_case():
    """docs/RELIABILITY.md has one row per case, and no row without a case."""
    doc = _doc_ids()
    ids = [c.id for c in CASES]
    assert sorted(set(doc)) == sorted(ids), (sorted(set(ids) - set(doc)), sorted(set(doc) - set(ids)))
    assert len(doc) == len(set(doc))


def _table_rows():  # pragma: no cover - a helper to regenerate the table in docs/RELIABILITY.md
    import tempfile

    rows = []
    for c in CASES:
        with tempfile.TemporaryDirectory() as d:
            try:
                c.run(Path(d))
                outcome = "**no error**"
            except Exception as exc:  # noqa: BLE001
                msg = str(exc).replace(d + "/", "").replace(d, "")
                msg = re.sub(r"\s+", " ", msg)
                msg = msg if len(msg) <= 110 else msg[:107] + "..."
                outcome = f"`{type(exc).__name__}`: {msg.replace('|', '/')}"
        node = f"tests/test_reliability_inputs.py::test_bad_input_gives_a_clear_package_error[{c.id}]"
        rows.append(f"| {c.reader} | {c.tried} | {outcome} | `{node}` |")
    return rows


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(_table_rows()))
