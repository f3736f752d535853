"""Safe loading (bad input and faults): no code runs from a data file.

* ``.keras`` files load with Keras safe mode on (a Lambda layer is refused:
  ``test_reliability_keras.py::...[keras-lambda-unsafe]``); every ``load_model`` call in the
  package says ``safe_mode=True``.
* No ``pickle`` (except the numpy-only unpickler of ``keras_motifs.io.safe_npy``), no
  ``allow_pickle=True``, no ``eval``/``exec`` in the package.
* Parameter files: oversized or malformed numbers are refused without executing anything (the
  ``params-*`` cases of ``test_reliability_deepbind_params.py``).
* Paths written inside data files (the ``Path`` column of DeepBind's ``db.tsv``, a MEME ``URL``
  line, a VCF chromosome name) are never opened.
"""

from __future__ import annotations

import builtins
import io
import re
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ("keras_motifs", "tfds_builders", "reproductions", "benchmarks")
# the restricted unpicklers: NumPy object arrays, PyTorch state dicts (each resolves a fixed list of names)
SAFE_UNPICKLERS = (Path("keras_motifs/io/safe_npy.py"), Path("keras_motifs/io/torch_state.py"))


def _sources():
    for d in PACKAGE_DIRS:
        for path in sorted((REPO / d).rglob("*.py")):
            rel = path.relative_to(REPO)
            if path.name.endswith("_test.py") or "dummy_data" in rel.parts:
                continue
            yield rel, path.read_text()


def _code_lines(text):
    """Each line with its comments and string literals (docstrings, messages) blanked out."""
    import tokenize

    lines = [list(line) for line in text.splitlines()]
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.STRING):
            continue
        (r0, c0), (r1, c1) = tok.start, tok.end
        for r in range(r0, r1 + 1):
            row = lines[r - 1]
            lo = c0 if r == r0 else 0
            hi = c1 if r == r1 else len(row)
            row[lo:hi] = " " * (hi - lo)
    for lineno, row in enumerate(lines, 1):
        code = "".join(row)
        if code.strip():
            yield lineno, code


FORBIDDEN = {
    "pickle": re.compile(r"\bimport\s+pickle\b|\bpickle\.(loads?|Unpickler)\b|\bcPickle\b"),
    "allow_pickle=True": re.compile(r"allow_pickle\s*=\s*True"),
    "safe_mode=False": re.compile(r"safe_mode\s*=\s*False"),
    "eval/exec": re.compile(r"(?<![\w.])(eval|exec)\s*\("),
    "unsafe deserialisers": re.compile(r"\b(yaml\.load|yaml\.unsafe_load|marshal\.loads?|shelve\.open|dill\.loads?|"
                                       r"joblib\.load|torch\.load|jsonpickle)\b"),
}


def test_no_pickle_eval_or_unsafe_loaders_in_the_package():
    found = []
    for rel, text in _sources():
        for lineno, line in _code_lines(text):
            for name, pattern in FORBIDDEN.items():
                if pattern.search(line) and not (name == "pickle" and rel in SAFE_UNPICKLERS):
                    found.append(f"{rel}:{lineno}: {name}: {line.strip()}")
    assert found == [], "\n".join(found)


def test_every_keras_load_model_call_uses_safe_mode():
    calls = []
    for rel, text in _sources():
        for m in re.finditer(r"keras\.(models|saving)\.load_model\(", text):
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                i += 1
            call = text[m.start():i]
            calls.append((rel, call))
    assert calls, "the grep found no load_model call at all"
    unsafe = [f"{rel}: {call}" for rel, call in calls if "safe_mode=True" not in call]
    assert unsafe == [], "\n".join(unsafe)


def test_torch_state_dict_reader_refuses_code(tmp_path):
    """A PyTorch file whose pickle calls os.system (zip and legacy layouts) is refused unrun."""
    import os
    import pickle
    import zipfile

    from keras_motifs.errors import DataFormatError
    from keras_motifs.io.torch_state import read_torch_state_dict

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'PWNED'}",))

    payload = pickle.dumps({"w": Evil()}, protocol=2)
    with zipfile.ZipFile(tmp_path / "evil.pth", "w") as zf:
        zf.writestr("evil/data.pkl", payload)
    with pytest.raises(DataFormatError, match=r"evil\.pth': refuses to load the pickled object (posix|nt)\.system"):
        read_torch_state_dict(tmp_path / "evil.pth")
    legacy = b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    (tmp_path / "legacy.pth").write_bytes(legacy + payload)
    with pytest.raises(DataFormatError, match=r"legacy\.pth': refuses to load the pickled object (posix|nt)\.system"):
        read_torch_state_dict(tmp_path / "legacy.pth")
    assert not (tmp_path / "PWNED").exists()


def test_safe_numpy_unpickler_is_the_only_pickle_user_and_refuses_code(tmp_path):
    import os

    from keras_motifs.errors import DataFormatError
    from keras_motifs.io.safe_npy import load_npy

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'PWNED'}",))

    arr = np.empty(2, dtype=object)
    arr[0], arr[1] = np.arange(3.0), Evil()
    with open(tmp_path / "evil.npy", "wb") as fh:
        np.lib.format.write_array(fh, arr, allow_pickle=True)
    with pytest.raises(DataFormatError, match="refuses to load pickled object"):
        load_npy(tmp_path / "evil.npy")
    assert not (tmp_path / "PWNED").exists()


class _OpenRecorder:
    """Record every path opened through ``open``/``io.open`` (pathlib and pyfaidx use them)."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        real = builtins.open

        def recording_open(file, *args, **kwargs):
            if isinstance(file, (str, bytes, Path)):
                self.paths.append(str(file))
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", recording_open)
        monkeypatch.setattr(io, "open", recording_open)

    def opened(self, path) -> bool:
        target = str(Path(path).resolve())
        return any(str(Path(p).resolve()) == target for p in self.paths)


def test_paths_inside_data_files_are_never_opened(tmp_path, monkeypatch):
    from keras_motifs.deepbind import Database
    from keras_motifs.errors import DataFormatError
    from keras_motifs.interpret import read_meme, read_vcf, variant_windows

    sentinel = tmp_path / "secret.txt"
    sentinel.write_text("# deepbind 0.1\n")  # would even parse as the start of a parameter file
    db = tmp_path / "db"
    (db / "params").mkdir(parents=True)
    params = ("# deepbind 0.1\nreverse_complement = 0\nnum_detectors = 1\ndetector_len = 2\nhas_avg_pooling = 0\n"
              "num_hidden = 0\ndetectors = 0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8\nthresholds = -0.5\nweights1 = 1.5\n"
              "biases1 = 0.1\n")
    (db / "params" / "D00001.001.txt").write_text(params)
    header = "ID\tProtein\tType\tSpecies\tFamily\tClass\tExperiment\tExperiment Details\tModel\tCite\tLabels\tPath\tComment\n"
    (db / "db.tsv").write_text(header + f"D00001.001\tX\tTF\tHomo sapiens\tF\tC\tChIP-seq\t[]\tm\tc\t\t{sentinel}\t\n")
    meme = tmp_path / "m.meme"
    meme.write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 1\n"
                    f"0.25 0.25 0.25 0.25\n\nURL {sentinel}\n")
    vcf = tmp_path / "v.vcf"
    vcf.write_text(f"#CHROM\tPOS\tID\tREF\tALT\n{sentinel}\t1\trs1\tA\tG\n")
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\nACGTACGT\n")

    rec = _OpenRecorder(monkeypatch)
    database = Database(db)
    info = database.info("D00001.001")
    assert info.path == str(sentinel)  # read as text, kept as text
    assert database.params("D00001.001").num_detectors == 1
    assert database.find(protein="X")[0].id == "D00001.001"
    assert read_meme(meme).motifs[0].url == str(sentinel)
    variants = read_vcf(vcf)
    with pytest.raises(DataFormatError, match="is not in the FASTA"):
        variant_windows(variants, fasta, 4)
    assert rec.opened(db / "params" / "D00001.001.txt") and rec.opened(meme) and rec.opened(vcf)
    assert not rec.opened(sentinel), rec.paths


def test_model_ids_from_files_cannot_name_other_files(tmp_path):
    from keras_motifs.commands.deepbind import parse_id_args
    from keras_motifs.errors import DataFormatError

    ids = tmp_path / "x.ids"
    ids.write_text("../../../etc/passwd\n")
    with pytest.raises(DataFormatError, match=r"x\.ids', line 1: invalid model id '\.\./\.\./\.\./etc/passwd'"):
        parse_id_args([str(ids)])
