"""benchmarks/stacked_throughput.py as a user runs it: the FLOP count behind its "of peak" and
"bound" columns, and the bound = the run's better matmul peak / FLOPs per model-step."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_report_counts_the_convolution_and_bounds_by_the_measured_peak(tmp_path):
    out = tmp_path / "stacked.json"
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "stacked_throughput.py"), "--n", "2", "--steps", "40",
         "--no-torch", "--presets", "deepbind_encode", "deepbind_encode_hidden", "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    rows = {r["preset"]: r for r in report["results"]}
    # counted by hand: batch 64 x 2 strands, 101 + 24 - 1 = 124 windows of 24 x 4 cells, 16 detectors;
    # convolution forward + weight gradient, then the dense layers (x3: forward and two gradients)
    conv = 2 * (64 * 2) * 124 * (24 * 4) * 16
    assert rows["deepbind_encode"]["flops_per_model_step"] == 2 * conv + 3 * 2 * 128 * 16
    assert rows["deepbind_encode_hidden"]["flops_per_model_step"] == 2 * conv + 3 * 2 * 128 * (16 * 32 + 32)
    peak = max(p["tf"] for p in report["matmul_peak"])
    assert len(report["matmul_peak"]) == 2 and peak > 0
    for r in rows.values():
        assert r["bound_model_steps_per_s"] == peak * 1e9 / r["flops_per_model_step"]
        assert r["single_model_steps_per_s"] > 0 and r["single_cpu_s_per_model_step"] > 0
        assert set(r["stacked"]) == {"2"} and r["stacked"]["2"] > 0 and r["stacked_cpu_s_per_model_step"]["2"] > 0
    assert "bound (100% of the better" in run.stdout


def test_bad_counts_are_usage_errors():
    for args, option in ((["--n", "10", "0"], "--n"), (["--steps", "-5"], "--steps"),
                         (["--steps-per-execution", "0"], "--steps-per-execution")):
        run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "stacked_throughput.py"), *args, "--no-torch"],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 2, (args, run.stderr[-2000:])
        assert f"argument {option}: must be a positive integer" in run.stderr
