"""One record of a run, and a unit of work cached on disk under the settings that decide it.

Every reproduction script describes its runs the same way and resumes the same way:

* :func:`record` — ``{"command", "versions", "machine", "accelerators", "seed", "settings",
  "written"}``: the command line, the versions of the packages that make the numbers, the machine
  as measured now (:func:`keras_motifs.reporting.machine.describe_machine`), the seed and the
  settings.
* :class:`Unit` — one result file (JSON) per unit of work (one model, one experiment, one trial).
  ``unit.done()`` is the finished result when the file holds one computed with the *same*
  settings, else None (the work is done again; a result of other settings is never reused);
  ``unit.write(result)`` writes the complete result once, atomically, with the record embedded
  under ``"run"``.

Result files written before the record existed have no ``"run"`` entry; a script may still accept
them (``legacy_fields``: the fields such a file must hold, with the same values).
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import shlex
import sys
import time
from pathlib import Path

from ..io import write_json
from .machine import describe_machine

RECORD_KEY = "run"
PACKAGES = ("keras_motifs", "keras", "tensorflow", "tensorflow-datasets", "numpy", "scikit-learn", "pandas",
            "memelite", "jax", "torch")


def plain(obj):
    """``obj`` as it reads back from JSON (tuples → lists, NaN → None, NumPy → Python), so that
    settings compare equal before and after a round trip through a file."""
    def clean(o):
        if isinstance(o, float) and math.isnan(o):
            return None
        if isinstance(o, dict):
            return {str(k): clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        if isinstance(o, os.PathLike):
            return os.fspath(o)
        if hasattr(o, "tolist"):
            return clean(o.tolist())
        return o

    return json.loads(json.dumps(clean(obj)))


def versions(packages=PACKAGES) -> dict:
    """Installed versions of the packages that make the numbers (absent ones left out)."""
    out = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def accelerators() -> list[str]:
    """GPUs TensorFlow sees, when TensorFlow is imported already (never imported here)."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return []
    try:
        return [d.name for d in tf.config.list_physical_devices("GPU")]
    except Exception:  # a broken driver must not lose a result
        return []


def command(argv=None) -> str:
    """The command line: the script's file name and its arguments (shell-quoted)."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return ""
    return shlex.join([Path(argv[0]).name] + argv[1:])


def record(settings=None, *, seed=None, argv=None) -> dict:
    """The record of a run: command, package versions, machine, seed and settings."""
    return {
        "command": command(argv),
        "versions": versions(),
        "machine": describe_machine(),
        "accelerators": accelerators(),
        "seed": seed,
        "settings": plain(settings),
        "written": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }


class Unit:
    """A unit of work whose complete result is one JSON file, keyed by the settings that decide it.

    ``path``: the result file. ``settings``: everything that decides the result (compared after a
    JSON round trip). ``legacy_fields``: a file without a run record (written before it existed)
    counts as finished when it holds these fields with these values; None: such files are redone.
    """

    def __init__(self, path: "str | os.PathLike", settings: dict, *, seed=None, legacy_fields: dict | None = None):
        self.path = Path(path)
        self.settings = plain(settings)
        self.seed = seed
        self.legacy_fields = None if legacy_fields is None else plain(legacy_fields)
        self._written = False

    def existing(self) -> dict | None:
        """Whatever result the file holds (any settings), or None when absent or unreadable."""
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def done(self) -> dict | None:
        """The finished result computed with the same settings, else None (compute it again)."""
        data = self.existing()
        if data is None:
            return None
        run = data.get(RECORD_KEY)
        if isinstance(run, dict):
            return data if run.get("settings") == self.settings else None
        if self.legacy_fields is not None and all(
                k in data and plain(data[k]) == v for k, v in self.legacy_fields.items()):
            return data
        return None

    def write(self, result: dict, *, argv=None) -> dict:
        """Write the complete result once, atomically, with the run record; returns what was written."""
        if self._written:
            raise RuntimeError(f"{self.path}: a unit's result is written once")
        if RECORD_KEY in result:
            raise ValueError(f"{self.path}: the result already has a {RECORD_KEY!r} entry")
        full = {**result, RECORD_KEY: record(self.settings, seed=self.seed, argv=argv)}
        write_json(self.path, full)
        self._written = True
        return full


def publish_files(src: "str | os.PathLike", dest: "str | os.PathLike", names: list[str]) -> None:
    """Copy a finished unit's small files from ``src`` to ``dest`` (e.g. a folder committed to the
    repository), each atomically, in the order given: put the file that marks the unit finished
    (its :class:`Unit` result) last, so that ``dest`` never holds a unit that looks finished but is
    not. Names before the last that ``src`` lacks are skipped (optional files)."""
    import shutil

    from ..io import atomic_path

    src, dest = Path(src), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        if i < len(names) - 1 and not (src / name).exists():
            continue
        with atomic_path(dest / name) as tmp:
            shutil.copyfile(src / name, tmp)


def withdraw_files(dest: "str | os.PathLike", names: list[str]) -> None:
    """Remove a published unit's files from ``dest`` in the order given (the finished-mark first)."""
    for name in names:
        (Path(dest) / name).unlink(missing_ok=True)
