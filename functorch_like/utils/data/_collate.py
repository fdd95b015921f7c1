"""Collation: turning a list of samples into a batch, as torch.utils.data's collate.py.

`default_collate` walks the structure of the first sample and stacks the leaves along a
new dim 0: Tensors with `stack`, numpy arrays on the host with `np.stack` (one transfer to
the device per batch instead of one per sample), Python numbers into a new tensor (floats
-> float64, ints -> int64, bools -> bool, as PyTorch). Strings and bytes stay as they are.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any

import numpy as np

from ... import _dtypes
from ..._factories import as_tensor, tensor
from ..._ops_shape import stack
from ..._tensor import Tensor

# numpy dtypes that cannot become tensors: bytes, str, object (PyTorch's pattern).
_np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)

CollateFnMap = dict  # {type or tuple of types: fn(batch, *, collate_fn_map)}


def collate(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Collates `batch` (a sequence of samples) by the type of its first sample.

    Leaf types are looked up in `collate_fn_map` (exact type first, then `isinstance` in
    insertion order); mappings, namedtuples and sequences are collated field by field.

    Args:
        batch: a non-empty sequence of samples of the same structure.
        collate_fn_map: leaf type -> function(batch, *, collate_fn_map).

    Returns:
        The batch, with PyTorch's output types (a tuple sample gives a list).
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    def sub(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        fields = {key: sub([d[key] for d in batch]) for key in elem}
        return _like_mapping(elem, fields)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return elem_type(*(sub(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [sub(samples) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed               # PyTorch: tuples become lists
        return _like_sequence(elem, transposed)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Stacks tensors along a new dim 0 (PyTorch's error when their shapes differ)."""
    del collate_fn_map
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Stacks numpy arrays on the host, then makes one tensor of the array's dtype."""
    del collate_fn_map
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    if any(b.shape != elem.shape for b in batch):
        return stack([as_tensor(b) for b in batch], 0)    # raises stack's shape error
    return as_tensor(np.stack(batch, 0))


def collate_numpy_scalar_fn(batch, *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """numpy scalars keep their numpy dtype (np.float32 -> float32, np.int32 -> int32)."""
    del collate_fn_map
    return as_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Python floats -> float64, as PyTorch (stored as float32 while JAX's x64 is off)."""
    del collate_fn_map
    return tensor(list(batch), dtype=_dtypes.float64)


def collate_int_fn(batch, *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    """Python ints -> int64 and bools -> bool (a float later in the batch -> float)."""
    del collate_fn_map
    return tensor(list(batch))


def collate_str_fn(batch, *, collate_fn_map: CollateFnMap | None = None):
    """Strings and bytes are left as they are."""
    del collate_fn_map
    return batch


default_collate_fn_map: CollateFnMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch) -> Any:
    """Puts a list of samples into a batch with a new outer dim of size `len(batch)`.

    Tensor -> Tensor stacked along dim 0; numpy array / numpy scalar -> Tensor; float ->
    float64 Tensor; int -> int64 Tensor; bool -> bool Tensor; str/bytes -> unchanged;
    Mapping -> the same mapping of collated values; namedtuple -> the same namedtuple of
    collated fields; other sequences (tuples included) -> a list of collated fields.

    Example:
        >>> default_collate([(0, "a"), (1, "b")])
        [tensor([0, 1]), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data) -> Any:
    """Converts numpy arrays and scalars (at any depth) to Tensors, without batching.

    The collate function that DataLoader uses when automatic batching is off
    (`batch_size=None`). Tensors and other objects are returned as they are.
    """
    if isinstance(data, Tensor):
        return data
    elem_type = type(data)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        return _like_mapping(data, fields)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        return _like_sequence(data, converted)
    return data


def _like_mapping(proto, fields: dict):
    """`fields` in `proto`'s mapping type (OrderedDict, a custom class...), as torch's
    collate keeps it: a copy updated in place, or the type called on a dict; a plain dict
    when the type cannot be built that way."""
    try:
        if isinstance(proto, collections.abc.MutableMapping):
            clone = copy.copy(proto)
            clone.update(fields)
            return clone
        return type(proto)(fields)
    except TypeError:
        return fields


def _like_sequence(proto, items: list):
    """`items` in `proto`'s sequence type, as _like_mapping does for mappings."""
    try:
        if isinstance(proto, collections.abc.MutableSequence):
            clone = copy.copy(proto)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(proto)(items)
    except TypeError:
        return items
