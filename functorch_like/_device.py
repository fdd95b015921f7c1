"""torch.device over JAX devices: "cpu" and "cuda"/"gpu" strings map to JAX platforms."""

from __future__ import annotations

import jax

# torch's error where a CPU-only build meets CUDA (also torch.cuda's: cuda/_state.py).
NOT_COMPILED = "Torch not compiled with CUDA enabled"
# torch's error where a device query meets a build with no accelerator (torch.accelerator,
# pin_memory).
NO_ACCELERATOR = "Cannot access accelerator device when none is available."

_ALIASES = {"cpu": "cpu", "cuda": "gpu", "gpu": "gpu", "tpu": "tpu", "mps": "gpu"}


class device:
    """`torch.device("cuda:0")`: a type and an optional index; compares like PyTorch."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        name, _, idx = str(type).partition(":")
        if name not in _ALIASES:
            raise RuntimeError(
                "Expected one of cpu, cuda, gpu, tpu device type at start of device string: "
                f"{type}")
        self.type = "cuda" if name in ("cuda", "gpu", "mps") else name
        self.index = int(idx) if idx else index

    def jax_device(self) -> jax.Device:
        """The JAX device this names (the first of its platform when no index is given)."""
        platform = _ALIASES[self.type]
        try:
            devices = jax.devices(platform)
        except RuntimeError:
            if self.type == "cuda":     # (torch's error on a machine without CUDA)
                raise AssertionError(NOT_COMPILED) from None
            raise RuntimeError(f"{self.type} device requested but JAX finds no {platform} "
                               "backend") from None
        return devices[self.index or 0]

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type,
                                                                           other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


def of_array(value) -> device:
    """The torch.device of a jax array (cpu for tracers and for CPU arrays)."""
    try:
        devs = value.devices()
    except Exception:   # tracers have no device
        return device("cpu")
    d = next(iter(devs))
    return device("cpu") if d.platform == "cpu" else device("cuda", d.id)


def cuda_is_available() -> bool:
    try:
        return len(jax.devices("gpu")) > 0
    except RuntimeError:
        return False
