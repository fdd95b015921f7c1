"""torch.backends.cuda: `is_built()` and the cuBLAS matmul flags."""

from __future__ import annotations

from .. import _runtime
from .._device import cuda_is_available


def is_built() -> bool:
    """Whether this JAX installation has a CUDA backend (a GPU plugin that found a GPU)."""
    return cuda_is_available()


class cuBLASModule:
    """`torch.backends.cuda.matmul`: `allow_tf32` is the float32 matmul precision ("high"
    when True, "highest" when False, as PyTorch); the reduced-precision-reduction flags
    are recorded (XLA chooses its own accumulation)."""

    def __init__(self):
        object.__setattr__(self, "_flags", {"allow_fp16_reduced_precision_reduction": True,
                                            "allow_bf16_reduced_precision_reduction": True})

    @property
    def allow_tf32(self) -> bool:
        return _runtime.get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _runtime.set_float32_matmul_precision("high" if value else "highest")

    def __getattr__(self, name):
        flags = object.__getattribute__(self, "_flags")
        if name in flags:
            return flags[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            object.__setattr__(self, name, value)
        elif name in self._flags:
            self._flags[name] = value
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = cuBLASModule()
