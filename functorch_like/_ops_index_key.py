"""How PyTorch reads a Python index before indexing: a short list that holds sequences,
slices, tensors, None or Ellipsis is a tuple of indices, a bool scalar adds a dim, and
the items are checked left to right (`check_key`) before any index tensor is looked at.

`_ops_index._parse` calls these first, so `x[...]` and `x[...] = v` read the key alike.
"""

from __future__ import annotations

import builtins
import collections.abc
import operator
import warnings

import jax
import numpy as np

from . import _dtypes
from ._argparse_names import argparse_typename
from ._tensor import Tensor
from .pure._errors import is_concrete, user_stacklevel

_SEQUENCE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be "
    "changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will "
    "be interpreted as tensor index, x[torch.tensor(seq)], which will result either in an "
    "error or a different result")


def as_tuple(index) -> tuple:
    """The index as a tuple of per-dim items.

    PyTorch 2.13 keeps NumPy's old heuristic (`treatSequenceAsTuple`): a list shorter than
    32 items that holds a sequence, slice, tensor, None or Ellipsis is read as a tuple, with
    a deprecation warning, so `x[[[1, 0]]]` is `x[[1, 0]]` and `x[[[0, 1], [1, 0]]]` is
    `x[[0, 1], [1, 0]]`; any other list is one index tensor.
    """
    if isinstance(index, tuple):
        return index
    # (a str is a sequence of sequences to torch: `x['a']` is `x[('a',)]`, warned)
    if isinstance(index, (list, str)) and len(index) < 32 and builtins.any(
            isinstance(item, (list, tuple, np.ndarray, Tensor, slice, str)) or
            item is None or item is Ellipsis for item in index):
        warnings.warn(_SEQUENCE_WARNING, UserWarning, stacklevel=user_stacklevel())
        return tuple(index)
    return (index,)


def _bool_scalar(item):
    """True/False for a Python bool or a concrete 0-d bool tensor, else None."""
    if isinstance(item, builtins.bool):
        return item
    if isinstance(item, Tensor) and item.ndim == 0 and item.dtype == _dtypes.bool:
        return builtins.bool(item)
    return None


def _dims_taken(item) -> int:
    """How many dims of the indexed tensor an index item consumes (None/Ellipsis: 0)."""
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor):
        item = item._value
    elif isinstance(item, list):
        item = np.asarray(item)
    return item.ndim if getattr(item, "dtype", None) == np.bool_ else 1    # (a mask)


def expand_bool_scalars(shape: tuple, index: tuple):
    """(new shape, index) with each bool scalar made an index tensor on a new dim, or None.

    PyTorch reads `True` as "unsqueeze here, then index the new dim with [0]" and `False`
    as the same with an empty index, so `x[True]` has shape (1, *x.shape), `x[False]`
    (0, *x.shape), and the bools broadcast with other index tensors (`x[True, [0, 1]]`).
    The new dims all have size 1, so the caller reshapes the tensor to the new shape and
    indexes it with the returned index (None items become full slices of their new dims).
    """
    flags = [_bool_scalar(item) for item in index]
    if builtins.all(f is None for f in flags):
        return None
    taken = builtins.sum(_dims_taken(item) for item, f in zip(index, flags) if f is None)
    if taken > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    new_shape, new_index, dim = [], [], 0
    for item, flag in zip(index, flags):
        if flag is not None:
            new_shape.append(1)
            new_index.append(np.zeros(1 if flag else 0, _dtypes.int64.jax))
        elif item is None:
            new_shape.append(1)
            new_index.append(slice(None))
        elif item is Ellipsis:
            k = len(shape) - taken
            new_shape.extend(shape[dim:dim + k])
            new_index.append(Ellipsis)
            dim += k
        else:
            k = _dims_taken(item)
            new_shape.extend(shape[dim:dim + k])
            new_index.append(item)
            dim += k
    new_shape.extend(shape[dim:])             # dims after the last item (no Ellipsis)
    return tuple(new_shape), tuple(new_index)


def basic_entry(item, rest: int):
    """(spec entry, dims consumed) of None, `...` (standing for `rest` dims) or a slice;
    None for any other index item."""
    if item is None:
        return ("n",), 0
    if item is Ellipsis:
        return ("e",), rest
    if isinstance(item, slice):
        start, stop, step = (None if v is None else builtins.int(v)
                             for v in (item.start, item.stop, item.step))
        if step is not None and step <= 0:
            raise ValueError("step must be greater than zero")
        return ("s", start, stop, step), 1
    return None


_INVALID_ITEM = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                 "Variables are valid indices (got {})")


def _int_item(item):
    """The int an index item selects with (an int, a numpy integer, a 0-d integer tensor:
    torch applies these as `select`), None for any other item; "?" for a traced 0-d one."""
    if isinstance(item, (builtins.int, np.integer)) and not isinstance(item, builtins.bool):
        return builtins.int(item)
    if isinstance(item, Tensor) and item.ndim == 0 and item.dtype._np.kind in "iu":
        return builtins.int(item._value) if is_concrete(item._value) else "?"
    return None


def _sequence_index(item):
    """torch's `indexing_tensor_from_data` for a list, ndarray or str item: a bool array
    when the data are bools (a uint8 ndarray stays a byte mask), else int64, floats
    truncated (`x[[0., 1.]]` is `x[[0, 1]]`)."""
    if isinstance(item, str) or builtins.any(isinstance(v, str) for v in _leaves(item)):
        raise TypeError("new(): invalid data type 'str'")
    arr = np.asarray(item)
    if arr.dtype.kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if arr.dtype == np.bool_ or arr.dtype == np.uint8 and isinstance(item, np.ndarray):
        return arr
    if arr.dtype.kind == "c":
        raise TypeError("'complex' object cannot be interpreted as an integer")
    return arr.astype(np.int64) if arr.dtype.kind in "fiub" else arr


def _leaves(item):
    if isinstance(item, (list, tuple)):
        for v in item:
            yield from _leaves(v)
    else:
        yield item


def _adds_dim(item) -> bool:
    """None, a Python bool or a 0-d bool tensor: each inserts a dim of size 1."""
    return item is None or isinstance(item, builtins.bool) or (
        isinstance(item, Tensor) and item.ndim == 0 and item.dtype == _dtypes.bool)


def _mask_ndim(item) -> int:
    """The dims a bool (or byte) mask spans; 0 for an item that is not a mask."""
    dt = item.dtype._np if isinstance(item, Tensor) else getattr(item, "dtype", None)
    return item.ndim if dt is not None and (dt == np.bool_ or dt == np.uint8) else 0


def _specified(index) -> int:
    """torch's count_specified_dimensions: the dims the items name (a bool/byte tensor
    its ndim; None, Ellipsis and Python bools none; anything else one)."""
    count = 0
    for item in index:
        if isinstance(item, Tensor):
            # (a mask its ndim: a 0-d bool tensor names none, it adds a dim as True does)
            count += item.ndim if item.dtype._np in (np.bool_, np.uint8) else 1
        elif not (item is None or item is Ellipsis or isinstance(item, builtins.bool)):
            count += 1
    return count


def _slice_bounds(item: slice) -> None:
    """Python's TypeError for a slice bound that is not an index (`x[0:2:0.5]`)."""
    for v in (item.start, item.stop, item.step):
        if v is not None and not hasattr(v, "__index__"):
            raise TypeError("slice indices must be integers or None or have an __index__ "
                            "method")
        if v is not None:
            operator.index(v)       # (a float tensor raises torch's TypeError here)


def check_key(shape: tuple, index: tuple) -> tuple:
    """The index with torch's left-to-right checks done (torch's `applySlicing`), list /
    str items made index arrays, and several Ellipses written out as full slices.

    PyTorch parity: torch applies ints, slices, None and Ellipsis one by one, so an int
    out of range names its position in the key (`x[None, 5]`: "dimension 1"), a float or
    a str fails where it stands (`x[5, 1.5]` is the bounds error, `x[1.5, 5]` the float
    one), and each Ellipsis skips the unnamed dims (`x[..., ...]` is `x`). Index tensors
    are only checked afterwards, together (see _ops_index._parse).
    """
    ndim = len(shape)
    specified = _specified(index)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    rshape, dim, items, last_tensor = list(shape), 0, [], None
    for pos, item in enumerate(index):
        k = _int_item(item)
        if k is not None:
            size = rshape[dim] if dim < len(rshape) else 0
            if k != "?" and not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {pos} with size "
                                 f"{size}")
            del rshape[dim:dim + 1]
        elif item is Ellipsis:
            dim += ndim - specified
        elif _adds_dim(item):
            if dim > len(rshape):
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{-len(rshape) - 1}, {len(rshape)}], but got {dim})")
            rshape.insert(dim, 1)
            dim += 1
        elif isinstance(item, slice):
            _slice_bounds(item)
            dim += 1
        else:
            if isinstance(item, (collections.abc.Sequence, np.ndarray)):
                item = _sequence_index(item)
            elif not isinstance(item, (Tensor, jax.Array)):
                raise IndexError(_INVALID_ITEM.format(argparse_typename(item)))
            last_tensor = dim
            dim += _mask_ndim(item) or 1
        items.append(item)
    if last_tensor is not None and last_tensor >= len(rshape):
        raise IndexError(f"too many indices for tensor of dimension {len(rshape)} (got "
                         f"{last_tensor + 1})")
    if builtins.sum(item is Ellipsis for item in index) > 1:
        return _write_out_ellipses(tuple(items), ndim, ndim - specified)
    return tuple(items)


def _write_out_ellipses(index: tuple, ndim: int, rest: int) -> tuple:
    """Each Ellipsis as `rest` full slices, leaving out the slices past the last dim
    (torch's dim counter steps over them; check_key refused anything else there)."""
    out, dim = [], 0
    for item in index:
        for piece in [slice(None)] * rest if item is Ellipsis else [item]:
            if isinstance(piece, slice) and dim >= ndim:
                continue
            out.append(piece)
            dim += 0 if _adds_dim(piece) else _mask_ndim(piece) or 1
    return tuple(out)


def sliced_layout(shape: tuple, index: tuple):
    """(shape, dims): the shape of the tensor once torch has applied the ints, slices,
    None and bools of `index` (the tensor its index tensors then index, and whose shape
    its mask errors print), and the dim of it each item starts at. `index` has at most
    one Ellipsis (check_key wrote the others out)."""
    consumed = builtins.sum(0 if item is Ellipsis or _adds_dim(item) else
                            _mask_ndim(item) or 1 for item in index)
    rshape, dim, dims = list(shape), 0, []
    for item in index:
        dims.append(dim)
        if _int_item(item) is not None:
            del rshape[dim]
        elif item is Ellipsis:
            dim += len(shape) - consumed
        elif _adds_dim(item):
            rshape.insert(dim, 1)
            dim += 1
        elif isinstance(item, slice):
            bounds = (None if v is None else operator.index(v)
                      for v in (item.start, item.stop, item.step))
            rshape[dim] = len(range(*slice(*bounds).indices(rshape[dim])))
            dim += 1
        else:
            dim += _mask_ndim(item) or 1
    return tuple(rshape), dims
