"""Pretrained DeepBind v0.1 models: parameter files, index, Keras predictor, scorer and command.

The Keras computation (framed windows + convolution) is checked against ``reference_score``, an
independent NumPy transcription of the original C predictor working on base indices (the
C code's ``apply_model``/``scan_model``: per-window N padding, per-position table look-ups, N =
0.25 x the sum of a detector column). The shared-data tests check the original README table and
all 927 released models.
"""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from keras_motifs import deepbind
from keras_motifs.deepbind import Database, Scorer, parse_params, read_params
from keras_motifs.errors import DataFormatError, InvalidSequenceError
from model_harness import run_model_saving_test

README_IDS = ["D00210.001", "D00120.001", "D00410.003", "D00328.003"]
README_SEQS = [
    "AGGUAAUAAUUUGCAUGAAAUAACUUGGAGAGGAUAGC",
    "AGACAGAGCUUCCAUCAGCGCUAGCAGCAGAGACCAUU",
    "GAGGTTACGCGGCAAGATAA",
    "TACCACTAGGGGGCGCCACC",
]
# kundajelab/DeepBindToKeras modified_deepbind_src (example.ids / example.seq): output of the original deepbind v0.11 on example.ids / example.seq.
README_SCORES = np.array([
    [7.451420, -0.166146, -0.408751, -0.026180],
    [-0.155398, 4.113817, 0.516956, -0.248167],
    [-0.140683, 0.181295, 5.885349, -0.026180],
    [-0.174985, -0.152521, -0.379695, 17.682623],
])
# The Kundaje-lab modification (windows padded with flanking sequence), same inputs.
README_SCORES_FLANK = np.array([
    [7.059108, -0.187212, -0.649447, -0.026180],
    [-0.172609, 4.295672, 0.666795, -0.910773],
    [-0.140683, 0.181295, 5.885349, -0.026180],
    [-0.174985, -0.152521, -0.379695, 17.682623],
])

_BASE = {c: i for i, c in enumerate("ACGT")}
_BASE.update({"U": 3, "N": 4})


# ---------------------------------------------------------------------------------------------
# Independent reference: the C predictor's algorithm on base indices.
# ---------------------------------------------------------------------------------------------
def _apply_model(p, idx: np.ndarray) -> float:
    """C ``apply_model`` on one window given as base indices (0-3, 4 = N)."""
    m, d = p.detector_len, p.num_detectors
    table = np.concatenate([p.detectors, 0.25 * p.detectors.sum(1, keepdims=True)], axis=1).astype(np.float64)
    padded = np.concatenate([np.full(m - 1, 4), idx, np.full(m - 1, 4)])
    n_out = len(idx) + m - 1
    pos = np.arange(n_out)[:, None] + np.arange(m)[None, :]  # (n_out, m) positions in padded
    fm = table[np.arange(m)[None, :], padded[pos]].sum(1)  # (n_out, d)
    fm = np.maximum(fm + p.thresholds, 0.0)
    if p.has_avg_pooling:
        pooled = np.empty(2 * d)
        pooled[0::2] = fm.max(0)
        pooled[1::2] = fm.sum(0) / n_out
    else:
        pooled = fm.max(0)
    h = pooled @ p.weights1.astype(np.float64) + p.biases1
    if p.num_hidden == 0:
        return float(h[0])
    return float(p.biases2[0] + np.maximum(h, 0.0) @ p.weights2)


def _scan(p, idx, window_size, average):
    w = window_size or int(p.detector_len * 1.5)
    n = len(idx)
    if n <= w:
        return _apply_model(p, idx)
    scores = [_apply_model(p, idx[i : i + w]) for i in range(n - w + 1)]
    return sum(scores) / n if average else max(scores)


def reference_score(p, seq: str, window_size=None, average=False) -> float:
    idx = np.array([_BASE[c] for c in seq.upper()])
    score = _scan(p, idx, window_size, average)
    if p.reverse_complement:
        comp = np.array([3, 2, 1, 0, 4])
        score = max(score, _scan(p, comp[idx][::-1], window_size, average))
    return score


# ---------------------------------------------------------------------------------------------
# Synthetic models in the exact file format (no shared data needed)
# ---------------------------------------------------------------------------------------------
def _fmt(values) -> str:
    return ",".join(f"{v:.9e}" for v in np.ravel(values))


def make_params_text(rng, rc=1, d=4, m=6, avg=0, hidden=0) -> str:
    h1 = d * (2 if avg else 1)
    h2 = hidden or 1
    lines = [
        "# deepbind 0.1",
        f"reverse_complement = {rc}",
        f"num_detectors = {d}",
        f"detector_len = {m}",
        f"has_avg_pooling = {avg}",
        f"num_hidden = {hidden}",
        "detectors = " + _fmt(rng.normal(0, 1, d * m * 4)),
        "thresholds = " + _fmt(rng.normal(-2, 1, d)),
        "weights1 = " + _fmt(rng.normal(0, 1, h1 * h2)),
        "biases1 = " + _fmt(rng.normal(0, 1, h2)),
        "weights2 = " + (_fmt(rng.normal(0, 1, hidden)) if hidden else ""),
        "biases2 = " + (_fmt(rng.normal(0, 1, 1)) if hidden else ""),
    ]
    return "\n".join(lines) + "\n"


SYNTHETIC = {  # id -> (rc, d, m, avg, hidden): every pooling/hidden/strand combination
    "D00001.001": (1, 4, 6, 0, 0),
    "D00002.001": (0, 4, 5, 1, 3),
    "D00003.001": (1, 3, 7, 1, 0),
    "D00004.001": (0, 2, 4, 0, 5),
    "D00005.001": (1, 4, 6, 0, 4),
}


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("deepbind_db")
    (root / "params").mkdir()
    rng = np.random.default_rng(7)
    rows = ["# comment line", "\t".join(
        ["ID", "Protein", "Type", "Species", "Family", "Class", "Experiment", "Experiment Details",
         "Model", "Cite", "Labels", "Path", "Comment"])]
    for i, (mid, (rc, d, m, avg, hidden)) in enumerate(SYNTHETIC.items()):
        (root / "params" / f"{mid}.txt").write_text(make_params_text(rng, rc, d, m, avg, hidden))
        exp = "ChIP-seq" if i % 2 else "SELEX"
        rows.append("\t".join([mid, f"PROT{i}", "TF", "Homo sapiens", "fam", "", exp,
                               "['CellLine=K562','Lab=Stanford']" if i % 2 else "['Cycle=4']",
                               "deepbind 0.1", "", "", "E:/x", ""]))
    rows.append("\t".join(["D00099.001", "NOPARAMS", "RBP", "Homo sapiens", "", "", "RNAcompete", "[]",
                           "deepbind 0.1", "", "deprecated", "E:/x", "old"]))
    (root / "db.tsv").write_text("\n".join(rows) + "\n")
    return root


def _random_seqs(rng, lengths, alphabet="ACGT"):
    return ["".join(rng.choice(list(alphabet), n)) for n in lengths]


# ---------------------------------------------------------------------------------------------
# Parameter files and index
# ---------------------------------------------------------------------------------------------
def test_parse_params_shapes_and_layout(synthetic_db):
    p = read_params(synthetic_db / "params" / "D00002.001.txt")
    assert p.model_id == "D00002.001" and not p.reverse_complement and p.has_avg_pooling
    assert p.detectors.shape == (5, 4, 4) and p.weights1.shape == (8, 3) and p.weights2.shape == (3,)
    # flat index k + D * (b + 4 * pos) -> detectors[pos, b, k]
    text = (synthetic_db / "params" / "D00002.001.txt").read_text()
    flat = np.array([float(v) for v in text.split("\ndetectors = ")[1].splitlines()[0].split(",")], dtype=np.float32)
    assert p.detectors[3, 2, 1] == flat[1 + 4 * (2 + 4 * 3)]
    assert p.default_window_size == 7


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("# deepbind 0.1", "# deepbind 0.2"), "not 0.1"),
        (lambda t: t.replace("# deepbind 0.1\n", ""), "header"),
        (lambda t: t.replace("thresholds = ", "thresholds = 1.0,"), "'thresholds' has 5 values, expected 4"),
        (lambda t: t.replace("biases1 = ", "biases1 = abc,"), "not a number"),
        (lambda t: "\n".join(l for l in t.splitlines() if not l.startswith("num_hidden")), "missing field"),
        (lambda t: t.replace("num_detectors = 4", "num_detectors = four"), "must be an integer"),
    ],
)
def test_parse_params_errors_name_file_and_line(mutate, message):
    text = mutate(make_params_text(np.random.default_rng(0), rc=1, d=4, m=6, avg=0, hidden=0))
    with pytest.raises(DataFormatError, match=message) as err:
        parse_params(text, path="bad.txt")
    assert "bad.txt" in str(err.value)


def test_database_lookups(synthetic_db):
    db = Database(synthetic_db)
    assert db.available_ids() == sorted(SYNTHETIC)
    assert [r.id for r in db.find(experiment="chip-seq")] == ["D00002.001", "D00004.001"]
    assert [r.id for r in db.find(cell_line="k562", lab="Stanford")] == ["D00002.001", "D00004.001"]
    assert db.find(protein="NOPARAMS") == []
    assert [r.id for r in db.find(protein="noparams", with_params=False, include_deprecated=True)] == ["D00099.001"]
    assert db.info("D00003.001").details() == {"Cycle": "4"}
    with pytest.raises(FileNotFoundError, match="D00099.001"):
        db.params("D00099.001")
    with pytest.raises(DataFormatError, match="D#####.###"):
        db.params("X123")


# ---------------------------------------------------------------------------------------------
# Keras computation vs the reference (synthetic models, no shared data)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("average", [False, True])
@pytest.mark.parametrize("window_size", [None, 9])
def test_scorer_matches_reference_synthetic(synthetic_db, average, window_size):
    db = Database(synthetic_db)
    params = [db.params(i) for i in sorted(SYNTHETIC)]
    rng = np.random.default_rng(1)
    seqs = _random_seqs(rng, [3, 7, 9, 10, 25, 25, 40]) + ["acgtNNacgUUAGGCA", "NNNN"]
    got = Scorer(params, window_size=window_size, average=average).score(seqs)
    want = np.array([[reference_score(p, s, window_size, average) for p in params] for s in seqs])
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_keras_model_save_load_roundtrip(synthetic_db, tmp_path):
    model = deepbind.load("D00005.001", db_dir=synthetic_db)
    seqs = _random_seqs(np.random.default_rng(2), [30, 30])
    before = deepbind.predict(model, seqs)
    restored = run_model_saving_test(model, np.stack(deepbind.encode(seqs)), tmp_path)
    assert isinstance(restored.get_layer("deepbind_scan"), deepbind.DeepBindScan)
    np.testing.assert_array_equal(deepbind.predict(restored, seqs), before)
    want = [reference_score(Database(synthetic_db).params("D00005.001"), s) for s in seqs]
    np.testing.assert_allclose(before[:, 0], want, rtol=1e-5, atol=1e-5)


def test_encode_rejects_bad_letters_and_empty():
    with pytest.raises(InvalidSequenceError, match="sequence 1: letter 'X' at position 2"):
        deepbind.encode(["ACGT", "ACXT"])
    with pytest.raises(InvalidSequenceError, match="sequence 0 is empty"):
        deepbind.encode([""])
    np.testing.assert_array_equal(deepbind.encode(["uN"])[0], [[0, 0, 0, 1], [0.25] * 4])


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------
def _run_cli(argv, stdin_text, monkeypatch, capsys):
    from keras_motifs.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin_text))
    code = main(["deepbind", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_command_output_format(synthetic_db, tmp_path, monkeypatch, capsys):
    ids_file = tmp_path / "models.ids"
    ids_file.write_text("# header comment\nD00002.001 # a comment\nD00001.001\n")
    seqs = _random_seqs(np.random.default_rng(3), [12, 30, 5])
    code, out, err = _run_cli(["--db", str(synthetic_db), str(ids_file)], "\n".join(seqs) + "\n", monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "D00002.001\tD00001.001"
    db = Database(synthetic_db)
    for line, s in zip(lines[1:], seqs):
        fields = line.split("\t")
        assert all(len(f.split(".")[1]) == 6 for f in fields)  # printf %f
        want = [reference_score(db.params(i), s) for i in ("D00002.001", "D00001.001")]
        np.testing.assert_allclose([float(f) for f in fields], want, atol=2e-6)
    assert len(lines) == 1 + len(seqs)

    # --echo, --no-head, FASTA with multi-line records from a .fa file, IDs on the command line
    fa = tmp_path / "in.fa"
    fa.write_text(f">r1\n{seqs[0][:6]}\n{seqs[0][6:]}\n>r2\n{seqs[1]}\n")
    code, out2, _ = _run_cli(["--db", str(synthetic_db), "--echo", "--no-head", "D00002.001", "D00001.001", str(fa)],
                             "", monkeypatch, capsys)
    assert code == 0
    assert out2.splitlines() == [f"{s}\t{line}" for s, line in zip(seqs[:2], lines[1:3])]


def test_command_errors(synthetic_db, monkeypatch, capsys):
    code, _, err = _run_cli(["--db", str(synthetic_db), "D00001.001"], "ACGT\n\nACGT\n", monkeypatch, capsys)
    assert code == 1 and "line 2: empty sequence" in err
    code, _, err = _run_cli(["--db", str(synthetic_db), "D00001.001"], ">a\nACGT\n>b\n>c\nAC\n", monkeypatch, capsys)
    assert code == 1 and "line 3: FASTA record has no sequence" in err
    code, _, err = _run_cli(["--db", str(synthetic_db), "D00001.001"], "ACGT\nACGZ\n", monkeypatch, capsys)
    assert code == 1 and "line 2" in err and "'Z' at position 3" in err
    code, _, err = _run_cli(["--db", str(synthetic_db), "D0001.001"], "ACGT\n", monkeypatch, capsys)
    assert code == 1 and "D#####.###" in err


def test_command_dump_info(synthetic_db, monkeypatch, capsys):
    code, out, _ = _run_cli(["--db", str(synthetic_db), "--dump-info", "D00003.001", "D00001.001"], "", monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("ID\tProtein") and lines[1].startswith("D00003.001\tPROT2")
    assert lines[2].startswith("D00001.001\tPROT0")


def test_command_strand_bug_emulation(synthetic_db, monkeypatch, capsys):
    # D00001 is reverse-complement, D00002 is not: after D00001 the original scores D00002 on the
    # reverse complement (in-place flip never undone).
    seq = "ACGGTACCATTGACCAGT"
    db = Database(synthetic_db)
    code, out, _ = _run_cli(["--db", str(synthetic_db), "--no-head", "--emulate-strand-bug", "D00001.001",
                             "D00002.001"], seq + "\n", monkeypatch, capsys)
    got = [float(v) for v in out.split()]
    rc = seq[::-1].translate(str.maketrans("ACGT", "TGCA"))
    np.testing.assert_allclose(got, [reference_score(db.params("D00001.001"), seq),
                                     reference_score(db.params("D00002.001"), rc)], atol=2e-6)
    code, out, _ = _run_cli(["--db", str(synthetic_db), "--no-head", "D00001.001", "D00002.001"], seq + "\n",
                            monkeypatch, capsys)
    np.testing.assert_allclose(float(out.split()[1]), reference_score(db.params("D00002.001"), seq), atol=2e-6)


# ---------------------------------------------------------------------------------------------
# The real database (shared data)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_db(shared_data):
    path = shared_data / "deepbind_models"
    if not (path / "params").is_dir():
        pytest.skip(f"DeepBind model database not found at {path}")
    return Database(path)


@pytest.mark.parametrize("padding, table", [("N", README_SCORES), ("flank", README_SCORES_FLANK)])
def test_readme_example_table(real_db, padding, table):
    got = deepbind.score(README_IDS, README_SEQS, db_dir=real_db.dir, window_padding=padding)
    assert np.abs(got - table).max() <= 1e-5


def test_readme_example_command(real_db, tmp_path, monkeypatch, capsys):
    ids = tmp_path / "example.ids"
    ids.write_text("D00210.001 # RBFOX1 (RNAcompete)\nD00120.001 # MBNL1  (RNAcompete)\n"
                   "D00410.003 # GATA3  (SELEX)\nD00328.003 # CTCF   (SELEX)\n")
    code, out, err = _run_cli(["--db", str(real_db.dir), str(ids)], "\n".join(README_SEQS) + "\n", monkeypatch, capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "\t".join(README_IDS)
    got = np.array([[float(v) for v in line.split("\t")] for line in lines[1:]])
    assert got.shape == (4, 4) and np.abs(got - README_SCORES).max() <= 1e-5


def test_all_927_models_load_and_score(real_db):
    ids = real_db.available_ids()
    assert len(ids) == 927
    params = [real_db.params(i) for i in ids]
    rng = np.random.default_rng(0)
    # shorter than every window, 1 window for some models, many windows, N/lowercase/RNA letters
    seqs = _random_seqs(rng, [10, 40]) + ["ggcNNacguuAGCUUCCAUCAGCGCUAGCAGCAGANNNAT"]
    scores = Scorer(params).score(seqs)
    assert scores.shape == (3, 927) and np.isfinite(scores).all()
    want = np.array([[reference_score(p, s) for p in params] for s in seqs])
    np.testing.assert_allclose(scores, want, rtol=1e-5, atol=1e-5)
    # every architecture in the database is present
    assert len({p.architecture for p in params}) == 15
