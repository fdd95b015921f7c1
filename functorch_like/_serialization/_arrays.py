"""Tensors to arrays and back: logical dtypes, map_location and device placement.

Files keep a tensor's *logical* dtype (the one `tensor.dtype` reports). While JAX's x64 mode
is off, JAX stores int64/float64/complex128 as their 32-bit types, so an int64 tensor is
written as int64 (PyTorch's layout) and read back into int32 storage that still reports
`torch.int64`; with x64 on every dtype round-trips exactly.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from .. import _dtypes
from .._device import device
from .._tensor import Tensor
from ..nn.parameter import Buffer, Parameter

BFLOAT16 = np.dtype(ml_dtypes.bfloat16)

# The Tensor classes a file can name; any other Tensor subclass needs pickling.
CLASSES = {"Tensor": Tensor, "Parameter": Parameter, "Buffer": Buffer}
CLASS_NAMES = {cls: name for name, cls in CLASSES.items()}


# Storage types a Tensor can hold without a torch dtype to report (the generator state
# from get_rng_state() is uint32): kept under their numpy names.
_EXTRA = ("uint16", "uint32", "uint64")


def logical_dtype(name: str) -> np.dtype:
    """The numpy dtype of a torch dtype name ("int64" -> int64, "bfloat16" -> bfloat16)."""
    if name in _dtypes._NAMES:
        return _dtypes._NAMES[name]._np
    if name in _EXTRA:
        return np.dtype(name)
    raise ValueError(f"unknown dtype {name!r}")


def dtype_name(t: Tensor) -> str:
    """The logical dtype's name: what `t.dtype` reports, else the numpy storage name."""
    try:
        return t.dtype.name
    except TypeError:
        name = np.dtype(t._value.dtype).name
        if name not in _EXTRA:
            raise
        return name


def to_numpy(t: Tensor) -> np.ndarray:
    """A host copy of the tensor's value in its logical dtype (int64 for int32 storage
    that reports int64)."""
    value = t._value
    if isinstance(value, jax.core.Tracer):
        raise TypeError("cannot save a traced Tensor (inside functorch_like.compile, jax.jit "
                        "or jax.grad); save outside the traced function")
    arr = np.asarray(value)
    want = logical_dtype(dtype_name(t))
    return arr if arr.dtype == want else arr.astype(want)


class UserError(Exception):
    """Carries an exception raised by the user's map_location, so that load() re-raises it
    as it is instead of reporting a damaged file."""

    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


class StorageStub:
    """What a callable `map_location(storage, location)` receives in place of PyTorch's
    CPU storage: returning `storage` keeps it on the CPU, `storage.cuda(i)` or
    `storage.to(device)` moves it."""

    def __init__(self, location: str = "cpu"):
        self.device = device(location)

    def cpu(self) -> "StorageStub":
        return StorageStub("cpu")

    def cuda(self, device_index=None, non_blocking: bool = False) -> "StorageStub":
        return StorageStub("cuda" if device_index is None else str(device("cuda",
                                                                           device_index)))

    def to(self, target, non_blocking: bool = False) -> "StorageStub":
        return StorageStub(str(device(target)))


class Placer:
    """Maps saved locations ("cpu", "cuda:0") through `map_location` to JAX devices.

    PyTorch's rules: None restores the saved location; a str or torch.device sends
    everything there; a dict maps saved location strings to new ones (others stay); a
    callable gets `(storage, location)` and returns a storage, a device, or None (restore
    the saved location). A device JAX cannot provide (a GPU on a CPU-only machine) falls
    back to the CPU.
    """

    def __init__(self, map_location):
        if map_location is not None and not isinstance(map_location, (str, device, dict)) \
                and not callable(map_location):
            raise TypeError("map_location should be a str, torch.device, dict or callable, "
                            f"got {type(map_location).__name__}")
        if isinstance(map_location, (str, device)):
            device(map_location)      # a mistyped device raises now, as in PyTorch
        self.map_location = map_location
        self._cache: dict = {}

    def location(self, saved: str) -> str:
        m = self.map_location
        if m is None:
            return saved
        if isinstance(m, (str, device)):
            return str(m)
        if isinstance(m, dict):
            for key, value in m.items():
                if str(key) == saved:
                    try:
                        return str(device(value))
                    except Exception as e:
                        raise UserError(e) from e
            return saved
        try:
            result = m(StorageStub(), saved)
            if result is None:
                return saved
            if isinstance(result, StorageStub):
                return str(result.device)
            if isinstance(result, (str, device)):
                return str(device(result))
            raise TypeError("a map_location callable must return a storage, a device or "
                            f"None, got {type(result).__name__}")
        except Exception as e:
            raise UserError(e) from e

    def jax_device(self, saved: str):
        """The JAX device for a saved location; None for the default device (so the array
        stays uncommitted, as freshly created tensors are)."""
        target = self.location(saved)
        if target not in self._cache:
            try:
                dev = device(target).jax_device()
            # (a CUDA location without a GPU here: AssertionError, as torch's)
            except (RuntimeError, AssertionError, IndexError, ValueError):
                dev = jax.devices("cpu")[0]
            self._cache[target] = None if dev == jax.devices()[0] else dev
        return self._cache[target]


def make_tensor(arr: np.ndarray, placer: Placer, location: str = "cpu", *,
                requires_grad: bool = False, cls: type = Tensor, name: str = "") -> Tensor:
    """A Tensor (or Parameter/Buffer) holding `arr`, stored as JAX stores its dtype, on
    the device `location` maps to."""
    store = jax.dtypes.canonicalize_dtype(arr.dtype)
    if store != arr.dtype:
        if arr.dtype.kind in "iu" and arr.size:
            info = np.iinfo(store)
            if arr.min() < info.min or arr.max() > info.max:
                # (as torch.tensor(2**40) here: no value is lost without a word)
                raise RuntimeError(
                    f"{name or 'a tensor'}: int64 values outside the int32 range cannot be "
                    "stored while JAX's x64 mode is off; enable it (jax.config.update("
                    "'jax_enable_x64', True) or JAX_ENABLE_X64=1) before loading")
        arr = arr.astype(store)
    dev = placer.jax_device(location)
    value = jnp.asarray(arr) if dev is None else jax.device_put(arr, dev)
    t = cls._make(value)
    if requires_grad:
        t.requires_grad_(True)
    if cls is Buffer:
        t.persistent = True
    return t
