"""torch.device over JAX devices: "cpu" and "cuda"/"gpu" strings map to JAX platforms."""

from __future__ import annotations

import threading

import jax

# torch's error where a CPU-only build meets CUDA (also torch.cuda's: cuda/_state.py).
NOT_COMPILED = "Torch not compiled with CUDA enabled"
# torch's error where a device query meets a build with no accelerator (torch.accelerator,
# pin_memory).
NO_ACCELERATOR = "Cannot access accelerator device when none is available."

# The JAX platform of each device type this library runs on; "gpu"/"tpu" are accepted as
# JAX's names for the same (torch itself refuses them).
_ALIASES = {"cpu": "cpu", "cuda": "gpu", "gpu": "gpu", "tpu": "tpu"}
# Every device type torch.device accepts (torch 2.13's list, in its order): such a device
# can be named and compared, and fails only when a tensor is to be put on it.
_TORCH_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


class device:
    """`torch.device("cuda:0")`: a type and an optional index; compares like PyTorch."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        name, colon, idx = str(type).partition(":")
        if name not in _ALIASES and name not in _TORCH_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TORCH_TYPES)} device type at "
                               f"start of device string: {type}")
        if colon and not idx.isdigit():
            raise RuntimeError(f"Invalid device string: '{type}'")
        self.type = "cuda" if name == "gpu" else name
        self.index = int(idx) if idx else index

    def jax_device(self) -> jax.Device:
        """The JAX device this names (the first of its platform when no index is given)."""
        platform = _ALIASES.get(self.type)
        if platform is None:
            raise _unsupported(self.type)
        try:
            devices = jax.devices(platform)
        except RuntimeError:
            if self.type == "cuda":     # (torch's error on a machine without CUDA)
                raise AssertionError(NOT_COMPILED) from None
            raise RuntimeError(f"{self.type} device requested but JAX finds no {platform} "
                               "backend") from None
        return devices[self.index or 0]

    def __enter__(self) -> "device":
        """`with torch.device("cuda"):` makes this the default device of the tensors made
        inside (jax.default_device, for this thread); nests, and restores on exit.

        PyTorch parity: a device JAX has no backend for (meta, or cuda without a GPU)
        raises here, where torch raises at the first tensor made inside."""
        placement = jax.default_device(self.jax_device())
        placement.__enter__()
        _entered.__dict__.setdefault("stack", []).append(placement)
        return self

    def __exit__(self, *exc) -> None:
        _entered.stack.pop().__exit__(*exc)

    def __eq__(self, other) -> bool:
        # A string is never equal, as in torch (`t.device == "cpu"` is False there).
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


# The jax.default_device contexts that `with device(...)` entered, innermost last.
_entered = threading.local()


def _unsupported(kind: str) -> Exception:
    """The error for a tensor put on a device type torch names but JAX does not run here:
    torch's CPU build's own where it has one."""
    if kind == "xpu":
        return AssertionError("Torch not compiled with XPU enabled")
    if kind in ("mps", "xla", "vulkan", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
                "maia", "ipu", "mkldnn"):
        return RuntimeError(f"PyTorch is not linked with support for {kind} devices")
    return NotImplementedError(f"functorch_like: tensors on the '{kind}' device are not "
                               "supported (it has no JAX backend)")


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
