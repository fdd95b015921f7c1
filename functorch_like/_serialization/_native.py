"""The native checkpoint format: a zip of a JSON manifest and one .npy file per tensor.

    manifest.json     {"format": "functorch_like.checkpoint", "version": 1,
                       "kind": "tensors" | "pickle", "root": <node>, "tensors": [<entry>]}
    data/0.npy ...    one array per tensor, in its logical dtype (bfloat16 as uint16 bits)
    data.pkl          only for kind "pickle" (save(..., allow_pickle=True))

A node is a JSON value: null, true/false, integers, finite floats and strings stand for
themselves; everything else is an object with a "type": "dict"/"odict"/"counter"/"list"/
"tuple" (with "items"; dict items are [key-node, value-node] pairs, so int keys stay ints;
a Counter is MultiStepLR's milestones, which torch's weights-only load allows too),
"tensor"/"ndarray"/"scalar" (with "index" into "tensors"), "float" (non-finite, as text),
"complex", "bytes"/"bytearray" (base64), "set" (of key nodes), "size", "dtype", "device".
A tensor entry records "file", "dtype", "shape", "requires_grad", "class"
(Tensor/Parameter/Buffer) and "device".

Loading never executes anything from a "tensors" file: JSON is parsed and each .npy is read
with pickling disabled. The zip is stored uncompressed, and every entry's CRC is checked.
"""

from __future__ import annotations

import base64
import json
import math
import pickle
import zipfile
from collections import Counter, OrderedDict

import jax
import numpy as np

from .. import _dtypes
from .._device import device
from .._tensor import Size, Tensor
from .._writes import CountedDict
from . import _arrays
from ._errors import CheckpointError, UnsafeCheckpointError

FORMAT = "functorch_like.checkpoint"
VERSION = 1
MANIFEST = "manifest.json"
PICKLE_ENTRY = "data.pkl"
_SCALARS = (type(None), bool, int, str)
_MAPPING_TYPES = {dict: "dict", OrderedDict: "odict", Counter: "counter"}
_ARRAY_KINDS = "biufcSU"      # numpy kinds an ndarray may have (no objects, no records)


class Unsupported(TypeError):
    """An object the tensors format cannot hold; `where` says where it sits in `obj`."""

    def __init__(self, where: str, obj):
        super().__init__(f"{type(obj).__module__}.{type(obj).__qualname__} at {where}")
        self.where = where
        self.obj = obj


def _float(x: float):
    return x if math.isfinite(x) else {"type": "float", "value": repr(x)}


class Encoder:
    """Turns an object tree into manifest nodes, collecting its tensors and arrays."""

    def __init__(self):
        self.entries: list[dict] = []
        self.sources: list = []            # the Tensor or ndarray behind each entry
        self._index: dict[int, int] = {}   # id(tensor) -> entry index (shared tensors)
        self._active: set[int] = set()     # containers being encoded (cycle check)

    def array(self, obj, where: str) -> int:
        if id(obj) in self._index:
            return self._index[id(obj)]
        if isinstance(obj, Tensor):
            entry = {"kind": "tensor", "class": _arrays.CLASS_NAMES[type(obj)],
                     "dtype": _arrays.dtype_name(obj), "shape": list(obj.shape),
                     "requires_grad": obj.requires_grad, "device": str(obj.device)}
            if isinstance(obj._value, jax.core.Tracer):
                raise TypeError(f"cannot save a traced Tensor (at {where}): inside "
                                "functorch_like.compile, jax.jit or jax.grad; save outside")
        else:
            arr = np.asarray(obj)
            if arr.dtype == _arrays.BFLOAT16:
                name = "bfloat16"
            elif arr.dtype.kind in _ARRAY_KINDS and arr.dtype.names is None:
                name = arr.dtype.str
            else:
                raise Unsupported(where, obj)
            entry = {"kind": "ndarray" if isinstance(obj, np.ndarray) else "scalar",
                     "dtype": name, "shape": list(arr.shape)}
        index = len(self.entries)
        entry["file"] = f"data/{index}.npy"
        entry["path"] = where
        self.entries.append(entry)
        self.sources.append(obj)
        self._index[id(obj)] = index
        return index

    def node(self, obj, where: str = "obj"):
        kind = type(obj)
        if kind is CountedDict:     # (a pytorch-style optimizer's entries: plain dicts)
            kind = dict
        if kind in _SCALARS:
            return obj
        if kind is float:
            return _float(obj)
        if kind is complex:
            return {"type": "complex", "value": [_float(obj.real), _float(obj.imag)]}
        if kind in _arrays.CLASS_NAMES:
            return {"type": "tensor", "index": self.array(obj, where)}
        if kind is np.ndarray or isinstance(obj, np.generic):
            index = self.array(obj, where)
            return {"type": self.entries[index]["kind"], "index": index}
        if kind in (bytes, bytearray):
            return {"type": kind.__name__, "value": base64.b64encode(obj).decode("ascii")}
        if kind is set:      # (torch's weights-only load allows sets, as bytearrays)
            return {"type": "set", "items": [self.key(x, where) for x in obj]}
        if kind is Size:
            return {"type": "size", "items": [int(d) for d in obj]}
        if kind is _dtypes.dtype:
            return {"type": "dtype", "name": obj.name}
        if kind is device:
            return {"type": "device", "value": str(obj)}
        if kind in (dict, OrderedDict, Counter, list, tuple):
            if id(obj) in self._active:
                raise ValueError(f"cannot save a container that contains itself (at {where})")
            self._active.add(id(obj))
            try:
                return self._container(obj, kind, where)
            finally:
                self._active.discard(id(obj))
        raise Unsupported(where, obj)

    def _container(self, obj, kind, where: str) -> dict:
        if kind in (list, tuple):
            return {"type": kind.__name__,
                    "items": [self.node(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        items = [[self.key(k, where), self.node(v, f"{where}[{k!r}]")] for k, v in obj.items()]
        out = {"type": _MAPPING_TYPES[kind], "items": items}
        metadata = getattr(obj, "_metadata", None)    # PyTorch's state_dict versions
        if kind is OrderedDict and metadata is not None:
            out["metadata"] = self.node(metadata, f"{where}._metadata")
        return out

    def key(self, k, where: str):
        if type(k) in (*_SCALARS, float, complex, bytes):
            return self.node(k, where)
        if type(k) is tuple:
            return {"type": "tuple", "items": [self.key(x, where) for x in k]}
        raise Unsupported(f"{where} (a key)", k)

    def manifest(self, root, kind: str = "tensors", **extra) -> dict:
        return {"format": FORMAT, "version": VERSION, "kind": kind, **extra, "root": root,
                "tensors": self.entries}


def _stored(arr: np.ndarray) -> np.ndarray:
    """The array as written: C order, little-endian, bfloat16 as its uint16 bits."""
    arr = np.asarray(arr, order="C")     # (ascontiguousarray would make 0-d 1-d)
    if arr.dtype == _arrays.BFLOAT16:
        return arr.view(np.uint16).astype("<u2", copy=False)
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False)


def _write_entry(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    zf.writestr(zipfile.ZipInfo(name), data)    # fixed timestamp: same content, same bytes


def _write_arrays(zf: zipfile.ZipFile, enc: Encoder) -> None:
    for entry, source in zip(enc.entries, enc.sources):
        arr = _stored(_arrays.to_numpy(source) if isinstance(source, Tensor)
                      else np.asarray(source))
        with zf.open(zipfile.ZipInfo(entry["file"]), "w",
                     force_zip64=arr.nbytes > (1 << 30)) as out:
            np.lib.format.write_array(out, arr, allow_pickle=False)


def write(f, enc: Encoder, root) -> None:
    """Writes the tensors format (root and arrays already encoded by `enc`)."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_arrays(zf, enc)
        _write_entry(zf, MANIFEST, json.dumps(enc.manifest(root), indent=1).encode())


def write_pickle(f, obj, pickle_module, protocol: int) -> None:
    """Writes the pickle format: `obj` pickled into data.pkl, except its Tensors, which go
    to .npy entries as in the tensors format (so they keep dtype and device)."""
    enc = Encoder()

    class _Pickler(pickle_module.Pickler):
        def persistent_id(self, o):
            if type(o) in _arrays.CLASS_NAMES:
                return ("tensor", enc.array(o, "pickled object"))
            return None

    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        with zf.open(zipfile.ZipInfo(PICKLE_ENTRY), "w", force_zip64=True) as out:
            _Pickler(out, protocol=protocol).dump(obj)
        _write_arrays(zf, enc)
        manifest = enc.manifest(None, kind="pickle", pickle_protocol=protocol)
        _write_entry(zf, MANIFEST, json.dumps(manifest, indent=1).encode())


# ---- reading ------------------------------------------------------------------------

def is_native(zf: zipfile.ZipFile) -> bool:
    return MANIFEST in zf.NameToInfo


class Decoder:
    """Rebuilds the object tree of a manifest, reading each array once."""

    def __init__(self, zf: zipfile.ZipFile, manifest: dict, filename: str,
                 placer: _arrays.Placer):
        self.zf, self.filename, self.placer = zf, filename, placer
        self.entries = manifest["tensors"]
        if not isinstance(self.entries, list):
            raise self.corrupt("the manifest's tensor table is not a list")
        self._loaded: dict[int, object] = {}

    def corrupt(self, reason: str) -> CheckpointError:
        return CheckpointError(self.filename, reason)

    def _read(self, entry: dict, dtype_name: str, stored: np.dtype) -> np.ndarray:
        shape = tuple(int(d) for d in entry["shape"])
        if any(d < 0 for d in shape):
            raise self.corrupt(f"negative shape {shape} in the manifest")
        name = entry["file"]
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise self.corrupt(f"missing entry {name!r}") from None
        nbytes = math.prod(shape) * stored.itemsize
        if info.file_size < nbytes:      # checked before anything is allocated
            raise self.corrupt(f"entry {name!r} is {info.file_size} bytes, too short for "
                               f"a {dtype_name} array of shape {list(shape)}")
        with self.zf.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                header = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                header = np.lib.format.read_array_header_2_0(fh)
            else:
                raise self.corrupt(f"entry {name!r} has unsupported .npy version {version}")
            got_shape, fortran, got_dtype = header
            if tuple(got_shape) != shape or got_dtype.newbyteorder("=") != \
                    stored.newbyteorder("="):
                raise self.corrupt(f"entry {name!r} holds a {got_dtype} array of shape "
                                   f"{list(got_shape)}, the manifest says {dtype_name} "
                                   f"{list(shape)}")
            data = fh.read(nbytes)
            if len(data) != nbytes or fh.read(1):   # reading to the end checks the CRC
                raise self.corrupt(f"entry {name!r} has the wrong length")
        arr = np.frombuffer(data, dtype=got_dtype)
        arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
        if stored.newbyteorder("=") != got_dtype:
            arr = arr.astype(stored.newbyteorder("="))
        return arr.view(_arrays.BFLOAT16) if dtype_name == "bfloat16" else arr

    def array(self, index: int, kinds: tuple):
        if type(index) is not int or not 0 <= index < len(self.entries):
            raise self.corrupt(f"tensor index {index!r} out of range")
        if index in self._loaded:
            return self._loaded[index]
        entry = self.entries[index]
        if entry.get("kind") not in kinds:
            raise self.corrupt(f"entry {index} is a {entry.get('kind')!r}, expected {kinds}")
        dtype_name = entry["dtype"]
        if entry["kind"] == "tensor":
            cls = _arrays.CLASSES[entry["class"]]
            logical = _arrays.logical_dtype(dtype_name)
            arr = self._read(entry, dtype_name, np.dtype(np.uint16) if dtype_name ==
                             "bfloat16" else logical)
            out = _arrays.make_tensor(arr, self.placer, str(entry.get("device", "cpu")),
                                      requires_grad=bool(entry["requires_grad"]), cls=cls,
                                      name=str(entry.get("path", "")))
        else:
            stored = np.dtype(np.uint16) if dtype_name == "bfloat16" else np.dtype(dtype_name)
            if stored.kind not in _ARRAY_KINDS or stored.names is not None:
                raise self.corrupt(f"array dtype {dtype_name!r} is not allowed")
            out = np.array(self._read(entry, dtype_name, stored))    # writable copy
            if entry["kind"] == "scalar":
                out = out[()]
        self._loaded[index] = out
        return out

    def node(self, n):
        if type(n) in (*_SCALARS, float):
            return n
        if type(n) is not dict:
            raise self.corrupt(f"malformed manifest node {n!r:.80}")
        kind = n["type"]
        if kind in ("dict", "odict", "counter"):
            out = {"dict": dict, "odict": OrderedDict, "counter": Counter}[kind]()
            for k, v in n["items"]:
                out[self.node(k)] = self.node(v)
            if "metadata" in n and kind == "odict":
                out._metadata = self.node(n["metadata"])
            return out
        if kind == "list":
            return [self.node(v) for v in n["items"]]
        if kind == "tuple":
            return tuple(self.node(v) for v in n["items"])
        if kind == "tensor":
            return self.array(n["index"], ("tensor",))
        if kind in ("ndarray", "scalar"):
            return self.array(n["index"], (kind,))
        if kind == "float":
            return float(n["value"])
        if kind == "complex":
            re, im = (self.node(x) for x in n["value"])
            return complex(float(re), float(im))
        if kind == "bytes":
            return base64.b64decode(n["value"], validate=True)
        if kind == "bytearray":
            return bytearray(base64.b64decode(n["value"], validate=True))
        if kind == "set":
            return {self.node(x) for x in n["items"]}
        if kind == "size":
            return Size(int(d) for d in n["items"])
        if kind == "dtype":
            return _dtypes._NAMES[n["name"]]
        if kind == "device":
            return device(n["value"])
        raise self.corrupt(f"unknown node type {kind!r}")


def read_manifest(zf: zipfile.ZipFile, filename: str) -> dict:
    manifest = json.loads(zf.read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(filename, "manifest.json does not describe a functorch_like "
                                        "checkpoint")
    if manifest.get("version") != VERSION:
        raise CheckpointError(filename, f"checkpoint format version {manifest.get('version')!r}"
                                        f" is not supported (this version reads {VERSION})")
    return manifest


def read(zf: zipfile.ZipFile, filename: str, placer: _arrays.Placer, weights_only: bool,
         pickle_module=None, **pickle_load_args):
    """Loads a native checkpoint from an open zip."""
    manifest = read_manifest(zf, filename)
    decoder = Decoder(zf, manifest, filename, placer)
    kind = manifest.get("kind")
    if kind == "tensors":
        return decoder.node(manifest["root"])
    if kind != "pickle":
        raise CheckpointError(filename, f"unknown checkpoint kind {kind!r}")
    if weights_only:
        raise UnsafeCheckpointError(
            filename, "this file was written with save(..., allow_pickle=True) and holds "
            "pickled Python objects; unpickling can run arbitrary code, so a weights-only load "
            "refuses it. If you trust the file's source, load it with weights_only=False.")

    class _Unpickler((pickle_module or pickle).Unpickler):
        def persistent_load(self, pid):
            if type(pid) is tuple and len(pid) == 2 and pid[0] == "tensor":
                return decoder.array(pid[1], ("tensor",))
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")

    with zf.open(PICKLE_ENTRY) as fh:
        obj = _Unpickler(fh, **pickle_load_args).load()
        if fh.read(1):             # (reading to the end also checks the CRC)
            raise CheckpointError(filename, "data.pkl continues after its pickle")
    return obj
