"""Multi-worker training: two worker processes over loopback with MultiWorkerMirroredStrategy.

Fast (default run): two workers train a tiny DanQ for 1 epoch through ``train()`` and end with
identical weights. Slow: a worker is killed mid-job (SIGKILL), the job is restarted and both
workers resume from their BackupAndRestore state and finish.
"""

import json
import os
import signal
import time

import pytest

from keras_motifs.training.multiworker import launch_local_workers, local_cluster, tf_config, worker_output_dir


def _wait(procs, timeout):
    deadline = time.time() + timeout
    codes = []
    for p in procs:
        try:
            codes.append(p.wait(timeout=max(1, deadline - time.time())))
        except Exception:
            for q in procs:
                if q.poll() is None:
                    q.kill()
            raise
    return codes


def _logs(out):
    return "\n".join(
        f"--- {f.name}\n" + f.read_text(errors="replace")[-2000:] for f in sorted((out / "logs").glob("*.log"))
    )


def _summaries(out, n=2):
    return [json.loads((out / f"worker_{i}" / "summary.json").read_text()) for i in range(n)]


def test_tf_config_and_worker_dirs(monkeypatch, tmp_path):
    workers = local_cluster(2)
    assert all(w.startswith("127.0.0.1:") for w in workers) and len(set(workers)) == 2
    cfg = json.loads(tf_config(workers, 1))
    assert cfg == {"cluster": {"worker": workers}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", tf_config(workers, 1))
    assert worker_output_dir(tmp_path) == tmp_path / "worker_1"
    with pytest.raises(ValueError):
        tf_config(workers, 2)


def test_two_workers_train_in_sync(tmp_path):
    procs, _ = launch_local_workers(
        ["--output_dir", str(tmp_path), "--epochs", "1", "--samples", "160"], 2, log_dir=tmp_path / "logs"
    )
    codes = _wait(procs, 240)
    assert codes == [0, 0], _logs(tmp_path)
    s0, s1 = _summaries(tmp_path)
    assert s0["strategy"] == "CollectiveAllReduceStrategy" and s0["replicas"] == 2
    assert s0["epochs_run"] == s1["epochs_run"] == 1
    assert s0["weights_checksum"] == pytest.approx(s1["weights_checksum"], rel=1e-6)  # all-reduced
    assert s0["val_loss"] == pytest.approx(s1["val_loss"], rel=1e-6)
    assert (tmp_path / "worker_0" / "best.keras").exists() and (tmp_path / "worker_0" / "DONE").exists()


@pytest.mark.slow
def test_killed_worker_job_resumes_from_backup(tmp_path):
    args = ["--output_dir", str(tmp_path), "--epochs", "4"]
    procs, workers = launch_local_workers(
        args + ["--pause_after_epoch", "2", "--pause_seconds", "300"], 2, log_dir=tmp_path / "logs"
    )
    markers = [tmp_path / f"worker_{i}" / "PAUSED" for i in range(2)]
    deadline = time.time() + 300
    while not all(m.exists() for m in markers):
        assert time.time() < deadline and all(p.poll() is None for p in procs), _logs(tmp_path)
        time.sleep(1)
    # Epoch 2 is done and backed up on both workers; kill worker 1 hard, as a preemption would.
    os.kill(procs[1].pid, signal.SIGKILL)
    procs[1].wait(30)
    # The surviving worker cannot continue alone (its collectives need worker 1): the job is
    # restarted as a whole, as a cluster manager would do.
    procs[0].kill()
    procs[0].wait(30)
    for i in range(2):
        assert (tmp_path / f"worker_{i}" / "backup").exists()
        assert not (tmp_path / f"worker_{i}" / "DONE").exists()

    procs, _ = launch_local_workers(args, 2, log_dir=tmp_path / "logs")
    codes = _wait(procs, 300)
    assert codes == [0, 0], _logs(tmp_path)
    s0, s1 = _summaries(tmp_path)
    # The resumed fit ran only epochs 3 and 4; the CSV log (appended) holds all four.
    assert s0["epochs_run"] == s1["epochs_run"] == 2
    assert s0["weights_checksum"] == pytest.approx(s1["weights_checksum"], rel=1e-6)
    log = (tmp_path / "worker_0" / "training_log.csv").read_text().splitlines()
    epochs = [int(line.split(",")[0]) for line in log[1:] if line and line[0].isdigit()]
    assert epochs == [0, 1, 2, 3], log
    for i in range(2):
        assert (tmp_path / f"worker_{i}" / "DONE").exists()
        assert not (tmp_path / f"worker_{i}" / "backup").exists()  # deleted when training finishes
