"""Your own data through the command line, in a fresh process as a user runs it: the worked example
(a genome of 4 chromosomes with the CTCF consensus planted at peak centres, and its peaks BED;
``tfds_builders/labelled_sequences/example.py``) trained with ``keras-motifs train`` (DeepBind,
chr4 held out) to a test ROC AUC above 0.9, then ``keras-motifs predict`` on the BED, then
``keras-motifs attribute`` on one held-out peak (BED + genome): its logo is drawn and the planted
motif's bases hold the peak's top attributions; and every bad input of the data options giving one
``error:`` line naming the file and line.

One subprocess runs all calls through ``keras_motifs.cli.main`` (one TensorFlow import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RUNNER = r"""
import contextlib, io, json, sys
from keras_motifs import cli
calls = json.loads(open(sys.argv[1]).read())
out = []
for name, argv in calls:
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        try:
            rc = cli.main(argv)
        except SystemExit as exc:
            rc = exc.code
        except BaseException as exc:
            rc = "traceback: " + type(exc).__name__ + ": " + str(exc)[:300]
    out.append([name, rc, std.getvalue()[-3000:], err.getvalue()[-3000:]])
print(json.dumps(out))
"""


def _write(path, text):
    path.write_text(text)
    return str(path)


def test_train_and_predict_your_own_peaks_end_to_end_and_bad_input(tmp_path):
    from tfds_builders.labelled_sequences.example import make_example

    ex = make_example(tmp_path / "example", chromosomes=4, length=40_000, peaks=80, seed=0)
    genome, peaks = ex["genome"], ex["bed"]
    run = tmp_path / "run"
    data = ["--bed", peaks, "--genome", genome, "--test-chroms", "chr4", "--shuffled-negatives", "1"]
    train = ["train", "deepbind_encode", *data, "--learning-rate", "0.05", "--epochs", "10", "--out", str(run)]
    predict = ["predict", str(run / "model.keras"), peaks, "--genome", genome, "--target-names",
               str(run / "target_names.txt"), "--out", str(tmp_path / "pred.tsv")]
    # one held-out peak, as the README extracts it (grep -w peak_4_0)
    peak_line = next(line for line in Path(peaks).read_text().splitlines(True) if line.split("\t")[3] == "peak_4_0")
    one_peak = _write(tmp_path / "one_peak.bed", peak_line)
    attr = tmp_path / "attr"
    attribute = ["attribute", str(run / "model.keras"), one_peak, "--genome", genome, "--out", str(attr)]
    # bad input
    d = tmp_path
    renamed = _write(d / "renamed.bed", "chr1\t1000\t1200\tp\t0\t+\n1\t2000\t2200\tq\t0\t+\n")
    past_end = _write(d / "past_end.bed", "chr1\t1000\t1200\nchr2\t39990\t40000\n")
    short = _write(d / "short.fa", ">s1\n" + "ACGT" * 25 + "A\n>s2\nACGT\n")
    iupac = _write(d / "iupac.fa", ">s1\n" + "ACGT" * 25 + "A\n>s2\n" + "ACGR" * 25 + "A\n")
    ok_fa = _write(d / "ok.fa", ">n1\n" + "TTGCA" * 20 + "T\n")
    seqs = _write(d / "seqs.fa", ">a\n" + "ACGT" * 25 + "A\n>b\n" + "TGCA" * 25 + "A\n")
    labels = _write(d / "labels.tsv", "id\tx\na\t1\nb\t0\nc\t1\n")
    bad = {
        "chromosome-name mismatch": (["train", "deepbind_encode", "--bed", renamed, "--genome", genome, "--out",
                                      str(d / "o1")], r"renamed.bed', line 2: chromosome '1' is not in the genome"),
        "interval past a chromosome end": (["train", "deepbind_encode", "--bed", past_end, "--genome", genome,
                                            "--out", str(d / "o2")],
                                           r"past_end.bed', line 2: interval chr2:39990-40000"),
        "FASTA of another length": (["train", "deepbind_encode", "--positives", short, "--negatives", ok_fa, "--out",
                                     str(d / "o3")], r"short.fa', record 1 (s2): length 4, the model takes 101"),
        "IUPAC letter": (["train", "deepbind_encode", "--positives", iupac, "--negatives", ok_fa, "--out",
                          str(d / "o4")], r"iupac.fa', record 1 (s2): letter 'R' at position 3"),
        "labels row without a record": (["train", "deepbind_encode", "--fasta", seqs, "--labels", labels, "--out",
                                         str(d / "o5")], r"labels.tsv', line 4: ID 'c' is not a record"),
        "iDeepS (structure input)": (["train", "ideeps", *data, "--out", str(d / "o6")], "reads 2 inputs"),
        "unknown preset": (["train", "no_such_preset", *data, "--out", str(d / "o7")], "unknown preset"),
        "two kinds of data": (["train", "deepbind_encode", *data, "--positives", ok_fa, "--out", str(d / "o8")],
                              "give one kind of data"),
        "predict a BED without --genome": (["predict", str(run / "model.keras"), peaks, "--out", str(d / "p.tsv")],
                                           "a BED file needs --genome"),
        "predict a FASTA of another length": (["predict", str(run / "model.keras"), short, "--out",
                                               str(d / "p2.tsv")], "short.fa', record 1 (s2): length 4"),
        "predict a BED past a chromosome end": (["predict", str(run / "model.keras"), past_end, "--genome", genome,
                                                 "--out", str(d / "p3.tsv")], "past_end.bed', line 2"),
        "predict a FASTA with an IUPAC letter": (["predict", str(run / "model.keras"), iupac, "--out",
                                                  str(d / "p4.tsv")], r"iupac.fa', record 1 (s2): letter 'R'"),
        "attribute a FASTA with an IUPAC letter": (["attribute", str(run / "model.keras"), iupac, "--out",
                                                    str(d / "a4")], r"iupac.fa', record 1 (s2): letter 'R'"),
        "attribute a BED without --genome": (["attribute", str(run / "model.keras"), one_peak, "--out",
                                              str(d / "a1")], "a BED file needs --genome"),
        "attribute a FASTA with --genome": (["attribute", str(run / "model.keras"), seqs, "--genome", genome,
                                             "--out", str(d / "a2")], "--genome is for a BED file"),
        "attribute a BED past a chromosome end": (["attribute", str(run / "model.keras"), past_end, "--genome",
                                                   genome, "--out", str(d / "a3")], "past_end.bed', line 2"),
    }
    skip = ["predict", str(run / "model.keras"), past_end, "--genome", genome, "--skip-bad-intervals", "--out", "-"]
    calls = [["train", train], ["predict", predict], ["attribute", attribute], ["skip", skip]] + [[k, argv] for k, (argv, _) in bad.items()]
    (tmp_path / "calls.json").write_text(json.dumps(calls))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_MOTIFS_PROGRESS": "0"}
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", RUNNER, str(tmp_path / "calls.json")], capture_output=True, text=True,
                       timeout=600, env=env, check=False)
    seconds = time.perf_counter() - start
    assert r.returncode == 0, r.stderr[-3000:]
    results = {name: (rc, out, err) for name, rc, out, err in json.loads(r.stdout.strip().splitlines()[-1])}
    rc, out, err = results["train"]
    assert rc == 0, err
    metrics = json.loads((run / "metrics.json").read_text())
    auc = metrics["test"]["roc_auc"][0]
    print(f"test ROC AUC on chr4: {auc:.4f}, training {metrics['train_seconds']} s, all calls {seconds:.0f} s")
    assert metrics["counts"]["test"]["rows"] == 160 and auc > 0.9, out
    assert "mean test ROC AUC" in out and (run / "test_metrics.tsv").read_text().startswith("target\troc_auc")
    rc, out, err = results["predict"]
    assert rc == 0, err
    table = (tmp_path / "pred.tsv").read_text().splitlines()
    assert table[0] == "id\tchrom\tstart\tend\tstrand\tpeaks" and len(table) == 1 + 320
    scores = {row.split("\t")[0]: float(row.split("\t")[5]) for row in table[1:]}
    assert min(scores.values()) > 0.5 or sum(v > 0.5 for v in scores.values()) > 300  # peaks score as bound
    rc, out, err = results["attribute"]
    assert rc == 0, err
    assert (attr / "logos" / "logo_0.png").stat().st_size > 1000
    a = np.load(attr / "attributions.npz")
    name = str(a["names"][0])
    assert a["per_base"].shape == (1, 101) and name.startswith("peak_4_0 (chr4:"), name
    window_start, window_end = map(int, name.rsplit(":", 1)[1].rstrip(")").split("-"))
    site = next(line.split("\t") for line in Path(ex["sites"]).read_text().splitlines() if line.split("\t")[3] == "peak_4_0")
    s0, s1, strand = int(site[1]), int(site[2]), site[5].strip()
    # the window is read reverse-complemented on strand '-'
    lo, hi = (s0 - window_start, s1 - window_start) if strand == "+" else (window_end - s1, window_end - s0)
    assert 0 <= lo < hi <= 101, (lo, hi, name)
    top = np.argsort(a["per_base"][0])[::-1][:10]
    inside = int(((top >= lo) & (top < hi)).sum())
    print(f"attribution of peak_4_0: {inside} of the 10 top positions in the planted site [{lo}, {hi}), "
          f"prediction {float(a['prediction'][0]):.3f}")
    assert inside >= 8, (sorted(top.tolist()), lo, hi)
    rc, out, err = results["skip"]
    assert rc == 0 and "skipped 1 interval(s)" in err and len(out.strip().splitlines()) == 2, (rc, out, err)
    problems = []
    for name, (argv, expected) in bad.items():
        rc, out, err = results[name]
        lines = [line for line in err.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        if rc != 1 or not last.startswith("error:") or expected not in last or "Traceback" in err:
            problems.append(f"{name}: rc={rc!r} {lines[-1:]!r} (expected {expected!r})")
    assert not problems, "\n".join(problems)
