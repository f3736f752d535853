"""Who an output folder of :func:`keras_motifs.training.train` belongs to, and who is using it.

A training folder holds the outputs of one run. ``train()`` records in ``<folder>/OWNER.json``
what the run is (the model's configuration, a fingerprint of its data, the training settings)
and holds ``<folder>/LOCK`` (process id and host) while it trains:

* the same run started again resumes from its backup (``backup/``), as before; its CSV log is cut
  back to the epochs the backup holds (no epoch twice, no torn last line);
* a different run (another model, other data, other settings) is refused with an
  :class:`~keras_motifs.errors.OutputError` naming the folder and what differs, unless it is asked
  to start afresh (``train(fresh=True)``), which deletes the old run's outputs;
* a folder holding another program's or an older version's training outputs but no
  ``OWNER.json`` is refused the same way;
* a second run in the same folder at the same time is refused while the first one's process is
  alive; a lock left by a process that has died on this host is taken over with a warning.

The data fingerprint is cheap: shapes, dtypes and element counts, plus a hash of the array bytes
for in-memory arrays (of sampled rows for memory-mapped or very large ones) and of the first
elements of a ``tf.data.Dataset`` with its element spec and cardinality.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import socket
from pathlib import Path

import numpy as np

from ..errors import InUseError, OutputError

LOG = logging.getLogger("keras_motifs.training")

OWNER = "OWNER.json"
LOCK = "LOCK"
DONE = "DONE"
LOG_FILE = "training_log.csv"
# what train() writes into its folder; nothing else there is ever deleted
OUTPUTS = ("best.keras", "best.keras.json", "backup", LOG_FILE, "tensorboard", DONE, OWNER)

_FULL_HASH_BYTES = 2 << 30  # arrays up to 2 GiB in memory are hashed whole
_SAMPLE_ROWS = 64
_DATASET_ELEMENTS = 8


# ---------------------------------------------------------------------------------------- records
def _canonical_names(config) -> object:
    """``config`` with every layer and model name replaced by its order of appearance, so that the
    names Keras counts up within a process (``dense_3``) do not make two equal models differ."""
    names: dict[str, str] = {}

    def collect(o):
        if isinstance(o, dict):
            inner = o.get("config")
            if isinstance(inner, dict) and isinstance(inner.get("name"), str) and "class_name" in o:
                names.setdefault(inner["name"], f"#{len(names)}")
            if isinstance(o.get("name"), str) and ("layers" in o or "trainable" in o):
                names.setdefault(o["name"], f"#{len(names)}")
            for v in o.values():
                collect(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                collect(v)

    def rename(o):
        if isinstance(o, dict):
            return {k: rename(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [rename(v) for v in o]
        if isinstance(o, str):
            return names.get(o, o)
        return o

    collect(config)
    return rename(config)


def _jsonable(o):
    return json.loads(json.dumps(o, default=repr, sort_keys=True))


def model_record(net) -> dict:
    """The model's configuration and its weight shapes (compared with the names made canonical)."""
    shapes = [list(map(int, w.shape)) for w in net.weights]
    try:
        config = _jsonable(net.get_config())
    except Exception:  # noqa: BLE001 - a subclassed model without get_config: class and shapes only
        config = {"class": f"{type(net).__module__}.{type(net).__qualname__}"}
    return {"class": type(net).__name__, "config": config, "weight_shapes": shapes}


def _hash_array(a, h) -> str:
    """Hash of the bytes of ``a`` (whole when it is an in-memory array up to 2 GiB, else the first
    and last rows and ``_SAMPLE_ROWS`` evenly spaced ones); returns how it was hashed."""
    full = isinstance(a, np.ndarray) and not isinstance(a, np.memmap) and a.nbytes <= _FULL_HASH_BYTES
    if full:
        a = np.ascontiguousarray(a)
        flat = a.reshape(-1).view(np.uint8) if a.size else np.zeros(0, np.uint8)
        step = 64 << 20
        for start in range(0, flat.size, step):
            h.update(memoryview(flat[start:start + step]))
        return "bytes"
    n = len(a)
    rows = sorted(set(np.linspace(0, n - 1, _SAMPLE_ROWS).astype(int).tolist())) if n else []
    for r in rows:
        h.update(np.ascontiguousarray(np.asarray(a[r])).tobytes())
    return f"rows {len(rows)} of {n}"


def _fingerprint(data, what: str):
    if data is None:
        return None
    if isinstance(data, dict):
        return {str(k): _fingerprint(data[k], f"{what}[{k!r}]") for k in sorted(data, key=str)}
    if isinstance(data, (tuple, list)):
        return [_fingerprint(d, f"{what}[{i}]") for i, d in enumerate(data)]
    if hasattr(data, "fingerprint_parts"):  # FullShuffle, ArrayRows, the DeepSEA random-access export
        parts = data.fingerprint_parts()
        return {"type": type(data).__name__, **{str(k): _fingerprint(v, f"{what}.{k}") for k, v in parts.items()}}
    if isinstance(data, (bool, int, float, str)):
        return data
    if type(data).__module__.startswith("tensorflow") and hasattr(data, "element_spec"):
        return _dataset_fingerprint(data)
    if hasattr(data, "shape") and hasattr(data, "dtype"):
        h = hashlib.blake2b(digest_size=16)
        how = _hash_array(data, h)
        return {"shape": [int(d) for d in data.shape], "dtype": str(np.dtype(data.dtype)),
                "elements": int(np.prod(data.shape)), "hash": h.hexdigest(), "hashed": how}
    text = repr(data)
    # an object's default repr holds its address, which differs in every process: a resumed run
    # would never be recognised as the same; keep the type only
    return {"type": type(data).__name__} if " at 0x" in text else {"type": type(data).__name__, "repr": text[:200]}


def _dataset_fingerprint(ds) -> dict:
    import tensorflow as tf

    h = hashlib.blake2b(digest_size=16)
    taken = 0
    for element in ds.take(_DATASET_ELEMENTS):
        for t in tf.nest.flatten(element):
            h.update(np.ascontiguousarray(np.asarray(t)).tobytes())
        taken += 1
    card = int(ds.cardinality())
    return {"element_spec": repr(ds.element_spec), "cardinality": card, "first_elements": taken,
            "hash": h.hexdigest()}


def data_record(train_data, validation_data) -> dict:
    """Fingerprints of the training and validation data."""
    return {"train": _fingerprint(train_data, "train_data"), "validation": _fingerprint(validation_data, "validation_data")}


def run_record(net, train_data, validation_data, settings: dict) -> dict:
    """What ``OWNER.json`` holds: the run's model, data and settings (training settings, seed,
    loss, metrics, strategy)."""
    return _jsonable({"format": 1, "model": model_record(net), "data": data_record(train_data, validation_data),
                      "training": settings})


# ------------------------------------------------------------------------------------ differences
def _short(v) -> str:
    text = json.dumps(v, sort_keys=True) if not isinstance(v, str) else repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(old, new, path: str = "", limit: int = 3) -> list[str]:
    """Up to ``limit`` human-readable differences ``path: old -> new`` between two JSON values."""
    out: list[str] = []

    def walk(a, b, p):
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in list(a) + [k for k in b if k not in a]:
                if k not in b:
                    out.append(f"{p}.{k}: {_short(a[k])} -> (not set)")
                elif k not in a:
                    out.append(f"{p}.{k}: (not set) -> {_short(b[k])}")
                else:
                    walk(a[k], b[k], f"{p}.{k}")
                if len(out) >= limit:
                    return
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{p}[{i}]")
        else:
            out.append(f"{p}: {_short(a)} -> {_short(b)}")

    walk(old, new, path)
    return [d.lstrip(".") or "(all)" for d in out]


def _model_differences(old, new) -> list[str]:
    a = {**(old or {}), "config": _canonical_names((old or {}).get("config"))}
    b = {**(new or {}), "config": _canonical_names((new or {}).get("config"))}
    if a == b:
        return []
    layers = ((new or {}).get("config") or {}).get("layers") or []
    out = []
    for d in differences(a, b, limit=12):
        m = re.match(r"config\.layers\[(\d+)\]\.(?:config\.)?(.*)$", d)
        if m:
            i = int(m.group(1))
            name = layers[i].get("name") if i < len(layers) and isinstance(layers[i], dict) else None
            if "inbound_nodes" in m.group(2) and out:
                continue  # a consequence of an earlier difference
            d = f"layer {i}{f' {name!r}' if name else ''}: {m.group(2)}"
        out.append(d)
    return out[:3] or ["differs"]


def _data_differences(old, new) -> list[str]:
    out = []
    for d in differences(old, new, limit=3):
        d = re.sub(r"^(train|validation)\[0\]", r"\1 x", d)
        d = re.sub(r"^(train|validation)\[1\]", r"\1 y", d)
        d = re.sub(r"\.hash: .*$", ": other values", d)
        out.append(d)
    return out or ["differs"]


def describe_difference(old: dict, new: dict) -> str | None:
    """What differs between two run records (model, data, training settings), or None."""
    parts = []
    model = _model_differences(old.get("model"), new.get("model"))
    if model:
        parts.append(f"the model differs ({'; '.join(model)})")
    if old.get("data") != new.get("data"):
        parts.append(f"the data differs ({'; '.join(_data_differences(old.get('data'), new.get('data')))})")
    if old.get("training") != new.get("training"):
        diffs = differences(old.get("training"), new.get("training"), limit=4)
        parts.append(f"the training settings differ ({'; '.join(diffs) or 'differs'})")
    return ", ".join(parts) if parts else None


# ------------------------------------------------------------------------------------------- lock
def _start_time(pid: int):
    """The start time of process ``pid`` (clock ticks since boot, Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int, start) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, another user's
    except OSError:
        return True
    now = _start_time(pid)
    return start is None or now is None or now == start  # a different start time: the pid was reused


class FolderLock:
    """``<folder>/LOCK`` (or ``<folder>/<name>``), created atomically (``O_CREAT | O_EXCL``) with this
    process's id and host.

    :meth:`acquire` raises :class:`~keras_motifs.errors.InUseError` while another live process holds
    it (a lock of another host counts as live: it cannot be checked from here);
    :meth:`try_acquire` returns what the holder's lock file says instead. Either takes over a lock
    left by a process of this host that has died.
    """

    def __init__(self, folder: Path, name: str = LOCK):
        self.folder = Path(folder)
        self.path = self.folder / name
        self.me = {"pid": os.getpid(), "host": socket.gethostname(), "start": _start_time(os.getpid())}
        self.held = False

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            raise OutputError(f"folder '{self.folder}': cannot create the lock file '{self.path}' "
                              f"({exc.strerror})", exc.errno) from None
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump({**self.me, "since": datetime.datetime.now().isoformat(timespec="seconds")}, fh)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            with contextlib.suppress(OSError):
                self.path.unlink()
            raise OutputError(f"folder '{self.folder}': cannot write the lock file '{self.path}' "
                              f"({exc.strerror})", exc.errno) from None
        self.held = True
        return True

    def _read(self, path: Path) -> "dict | None":
        try:
            info = json.loads(path.read_text())
            return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None
        except (OSError, ValueError):
            return None

    def acquire(self) -> None:
        for _ in range(3):
            if self._create():
                return
            info = self._read(self.path)
            if info is None:
                try:
                    age = datetime.datetime.now().timestamp() - self.path.stat().st_mtime
                except FileNotFoundError:
                    continue  # released meanwhile
                if age < 60:
                    raise InUseError(f"folder '{self.folder}' is in use by another training run (its lock file "
                                     f"'{self.path}' is being written); wait for it to finish")
                stale = "unreadable"
            elif info.get("host") != self.me["host"]:
                raise InUseError(
                    f"folder '{self.folder}' is in use by another training run: process {info['pid']} on host "
                    f"{info.get('host')!r} holds '{self.path}' (since {info.get('since', '?')}); if that run is no "
                    "longer running, delete the lock file", info)
            elif _alive(info["pid"], info.get("start")):
                who = "this process (another train() call)" if info["pid"] == self.me["pid"] else f"process {info['pid']}"
                raise InUseError(
                    f"folder '{self.folder}' is in use by another training run: {who} on this host holds "
                    f"'{self.path}' (since {info.get('since', '?')}); wait for it to finish or train into another folder",
                    info)
            else:
                stale = f"left by process {info['pid']}, which is no longer running"
            self._take_over(info, stale)
        raise OutputError(f"folder '{self.folder}': could not take the lock file '{self.path}' (other runs keep taking it)")

    def _take_over(self, info, why: str) -> None:
        """Move a stale lock aside (atomic rename) and check that it was the stale one."""
        aside = self.path.with_name(f"{LOCK}.stale-{os.getpid()}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return
        if self._read(aside) != info:  # another run replaced the stale lock meanwhile: give it back
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
            with contextlib.suppress(OSError):
                aside.unlink()
            raise InUseError(f"folder '{self.folder}' is in use by another training run (it has just taken "
                             f"'{self.path}')")
        aside.unlink()
        LOG.warning("folder '%s': taking over the stale lock file '%s' (%s)", self.folder, self.path, why)

    def try_acquire(self) -> "dict | None":
        """Take the lock and return None, or return what the lock file of the live process that
        holds it says (``pid``, ``host``, ``since``; empty while that file is being written)."""
        try:
            self.acquire()
        except InUseError as exc:
            return dict(exc.holder) or {"pid": None}
        return None

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        info = self._read(self.path)
        if info is not None and info.get("pid") == self.me["pid"] and info.get("host") == self.me["host"]:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


@contextlib.contextmanager
def claimed(folder: Path, name: str):
    """A unit of work shared by processes that run the same list (two cores, two machines on one
    file system): ``with claimed(out, "exp.LOCK") as holder:`` — ``holder`` is None when this process
    has taken ``<folder>/<name>`` (released when the block ends, also on an error), else what the
    lock file of the live process doing the work says (``pid``, ``host``, ``since``): skip the unit.
    A lock left by a dead process of this host is taken over."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    lock = FolderLock(folder, name)
    holder = lock.try_acquire()
    try:
        yield holder
    finally:
        lock.release()


def describe_holder(holder: dict) -> str:
    """'process 12 on host 'h' (since 2026-...)' for what :func:`claimed` yields."""
    return (f"process {holder.get('pid', '?')} on host {holder.get('host', '?')!r}"
            f" (since {holder.get('since', '?')})")


# ---------------------------------------------------------------------------------------- folder
def check_folder(folder: Path) -> None:
    """The output folder must be a folder (or not exist yet); nothing is created here."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output folder '{folder}' is a file, not a folder; give train() a folder (it is "
                          "created when missing)", errno.ENOTDIR)
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"output folder '{folder}': '{parent}' is a file, not a folder", errno.ENOTDIR)
            break


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"output folder '{folder}' cannot be created ({exc.strerror})", exc.errno) from None


def clear_outputs(folder: Path) -> list[str]:
    """Delete what train() writes into ``folder`` (``OUTPUTS``); other files stay. Returns the names."""
    removed = []
    for name in OUTPUTS:
        p = folder / name
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
            removed.append(name)
        elif p.exists() or p.is_symlink():
            p.unlink()
            removed.append(name)
    for leftover in folder.glob(".best.keras.*"):  # temporaries of killed checkpoint writes
        with contextlib.suppress(OSError):
            leftover.unlink()
    return removed


def read_owner(folder: Path) -> "dict | None | str":
    """The run record in ``OWNER.json``; None when absent; a string (the problem) when unreadable."""
    path = folder / OWNER
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return f"'{path}' is unreadable ({exc})"
    return record if isinstance(record, dict) else f"'{path}' is not a run record"


def truncate_log(path: Path, epochs: int) -> None:
    """Keep the header and the rows of epochs ``0 .. epochs - 1`` of a Keras CSV log (the epochs a
    backup holds), dropping later rows and a torn last line; rewritten atomically."""
    from ..io.atomic import atomic_open

    if not path.exists():
        return
    data = path.read_bytes()
    lines = data.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is a torn line (or empty)
    keep, header = [], True
    for line in complete:
        if header:
            keep.append(line)
            header = False
            continue
        first = line.split(b",", 1)[0].strip()
        if first.isdigit() and int(first) < epochs:
            keep.append(line)
    new = b"\n".join(keep) + b"\n" if keep else b""
    if new == data:
        return
    if not keep:
        path.unlink()
        return
    with atomic_open(path, "wb") as fh:
        fh.write(new)
