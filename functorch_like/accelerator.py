"""torch.accelerator: the device-agnostic front of torch.cuda (the only accelerator here).

The official tutorials pick their device with it (`torch.accelerator.is_available()`,
`torch.accelerator.current_accelerator().type`). A JAX GPU backend is the accelerator;
without one, every query answers as a CPU-only torch 2.13 build does: `is_available()` is
False, `current_accelerator()` is None, `device_count()` is 0, and the functions that need a
device raise `RuntimeError: Cannot access accelerator device when none is available.`
"""

from __future__ import annotations

import contextlib
import warnings

from . import cuda as _cuda
from ._device import NO_ACCELERATOR
from ._device import device as _device


def _require() -> None:
    if not _cuda.is_available():
        raise RuntimeError(NO_ACCELERATOR)


def is_available() -> bool:
    """True when an accelerator (a GPU JAX can use) is present."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False) -> _device | None:
    """`device(type='cuda')` when a GPU backend exists, else None (torch's CPU build).

    Args:
        check_available: accepted for torch's signature; with a single accelerator kind,
            "compiled with" and "available at run time" are the same question here.
    """
    del check_available
    return _device("cuda") if _cuda.is_available() else None


def device_count() -> int:
    """How many GPUs; 0 without one (no error, as torch)."""
    return _cuda.device_count()


def current_device_index() -> int:
    """The index `set_device_index` selected (0 by default)."""
    _require()
    return _cuda.current_device()


def set_device_index(device, /) -> None:
    """Selects the accelerator index later queries answer for."""
    _require()
    _cuda.set_device(device)


@contextlib.contextmanager
def device_index(device: int | None, /):
    """`with torch.accelerator.device_index(i):`; None does nothing (as torch)."""
    if device is None:
        yield
        return
    _require()
    with _cuda.device(device):
        yield


def synchronize(device=None, /) -> None:
    """Waits for the accelerator's queued work."""
    _require()
    _cuda.synchronize(device)


def current_stream(device=None, /):
    _require()
    return _cuda.current_stream(device)


def empty_cache() -> None:
    _require()
    _cuda.empty_cache()


def _memory_query(name: str):
    """torch.accelerator.<name>(device_index=None): torch.cuda's, after the check that an
    accelerator exists."""
    def query(device_index=None, /):
        _require()
        return getattr(_cuda, name)(device_index)
    query.__name__ = query.__qualname__ = name
    query.__doc__ = f"torch.cuda.{name} of the accelerator (torch's error without one)."
    return query


memory_allocated = _memory_query("memory_allocated")
max_memory_allocated = _memory_query("max_memory_allocated")
memory_reserved = _memory_query("memory_reserved")
max_memory_reserved = _memory_query("max_memory_reserved")
memory_stats = _memory_query("memory_stats")
reset_peak_memory_stats = _memory_query("reset_peak_memory_stats")


def get_memory_info(device_index=None, /) -> tuple:
    """(free, total) bytes of the accelerator, as torch.cuda.mem_get_info."""
    _require()
    return _cuda.mem_get_info(device_index)


# torch keeps the older spellings as aliases.
def current_device_idx() -> int:
    """Deprecated name of current_device_index (torch's FutureWarning)."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device, /) -> None:
    """Deprecated name of set_device_index (torch's FutureWarning)."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "current_stream", "device_count", "device_index", "empty_cache",
           "get_memory_info", "is_available", "max_memory_allocated", "max_memory_reserved",
           "memory_allocated", "memory_reserved", "memory_stats", "reset_peak_memory_stats",
           "set_device_idx", "set_device_index", "synchronize"]
