"""torch.backends.cudnn: plain flags (XLA picks its GPU kernels itself) and availability.

PyTorch parity: `benchmark`, `deterministic`, `enabled` and `allow_tf32` are recorded,
not acted on: XLA autotunes its GPU convolutions on its own, and its determinism is the
XLA flag described in functorch_like/_runtime.py.
"""

from __future__ import annotations

import contextlib

from .._device import cuda_is_available

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether cuDNN can be used: JAX has a GPU backend (its CUDA build ships cuDNN)."""
    return cuda_is_available()


def version() -> int | None:
    """cuDNN's version as PyTorch encodes it (e.g. 90100), or None without a GPU."""
    if not is_available():
        return None
    try:
        from jax._src.lib import cuda_versions
        return cuda_versions.cudnn_get_version() if cuda_versions is not None else None
    except (ImportError, AttributeError):
        return None


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True):
    """Sets the flags inside a `with` block and restores them after."""
    module = globals()
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    saved = {n: module[n] for n in names}
    module.update(zip(names, (enabled, benchmark, benchmark_limit, deterministic,
                              allow_tf32)))
    try:
        yield
    finally:
        module.update(saved)
