"""Tensor methods about layout and legacy construction: stride(), is_cpu, new(),
`in`. Strides are torch's (`_layout`): a view's follow from its base's."""

from __future__ import annotations

import builtins

import numpy as np

from . import _dtypes, _layout
from ._tensor import Size, Tensor, typename


def stride(self, dim=None):
    """torch's strides (a tuple, or one dim's): row-major for a tensor that is no view,
    and those torch's view ops give for a view (see _layout.strides)."""
    strides = _layout.strides(self)
    if dim is None:
        return strides
    if not -len(strides) <= dim < builtins.max(len(strides), 1):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-len(strides)}, {len(strides) - 1}], but got {dim})")
    return strides[dim]


def _options(dtype) -> str:
    """torch's TensorOptions text for a dtype (its mismatch error prints two)."""
    name = _dtypes.cpp_type_name(dtype)
    return (f"TensorOptions(dtype={name}, device=cpu, layout=Strided, requires_grad=false "
            "(default), pinned_memory=false (default), memory_format=(nullopt))")


def new(self, *args, **kwargs):
    """Legacy constructor: `t.new(2, 3)` (or a torch.Size, or a 0-d integer) an
    uninitialized (here zero) tensor of t's dtype and device; `t.new([1, 2])`, a tuple or
    a numpy array, one of the data in t's dtype; `t.new(other)` a tensor sharing other's
    data, which must have t's dtype; `t.new()` an empty one."""
    from . import _factories
    if len(args) == 1 and not isinstance(args[0], builtins.int):
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != self.dtype:
                raise TypeError(f"expected {_options(self.dtype)} (got {_options(data.dtype)})")
            return data.detach()
        if isinstance(data, np.ndarray) and data.ndim > 0 or isinstance(
                data, (list, tuple)) and not isinstance(data, Size):
            return _factories.tensor(data, dtype=self.dtype)
        if isinstance(data, Size):
            return _factories.zeros(*data, dtype=self.dtype)
        if not hasattr(data, "__index__") or isinstance(data, np.ndarray) and not \
                np.issubdtype(data.dtype, np.integer):
            raise TypeError(f"new(): data must be a sequence (got {typename(data)})")
        args = (builtins.int(data),)        # (a numpy integer: a size)
    return _factories.zeros(*(args or (0,)), dtype=self.dtype)


def contains(self, element) -> bool:
    """`element in t`: whether any entry equals it (a number or a tensor)."""
    if not isinstance(element, (Tensor, builtins.bool, builtins.int, builtins.float,
                                builtins.complex)):
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you "
                           f"passed in a {type(element)}.")
    return builtins.bool((self == element).any())


Tensor.stride = stride
Tensor.new = new
Tensor.__contains__ = contains
Tensor.is_cpu = property(lambda self: self.device.type == "cpu")
