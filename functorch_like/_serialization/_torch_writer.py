"""Writes PyTorch's own checkpoint format (torch >= 1.6's zip), so that a file saved here
loads with `torch.load` in PyTorch, weights_only included:

    archive/data.pkl                    the object, pickled with protocol 2; each tensor is
                                        torch._utils._rebuild_tensor_v2 (or _rebuild_parameter)
                                        of a persistent storage id
    archive/data/<key>                  each storage's raw bytes, little-endian
    archive/byteorder, archive/version, archive/.format_version,
    archive/.storage_alignment, archive/.data/serialization_id

PyTorch itself need not be installed: torch's globals are written by name (`_Global`), with
the pure-Python pickler. Each tensor gets its own storage (views of one another are saved
apart, as copies); the data is stored in the tensor's logical dtype (an int64 tensor held
as int32 while JAX's x64 mode is off is written as int64).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from .. import _dtypes
from .._device import device
from .._tensor import Size, Tensor
from .._writes import CountedDefaultDict, CountedDict
from ..nn.parameter import Parameter
from . import _arrays

# torch's legacy storage classes, by the tensor's torch dtype name
_STORAGES = {"float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
             "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
             "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
             "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
             "complex128": "ComplexDoubleStorage", "uint16": "UInt16Storage",
             "uint32": "UInt32Storage", "uint64": "UInt64Storage"}
_ALIGNMENT = 64


class _Global:
    """A global of PyTorch's, pickled by name (PyTorch need not be importable here)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):          # (the pickler wants reduce functions callable)
        raise TypeError(f"{self.module}.{self.name} is a stand-in")


class _Storage:
    """One tensor's data, written as a persistent storage record."""

    __slots__ = ("key", "kind", "data", "numel")

    def __init__(self, key: str, kind: str, data: bytes, numel: int):
        self.key, self.kind, self.data, self.numel = key, kind, data, numel


class _TensorData:
    """A tensor's data without its requires_grad (the first argument of
    _rebuild_parameter)."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: Tensor):
        self.tensor = tensor


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")


def _strides(shape: tuple) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class _Pickler(pickle._Pickler):
    """The pure-Python pickler, with torch's reductions of tensors, Size, dtype and device,
    and storages as persistent ids."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, storages: list, protocol: int = 2):
        super().__init__(file, protocol=protocol)
        self.storages = storages

    def save_stand_in(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = save_stand_in
    # The counted dicts of modules and optimizers (`_writes`) are plain dicts in the file,
    # as torch's state_dicts hold plain dicts (its weights-only load refuses builtins.dict
    # as a global, which their own reduction would name).
    dispatch[CountedDict] = pickle._Pickler.save_dict
    dispatch[CountedDefaultDict] = pickle._Pickler.save_dict

    def persistent_id(self, obj):
        if type(obj) is _Storage:
            return ("storage", _Global("torch", obj.kind), obj.key, "cpu", obj.numel)
        return None

    def _storage(self, t: Tensor) -> _Storage:
        arr = _arrays.to_numpy(t)
        name = _arrays.dtype_name(t)
        if arr.dtype == _arrays.BFLOAT16:
            data = arr.view(np.uint16).astype("<u2").tobytes()
        else:
            data = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"),
                                                   copy=False)).tobytes()
        storage = _Storage(str(len(self.storages)), _STORAGES[name], data, arr.size)
        self.storages.append(storage)
        return storage

    def _tensor_args(self, t: Tensor, requires_grad: bool) -> tuple:
        shape = tuple(t.shape)
        return (self._storage(t), 0, shape, _strides(shape), requires_grad, OrderedDict())

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is _TensorData:
            return _REBUILD_TENSOR, self._tensor_args(obj.tensor, False)
        if isinstance(obj, Tensor):
            if kind is Parameter:
                return _REBUILD_PARAMETER, (_TensorData(obj), obj.requires_grad,
                                            OrderedDict())
            return _REBUILD_TENSOR, self._tensor_args(obj, obj.requires_grad)
        if kind is Size:
            return _Global("torch", "Size"), (tuple(obj),)
        if isinstance(obj, _dtypes.dtype):
            return _Global("torch", str(obj).split(".", 1)[1]), ()
        if kind is device:
            return _Global("torch", "device"), (str(obj),)
        return NotImplemented

    def save_reduce(self, func, args, *rest, obj=None):
        if type(func) is _Global and args == () and obj is not None and \
                isinstance(obj, _dtypes.dtype):
            self.save(func)             # a dtype is the global itself, as torch's
            self.memoize(obj)
            return
        super().save_reduce(func, args, *rest, obj=obj)


def _entry(zf: zipfile.ZipFile, start: int, name: str, data: bytes) -> None:
    """One stored zip entry whose data starts at a multiple of 64 bytes from the
    archive's start (`start`), as torch's writer aligns it: the padding goes in the local
    header's extra field (30 header bytes, the name, 4 bytes of extra-field header)."""
    info = zipfile.ZipInfo(name)
    pad = -(zf.fp.tell() - start + 30 + len(name.encode("utf-8")) + 4) % _ALIGNMENT
    info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
    zf.writestr(info, data)


def write(f, obj, protocol: int = 2) -> None:
    """Writes `obj` (tensors in containers, numbers, strings, ...) in PyTorch's format."""
    storages: list[_Storage] = []
    buf = io.BytesIO()
    _Pickler(buf, storages, protocol).dump(obj)
    start = f.tell() if hasattr(f, "tell") else 0
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _entry(zf, start, "archive/data.pkl", buf.getvalue())
        _entry(zf, start, "archive/.format_version", b"1")
        _entry(zf, start, "archive/.storage_alignment", str(_ALIGNMENT).encode())
        _entry(zf, start, "archive/byteorder", b"little")
        for s in storages:
            _entry(zf, start, f"archive/data/{s.key}", s.data)
        _entry(zf, start, "archive/version", b"3\n")
        # (torch's is random; a digest of the content keeps the same content the same
        # bytes, so an unchanged checkpoint rewrites identically)
        digest = hashlib.sha256(buf.getvalue())
        for s in storages:
            digest.update(s.data)
        _entry(zf, start, "archive/.data/serialization_id",
               str(int.from_bytes(digest.digest()[:16], "little")).encode())
