"""reproductions/ideeps.py end to end on the rbp_clip dummy files (real iONMF layout), run as a user
runs it; its tables (keras_motifs.papers.ideeps) on hand-made results."""

import json
import os
import subprocess
import sys
from pathlib import Path

from keras_motifs.papers import ideeps as paper

REPO = Path(__file__).resolve().parent.parent
DUMMY = REPO / "tfds_builders" / "rbp_clip" / "dummy_data"


def _run(args: list[str]) -> subprocess.CompletedProcess:
    """``python reproductions/ideeps.py ARGS`` with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, str(REPO / "reproductions" / "ideeps.py"), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_reproduction_end_to_end_and_resume(tmp_path):
    published = tmp_path / "table2.tsv"
    published.write_text("index\tprotein\tiDeepS\tDeepBind\tDeeperBind\tOli\tGraphProt\n23\tPUM2\t0.962\t0.950\t0.955\t0.939\t0.914\n")
    out = tmp_path / "out"
    args = ["--data_dir", str(DUMMY), "--out", str(out), "--epochs", "1", "--presets", "ideeps",
            "--published", str(published), "--motifs"]
    run = _run(args)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result_file = out / "results" / "e23_pum2" / "ideeps_seed1_ep1.json"
    r = json.loads(result_file.read_text())
    assert r["protein"] == "PUM2" and r["paper"]["iDeepS"] == 0.962 and r["tag"] == "_ep1"
    settings = dict(r["run"]["settings"])
    hyperparameters = settings.pop("hyperparameters")
    assert settings == {"experiment": "e23_pum2", "preset": "ideeps", "seed": 1, "epochs": 1,
                        "patience": None, "max_train": None, "max_test": None, "layout": "centered",
                        "restore_best": False}
    # the preset's hyperparameters and training settings key the result (a change of defaults redoes it)
    assert hyperparameters["training"]["optimizer"] == "keras1_rmsprop"
    assert hyperparameters["training"]["early_stopping_rule"] == "keras1"
    assert (r["n_train"], r["n_validation"], r["n_test"]) == (12, 2, 5)
    assert 0.0 <= r["test_auc"] <= 1.0 and r["params"] == 16322 and r["weights"] == "last_epoch"
    motifs = out / "motifs" / "e23_pum2"
    assert (motifs / "sequence_motifs.meme").read_text().startswith("MEME version 4")
    assert "ALPHABET= ACGU" in (motifs / "sequence_motifs.meme").read_text()
    assert "ALPHABET= FTIHMS" in (motifs / "structure_motifs.meme").read_text()
    printed = run.stdout
    assert "| 23 | PUM2 |" in printed and "0.962" in printed and "Experiments above the paper" in printed
    assert "| epochs | train s | prepare s |" in printed and "equal at three decimals" in printed
    assert (out / "table_ep1.md").exists()
    # resume: an existing result is not recomputed
    mtime = result_file.stat().st_mtime_ns
    run = _run(args)
    assert run.returncode == 0 and result_file.stat().st_mtime_ns == mtime
    assert "done already" in run.stdout


def test_reproduction_rejects_missing_experiment(tmp_path):
    run = _run(["--data_dir", str(DUMMY), "--out", str(tmp_path), "--experiments", "5"])
    assert run.returncode != 0 and "experiments [5] not found" in run.stderr


def test_machine_is_described_from_the_machine(tmp_path):
    """Results record the machine as read from /proc-style files, not a hard-coded string."""
    from keras_motifs.reporting.machine import describe_machine

    cpu = tmp_path / "cpuinfo"
    cpu.write_text("processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 avx2 fma\n"
                   "processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 avx2 fma\n")
    mem = tmp_path / "meminfo"
    mem.write_text("MemTotal:       25165824 kB\n")
    text = describe_machine(str(cpu), str(mem))
    assert text.startswith("Test CPU 9000, ") and "avx2/fma," in text and "24 GiB RAM" in text
    assert "avx512" not in text and "amx" not in text
    cpu.write_text("model name\t: Big\nflags\t\t: avx2 fma avx512f amx_tile\n")
    assert "avx2/fma/avx512f/amx_tile" in describe_machine(str(cpu), str(tmp_path / "absent"))
    assert "? RAM" in describe_machine(str(cpu), str(tmp_path / "absent"))


def test_report_counts_at_the_papers_precision():
    """Above / below / equal are decided at the paper's three decimals, and time columns are means."""
    published = {1: {"iDeepS": "0.773"}, 3: {"iDeepS": "0.865"}, 23: {"iDeepS": "0.962"}}

    def row(e, auc, epochs, train, prep):
        return {"preset": "ideeps", "experiment": e, "protein": f"P{e}", "test_auc": auc,
                "epochs_run": epochs, "train_seconds": train, "prepare_seconds": prep}

    rows = [row(1, 0.7761, 18, 433.0, 8.0), row(3, 0.8652, 27, 685.0, 10.0),
            row(23, 0.9600, 16, 400.0, 0.0), row(23, 0.9620, 18, 430.0, 0.0)]
    text = paper.report(rows, published, ["ideeps"])
    assert "above the paper's iDeepS AUC: 1; below: 1; equal at three decimals: 1 (of 3)" in text
    assert "| 23 | P23 | 0.961 ± 0.001 | 2 | 0.962 |" in text
    assert text.count("| 17 | 415 | 0 |") == 1  # epochs, train s, prepare s averaged over the two seeds


def test_motif_report_ranks_the_proteins_own_rnacompete_motif(tmp_path):
    cols = "query\ttarget_id\ttarget_name\toffset\toverlap\torientation\tp_value\te_value\tq_value\n"
    hur = tmp_path / "motifs" / "e08_elavl1_1"
    hur.mkdir(parents=True)
    (hur / "tomtom_ray2013.tsv").write_text(
        cols
        + "filter3\tRNCMPT1\tTIA1\t0\t7\t+\t0.001\t0.1\t0.1\n"
        + "filter12\tRNCMPT2\tHuR\t0\t7\t+\t0.0001\t0.01\t0.01\n"
        + "filter5\tRNCMPT2\tHuR\t0\t7\t+\t0.002\t0.2\t0.1\n"
        + "filter5\tRNCMPT3\tQKI\t0\t7\t+\t0.01\t1.0\t0.2\n"
    )
    fus = tmp_path / "motifs" / "e13_fus"
    fus.mkdir(parents=True)
    (fus / "tomtom_ray2013.tsv").write_text(cols + "filter2\tRNCMPT4\tHNRNPH2\t0\t7\t+\t0.003\t0.3\t0.3\n")
    pum = tmp_path / "motifs" / "e23_pum2"
    pum.mkdir(parents=True)
    (pum / "tomtom_ray2013.tsv").write_text(cols)
    rows = [
        {"experiment": 8, "config": "e08_elavl1_1", "protein": "ELAVL1-1"},
        {"experiment": 13, "config": "e13_fus", "protein": "FUS"},
        {"experiment": 23, "config": "e23_pum2", "protein": "PUM2"},
        {"experiment": 26, "config": "e26_taf15", "protein": "TAF15"},  # no motif folder: no row
    ]
    text = paper.motif_report(tmp_path, rows)
    assert "| 8 | ELAVL1-1 | HuR (filter12, E = 0.01) | HuR: filter12, E = 0.01, rank 1 of 3 |" in text
    assert "| 13 | FUS | HNRNPH2 (filter2, E = 0.3) | FUS: no match at q < 0.05 |" in text
    assert "| 23 | PUM2 | no match at q < 0.05 | not in the file |" in text
    assert "TAF15" not in text
    assert paper.motif_report(tmp_path / "nothing", rows) == ""


def test_report_reads_the_results_folder_given(tmp_path):
    """--results moves the result files (the committed full-protocol results live in
    reproductions/results/ideeps); --report-only tabulates that folder, not <out>/results."""
    published = tmp_path / "table2.tsv"
    published.write_text("index\tprotein\tiDeepS\tDeepBind\tDeeperBind\tOli\tGraphProt\n23\tPUM2\t0.962\t0.950\t0.955\t0.939\t0.914\n")
    results = tmp_path / "committed"
    (results / "e23_pum2").mkdir(parents=True)
    row = {"experiment": 23, "config": "e23_pum2", "folder": "23_PARCLIP_PUM2_hg19", "protein": "PUM2",
           "preset": "ideeps", "seed": 1, "layout": "centered", "tag": "", "test_auc": 0.9612,
           "paper": {"iDeepS": 0.962}, "epochs_run": 16, "train_seconds": 415.0, "prepare_seconds": 0.0}
    (results / "e23_pum2" / "ideeps_seed1.json").write_text(json.dumps(row))
    out = tmp_path / "out"
    run = _run(["--out", str(out), "--results", str(results), "--published", str(published), "--report-only"])
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| 23 | PUM2 | 0.961 |" in run.stdout, run.stdout
    run = _run(["--out", str(out), "--published", str(published), "--report-only"])  # default: <out>/results
    assert run.returncode == 0 and "| 23 | PUM2 |" not in run.stdout and "no results yet" in run.stdout
