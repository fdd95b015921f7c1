"""Tensor methods about memory placement and the dtype shorthands torch has and the
core lacks: pin_memory / is_pinned, share_memory_ / is_shared, get_device, the
is_mps / is_meta / ... flags, cfloat / cdouble / char.

PyTorch parity: JAX moves host arrays to a GPU without page-locked staging buffers, so
`pin_memory()` returns the tensor itself when a GPU is present (and raises torch's
RuntimeError without one, as a CPU-only torch does); `is_pinned()` is False. Tensors
cross process boundaries by pickling (torch.multiprocessing), so `share_memory_()` only
records the request for `is_shared()`.
"""

from __future__ import annotations

from . import _dtypes
from ._device import NO_ACCELERATOR, cuda_is_available
from ._tensor import Tensor


def pin_memory(self, device=None) -> Tensor:
    if not cuda_is_available():
        raise RuntimeError(NO_ACCELERATOR)
    return self


def is_pinned(self, device=None) -> bool:
    return False


def share_memory_(self) -> Tensor:
    self.__dict__["_shared"] = True
    return self


def is_shared(self) -> bool:
    return bool(self.__dict__.get("_shared", False))


def get_device(self) -> int:
    """-1 for a CPU tensor, else the index of its GPU (as torch.get_device)."""
    d = self.device
    return -1 if d.type == "cpu" else (d.index or 0)


Tensor.pin_memory = pin_memory
Tensor.is_pinned = is_pinned
Tensor.share_memory_ = share_memory_
Tensor.is_shared = is_shared
Tensor.get_device = get_device
for _flag in ("is_mps", "is_meta", "is_sparse", "is_sparse_csr", "is_quantized", "is_xpu",
              "is_mkldnn", "is_nested", "is_vulkan", "is_ipu", "is_xla", "is_mtia"):
    setattr(Tensor, _flag, property(lambda self: False, doc="Always False here (dense "
                                    "tensors on a CPU or a JAX GPU)."))
Tensor.cfloat = lambda self: self.to(_dtypes.complex64)
Tensor.cdouble = lambda self: self.to(_dtypes.complex128)
Tensor.char = lambda self: self.to(_dtypes.int8)
