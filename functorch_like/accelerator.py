"""torch.accelerator: the device-agnostic accelerator API of PyTorch's tutorials
(`device = torch.accelerator.current_accelerator() if torch.accelerator.is_available()
else "cpu"`).

The accelerator here is the GPU JAX finds (as `functorch_like.cuda`), so the calls go to
`functorch_like.cuda`. PyTorch parity: without one, `is_available()` is False,
`current_accelerator()` None, `device_count()` 0, and everything that needs a device
raises torch's RuntimeError.
"""

from __future__ import annotations

import contextlib
import warnings

from . import cuda as _cuda
from ._device import device as _device

__all__ = ["current_accelerator", "current_device_idx", "current_device_index",
           "current_stream", "device_count", "device_index", "empty_cache", "is_available",
           "max_memory_allocated", "max_memory_reserved", "memory_allocated",
           "memory_reserved", "memory_stats", "reset_peak_memory_stats", "set_device_idx",
           "set_device_index", "synchronize"]

_NONE_AVAILABLE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """Whether an accelerator (a GPU JAX can use) is there."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False) -> _device | None:
    """`device("cuda")` when a GPU is there, else None."""
    del check_available      # (either way None without one, as torch's)
    return _device("cuda") if is_available() else None


def device_count() -> int:
    return _cuda.device_count() if is_available() else 0


def _cuda_or_raise():
    if not is_available():
        raise RuntimeError(_NONE_AVAILABLE)
    return _cuda


def current_device_index() -> int:
    return _cuda_or_raise().current_device()


def current_device_idx() -> int:
    """Deprecated name of current_device_index."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_index(device, /) -> None:
    _cuda_or_raise().set_device(device)


def set_device_idx(device, /) -> None:
    """Deprecated name of set_device_index."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


@contextlib.contextmanager
def device_index(device, /):
    """Selects device `device` inside (None: changes nothing, with or without one)."""
    if device is None:
        yield
        return
    with _cuda_or_raise().device(device):
        yield


def synchronize(device=None, /) -> None:
    _cuda_or_raise().synchronize(device)


def current_stream(device=None, /):
    return _cuda_or_raise().current_stream(device)


def empty_cache() -> None:
    _cuda_or_raise().empty_cache()


def memory_allocated(device_index=None, /) -> int:
    return _cuda_or_raise().memory_allocated(device_index)


def max_memory_allocated(device_index=None, /) -> int:
    return _cuda_or_raise().max_memory_allocated(device_index)


def memory_reserved(device_index=None, /) -> int:
    return _cuda_or_raise().memory_reserved(device_index)


def max_memory_reserved(device_index=None, /) -> int:
    return _cuda_or_raise().max_memory_reserved(device_index)


def memory_stats(device_index=None, /):
    return _cuda_or_raise().memory_stats(device_index)


def reset_peak_memory_stats(device_index=None, /) -> None:
    _cuda_or_raise().reset_peak_memory_stats(device_index)
