"""More top-level factories: torch.scalar_tensor, torch.range (deprecated, inclusive end),
torch.frombuffer, torch.fill, and DLPack exchange (torch.from_dlpack / torch.to_dlpack)."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._factories import _finish, _number
from ._host import from_host
from ._ops_math import as_operand
from ._tensor import Tensor, apply


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """A 0-dim tensor holding the number `s`, of the default float dtype unless `dtype`
    says otherwise (an int or bool `s` still gives a float tensor, as PyTorch)."""
    del layout, pin_memory      # dense CPU/accelerator arrays only
    d = _dtypes.get_default_dtype() if dtype is None else dtype
    return _finish(from_host(np.asarray(_number(s)), _dtypes.to_jax(d)), None, device,
                   requires_grad)


_RANGE_WARNING = (
    "torch.range is deprecated and will be removed in a future release because its behavior "
    "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
    "values in [start, end).")


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False) -> Tensor:
    """Values from `start` to `end` *inclusive* by `step`, of the default float dtype
    unless `dtype` is given; warns that it is deprecated, as PyTorch. Shape (n,) with
    n = floor((end - start) / step) + 1."""
    del layout
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    if out is not None:
        raise NotImplementedError("range(): out= is not supported (JAX arrays are immutable)")
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int((end - start) // step) + 1
    d = _dtypes.get_default_dtype() if dtype is None else dtype
    values = start + np.arange(n, dtype=np.float64) * step
    return _finish(from_host(values, _dtypes.to_jax(d)), None, device, requires_grad)


def _f_fill(x, v):
    return jnp.full_like(x, v)


def fill(input: Tensor, value) -> Tensor:
    """A new tensor of `input`'s shape and dtype filled with `value` (a number or a 0-dim
    tensor, whose gradient is the sum of the output's; `input` gets a zero gradient)."""
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    return apply(_f_fill, "FillBackward0", input, as_operand(value))


def frombuffer(buffer, *, dtype, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-dim tensor of `count` elements of `dtype` read from a Python buffer (bytes,
    bytearray, memoryview, array.array) starting `offset` bytes in.

    PyTorch parity: PyTorch's tensor shares the buffer's memory; JAX arrays are immutable,
    so this one holds a copy and later writes to the buffer do not show. The non-writable
    buffer warning is therefore not raised.
    """
    np_dtype = np.dtype(dtype._np)
    size = np_dtype.itemsize
    n = memoryview(buffer).nbytes
    if n == 0 or count == 0:
        raise ValueError(f"both buffer length ({n}) and count ({count}) must not be 0")
    if not 0 <= offset < n:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({n} bytes) minus 1")
    if count < 0:
        if (n - offset) % size:
            raise ValueError(f"buffer length ({n - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({size})")
        count = (n - offset) // size
    elif offset + count * size > n:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({n} bytes)")
    arr = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=offset)
    return _finish(from_host(arr.copy()), None, None, requires_grad)


# ---- DLPack ---------------------------------------------------------------------------

class _Capsule:
    """Gives a bare (legacy) DLPack capsule the `__dlpack__` protocol JAX asks for; bare
    capsules carry no device, and the ones met in practice (torch.to_dlpack of a CPU
    tensor) are CPU memory."""

    def __init__(self, capsule):
        self._capsule = capsule

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return (1, 0)      # kDLCPU, device 0


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor over the memory of any DLPack exporter: a PyTorch tensor, a numpy or JAX
    array, one of our tensors, or a DLPack capsule.

    As in PyTorch the memory is shared where the backend allows it (CPU): later writes
    made through the exporter (e.g. the torch tensor) show in the result. PyTorch parity:
    the result is never a view that autograd tracks; it is a new leaf.
    """
    if isinstance(ext_tensor, Tensor):
        return Tensor._make(ext_tensor._value)
    if type(ext_tensor).__name__ == "PyCapsule":
        ext_tensor = _Capsule(ext_tensor)
    return Tensor._make(jax.dlpack.from_dlpack(ext_tensor))


def to_dlpack(tensor: Tensor):
    """A DLPack capsule of the tensor's memory (consume it once, e.g. with
    `torch.from_dlpack` of real PyTorch)."""
    if tensor.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return tensor._value.__dlpack__()


def _tensor_dlpack(self, *args, **kwargs):
    """Tensor.__dlpack__: lets PyTorch, numpy and JAX import our tensors."""
    if self.requires_grad:
        raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
    return self._value.__dlpack__(*args, **kwargs)


Tensor.__dlpack__ = _tensor_dlpack
Tensor.__dlpack_device__ = lambda self: self._value.__dlpack_device__()
