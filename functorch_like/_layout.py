"""PyTorch's strides of a tensor, from its view record, and the layout rules that use them.

Each tensor here holds its own JAX array, so nothing is laid out in memory; but a PyTorch
program can see the layout: `x.t().is_contiguous()` is False, `x.t().contiguous()` is a
copy (writing to it leaves x alone), `x.t().reshape(-1)` is a copy where `x.reshape(-1)` is
a view, and `x.t().view(-1)` raises. So a view's strides are derived as torch's are: a
tensor that is no view is contiguous, and a view's strides follow from its base's through
the op that made it (`_tensor_views.mark_view`). Indexing, permutes, slices, diagonals
and expands are applied to a stand-in numpy array with the base's strides over one byte
(numpy's views compute the same strides, and nothing is read); reshapes use torch's
`computeStride`. All of it is shapes and strides: O(ndim) per view, cached on the view.
"""

from __future__ import annotations

import math

import numpy as np

_BYTE = np.zeros(1, np.uint8)


def contiguous_strides(shape) -> tuple:
    """Row-major strides of `shape`, in elements (a size-0 or size-1 dim counts as 1)."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def strides(t) -> tuple:
    """torch's `t.stride()`: the strides of its view record (see the module docstring).

    PyTorch-parity note: the stride of a size-1 dim can differ from torch's (torch keeps
    whatever the op gave it; nothing here depends on it), and a dtype view is laid out as
    torch's only where the element size is unchanged or the base is contiguous."""
    spec = t.__dict__.get("_view_of")
    if spec is None:
        source = aliased_view(t)
        if source is None:
            return contiguous_strides(t.shape)
        return strides(source)
    shape = tuple(t.shape)
    cached = t.__dict__.get("_strides")
    if cached is not None and cached[0] == shape:
        return cached[1]
    base, kind, info, _ = spec
    try:
        result = _view_strides(base, kind, info, shape)
    except (IndexError, TypeError, ValueError):
        result = None
    if result is None or len(result) != len(shape):
        result = contiguous_strides(shape)
    t.__dict__["_strides"] = (shape, result)
    return result


def is_contiguous(t) -> bool:
    """torch's `t.is_contiguous()`: row-major strides on every dim of size > 1."""
    if "_view_of" not in t.__dict__ and t._aliases is None:
        return True
    return strides_are_contiguous(tuple(t.shape), strides(t))


def strides_are_contiguous(shape: tuple, stride: tuple) -> bool:
    if math.prod(shape) == 0:
        return True
    expected = 1
    for size, s in zip(reversed(shape), reversed(stride)):
        if size != 1:
            if s != expected:
                return False
            expected *= size
    return True


def viewable(t, shape: tuple) -> bool:
    """Whether torch can view `t` in `shape` (else `t.view(shape)` raises and
    `t.reshape(shape)` copies): always for a contiguous tensor."""
    return is_contiguous(t) or compute_stride(tuple(t.shape), strides(t),
                                              tuple(shape)) is not None


def compute_stride(oldshape: tuple, oldstride: tuple, newshape: tuple) -> tuple | None:
    """torch's `at::detail::computeStride`: the strides that view a tensor of (oldshape,
    oldstride) as newshape, or None where one of the new dims would span two of the
    old, non-adjacent, chunks."""
    numel = math.prod(oldshape)
    if numel == 0:
        return tuple(oldstride) if oldshape == newshape else contiguous_strides(newshape)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1] if oldstride else 1
    tensor_numel = view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1
                             and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def aliased_view(t):
    """The live view whose storage `t` shares as its `.data`/`detach()` alias (same
    shape), if any: `t` is laid out as that view."""
    if t._aliases is None:
        return None
    for ref in t._aliases._members:
        m = ref()
        if m is not None and m is not t and m.__dict__.get("_view_of") is not None \
                and m.shape == t.shape:
            return m
    return None


def _stand_in(shape: tuple, stride: tuple) -> np.ndarray:
    """An array of `shape` with element strides `stride` over one byte: numpy's view ops
    on it give the strides torch's give, and nothing is ever read."""
    return np.lib.stride_tricks.as_strided(_BYTE, shape=shape, strides=stride)


def _view_strides(base, kind: str, info, shape: tuple) -> tuple | None:
    base_shape, base_strides = tuple(base.shape), strides(base)
    if kind == "reshape":
        return compute_stride(base_shape, base_strides, shape)
    if kind == "dtype":
        if np.dtype(info).itemsize == base.itemsize:
            return base_strides
        return None             # (contiguous: laid out from the first element)
    fake = _stand_in(base_shape, base_strides)
    if kind == "expand":
        out = np.broadcast_to(fake, shape)
    elif kind == "index":
        out = fake[info]
    else:
        from ._ops_shape import _f_selection
        out = _f_selection(fake, view=info)
    result = list(out.strides)
    # numpy gives a new size-1 dim (None in an index) stride 0; torch, as unsqueeze does,
    # the size times the stride of the dim after it.
    for d in range(len(result) - 1, -1, -1):
        if shape[d] == 1 and result[d] == 0:
            result[d] = shape[d + 1] * result[d + 1] if d + 1 < len(result) else 1
    return tuple(result)
