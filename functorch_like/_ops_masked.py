"""masked_fill and masked_select: the elements a bool mask picks, replaced or gathered.
(masked_scatter, which writes through a mask, is with the other writes in
_ops_index_write.py.)"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._ops_math import as_operand, broadcast_shape
from ._ops_search import concrete
from ._scalar_range import check_fits
from ._tensor import Tensor, apply
from .pure._errors import is_concrete


def _f_masked_fill(x, mask, value):
    return jnp.where(mask, jnp.asarray(value).astype(x.dtype), x)


def masked_fill(input, mask, value):
    """`value` where `mask` (bool, broadcastable) is True, else input.

    PyTorch parity: torch broadcasts (mask, input) before anything else ("The size of
    tensor a (2) must match the size of tensor b (3) ..." names the mask first), then
    applies masked_fill_'s checks to the broadcast copy."""
    broadcast_shape(mask, input)
    return _masked_fill(input, mask, value)


def masked_fill_(input, mask, value):
    """masked_fill's result for `input` to write back in place, with the in-place op's
    order of checks: the mask's dtype and the value's dims, then the broadcast of
    (input, mask), whose shape must be input's."""
    _check_fill_args(mask, value)
    shape = broadcast_shape(input, mask)
    if shape != tuple(input.shape):
        raise RuntimeError(f"output with shape {list(input.shape)} doesn't match the "
                           f"broadcast shape {list(shape)}")
    return _masked_fill(input, mask, value)


def _check_fill_args(mask, value) -> None:
    if mask.dtype != _dtypes.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_dtypes.cpp_type_name(mask.dtype)}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")


def _masked_fill(input, mask, value):
    _check_fill_args(mask, value)
    if isinstance(value, Tensor):
        # (torch fills with a 0-d tensor's item(), converted as a number would be; only
        # an integer input needs the host read)
        if is_concrete(value._value) and not (input.is_floating_point() or
                                              input.is_complex() or value.is_complex()
                                              or input.dtype == _dtypes.bool):
            check_fits(value.item(), input.dtype)
    else:
        check_fits(value, input.dtype)
    name = "MaskedFillBackward0" if not isinstance(value, Tensor) else "MaskedFillBackward1"
    return apply(_f_masked_fill, name, input, mask, as_operand(value))


def _f_masked_select(x, positions, *, shape):
    return jnp.broadcast_to(x, shape).reshape(-1)[positions]


def masked_select(input, mask):
    """The elements of `input` where `mask` is True, as a 1-D tensor; input and mask
    broadcast to their common shape first (so an element can be picked more than once, and
    its gradient sums over those picks)."""
    if not isinstance(mask, Tensor) or mask.dtype != _dtypes.bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shape(mask, input)      # (in this order for torch's error text)
    picked = np.flatnonzero(np.broadcast_to(concrete(mask, "masked_select"), shape))
    return apply(_f_masked_select, "MaskedSelectBackward0", input,
                 jnp.asarray(picked, _dtypes.int64.jax), shape=shape)
