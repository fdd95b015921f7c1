"""PyTorch checkpoints read without PyTorch, through a restricted unpickler.

`torch.save` (PyTorch >= 1.6) writes a zip: `<name>/data.pkl`, a pickle whose tensors point
at storages through persistent ids `("storage", torch.FloatStorage, key, location, numel)`;
`<name>/data/<key>`, each storage's raw bytes; `<name>/byteorder` and `<name>/version`.
Older PyTorch wrote the legacy format: a magic-number pickle, a protocol and a system-info
pickle, the object pickle, the list of storage keys, then each storage as an int64 element
count and its bytes. Both are read here.

The pickle names PyTorch functions as globals (`torch._utils._rebuild_tensor_v2`,
`torch.FloatStorage`, `collections.OrderedDict`). `_Unpickler.find_class` resolves exactly
those names to local stand-ins that build functorch_like Tensors, as
`torch.load(weights_only=True)` does, and refuses every other global before it is looked
up, so a payload such as `os.system` is never reached. With `weights_only=False` the other
globals are imported as plain pickle does (which can run arbitrary code).
"""

from __future__ import annotations

import _compat_pickle
import codecs
import io
import math
import pickle
import zipfile
from collections import Counter, OrderedDict

import numpy as np

from .. import _dtypes
from .._device import device
from .._tensor import Size, Tensor
from ..nn.parameter import Parameter
from . import _arrays, _safe_globals
from ._errors import CheckpointError, UnsafeCheckpointError

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C     # torch/serialization.py
LEGACY_PROTOCOL = 1001

_STORAGE_DTYPES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
    "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_TORCH_DTYPE_NAMES = ("float32", "float", "float64", "double", "float16", "half", "bfloat16",
                      "complex64", "cfloat", "complex128", "cdouble", "uint8", "int8",
                      "int16", "short", "int32", "int", "int64", "long", "bool")
# PyTorch dtypes that functorch_like has no Tensor type for: named, so the error says so.
_UNSUPPORTED_DTYPES = ("uint16", "uint32", "uint64", "complex32", "chalf", "float8_e4m3fn",
                       "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu",
                       "qint8", "quint8", "qint32", "quint4x2", "quint2x4")


class _StorageType:
    """Stand-in for `torch.FloatStorage` etc. (dtype None: `torch.UntypedStorage`)."""

    def __init__(self, name: str, dtype: str | None):
        self.name, self.dtype = name, dtype


class _TensorClass:
    """Stand-in for `torch.Tensor` / `torch.nn.Parameter` as `_rebuild_from_type_v2`
    arguments."""

    def __init__(self, cls: type):
        self.cls = cls


class _UnsupportedDtype:
    def __init__(self, name: str):
        self.name = name


class _Storage:
    """One storage: raw bytes (None until the legacy format's data section is read)."""

    def __init__(self, dtype: str | None, numel: int, location: str, big_endian: bool,
                 raw: bytes | None = None, base: "_Storage | None" = None, offset: int = 0):
        self.dtype, self.numel, self.location = dtype, numel, location
        self.big_endian, self.raw, self.base, self.offset = big_endian, raw, base, offset

    @property
    def itemsize(self) -> int:
        return 1 if self.dtype is None else _arrays.logical_dtype(self.dtype).itemsize

    @property
    def ready(self) -> bool:
        return (self.base or self).raw is not None

    def array(self, dtype: str) -> np.ndarray:
        """The storage's elements as a 1-D array of `dtype` (native byte order)."""
        if self.base is not None:
            whole = self.base.array(dtype)
            return whole[self.offset:self.offset + self.numel]
        want = _arrays.logical_dtype(dtype)
        nbytes = self.numel * self.itemsize
        if len(self.raw) < nbytes or nbytes % want.itemsize:
            raise ValueError(f"storage of {len(self.raw)} bytes, expected {nbytes}")
        bits = np.dtype(f"{'>' if self.big_endian else '<'}u{want.itemsize}") \
            if want.kind not in "fc" or want == _arrays.BFLOAT16 else \
            want.newbyteorder(">" if self.big_endian else "<")
        arr = np.frombuffer(self.raw, dtype=bits, count=nbytes // want.itemsize)
        if arr.dtype.kind == "u" and want.kind != "u":
            arr = arr.astype(arr.dtype.newbyteorder("="), copy=False).view(want)
        return arr.astype(want, copy=False)


def _encode(obj, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """`_codecs.encode`, which protocol-2 pickles use for bytes; text codecs only."""
    if type(obj) is not str or codecs.lookup(encoding).name not in ("iso8859-1", "utf-8",
                                                                     "ascii"):
        raise pickle.UnpicklingError("_codecs.encode is only allowed for text to bytes")
    return codecs.encode(obj, encoding, errors)


def _ints(values, what: str) -> tuple:
    out = tuple(values)
    if not all(type(v) is int and v >= 0 for v in out):
        raise ValueError(f"{what} must be non-negative integers, got {out!r:.80}")
    return out


class _Context:
    """The stand-ins of one load, bound to its file, placement and pending tensors."""

    def __init__(self, filename: str, placer: _arrays.Placer, weights_only: bool,
                 big_endian: bool = False):
        self.filename, self.placer, self.weights_only = filename, placer, weights_only
        self.big_endian = big_endian
        self.pending: dict[int, tuple] = {}    # legacy: tensors whose data comes later
        self.rebuilders = (self.rebuild_tensor, self.rebuild_tensor_v2,
                           self.rebuild_tensor_v3, self.rebuild_parameter,
                           self.rebuild_parameter_with_state)
        g = {"collections.OrderedDict": OrderedDict, "collections.Counter": Counter,
             "builtins.set": set,
             "builtins.frozenset": frozenset, "builtins.complex": complex,
             "builtins.bytearray": bytearray, "_codecs.encode": _encode,
             "torch.Size": Size, "torch.device": device,
             "torch.Tensor": _TensorClass(Tensor),
             "torch.nn.parameter.Parameter": _TensorClass(Parameter),
             "torch._tensor._rebuild_from_type_v2": self.rebuild_from_type_v2,
             "torch.storage.UntypedStorage": _StorageType("UntypedStorage", None),
             "torch.UntypedStorage": _StorageType("UntypedStorage", None)}
        for f in self.rebuilders:
            g[f"torch._utils._{f.__name__}"] = f
        for name, dtype in _STORAGE_DTYPES.items():
            g[f"torch.{name}"] = _StorageType(name, dtype)
        for name in _TORCH_DTYPE_NAMES:
            g[f"torch.{name}"] = getattr(_dtypes, name)
        for name in _UNSUPPORTED_DTYPES:
            g[f"torch.{name}"] = _UnsupportedDtype(name)
        self.globals = g

    # ---- tensors ------------------------------------------------------------------------
    def _tensor(self, storage, offset, size, stride, requires_grad, dtype: str, cls=Tensor):
        if not isinstance(storage, _Storage):
            raise ValueError(f"a tensor's storage is a {type(storage).__name__}")
        offset = _ints([offset], "storage offset")[0]
        size, stride = _ints(size, "size"), _ints(stride, "stride")
        if len(size) != len(stride):
            raise ValueError(f"size {size} and stride {stride} differ in length")
        if not storage.ready:
            t = cls._make(None)
            self.pending[id(t)] = (t, storage, offset, size, stride, requires_grad, dtype)
            return t
        itemsize = _arrays.logical_dtype(dtype).itemsize
        numel = storage.numel * storage.itemsize // itemsize
        if math.prod(size) == 0:
            arr = np.zeros(size, _arrays.logical_dtype(dtype))
        else:
            last = offset + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= numel:    # never read outside the storage
                raise ValueError(f"a tensor of size {list(size)}, stride {list(stride)} at "
                                 f"offset {offset} reaches past its storage of {numel}")
            flat = storage.array(dtype)[offset:]
            arr = np.lib.stride_tricks.as_strided(
                flat, shape=size, strides=[s * itemsize for s in stride], writeable=False)
            arr = np.asarray(arr, order="C")
        return _arrays.make_tensor(arr, self.placer, storage.location,
                                   requires_grad=bool(requires_grad), cls=cls)

    def rebuild_tensor(self, storage, storage_offset, size, stride):
        return self.rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)

    def rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad,
                          backward_hooks, metadata=None):
        if not isinstance(storage, _Storage) or storage.dtype is None:
            raise ValueError("_rebuild_tensor_v2 needs a typed storage")
        return self._tensor(storage, storage_offset, size, stride, requires_grad,
                            storage.dtype)

    def rebuild_tensor_v3(self, storage, storage_offset, size, stride, requires_grad,
                          backward_hooks, dtype, metadata=None):
        if isinstance(dtype, _UnsupportedDtype):
            raise CheckpointError(self.filename, f"holds a torch.{dtype.name} tensor, a dtype "
                                                 "functorch_like does not have")
        if not isinstance(dtype, _dtypes.dtype):
            raise ValueError(f"_rebuild_tensor_v3 got dtype {dtype!r:.80}")
        return self._tensor(storage, storage_offset, size, stride, requires_grad, dtype.name)

    def rebuild_parameter(self, data, requires_grad, backward_hooks):
        if not isinstance(data, Tensor):
            raise ValueError(f"a Parameter's data is a {type(data).__name__}")
        if id(data) in self.pending:
            _, *spec = self.pending[id(data)]
            p = Parameter._make(None)
            spec[4] = requires_grad
            self.pending[id(p)] = (p, *spec)
            return p
        p = Parameter._make(data._value)
        p.requires_grad_(bool(requires_grad))
        return p

    def rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        return _set_state(self.rebuild_parameter(data, requires_grad, backward_hooks), state)

    def rebuild_from_type_v2(self, func, new_type, args, state):
        # torch/_tensor.py: rebuild with `func`, make it `new_type`, restore attributes.
        if func not in self.rebuilders and self.weights_only:
            raise ValueError(f"_rebuild_from_type_v2 got function {func!r:.80}")
        if not isinstance(new_type, _TensorClass):
            raise ValueError(f"tensor subclass {new_type!r:.80} is not supported")
        t = func(*args)
        if new_type.cls is Parameter and not isinstance(t, Parameter):
            t = self.rebuild_parameter(t, t._requires_grad, None)
        return _set_state(t, state)

    def finish(self) -> None:
        """Fills the legacy format's pending tensors once their storages are read."""
        for t, *spec in list(self.pending.values()):
            if not spec[0].ready:
                raise ValueError("a tensor's storage is missing from the data section")
            made = self._tensor(*spec, cls=type(t))
            t._value, t._requires_grad = made._value, made._requires_grad
        self.pending.clear()

    # ---- storages -----------------------------------------------------------------------
    def storage(self, pid, read_raw) -> _Storage:
        """A zip-format persistent id -> its storage (`read_raw(key)` gives the bytes)."""
        if type(pid) is not tuple or len(pid) != 5 or _ascii(pid[0]) != "storage":
            raise ValueError(f"unsupported persistent id {pid!r:.80}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, _StorageType):
            raise ValueError(f"unsupported storage type {storage_type!r:.80}")
        key = _ascii(key)
        numel = _ints([numel], "storage size")[0]
        return _Storage(storage_type.dtype, numel, _ascii(location), self.big_endian,
                        read_raw(key))


def _ascii(x) -> str:
    if isinstance(x, bytes):
        x = x.decode("ascii")
    if type(x) is not str:
        raise ValueError(f"expected a string, got {type(x).__name__}")
    return x


def _set_state(t: Tensor, state) -> Tensor:
    """PyTorch's `_set_obj_state`: restores plain Python attributes, skipping any that the
    Tensor class defines (so a file cannot replace methods, properties or internals)."""
    if not state:
        return t
    if isinstance(state, tuple) and len(state) == 2:
        items = {**(state[0] or {}), **(state[1] or {})}
    elif isinstance(state, dict):
        items = state
    else:
        raise ValueError(f"unsupported tensor state {state!r:.80}")
    for k, v in items.items():
        if type(k) is not str:
            raise ValueError(f"a tensor attribute named {k!r:.80}")
        if not k.startswith("__") and not hasattr(type(t), k):
            setattr(t, k, v)
    return t


class _Unpickler(pickle.Unpickler):
    """Resolves PyTorch's globals to the stand-ins; refuses the rest when weights_only."""

    def __init__(self, file, ctx: _Context, persistent_load=None, **pickle_load_args):
        super().__init__(file, **pickle_load_args)
        self._ctx, self._persistent = ctx, persistent_load

    def find_class(self, module: str, name: str):
        if (module, name) in _compat_pickle.NAME_MAPPING:      # protocol 2's Python 2 names
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        found = self._ctx.globals.get(f"{module}.{name}")
        if found is not None:
            return found
        if self._ctx.weights_only:
            marked = _safe_globals.allowed().get(f"{module}.{name}")
            if marked is not None:          # (torch.serialization.add_safe_globals)
                return marked
            raise UnsafeCheckpointError(
                self._ctx.filename,
                f"refused to load the global '{module}.{name}': a weights-only load allows "
                "only tensors, parameters, containers, numbers and strings, and did not call "
                "it. If you trust the file's source, load it with weights_only=False (which "
                "can run arbitrary code).", global_name=f"{module}.{name}")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if self._persistent is None:
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r:.80}")
        return self._persistent(pid)


# ---- the zip format -----------------------------------------------------------------

def default_globals() -> tuple:
    """The "module.name" globals a weights-only load resolves by default."""
    return tuple(_Context("", None, True).globals)


def find_prefix(zf: zipfile.ZipFile) -> str | None:
    """The archive folder holding data.pkl (`archive` or the saved file's stem)."""
    found = [n[:-len("/data.pkl")] for n in zf.NameToInfo
             if n.endswith("/data.pkl") and n.count("/") == 1]
    return found[0] if len(found) == 1 else None


def read_zip(zf: zipfile.ZipFile, prefix: str, filename: str, placer: _arrays.Placer,
             weights_only: bool, **pickle_load_args):
    order = zf.read(f"{prefix}/byteorder") if f"{prefix}/byteorder" in zf.NameToInfo \
        else b"little"
    if order not in (b"little", b"big"):
        raise ValueError(f"unknown byteorder {order!r:.20}")
    ctx = _Context(filename, placer, weights_only, big_endian=order == b"big")
    storages: dict[str, _Storage] = {}

    def read_raw(key: str) -> bytes:
        name = f"{prefix}/data/{key}"
        if name not in zf.NameToInfo:
            raise ValueError(f"missing storage entry {name!r}")
        return zf.read(name)

    def persistent_load(pid):
        key = _ascii(pid[2]) if type(pid) is tuple and len(pid) == 5 else None
        if key not in storages:
            storages[key] = ctx.storage(pid, read_raw)
        return storages[key]

    data = io.BytesIO(zf.read(f"{prefix}/data.pkl"))
    result = _Unpickler(data, ctx, persistent_load, **pickle_load_args).load()
    if data.read(1):
        raise ValueError("data.pkl continues after the end of its pickle")
    return result


# ---- the legacy format and bare pickles ---------------------------------------------

def read_pickle_stream(f, filename: str, placer: _arrays.Placer, weights_only: bool,
                       **pickle_load_args):
    """A pickle file: PyTorch's legacy format when it starts with PyTorch's magic number,
    otherwise a bare pickle (plain data when weights_only)."""
    ctx = _Context(filename, placer, weights_only)
    first = _Unpickler(f, ctx, **pickle_load_args).load()
    if type(first) is not int or first != MAGIC_NUMBER:
        if f.read(1):
            raise ValueError("unexpected data after the pickle")
        return first
    protocol = _Unpickler(f, ctx, **pickle_load_args).load()
    if protocol != LEGACY_PROTOCOL:
        raise ValueError(f"invalid legacy protocol version {protocol!r:.40}")
    sys_info = _Unpickler(f, ctx, **pickle_load_args).load()
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    ctx.big_endian = not little
    roots: dict[str, _Storage] = {}

    def persistent_load(pid):
        if type(pid) is not tuple or not pid or _ascii(pid[0]) != "storage" or len(pid) != 6:
            raise ValueError(f"unsupported persistent id {pid!r:.80}")
        _, storage_type, root_key, location, numel, view = pid
        if not isinstance(storage_type, _StorageType):
            raise ValueError(f"unsupported storage type {storage_type!r:.80}")
        root_key = _ascii(root_key)
        if root_key not in roots:
            roots[root_key] = _Storage(storage_type.dtype, _ints([numel], "numel")[0],
                                       _ascii(location), ctx.big_endian)
        root = roots[root_key]
        if view is None:
            return root
        _, offset, size = view
        offset, size = _ints([offset, size], "storage view")
        if offset + size > root.numel:
            raise ValueError("a storage view reaches past its storage")
        return _Storage(root.dtype, size, root.location, ctx.big_endian, base=root,
                        offset=offset)

    result = _Unpickler(f, ctx, persistent_load, **pickle_load_args).load()
    keys = _Unpickler(f, ctx, **pickle_load_args).load()
    if not isinstance(keys, list):
        raise ValueError("the legacy storage key list is missing")
    for key in keys:
        storage = roots[_ascii(key)]
        count = int.from_bytes(_read_exactly(f, 8), "little" if little else "big",
                               signed=True)
        if count != storage.numel:
            raise ValueError(f"storage {key} holds {count} elements, expected "
                             f"{storage.numel}")
        storage.raw = _read_exactly(f, count * storage.itemsize)
    ctx.finish()
    return result


def _read_exactly(f, n: int) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise EOFError(f"expected {n} bytes, got {len(data)}")
    return data
