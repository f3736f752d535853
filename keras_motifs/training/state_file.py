"""A training run's state in one ``.npz`` file, keyed by what decides the run.

What :meth:`keras_motifs.training.stacked.StackedDeepBind.fit` writes at each checkpoint so
that a stopped run continues where it stopped: named arrays (weights, velocities, ...) plus a
JSON ``meta`` record that holds the run's fingerprint (``run``: e.g. the models, seeds, a
fingerprint of the data, the options). A file is written atomically (:func:`keras_motifs.io.atomic.atomic_path`); a
reader gets the state back only for the same fingerprint, and a clear error naming the file for
another run's state or a file that is not a state.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_path


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def write_state(path, arrays: dict, meta: dict) -> None:
    """``arrays`` (name -> array) and ``meta`` (JSON; NumPy scalars allowed) to ``path``, atomically."""
    payload = dict(arrays)
    payload["meta"] = np.frombuffer(json.dumps(meta, default=_plain).encode(), np.uint8)
    with atomic_path(path, suffix=".npz") as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **payload)


def read_state(path, run_id: dict, owner: str) -> tuple[dict, dict] | None:
    """``(meta, arrays)`` of the state in ``path`` written with ``meta["run"] == run_id``; None
    when there is no file. ``owner`` starts the error messages (e.g. ``"StackedDeepBind.fit"``)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except Exception as e:  # noqa: BLE001 - any unreadable file gets the same clear message
        raise ValueError(f"{owner}: checkpoint '{path}' is not a readable training state "
                         f"({type(e).__name__}: {e}); delete it to start the run again") from None
    want = json.loads(json.dumps(run_id, default=_plain))  # as JSON sees it: tuples are lists
    got = meta.get("run") if isinstance(meta, dict) else None
    if got != want:
        got = got if isinstance(got, dict) else {}
        differ = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        raise ValueError(f"{owner}: checkpoint '{path}' holds the state of another run (it differs in "
                         f"{', '.join(differ)}); pass another checkpoint_path or delete the file")
    return meta, arrays
