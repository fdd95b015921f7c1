"""Tensor.resize_ and resize_as_: a new shape of any number of elements, as torch's.

PyTorch parity: growing fills the new elements with zeros (torch leaves them
uninitialized). A view (a `view`, `reshape`, index or slice result) or a tensor that
shares its data (`.data`, `detach()`) is resized only to its own number of elements:
torch re-points such a tensor into the shared storage, which has no counterpart here, so
another size raises RuntimeError.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from ._dim_lists import _int_like, check_int_list_arg, unpack
from ._ops_shape import reshape
from ._tensor import Tensor


def _size(args: tuple) -> tuple:
    """resize_'s `size`: ints, or one tuple/list/Size of them, with torch's TypeErrors."""
    if not args:
        raise TypeError('resize_() missing 1 required positional arguments: "size"')
    if len(args) > 1:
        if isinstance(args[0], (tuple, list)):
            raise TypeError(f"resize_() takes 1 positional argument but {len(args)} were "
                            "given")
        return unpack("resize_", "size", args, Tensor)
    if _int_like(args[0], Tensor):
        return (int(args[0]),)
    return check_int_list_arg("resize_", "size", args[0], 1, Tensor, sized=False)


def resize_(self, *sizes):
    """Gives the tensor the shape `sizes`: its first elements in row-major order, then
    zeros where it grows (see the module's parity note)."""
    shape = _size(sizes)
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if any(d < 0 for d in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    n, old = math.prod(shape), self.numel()
    if n == old:
        return self._set(reshape(self, shape), reshape=True)
    if "_view_of" in self.__dict__ or "_views" in self.__dict__ or self._aliases is not None:
        raise RuntimeError("resize_: a view, or a tensor that shares its data with another, "
                           f"keeps its number of elements here ({old}), not {n}")
    flat = self._value.reshape(-1)
    if n < old:
        flat = flat[:n]
    else:
        flat = jnp.concatenate([flat, jnp.zeros(n - old, flat.dtype)])
    self._value = flat.reshape(shape)
    self._version += 1
    return self


def resize_as_(self, the_template, memory_format=None):
    """resize_ to `the_template`'s shape."""
    return resize_(self, tuple(the_template.shape))
