"""How PyTorch reads a Python index before indexing: a short list that holds sequences,
slices, tensors, None or Ellipsis is a tuple of indices, and a bool scalar adds a dim.

`_ops_index._parse` calls these first, so `x[...]` and `x[...] = v` read the key alike.
"""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from . import _dtypes
from ._tensor import Tensor
from .pure._errors import user_stacklevel

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
    if isinstance(index, list) and len(index) < 32 and builtins.any(
            isinstance(item, (list, tuple, np.ndarray, Tensor, slice)) or item is None or
            item is Ellipsis for item in index):
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
