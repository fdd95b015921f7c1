"""torch.save / torch.load: checkpoints that load without running code.

`save` writes PyTorch's own zip format (_serialization/_torch_writer.py), so that
`torch.load` in PyTorch reads the file, weights_only included; a checkpoint holding NumPy
arrays, which a weights-only load refuses in that format, is written in the native format
instead: a zip of a JSON manifest and one .npy file per array (_serialization/_native.py).
`load` reads both, and PyTorch's checkpoints (the zip format of torch >= 1.6 and the
legacy format) without PyTorch, through a restricted unpickler. Whole Python objects (a
Module, an Optimizer) are pickled only when asked for, and loaded only when asked for.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import zipfile
import zlib
from typing import Any, BinaryIO, Callable, Union

from ._serialization import _arrays, _atomic, _native, _torch_format, _torch_writer
from ._serialization._errors import (CheckpointError, EmptyCheckpointError,
                                     NotACheckpointError, UnsafeCheckpointError, describe)
from ._serialization._safe_globals import add_safe_globals as add_safe_globals
from ._serialization._safe_globals import clear_safe_globals as clear_safe_globals
from ._serialization._safe_globals import get_safe_globals as get_safe_globals
from ._serialization._safe_globals import safe_globals as safe_globals

DEFAULT_PROTOCOL = 2      # torch.serialization.DEFAULT_PROTOCOL

FileLike = Union[str, os.PathLike, BinaryIO]
MapLocation = Union[None, str, Any, dict, Callable]

# What a damaged file raises inside the readers (always caught and reported as a
# CheckpointError naming the file); with weights_only every error of the reader is.
_FORMAT_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, pickle.UnpicklingError,
                  struct.error, ValueError, KeyError, IndexError, TypeError, AttributeError,
                  OverflowError, RecursionError, OSError)
_PICKLE_LOAD_ARGS = ("encoding", "errors", "fix_imports")

__all__ = ["save", "load", "CheckpointError", "UnsafeCheckpointError", "DEFAULT_PROTOCOL",
           "add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint"]


def save(obj: Any, f: FileLike, pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False, *, allow_pickle: bool = False) -> None:
    """Saves a state_dict, an optimizer state_dict or a checkpoint dict to a file.

    The file is PyTorch's checkpoint format: `torch.load` in PyTorch reads it (with
    weights_only=True too), and so does `load` here, without running code. It keeps
    container types (dict vs OrderedDict and its `_metadata`, list vs tuple, int vs str
    keys), each tensor's dtype (the logical one: int64 stays int64 even while JAX stores it
    as int32), shape, `requires_grad`, and Parameter vs Tensor. A checkpoint holding NumPy
    arrays is written in the native format (manifest.json and .npy entries), which `load`
    reads safely and PyTorch cannot read (torch's own file would pickle the arrays, which
    its weights-only load refuses). PyTorch-parity note: tensors that are views of one
    another are saved as separate copies; the same tensor twice is saved once.

    Writing to a path is atomic: the data goes to a temporary file in the same folder,
    which is flushed, fsync'ed and then renamed onto `f`, so a crash or kill mid-save
    leaves the previous file intact. A file object is written directly.

    Args:
      obj: Tensors (and Parameters), None, bool, int, float, complex, str, bytes, numpy
        arrays, torch.Size/dtype/device, in dicts, OrderedDicts, lists and tuples.
      f: a path (str or os.PathLike) or a writable binary file object.
      pickle_module: the module whose Pickler writes other objects (allow_pickle only).
      pickle_protocol: the pickle protocol of the file's data.pkl (and of other objects,
        with allow_pickle).
      _use_new_zipfile_serialization, _disable_byteorder_record: accepted for PyTorch
        compatibility; the file is always the zip format (PyTorch-parity note: torch
        writes its legacy format with the first False).
      allow_pickle: when `obj` holds anything else (a Module, an Optimizer, your own
        classes), pickle it instead of raising TypeError. **Risk:** such a file can only be
        read with `load(f, weights_only=False)`, and unpickling runs whatever code the file
        names, so a tampered or untrusted file can take over the machine that loads it.
        Prefer saving `model.state_dict()`. Tensors inside the pickled object are still
        stored as .npy entries.

    Raises:
      TypeError: `obj` holds an object the safe format cannot store and allow_pickle is
        False (the message says where), or a tensor is being traced.
      ValueError: a container contains itself.

    Example:
      >>> torch.save({"epoch": 3, "model": model.state_dict(),
      ...             "optim": optimizer.state_dict()}, "ckpt.pt")
    """
    enc = _native.Encoder()
    try:
        root = enc.node(obj)
    except _native.Unsupported as e:
        if not allow_pickle:
            raise TypeError(
                f"save() stores Tensors, numbers, strings and dict/OrderedDict/list/tuple/set "
                f"containers of them (a state_dict or a checkpoint dict), but found a "
                f"{type(e.obj).__name__} ({e}). Save `model.state_dict()` or "
                f"`optimizer.state_dict()` instead, or pass allow_pickle=True to pickle the "
                f"object: such a file loads only with load(f, weights_only=False), which can "
                f"run arbitrary code from the file.") from None
        _atomic.write(f, lambda out: _native.write_pickle(out, obj, pickle_module,
                                                          pickle_protocol))
        return
    if any(type(source) not in _arrays.CLASS_NAMES for source in enc.sources):
        # NumPy arrays: PyTorch's format would pickle them, which a weights-only load
        # (torch's, and ours) refuses; this format stores them as .npy, loadable safely.
        _atomic.write(f, lambda out: _native.write(out, enc, root))
    else:
        _atomic.write(f, lambda out: _torch_writer.write(out, obj, pickle_protocol))


def load(f: FileLike, map_location: MapLocation = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args) -> Any:
    """Loads a checkpoint written by `save` or by PyTorch's `torch.save`.

    The format is detected from the content: this library's zip (manifest + .npy), PyTorch's
    zip (`archive/data.pkl` + storages) or PyTorch's legacy pickle format. PyTorch files are
    read without PyTorch: their pickle may name only PyTorch's tensor-rebuilding functions,
    storage types, torch.Size, dtypes, devices, OrderedDict and plain containers, numbers
    and strings (as `torch.load(weights_only=True)`); anything else is refused before it is
    looked up, so its payload never runs.

    Args:
      f: a path (str or os.PathLike) or a readable binary file object.
      map_location: where tensors go, as in PyTorch: None (where they were saved), a device
        string or torch.device ("cpu", "cuda:0"), a dict mapping saved locations to new ones,
        or a callable `(storage, location) -> storage | device | None`. A device that JAX
        does not have here (a GPU on a CPU-only machine) falls back to the CPU.
      pickle_module: the module whose Unpickler reads pickled objects (weights_only=False).
      weights_only: True (the default, unless a pickle_module is given, as in PyTorch)
        never runs code from the file. False also loads
        files written with `save(..., allow_pickle=True)` and PyTorch files holding other
        Python objects. **Risk:** with False, unpickling runs whatever code the file names;
        use it only for files you trust.
      mmap: accepted for PyTorch compatibility (with a path only, as PyTorch); the data is
        read into memory.
      **pickle_load_args: `encoding`, `errors`, `fix_imports` for the unpickler (encoding
        defaults to "utf-8", as in PyTorch; "latin1" reads Python 2 files).

    Returns:
      The saved object, with functorch_like Tensors (and nn.Parameters) in place of tensors.

    Raises:
      UnsafeCheckpointError: (a pickle.UnpicklingError) a weights-only load met a pickle
        global outside the allowlist, or a file written with allow_pickle=True; it names the
        global and the file.
      CheckpointError: (a RuntimeError) the file is truncated, corrupted or not a
        checkpoint; it names the file. Nothing is returned in either case. An empty file's
        is an EOFError too, and one that is neither a zip nor a pickle an UnpicklingError
        too, as PyTorch's errors for them are.
    """
    if weights_only is None:
        # torch: an explicit pickle_module means a full (unsafe) load was asked for
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    unknown = set(pickle_load_args) - set(_PICKLE_LOAD_ARGS)
    if unknown:
        raise TypeError(f"load() got unexpected keyword arguments {sorted(unknown)}")
    pickle_load_args.setdefault("encoding", "utf-8")
    placer = _arrays.Placer(map_location)
    filename = describe(f)
    with _opened(f) as fh:
        if mmap:
            _check_mmap(fh, f)
        try:
            return _load(fh, filename, placer, weights_only, pickle_module, pickle_load_args)
        except (CheckpointError, UnsafeCheckpointError):
            raise
        except _arrays.UserError as e:
            raise e.error from None
        except Exception as e:
            if isinstance(e, MemoryError) or (not weights_only and
                                              not isinstance(e, _FORMAT_ERRORS)):
                raise
            raise CheckpointError(filename, f"not a readable checkpoint (truncated or "
                                            f"corrupted?): {type(e).__name__}: {e}") from e


def get_unsafe_globals_in_checkpoint(f: FileLike) -> list[str]:
    """The "module.name" strings of the functions and classes a checkpoint's pickle names
    that a weights-only `load` would refuse (not allowlisted by default nor marked with
    `add_safe_globals`/`safe_globals`), read without unpickling anything, as torch's.

    PyTorch-parity note: the list is sorted (torch's comes from a set, in no set order).

    Raises:
      ValueError: `f` is not a zip checkpoint written by `save`/`torch.save`.
    """
    from ._serialization._globals_scan import unsafe_globals
    with _opened(f) as fh:
        return unsafe_globals(fh)


@contextlib.contextmanager
def _opened(f):
    if _atomic.is_path(f):
        with open(f, "rb") as fh:
            yield fh
        return
    if not hasattr(f, "read"):
        raise TypeError(f"f must be a path or a readable binary file object, got "
                        f"{type(f).__name__}")
    seekable = getattr(f, "seekable", None)
    yield f if seekable is not None and seekable() else io.BytesIO(f.read())


def _check_mmap(fh, f) -> None:
    """torch's refusals of mmap=True: for a file that is not a zip checkpoint, then for a
    file object (mmap maps a path)."""
    start = fh.tell()
    head = fh.read(2)
    fh.seek(start)
    if head != b"PK":
        where = f"{f}, " if isinstance(f, str) else ""       # (torch names a str path)
        raise RuntimeError("mmap can only be used with files saved with "
                           f"`torch.save({where}_use_new_zipfile_serialization=True), please "
                           "torch.save your checkpoint with this option in order to use mmap.")
    if not _atomic.is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")


def _load(fh, filename: str, placer, weights_only: bool, pickle_module, pickle_load_args):
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    if not head:
        raise EmptyCheckpointError(filename, "the file is empty")
    if head[:2] == b"PK":
        with zipfile.ZipFile(fh) as zf:
            if _native.is_native(zf):
                return _native.read(zf, filename, placer, weights_only, pickle_module,
                                    **pickle_load_args)
            prefix = _torch_format.find_prefix(zf)
            if prefix is None:
                raise CheckpointError(filename, "a zip archive that is neither a "
                                                "functorch_like nor a PyTorch checkpoint")
            return _torch_format.read_zip(zf, prefix, filename, placer, weights_only,
                                          **pickle_load_args)
    if head[0] == pickle.PROTO[0]:
        return _torch_format.read_pickle_stream(fh, filename, placer, weights_only,
                                                **pickle_load_args)
    raise NotACheckpointError(filename, "not a checkpoint: neither a zip archive (functorch_like "
                                    "or PyTorch format) nor a pickle (PyTorch's legacy "
                                    "format)")
