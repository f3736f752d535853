"""Progress of long work: periodic one-line summaries when stderr is not a terminal."""

from __future__ import annotations

import io
import logging

import pytest

from keras_motifs.progress import Progress


@pytest.fixture
def caplog(caplog):
    """caplog's handler on the progress logger itself: the CLI's logs.configure() stops the
    package's records from propagating to the root logger once any in-process CLI test ran."""
    logger = logging.getLogger("keras_motifs.progress")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


def test_non_terminal_progress_logs_periodic_lines_with_rate_and_eta(caplog):
    with caplog.at_level(logging.INFO, logger="keras_motifs.progress"):
        with Progress(10, "folding RNA", unit="seq", interval=0.0, stream=io.StringIO()) as bar:
            for _ in range(4):
                bar.update(2)
    lines = [r.getMessage() for r in caplog.records if r.name == "keras_motifs.progress"]
    assert lines[0].startswith("folding RNA: 2/10 (20%)") and "seq/s" in lines[0] and "ETA" in lines[0]
    assert lines[-1].startswith("folding RNA: 8/10 (80%)") and lines[-1].endswith("(done)")


def test_short_work_is_silent_and_progress_can_be_turned_off(caplog, monkeypatch):
    with caplog.at_level(logging.INFO, logger="keras_motifs.progress"):
        with Progress(3, "x", interval=30.0, stream=io.StringIO()) as bar:
            bar.update(3)
        monkeypatch.setenv("KERAS_MOTIFS_PROGRESS", "0")
        with Progress(3, "y", interval=0.0, stream=io.StringIO()) as bar:
            bar.update(3)
    assert not [r for r in caplog.records if r.name == "keras_motifs.progress"]


def test_folding_reports_progress(caplog, monkeypatch):
    from keras_motifs.structure import folding

    monkeypatch.setattr(folding, "Progress", lambda *a, **k: Progress(*a, **{**k, "interval": 0.0, "stream": io.StringIO()}))
    with caplog.at_level(logging.INFO, logger="keras_motifs.progress"):
        folding.predict_structures(["ACGUACGUAC", "GGGGAAAACCCC", "ACGUACGUAC"], chunk_size=1)
    lines = [r.getMessage() for r in caplog.records if r.name == "keras_motifs.progress"]
    assert lines and lines[0].startswith("folding RNA: 1/2")
