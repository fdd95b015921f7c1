"""torch's top-level autocast state functions: set_autocast_enabled/set_autocast_dtype, and
the device-specific spellings torch deprecates (is_autocast_cpu_enabled,
get_autocast_gpu_dtype, ...: each warns DeprecationWarning with torch's message) and the
weight-cast cache switches (there is no cache here: they keep a flag only).
"""

from __future__ import annotations

import warnings

from .amp import autocast_mode as _amp

_cache = _amp.CACHE


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def set_autocast_enabled(*args) -> None:
    """set_autocast_enabled(device_type, enabled), or set_autocast_enabled(enabled) for
    "cuda" (torch's older form): turns autocast for the device on or off, outside any
    `with torch.autocast(...)` block."""
    if len(args) == 1:
        device_type, (enabled,) = "cuda", args
    elif len(args) == 2:
        device_type, enabled = args
    else:
        raise TypeError(f"set_autocast_enabled() takes 1 or 2 positional arguments but "
                        f"{len(args)} were given")
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position "
                        f"{len(args)}) must be bool, not {type(enabled).__name__}")
    _amp.set_autocast_enabled(device_type, enabled)


def set_autocast_dtype(device_type: str, dtype) -> None:
    """The dtype autocast for `device_type` uses where no `dtype=` is given."""
    _amp.set_autocast_dtype(device_type, dtype)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return _amp.is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled: bool) -> None:
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    _amp.set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return _amp.get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype) -> None:
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    _amp.set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return _amp.get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype) -> None:
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    _amp.set_autocast_dtype("cuda", dtype)


def is_autocast_cache_enabled() -> bool:
    """Whether autocast's weight-cast cache is on. There is no such cache here (the casts
    of a compiled step are fused by XLA): only the flag is kept."""
    return _cache["enabled"]


def set_autocast_cache_enabled(enabled: bool) -> None:
    _cache["enabled"] = bool(enabled)


def clear_autocast_cache() -> None:
    """Clears autocast's weight-cast cache: there is none here."""
