"""torch.cuda.memory: allocator statistics from XLA's GPU allocator.

PyTorch parity: without a GPU these return torch's CPU-build answers (0, an empty
OrderedDict, None). With one, the numbers are XLA's BFC allocator's (`bytes_in_use`,
`peak_bytes_in_use`, its pool), which play the roles of torch's caching allocator's.
XLA keeps a single lifetime peak, so after `reset_peak_memory_stats()` the peak reported
is the lifetime one if it grew since the reset, else the larger of the in-use bytes then
and now (a lower bound of torch's). `empty_cache()` cannot return XLA's pool: a no-op.
"""

from __future__ import annotations

import collections

from .._device import cuda_is_available
from . import _state

_reset_at: dict = {}   # device index -> (lifetime peak, in use) when last reset


def _stats(device) -> dict:
    if not cuda_is_available():
        return {}
    return _state.jax_device(device).memory_stats() or {}


def empty_cache() -> None:
    """No-op: XLA's pool is not handed back to the driver (torch's is, unused blocks)."""


def memory_allocated(device=None) -> int:
    return int(_stats(device).get("bytes_in_use", 0))


def max_memory_allocated(device=None) -> int:
    stats = _stats(device)
    peak, now = int(stats.get("peak_bytes_in_use", 0)), int(stats.get("bytes_in_use", 0))
    reset = _reset_at.get(_state.index(device)) if stats else None
    if reset is None or peak > reset[0]:
        return peak
    return max(reset[1], now)


def memory_reserved(device=None) -> int:
    stats = _stats(device)
    return int(stats.get("pool_bytes", stats.get("bytes_reserved",
                                                 stats.get("bytes_in_use", 0))))


def max_memory_reserved(device=None) -> int:
    stats = _stats(device)
    return int(stats.get("peak_pool_bytes", stats.get("peak_bytes_reserved",
                                                      memory_reserved(device))))


def reset_peak_memory_stats(device=None) -> None:
    """Starts a new peak (see the module note). Without a GPU: torch's CPU build fails
    here too (with an AttributeError of its internals; the AssertionError here)."""
    _state.require()
    stats = _stats(device)
    _reset_at[_state.index(device)] = (int(stats.get("peak_bytes_in_use", 0)),
                                      int(stats.get("bytes_in_use", 0)))


reset_max_memory_allocated = reset_peak_memory_stats


def memory_stats(device=None) -> dict:
    """torch's flat keys for what XLA reports; an empty OrderedDict without a GPU."""
    if not cuda_is_available():
        return collections.OrderedDict()
    return collections.OrderedDict([
        ("allocated_bytes.all.current", memory_allocated(device)),
        ("allocated_bytes.all.peak", max_memory_allocated(device)),
        ("reserved_bytes.all.current", memory_reserved(device)),
        ("reserved_bytes.all.peak", max_memory_reserved(device)),
        ("num_alloc_retries", 0), ("num_ooms", 0)])


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes of the allocator's limit (XLA preallocates a share of the GPU)."""
    _state.require()
    stats = _stats(device)
    total = int(stats.get("bytes_limit", 0))
    return total - int(stats.get("bytes_in_use", 0)), total


def memory_summary(device=None, abbreviated: bool = False) -> str:
    """A short table of the numbers above (torch's is a long report)."""
    _state.require()
    rows = [(k, v) for k, v in memory_stats(device).items() if "bytes" in k]
    return "\n".join(f"{k:32s} {v:>16d}" for k, v in rows)
