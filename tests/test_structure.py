"""keras_motifs.structure: context annotation on hand-drawn structures, folding, cache, parallelism."""

import importlib
import re
import sqlite3

import pytest

from keras_motifs.errors import InvalidSequenceError
from keras_motifs.structure import (
    StructureCache,
    annotate,
    check_dotbracket,
    fold,
    predict_contexts,
    predict_structures,
    to_rna,
)
fold_module = importlib.import_module("keras_motifs.structure.folding")

# Hand-drawn structures and the contexts worked out by hand from the EDeN/forgi definitions:
# F = unpaired 5' end, T = unpaired 3' end, S = paired, H = hairpin loop, I = interior loop or
# bulge, M = multiloop and exterior unpaired nucleotides *between* two top-level stems.
CASES = [
    ("..........", "FFFFFFFFFF"),  # no stem at all: one dangling start
    ("((((....))))", "SSSSHHHHSSSS"),
    ("..((((....))))..", "FFSSSSHHHHSSSSTT"),
    ("((..((....))..))", "SSIISSHHHHSSIISS"),  # symmetric interior loop
    ("((.((....))))", "SSISSHHHHSSSS"),  # 5' bulge of one nucleotide
    ("((((....))..))", "SSSSHHHHSSIISS"),  # 3' bulge
    ("..((...))..((...)).((...))..", "FFSSHHHSSMMSSHHHSSMSSHHHSSTT"),  # exterior segments = M
    ("((...))((...))", "SSHHHSSSSHHHSS"),  # adjacent stems, nothing unpaired between them
    ("(((..((...))..((...))..)))", "SSSMMSSHHHSSMMSSHHHSSMMSSS"),  # three-way junction
    (".((...)).", "FSSHHHSST"),
    ("", ""),
]


@pytest.mark.parametrize("dotbracket, expected", CASES)
def test_annotate_hand_drawn(dotbracket, expected):
    assert annotate(dotbracket) == expected


def test_annotate_without_stems_agrees_with_forgi():
    from keras_motifs.structure.annotate import _bulge_graph_class

    assert _bulge_graph_class().from_dotbracket("......").to_element_string().upper() == annotate("......")


@pytest.mark.parametrize(
    "bad, match",
    [("((..)", "1 unclosed"), ("(..))", "')' at position 4"), ("((..[[))]]", "character '['"), ("..x", "'x' at position 2")],
)
def test_bad_dotbrackets_are_errors(bad, match):
    with pytest.raises(InvalidSequenceError, match=re.escape(match)):
        check_dotbracket(bad)
    with pytest.raises(InvalidSequenceError, match="structure 7: "):
        annotate(bad, record=7)


def test_forgi_import_is_silent(capfd):
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-c", "from keras_motifs.structure import annotate; print(annotate('((...))'))"],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0 and res.stdout.strip() == "SSHHHSS"
    assert "NumPy 1.x" not in res.stderr and "Traceback" not in res.stderr


def test_fold_known_hairpin_and_dna_letters():
    structure, energy = fold("GGGGAAAACCCC")
    assert structure == "((((....))))" and energy < 0
    assert fold("gggtaaaaccc")[0] == fold("GGGUAAAACCC")[0]
    assert to_rna("acgtn") == "ACGUN"


def test_invalid_letter_names_the_sequence():
    with pytest.raises(InvalidSequenceError, match="sequence 1: letter 'X' at position 2"):
        predict_structures(["ACGU", "ACXU"])


def test_cache_is_used_and_keyed_by_sequence_and_method(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    seqs = ["GGGGAAAACCCC", "ACGUACGUAC", "GGGGAAAACCCC", "gggGAAAACCCC"]
    first = predict_structures(seqs, cache=path)
    assert first[0] == ("((((....))))", "SSSSHHHHSSSS") and first[0] == first[2] == first[3]
    assert len(StructureCache(path)) == 2  # duplicates (and case variants) folded once

    def no_folding(chunk):
        raise AssertionError(f"folded {chunk} although it is cached")

    monkeypatch.setattr(fold_module, "_fold_chunk", no_folding)
    assert predict_structures(seqs, cache=path) == first
    # another folding method does not see these entries
    with StructureCache(path, method="other-method") as other:
        assert other.get_many(["GGGGAAAACCCC"]) == {}
    rows = sqlite3.connect(path).execute("SELECT method, sequence FROM structures ORDER BY sequence").fetchall()
    assert [r[1] for r in rows] == ["ACGUACGUAC", "GGGGAAAACCCC"] and rows[0][0].startswith("viennarna-")


def test_interrupted_run_keeps_finished_chunks(tmp_path):
    path = tmp_path / "s.sqlite"
    seqs = ["GGGGAAAACCCC", "GGGAAACCC", "ACGUACGUAC", "UUUUUUUUUUUU"]

    def stop(done, total, seconds):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        predict_structures(seqs, cache=path, chunk_size=2, progress=stop)
    assert len(StructureCache(path)) == 2


def test_parallel_equals_serial(tmp_path):
    import random

    rng = random.Random(3)
    seqs = ["".join(rng.choice("ACGU") for _ in range(60)) for _ in range(24)]
    serial = predict_structures(seqs)
    progress = []
    parallel = predict_structures(seqs, n_jobs=2, chunk_size=6, cache=tmp_path / "p.sqlite",
                                  progress=lambda d, t, s: progress.append((d, t)))
    assert parallel == serial
    assert progress[-1] == (24, 24) and len(progress) == 4
    assert predict_contexts(seqs[:3]) == [c for _, c in serial[:3]]
    for (d, c), s in zip(serial, seqs):
        assert len(d) == len(c) == len(s) and set(c) <= set("FTIHMS")
        assert annotate(d) == c


def test_spawned_workers_do_not_run_an_unguarded_script_again(tmp_path):
    """A script without ``if __name__ == "__main__":`` (as README snippets are) folds in spawned
    workers (the start method once TensorFlow is imported) without running itself again in each
    worker, which used to fail there and make the pool respawn workers for ever."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text(
        "import sys\n"
        "from keras_motifs.structure import predict_structures\n"
        "print('script body ran', flush=True)\n"
        "seqs = ['GGGGAAAACCCC', 'ACGUACGUACGU', 'GCGCAAAAGCGC', 'UUUUUUUUUUUU']\n"
        "out = predict_structures(seqs, n_jobs=2, chunk_size=1, start_method='spawn', progress=lambda *a: None)\n"
        "assert out == predict_structures(seqs)\n"
        "assert sys.modules['__main__'].__file__.endswith('unguarded.py')  # restored\n"
        "print('folded', len(out))\n"
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["script body ran", "folded 4"], r.stdout + r.stderr
