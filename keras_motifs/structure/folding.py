"""RNA secondary structure of sequences: ViennaRNA MFE fold + forgi context annotation.

:func:`predict_structures` folds many sequences in parallel processes and keeps every result in
an on-disk :class:`StructureCache` keyed by the RNA sequence (and the folding method), so that an
experiment's 40,000 sequences are folded once and every later run reads them back.

Differences from the original (iDeepS): it ran ``RNAshapes -t 5 -c 10 -# 1`` (abstract shape
level 5, energy range 10 %, one shape) and took the dot-bracket of the first shape
representative; RNAshapes is a binary that is not on PyPI. We use the ViennaRNA minimum free
energy structure (``RNA.fold``, Turner 2004 parameters, 37 °C). The MFE structure is usually the
representative of the lowest-energy shape, but the energy parameter sets of the two programs
differ, so for some sequences the structures (and their contexts) differ.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..errors import InvalidSequenceError
from ..progress import Progress
from .annotate import annotate

_ALLOWED = set("ACGUN")


def method_tag() -> str:
    """Identifies the folding method in cache keys; a new ViennaRNA version folds afresh."""
    import RNA

    return f"viennarna-{RNA.__version__}-mfe"


def to_rna(sequence: str, record: "str | int | None" = None) -> str:
    """Upper-case RNA form of a DNA/RNA sequence (T → U); letters other than ACGTUN are an error."""
    rna = sequence.upper().replace("T", "U")
    if not set(rna) <= _ALLOWED:
        pos = next(i for i, c in enumerate(rna) if c not in _ALLOWED)
        where = f"sequence {record}: " if record is not None else ""
        raise InvalidSequenceError(
            f"{where}letter {sequence[pos]!r} at position {pos} is not a nucleotide (A, C, G, T/U or N)"
        )
    return rna


def fold(sequence: str) -> tuple[str, float]:
    """MFE dot-bracket and free energy (kcal/mol) of one sequence (DNA letters are read as RNA)."""
    import RNA

    structure, energy = RNA.fold(to_rna(sequence))
    return structure, float(energy)


def fold_and_annotate(rna: str) -> tuple[str, str]:
    """(dot-bracket, F/T/I/H/M/S contexts) of one upper-case RNA sequence."""
    import RNA

    structure, _ = RNA.fold(rna)
    return structure, annotate(structure)


def _fold_chunk(chunk: list[str]) -> list[tuple[str, str]]:
    return [fold_and_annotate(s) for s in chunk]


class StructureCache:
    """SQLite table ``(method, sequence) → (dot-bracket, contexts)``; safe to share between runs.

    Writes are transactions, so an interrupted run leaves every committed chunk usable and
    nothing half-written. ``path=None`` keeps the cache in memory (no reuse across runs).
    """

    def __init__(self, path: "str | os.PathLike | None", method: str | None = None):
        self.path = None if path is None else Path(path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.method = method or method_tag()
        self._db = sqlite3.connect(":memory:" if self.path is None else str(self.path), timeout=60)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS structures (method TEXT NOT NULL, sequence TEXT NOT NULL, "
            "dotbracket TEXT NOT NULL, contexts TEXT NOT NULL, PRIMARY KEY (method, sequence))"
        )
        self._db.commit()

    def get_many(self, sequences: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Cached entries among ``sequences`` (upper-case RNA), as {sequence: (dotbracket, contexts)}."""
        wanted = list(dict.fromkeys(sequences))
        found: dict[str, tuple[str, str]] = {}
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            rows = self._db.execute(
                f"SELECT sequence, dotbracket, contexts FROM structures WHERE method = ? AND sequence IN "
                f"({','.join('?' * len(part))})",
                [self.method, *part],
            )
            found.update({s: (d, c) for s, d, c in rows})
        return found

    def put_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Store (sequence, dotbracket, contexts) triples in one transaction."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO structures VALUES (?, ?, ?, ?)",
                [(self.method, s, d, c) for s, d, c in items],
            )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM structures WHERE method = ?", [self.method]).fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def default_cache_path() -> Path:
    """``$KERAS_MOTIFS_CACHE/structures.sqlite`` (default ``~/.cache/keras_motifs``)."""
    root = os.environ.get("KERAS_MOTIFS_CACHE") or Path.home() / ".cache" / "keras_motifs"
    return Path(root) / "structures.sqlite"


def predict_structures(
    sequences: Sequence[str],
    n_jobs: int = 1,
    cache: "StructureCache | str | os.PathLike | None" = None,
    chunk_size: int = 250,
    progress: Callable[[int, int, float], None] | None = None,
    start_method: str | None = None,
) -> list[tuple[str, str]]:
    """(dot-bracket, contexts) of every sequence, in order; folds only what the cache lacks.

    Args:
      sequences: DNA or RNA strings (T is read as U; N is an unpairable nucleotide).
      n_jobs: worker processes for folding (1 = in this process; -1 = all cores).
      cache: a :class:`StructureCache`, a path to one, or None (no disk cache).
      chunk_size: sequences folded per task; each finished chunk is committed to the cache.
      progress: called as ``progress(done, total_to_fold, seconds)`` after each chunk; default: a
        :class:`keras_motifs.progress.Progress` bar (terminal) or periodic log lines.
      start_method: multiprocessing start method of the workers. Default: ``"fork"`` while
        TensorFlow is not imported in this process (fast, works from any script or notebook),
        ``"spawn"`` once it is (forking a process that runs TensorFlow threads can deadlock).
        Spawned workers do not run the calling script again (:func:`_workers_without_main`),
        so a script without an ``if __name__ == "__main__":`` guard works too.
    Duplicated sequences are folded once.
    """
    rnas = [to_rna(s, i) for i, s in enumerate(sequences)]
    own_cache = not isinstance(cache, StructureCache)
    store = StructureCache(cache) if own_cache else cache
    try:
        known = store.get_many(rnas)
        todo = [s for s in dict.fromkeys(rnas) if s not in known]
        if todo:
            chunks = [todo[i : i + chunk_size] for i in range(0, len(todo), chunk_size)]
            n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))
            start, done = time.perf_counter(), 0
            if n_jobs == 1 or len(chunks) == 1:
                results = map(_fold_chunk, chunks)
                pool = None
            else:
                if start_method is None:
                    start_method = "spawn" if "tensorflow" in sys.modules else "fork"
                with _workers_without_main():
                    pool = multiprocessing.get_context(start_method).Pool(min(n_jobs, len(chunks)))
                results = pool.imap(_fold_chunk, chunks)
            bar = Progress(len(todo), "folding RNA", unit="seq") if progress is None else None
            try:
                for chunk, folded in zip(chunks, results):
                    store.put_many((s, d, c) for s, (d, c) in zip(chunk, folded))
                    known.update(zip(chunk, folded))
                    done += len(chunk)
                    if progress is not None:
                        progress(done, len(todo), time.perf_counter() - start)
                    else:
                        bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
                if pool is not None:
                    pool.terminate()
                    pool.join()
        return [known[s] for s in rnas]
    finally:
        if own_cache:
            store.close()


@contextlib.contextmanager
def _workers_without_main():
    """Start "spawn"/"forkserver" workers without importing the caller's ``__main__``.

    Such a worker first runs the parent's main script again (as ``__mp_main__``); a script
    without an ``if __name__ == "__main__":`` guard then starts folding again in each worker,
    which fails, and ``Pool`` replaces the dead workers for ever (a hang). The folding workers
    need nothing from ``__main__`` (:func:`_fold_chunk` lives here), so the main module's
    ``__file__`` and ``__spec__``, which tell multiprocessing what to import, are hidden while
    the pool starts its workers.
    """
    main = sys.modules.get("__main__")
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if main is not None and k in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__spec__ = None
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)
            if "__spec__" not in saved:
                main.__dict__.pop("__spec__", None)


def predict_contexts(sequences: Sequence[str], **kwargs) -> list[str]:
    """F/T/I/H/M/S context string of every sequence (see :func:`predict_structures`)."""
    return [c for _, c in predict_structures(sequences, **kwargs)]
