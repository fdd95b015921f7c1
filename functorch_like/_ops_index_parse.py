"""Reading an index key into a spec for `x[...]` / `x[...] = v`, with PyTorch's checks in
PyTorch's order (see `_parse`).

Index arguments are split into a hashable description (ints, slices, None, Ellipsis) and
integer index arrays that travel as values. Boolean masks become integer indices while
their values are concrete (their count decides the result's shape).
"""

from __future__ import annotations

import builtins
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._host import from_host
from ._ops_index_key import (as_tuple, basic_entry, check_key, expand_bool_scalars,
                             sliced_layout)
from ._ops_index_mask import TracedMask
from ._tensor import Tensor
from .pure._errors import is_concrete, user_stacklevel


def _index_array(x):
    if isinstance(x, Tensor):
        return x._value
    if isinstance(x, np.ndarray):
        return from_host(x)      # (the caller may write to its array; backward keeps it)
    return jnp.asarray(x)


def _held_int(item):
    """A 0-d integer tensor as the int it holds, as torch reads one in an index (a select,
    also beside index tensors: `x[torch.tensor(1), :, [0, 1]]` is x[1][:, [0, 1]]); a
    uint8 one is a mask, and a traced one stays an index tensor, as in torch's tracing."""
    if isinstance(item, Tensor) and item.ndim == 0:
        value = item._value
        if jnp.issubdtype(value.dtype, jnp.integer) and value.dtype != jnp.uint8 \
                and is_concrete(value):
            return builtins.int(value)
    return item


def _check_0d_key(key) -> None:
    """torch's own errors for a bare int or slice indexing a 0-d tensor (in a tuple, or
    for other keys, the general "too many indices"): index 0 is "invalid", any other int
    out of bounds of a size-0 dim."""
    if isinstance(key, (builtins.int, np.integer)) and not isinstance(key, builtins.bool):
        if key != 0:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size 0")
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if isinstance(key, slice):
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")


def _parse(shape, index, fill=False):
    """(spec, arrays): spec items are ('i', k) ints, ('s', start, stop, step),
    ('n',) None, ('e',) Ellipsis, ('a', j) the j-th index array; a spec that starts with
    ('r', shape) indexes the tensor reshaped to `shape` (bool scalars' new dims).

    PyTorch parity: the order of torch's checks is kept: the items left to right
    (check_key), then the index tensors' dtypes, the masks' shapes, the broadcast of the
    index tensors, and last their bounds. `fill`: a write of one value, which torch
    tries as a masked_fill_ first, checking a leading mask's shape before the dtypes."""
    if not shape and not isinstance(index, tuple):
        _check_0d_key(index)
    index = check_key(tuple(shape), tuple(map(_held_int, as_tuple(index))))
    if any(_is_byte(x) for x in index):
        # A byte tensor index is a mask, as in PyTorch (where it is deprecated).
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                      "dtype torch.bool instead.", UserWarning, stacklevel=user_stacklevel())
        index = tuple(Tensor._make(_index_array(x).astype(jnp.bool_)) if _is_byte(x) else x
                      for x in index)
    expanded = expand_bool_scalars(tuple(shape), index)
    if expanded is not None:
        spec, arrays = _parse(*expanded, fill=fill)
        return (("r", expanded[0]),) + spec, arrays
    consuming = 0
    for item in index:
        if item is None or item is Ellipsis:
            continue
        arr_like = isinstance(item, (Tensor, np.ndarray, list, jax.Array))
        if arr_like:
            a = _index_array(item)
            consuming += a.ndim if a.dtype == jnp.bool_ else 1
        else:
            consuming += 1
    if consuming > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    layout = sliced_layout(tuple(shape), index)
    if fill:
        _check_leading_mask(index, layout)
    _check_index_dtypes(index)
    spec, arrays, dim, bounds = [], [], 0, []
    for pos, item in enumerate(index):
        basic = basic_entry(item, len(shape) - consuming)
        if basic is not None:
            spec.append(basic[0])
            dim += basic[1]
        elif isinstance(item, (builtins.int, np.integer)) and not isinstance(item, builtins.bool):
            spec.append(("i", builtins.int(item)))     # (check_key checked its bounds)
            dim += 1
        else:
            a = _index_array(item)
            if a.dtype == jnp.bool_:
                if not is_concrete(a):
                    # (x[mask] and x[mask] = v route this to _ops_index_mask)
                    raise TracedMask("boolean mask indexing needs concrete mask values (its "
                                     "count decides the result's shape); use torch.where "
                                     "inside traced code (functorch_like.compile, jax.jit)")
                _check_mask_shape(a.shape, layout[0], layout[1][pos])
                for idx in np.nonzero(np.asarray(a)):
                    spec.append(("a", len(arrays)))
                    arrays.append(jnp.asarray(idx, _dtypes.int64.jax))
                dim += a.ndim
                continue
            bounds.append((len(arrays), a, shape[dim]))
            spec.append(("a", len(arrays)))
            arrays.append(a)
            dim += 1
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                         "with shapes " + ", ".join(str(list(a.shape)) for a in arrays)) \
            from None
    for position, a, size in bounds:
        _check_index_bounds(a, size, position)
    return tuple(spec), arrays


def _is_byte(item) -> bool:
    """A uint8 tensor (or ndarray) index: a mask to torch (deprecated)."""
    if isinstance(item, Tensor):
        return item._value.dtype == jnp.uint8
    return isinstance(item, np.ndarray) and item.dtype == np.uint8


def _check_index_dtypes(index) -> None:
    """torch's first check of the index tensors, all of them before any mask or bound:
    long, int (int32), byte or bool only (a 0-d integer tensor was an int, check_key)."""
    for item in index:
        if isinstance(item, (Tensor, jax.Array)) and not (
                isinstance(item, Tensor) and item.ndim == 0 and item.dtype._np.kind in "iu"):
            dtype = _index_array(item).dtype
            if dtype not in (jnp.int64, jnp.int32, jnp.bool_):
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")


def _check_mask_shape(mask_shape, shape, dim) -> None:
    """torch's error for a mask whose shape differs from the dims it covers (`shape`: the
    tensor after the ints, slices and None were applied, see sliced_layout)."""
    for k, (m, s) in enumerate(zip(mask_shape, shape[dim:dim + len(mask_shape)])):
        if m != s:
            raise IndexError(f"The shape of the mask {list(mask_shape)} at index {k} does "
                             f"not match the shape of the indexed tensor {list(shape)} at "
                             f"index {dim + k}")


def _check_leading_mask(index, layout) -> None:
    """torch's masked_fill_ dispatch of a one-value write checks the first index tensor's
    shape when it is a mask, before any dtype check."""
    for pos, item in enumerate(index):
        if isinstance(item, (Tensor, np.ndarray, jax.Array)) and not (
                isinstance(item, Tensor) and item.ndim == 0 and item.dtype._np.kind in "iu"):
            if _index_array(item).dtype == jnp.bool_:
                _check_mask_shape(tuple(item.shape), layout[0], layout[1][pos])
            return


def _check_index_bounds(a, size, position) -> None:
    """A concrete index tensor's values lie in [-size, size). PyTorch names the index
    tensor's position among the index tensors (ints were applied as selections first),
    not the dim it indexes."""
    if is_concrete(a) and a.size:
        lo, hi = builtins.int(jnp.min(a)), builtins.int(jnp.max(a))
        if lo < -size or hi >= size:
            bad = hi if hi >= size else lo
            raise IndexError(f"index {bad} is out of bounds for dimension {position} with "
                             f"size {size}")
