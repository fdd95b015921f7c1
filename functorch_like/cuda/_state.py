"""What torch.cuda's functions share: the JAX GPU devices and the "current" index.

CUDA here means a JAX GPU backend: without one, the functions that torch's CPU-only build
rejects raise its `AssertionError("Torch not compiled with CUDA enabled")`.
"""

from __future__ import annotations

import jax

from .._device import NOT_COMPILED, cuda_is_available, device as _device
current = [0]          # the index set_device chose (a list: rebinding-free state)


def require() -> None:
    """torch's lazy-init check: fails as a CPU-only torch build does."""
    if not cuda_is_available():
        raise AssertionError(NOT_COMPILED)


def index(device=None) -> int:
    """The GPU index that `device` (None, an int, "cuda:1", a torch.device) names."""
    if device is None:
        return current[0]
    if isinstance(device, int):
        return device
    d = _device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return current[0] if d.index is None else d.index


def jax_device(device=None) -> jax.Device:
    """The JAX GPU device for `device` (see index)."""
    require()
    return jax.devices("gpu")[index(device)]
