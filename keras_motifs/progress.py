"""Progress of long work (RNA folding, scoring many models, mutation scans, evaluation).

:class:`Progress` draws a ``tqdm`` bar on stderr when stderr is a terminal (after ``delay``
seconds, so short work stays silent); otherwise it logs one line at most every ``interval``
seconds through the ``keras_motifs.progress`` logger (``done/total, rate, ETA``), which the CLI and
the scripts send to stderr (:func:`keras_motifs.logs.configure`). ``KERAS_MOTIFS_PROGRESS=0``
turns both off.
"""

from __future__ import annotations

import logging
import os
import sys
import time

LOG = logging.getLogger("keras_motifs.progress")


def _fmt_seconds(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """``with Progress(total, "folding", unit="seq") as bar: ... bar.update(n)``."""

    def __init__(self, total: int | None, desc: str, unit: str = "it", *, interval: float = 30.0,
                 delay: float = 2.0, stream=None, terminal: bool | None = None):
        self.total, self.desc, self.unit, self.interval = total, desc, unit, interval
        self.done = 0
        self.start = self._last = time.perf_counter()
        stream = stream or sys.stderr
        enabled = os.environ.get("KERAS_MOTIFS_PROGRESS", "1") != "0"
        terminal = (hasattr(stream, "isatty") and stream.isatty()) if terminal is None else terminal
        self._bar = None
        self._log = enabled and not terminal
        if enabled and terminal:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=stream, delay=delay, leave=False,
                             dynamic_ncols=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self._log:
            now = time.perf_counter()
            if now - self._last >= self.interval:
                self._last = now
                LOG.info(self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = (now or time.perf_counter()) - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.desc}: {self.done}"
        if self.total:
            text += f"/{self.total} ({100.0 * self.done / self.total:.0f}%)"
        text += f", {rate:.1f} {self.unit}/s, elapsed {_fmt_seconds(elapsed)}"
        if self.total and rate > 0 and self.done < self.total:
            text += f", ETA {_fmt_seconds((self.total - self.done) / rate)}"
        return text

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._log and time.perf_counter() - self.start >= self.interval:
            LOG.info(self.line() + " (done)")
        self._log = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
