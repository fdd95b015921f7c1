"""torch.cuda: CUDA is a JAX GPU backend here.

`is_available()` is True exactly when JAX finds a GPU. Without one, every function
answers as a CPU-only torch 2.13 build does: the queries that need a device
(`current_device`, `get_device_name`, `synchronize`, ...) raise
`AssertionError: Torch not compiled with CUDA enabled`; the counters and the seeding
functions return 0 / None quietly (see `memory` and `random` for their parity notes).
"""

from __future__ import annotations

from types import SimpleNamespace

import jax

from .._device import cuda_is_available as is_available
from . import _state
from . import amp as amp
from . import memory as memory
from . import random as random
from .memory import empty_cache as empty_cache
from .memory import max_memory_allocated as max_memory_allocated
from .memory import max_memory_reserved as max_memory_reserved
from .memory import mem_get_info as mem_get_info
from .memory import memory_allocated as memory_allocated
from .memory import memory_reserved as memory_reserved
from .memory import memory_stats as memory_stats
from .memory import memory_summary as memory_summary
from .memory import reset_max_memory_allocated as reset_max_memory_allocated
from .memory import reset_peak_memory_stats as reset_peak_memory_stats
from .random import get_rng_state as get_rng_state
from .random import get_rng_state_all as get_rng_state_all
from .random import initial_seed as initial_seed
from .random import manual_seed as manual_seed
from .random import manual_seed_all as manual_seed_all
from .random import seed as seed
from .random import seed_all as seed_all
from .random import set_rng_state as set_rng_state
from .random import set_rng_state_all as set_rng_state_all
from .streams import Event as Event
from .streams import Stream as Stream
from .streams import current_stream as current_stream
from .streams import default_stream as default_stream
from .streams import stream as stream


def device_count() -> int:
    return len(jax.devices("gpu")) if is_available() else 0


def is_initialized() -> bool:
    """JAX starts its GPU backend on first use; reported as initialized when present."""
    return is_available()


def init() -> None:
    _state.require()


def current_device() -> int:
    _state.require()
    return _state.current[0]


def set_device(device) -> None:
    """Selects the index `current_device()` and `device=None` queries answer for.

    PyTorch parity: a negative index is ignored, as torch's. Where new tensors go is the
    `device=` of each call (`.cuda()` is GPU 0 unless given an index). Without a GPU:
    the AssertionError (torch's CPU build fails here with an AttributeError of its
    internals)."""
    index = _state.index(device)
    if index < 0:
        return
    _state.require()
    _state.current[0] = index


def synchronize(device=None) -> None:
    """Waits until the GPU's queued work is done (every live array on it is ready)."""
    target = _state.jax_device(device)
    for array in jax.live_arrays():
        if target in array.devices():
            array.block_until_ready()


def get_device_name(device=None) -> str:
    return _state.jax_device(device).device_kind


def get_device_capability(device=None) -> tuple:
    cc = getattr(_state.jax_device(device), "compute_capability", "0.0")
    major, _, minor = str(cc).partition(".")
    return int(major), int(minor or 0)


def get_device_properties(device=None):
    """name, total_memory (XLA's allocator limit), major, minor, multi_processor_count."""
    d = _state.jax_device(device)
    major, minor = get_device_capability(device)
    total = int((d.memory_stats() or {}).get("bytes_limit", 0))
    return SimpleNamespace(name=d.device_kind, total_memory=total, major=major, minor=minor,
                           multi_processor_count=int(getattr(d, "core_count", 0)),
                           is_integrated=False, is_multi_gpu_board=False)


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """XLA computes bfloat16 on every GPU it supports (emulated below compute 8.0)."""
    if not is_available():
        return False
    return including_emulation or get_device_capability()[0] >= 8


def get_arch_list() -> list:
    """torch lists its build's kernels' archs; XLA compiles for the device it finds."""
    if not is_available():
        return []
    major, minor = get_device_capability()
    return [f"sm_{major}{minor}"]


class device:
    """`with torch.cuda.device(1):`: `current_device()` is 1 inside the block."""

    def __init__(self, device):
        self.idx = -1 if device is None else _state.index(device)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx >= 0 and is_available():
            self.prev_idx = _state.current[0]
            _state.current[0] = self.idx
        return self

    def __exit__(self, *exc) -> bool:
        if self.prev_idx >= 0:
            _state.current[0] = self.prev_idx
        return False


class device_of(device):
    """`torch.cuda.device(tensor's GPU)`; does nothing for a CPU tensor."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


__all__ = ["Event", "Stream", "amp", "current_device", "current_stream", "default_stream",
           "device", "device_count", "device_of", "empty_cache", "get_arch_list",
           "get_device_capability", "get_device_name", "get_device_properties",
           "get_rng_state", "get_rng_state_all", "init", "initial_seed",
           "is_available", "is_bf16_supported", "is_initialized", "manual_seed",
           "manual_seed_all", "max_memory_allocated", "max_memory_reserved",
           "mem_get_info", "memory", "memory_allocated", "memory_reserved",
           "memory_stats", "memory_summary", "random", "reset_max_memory_allocated",
           "reset_peak_memory_stats", "seed", "seed_all", "set_device", "set_rng_state",
           "set_rng_state_all", "stream", "synchronize"]
