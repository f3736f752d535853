"""Read a PyTorch state dict (``torch.save(model.state_dict(), path)``) into NumPy arrays, without
PyTorch and without running pickled code.

Two on-disk formats are read:

* the zip format of ``torch.save`` since PyTorch 1.6: a zip archive holding ``<name>/data.pkl``
  (the pickled object, whose tensors refer to their storages by key) and ``<name>/data/<key>``
  (each storage's raw bytes, in the byte order named by ``<name>/byteorder``, little-endian
  when absent);
* the legacy format of PyTorch < 1.6 (also ``torch.save(..., _use_new_zipfile_serialization=False)``):
  consecutive pickles — a magic number, the protocol version, a system-info dict, the object, the
  list of storage keys — then each storage as an int64 element count followed by its raw bytes.

The unpickler resolves only what a state dict needs (``collections.OrderedDict``, PyTorch's
tensor/parameter rebuild functions and its typed-storage classes, which are mapped to NumPy
dtypes here and never imported); anything else is refused with :class:`DataFormatError`, so a
file cannot run code when it is read. Errors name the file and what is wrong with it.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
import zipfile

import numpy as np

from ..errors import DataFormatError

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16", "LongStorage": np.int64, "IntStorage": np.int32,
    "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
    "UntypedStorage": np.uint8,
}
_REBUILD = {"_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_parameter", "_rebuild_parameter_with_state"}


class _StorageType:
    def __init__(self, name: str):
        self.name = name
        self.dtype = _STORAGE_DTYPES[name]

    @property
    def itemsize(self) -> int:
        return 2 if self.dtype == "bfloat16" else np.dtype(self.dtype).itemsize


class _Storage:
    """A storage named in the pickle; its data is attached once read (zip: at once; legacy: after
    the object pickle)."""

    def __init__(self, stype: _StorageType, key: str, numel: int):
        self.stype, self.key, self.numel = stype, key, numel
        self.data: np.ndarray | None = None
        self.view: tuple | None = None  # legacy views: (root storage, element offset)


class _TensorRef:
    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple):
        self.storage, self.offset, self.size, self.stride = storage, int(offset), tuple(size), tuple(stride)


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored):
    return _TensorRef(storage, storage_offset, size, stride)


def _rebuild_parameter(data, *_ignored):
    return data


class _StateUnpickler(pickle.Unpickler):
    def __init__(self, fh, path, storages: dict, persistent):
        super().__init__(fh, encoding="utf-8")
        self._path, self._storages, self._persistent = path, storages, persistent

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name in _REBUILD:
            return _rebuild_parameter if name.startswith("_rebuild_parameter") else _rebuild_tensor
        if module in ("torch", "torch.storage") and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if module == "torch" and name == "device":
            return str
        raise DataFormatError(f"file '{self._path}': refuses to load the pickled object {module}.{name} (a state "
                              "dict holds only tensors; this file holds other objects)")

    def persistent_load(self, pid):
        return self._persistent(pid)


def _bad(path, problem: str) -> DataFormatError:
    return DataFormatError(f"file '{path}': {problem}")


def _storage_from_pid(path, storages: dict, pid, legacy: bool) -> _Storage:
    if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
        raise _bad(path, f"unknown persistent reference {pid!r} in the pickle; not a PyTorch state dict")
    try:
        stype, key, _location, numel = pid[1], str(pid[2]), pid[3], int(pid[4])
    except (IndexError, TypeError, ValueError):
        raise _bad(path, f"malformed storage reference {pid!r}") from None
    if not isinstance(stype, _StorageType):
        raise _bad(path, f"storage {key} has an unknown type {stype!r}")
    if key not in storages:
        storages[key] = _Storage(stype, key, numel)
    storage = storages[key]
    view = pid[5] if legacy and len(pid) > 5 else None
    if view is not None:  # legacy view: (view key, element offset, view size) into the root storage
        view_key, offset, view_size = view
        v = _Storage(stype, str(view_key), int(view_size))
        v.view = (storage, int(offset))
        return v
    return storage


def _as_array(path, name: str, ref: _TensorRef) -> np.ndarray:
    storage, base = ref.storage, 0
    if storage.view is not None:
        storage, base = storage.view
    data = storage.data
    if data is None:
        raise _bad(path, f"tensor '{name}': its storage {storage.key} is missing from the file")
    if any(s < 0 for s in ref.size) or any(s < 0 for s in ref.stride):
        raise _bad(path, f"tensor '{name}': negative size or stride")
    offset = base + ref.offset
    extent = offset + (sum((n - 1) * s for n, s in zip(ref.size, ref.stride)) + 1 if all(ref.size) else 0)
    if extent > data.size:
        raise _bad(path, f"tensor '{name}' of shape {ref.size} reaches element {extent} of a storage of "
                         f"{data.size}; the file is damaged")
    item = data.itemsize
    arr = np.lib.stride_tricks.as_strided(data[offset:], shape=ref.size,
                                          strides=tuple(s * item for s in ref.stride))
    return np.array(arr)  # a copy: independent of the file's buffer


def _decode(raw: bytes, stype: _StorageType, little: bool) -> np.ndarray:
    if stype.dtype == "bfloat16":
        bits = np.frombuffer(raw, dtype="<u2" if little else ">u2").astype(np.uint32) << 16
        return bits.view(np.float32)
    dt = np.dtype(stype.dtype).newbyteorder("<" if little else ">")
    return np.frombuffer(raw, dtype=dt).astype(np.dtype(stype.dtype).newbyteorder("="))


def _collect(path, obj) -> collections.OrderedDict[str, np.ndarray]:
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]  # a checkpoint dict {"state_dict": ..., ...}
    if not isinstance(obj, dict):
        raise _bad(path, f"holds a pickled {type(obj).__name__}, not a state dict (a mapping of names to tensors)")
    out = collections.OrderedDict()
    for name, value in obj.items():
        if isinstance(value, _TensorRef):
            out[str(name)] = _as_array(path, str(name), value)
        elif not isinstance(value, dict):  # nested dicts (optimizer state) and numbers are not weights
            raise _bad(path, f"entry '{name}' ({type(value).__name__}) is not a tensor")
    if not out:
        raise _bad(path, "holds no tensors")
    return out


def _read_zip(path, zf: zipfile.ZipFile):
    names = zf.namelist()
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if len(pkl) != 1:
        raise _bad(path, "a zip archive without one '<name>/data.pkl'; not a PyTorch file")
    root = pkl[0].split("/")[0]
    little = True
    if f"{root}/byteorder" in names:
        order = zf.read(f"{root}/byteorder").decode("ascii", "replace").strip()
        if order not in ("little", "big"):
            raise _bad(path, f"unknown byte order {order!r}")
        little = order == "little"
    storages: dict[str, _Storage] = {}

    def persistent(pid):
        s = _storage_from_pid(path, storages, pid, legacy=False)
        if s.data is None:
            member = f"{root}/data/{s.key}"
            if member not in names:
                raise _bad(path, f"storage '{member}' named in data.pkl is missing; the file is damaged")
            raw = zf.read(member)
            if len(raw) < s.numel * s.stype.itemsize:
                raise _bad(path, f"storage '{member}' holds {len(raw)} bytes, {s.numel} elements of "
                                 f"{s.stype.itemsize} bytes were expected; the file is damaged")
            s.data = _decode(raw[: s.numel * s.stype.itemsize], s.stype, little)
        return s

    obj = _StateUnpickler(io.BytesIO(zf.read(pkl[0])), path, storages, persistent).load()
    return _collect(path, obj)


def _read_legacy(path, fh):
    magic = _StateUnpickler(fh, path, {}, lambda pid: None).load()
    if magic != _LEGACY_MAGIC:
        raise _bad(path, "not a PyTorch file (no zip archive, no legacy magic number)")
    version = _StateUnpickler(fh, path, {}, lambda pid: None).load()
    if version != 1001:
        raise _bad(path, f"legacy PyTorch file of protocol version {version!r}; only 1001 is read")
    sys_info = _StateUnpickler(fh, path, {}, lambda pid: None).load()
    little = bool(sys_info.get("little_endian", True)) if isinstance(sys_info, dict) else True
    storages: dict[str, _Storage] = {}
    obj = _StateUnpickler(fh, path, storages, lambda pid: _storage_from_pid(path, storages, pid, legacy=True)).load()
    keys = _StateUnpickler(fh, path, {}, lambda pid: None).load()
    if not isinstance(keys, list):
        raise _bad(path, "the list of storage keys after the object is missing")
    for key in keys:
        head = fh.read(8)
        if len(head) != 8:
            raise _bad(path, f"storage {key}: the file ends before its data; the file is truncated")
        numel = struct.unpack("<q" if little else ">q", head)[0]
        s = storages.get(str(key))
        if s is None or numel < 0:
            raise _bad(path, f"storage {key}: not named in the object, or a negative size; the file is damaged")
        nbytes = numel * s.stype.itemsize
        raw = fh.read(nbytes)
        if len(raw) != nbytes:
            raise _bad(path, f"storage {key}: {len(raw)} of its {nbytes} bytes; the file is truncated")
        s.data = _decode(raw, s.stype, little)
    return _collect(path, obj)


def read_torch_state_dict(path: str | os.PathLike) -> collections.OrderedDict[str, np.ndarray]:
    """The tensors of a PyTorch state-dict file as NumPy arrays, in the file's order.

    A checkpoint dict with a ``"state_dict"`` entry is read through that entry. Raises
    :class:`DataFormatError` naming the file for anything that is not a readable state dict (a
    Torch7 ``.t7`` file, a truncated download, pickled objects other than tensors).
    """
    from .files import check_input_file

    path = check_input_file(path, "PyTorch weights file")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise _bad(path, "empty file; not a PyTorch state dict")
    try:
        if head.startswith(b"PK"):
            try:
                with zipfile.ZipFile(path) as zf:
                    return _read_zip(path, zf)
            except zipfile.BadZipFile as exc:
                raise _bad(path, f"a damaged zip archive ({exc}); the file may be truncated") from None
        if head[:1] != b"\x80":
            raise _bad(path, "neither a zip archive nor a pickle; not a PyTorch state dict (a Torch7 .t7 model "
                             "must be converted to a PyTorch state dict first)")
        with open(path, "rb") as fh:
            return _read_legacy(path, fh)
    except DataFormatError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            struct.error, zipfile.LargeZipFile, OSError) as exc:
        raise _bad(path, f"not a readable PyTorch state dict ({type(exc).__name__}: {exc}); the file may be "
                         "truncated or damaged") from None
