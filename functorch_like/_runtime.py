"""Runtime settings of the torch namespace: threads, determinism, float32 matmul precision.

PyTorch parity:
- Threads: XLA's CPU thread pool is sized once, when JAX starts, so `set_num_threads` /
  `set_num_interop_threads` record the number (and check it as PyTorch does) without
  resizing anything; the getters report the recorded number, by default the CPUs this
  process may run on.
- Determinism: XLA on CPU is deterministic already; on GPU it takes the flag
  `--xla_gpu_deterministic_ops` at start-up (XLA_FLAGS), which this cannot switch on
  later. `use_deterministic_algorithms` records the mode for code that asks.
- Matmul precision is JAX's `jax_default_matmul_precision`: "highest" is full float32,
  "high" TF32, "medium" bfloat16 passes. Until it is set, JAX's own default applies,
  reported as "highest" on CPU (where it is full float32) and "high" on GPU (where XLA may
  use TF32 for float32 matmuls; PyTorch's default there is "highest").
"""

from __future__ import annotations

import os
import warnings

import jax

_threads = {"intra": None, "interop": None}
_deterministic = {"mode": False, "warn_only": False}

_TO_JAX = {"highest": "float32", "high": "tensorfloat32", "medium": "bfloat16"}
_FROM_JAX = {"float32": "highest", "highest": "highest", "tensorfloat32": "high",
             "high": "high", "bfloat16_3x": "high", "bfloat16": "medium", "default": "medium"}


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # (not on Linux)
        return os.cpu_count() or 1


def get_num_threads() -> int:
    """The number of intra-op threads (recorded; by default this process's CPUs)."""
    return _threads["intra"] or _cpus()


def set_num_threads(int: int) -> None:     # noqa: A002  (PyTorch's argument name)
    """Records the intra-op thread count (XLA's pool is sized at start-up: no effect)."""
    if int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int


def get_num_interop_threads() -> int:
    """The number of inter-op threads (recorded; by default this process's CPUs)."""
    return _threads["interop"] or _cpus()


def set_num_interop_threads(int: int) -> None:     # noqa: A002
    """Records the inter-op thread count (no effect on XLA, see the module note)."""
    if int <= 0:
        raise RuntimeError("Expected positive number of threads")
    _threads["interop"] = int


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Records whether deterministic algorithms are required (XLA on CPU always is)."""
    if not isinstance(mode, bool):
        raise TypeError("_set_deterministic_algorithms(): argument 'mode' (position 1) must "
                        f"be bool, not {type(mode).__name__}")
    _deterministic["mode"], _deterministic["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn) or 2 (error), as set through use_deterministic_algorithms."""
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


def set_deterministic_debug_mode(debug_mode) -> None:
    """debug_mode: 0/"default", 1/"warn" or 2/"error"."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, "
                               f"`warn`, `error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_float32_matmul_precision() -> str:
    """"highest", "high" or "medium": JAX's default matmul precision in PyTorch's words."""
    current = jax.config.jax_default_matmul_precision
    if current is None:
        return "highest" if jax.default_backend() == "cpu" else "high"
    return _FROM_JAX.get(str(current), "highest")


def set_float32_matmul_precision(precision: str) -> None:
    """Sets JAX's default matmul precision: "highest" (float32), "high" (TF32) or
    "medium" (bfloat16). Another value warns and changes nothing, as PyTorch."""
    if precision not in _TO_JAX:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    jax.config.update("jax_default_matmul_precision", _TO_JAX[precision])
