"""Ops that cut a tensor into pieces along a dim: split, chunk, tensor_split, unbind, their
unsafe_ variants, and narrow_copy (a copy, not a view).

Every piece is a view of the input (an in-place op on it writes through, see
_ops_shape._as_selection). Errors use PyTorch's texts.
"""

from __future__ import annotations

import jax.numpy as jnp

from . import _dtypes
from ._ops_shape import _as_selection, _f_narrow, narrow_args, squeeze
from ._tensor import Tensor, _wrap_dim, apply


def _f_slices(x, *, bounds, axis):
    lead = (slice(None),) * axis
    return tuple(x[lead + (slice(start, start + length),)] for start, length in bounds)


def _pieces(tensor, bounds: list, d: int, name: str, multi: str | None):
    """The slices (start, length) of dim d, as views, one graph node `name` for all;
    `multi` names the function for torch's in-place error on pieces of split/chunk (None:
    pieces may be modified, as tensor_split's and the unsafe_ variants')."""
    pieces = apply(_f_slices, name, tensor, bounds=tuple(bounds), axis=d)
    return tuple(_as_selection(piece, tensor, ("slice", d, start, length),
                               None if multi is None else (multi, i))
                 for i, (piece, (start, length)) in enumerate(zip(pieces, bounds)))


def _consecutive(sizes: list) -> list:
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return list(zip(starts, sizes))


def split(tensor, split_size_or_sections, dim: int = 0, *, _unsafe: bool = False):
    """Splits into chunks of `split_size` (the last may be smaller) or of the given sizes.
    (_unsafe: unsafe_split's pieces, which may be modified in place.)"""
    unsafe = "Unsafe" if _unsafe else ""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if not isinstance(split_size_or_sections, (int, list, tuple)) and not hasattr(
            split_size_or_sections, "__index__"):
        from ._argparse_names import argparse_typename
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be "
                        f"tuple of ints, not {argparse_typename(split_size_or_sections)}")
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError("split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        # (an empty dim is one empty piece)
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
        return _pieces(tensor, _consecutive(sizes), d, f"{unsafe}SplitBackward0",
                       None if _unsafe else "Split")
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                           f"(input tensor's size at dimension {d}), but got "
                           f"split_sizes={sizes}")
    return _pieces(tensor, _consecutive(sizes), d, f"{unsafe}SplitWithSizesBackward0",
                   None if _unsafe else "SplitWithSizes")


def chunk(input, chunks: int, dim: int = 0, *, _unsafe: bool = False):
    """Splits into at most `chunks` pieces of ceil(n / chunks) elements; an empty dim gives
    `chunks` empty pieces (as torch, which keeps the count when every piece is empty)."""
    from ._dim_args import check_int_arg
    chunks = check_int_arg("chunk", "chunks", chunks, 1, Tensor)
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input.shape[_wrap_dim(dim, input.ndim)]
    if n == 0:
        return split(input, [0] * chunks, dim, _unsafe=_unsafe)
    return split(input, -(-n // chunks), dim, _unsafe=_unsafe)


def unsafe_split(tensor, split_size, dim: int = 0):
    """split's pieces, which share the input's data as split's do but may be modified in
    place (torch's unsafe_split: its autograd does not track them as views; here an
    in-place change of one reaches the input's graph as a view's does)."""
    return split(tensor, split_size, dim, _unsafe=True)


def unsafe_split_with_sizes(tensor, split_sizes, dim: int = 0):
    """split_with_sizes' pieces that may be modified in place (see unsafe_split)."""
    return split(tensor, [int(s) for s in split_sizes], dim, _unsafe=True)


def unsafe_chunk(input, chunks: int, dim: int = 0):
    """chunk's pieces that may be modified in place (see unsafe_split)."""
    return chunk(input, chunks, dim, _unsafe=True)


def narrow_copy(input, dim: int, start: int, length: int):
    """narrow's elements as a new tensor, not a view.

    PyTorch parity: a dim past the last raises torch's internal check's RuntimeError, as
    torch's narrow_copy does (narrow raises IndexError). torch 2.13's gradient of a
    negative `start` fails; here it is narrow's."""
    if int(dim) >= max(input.ndim, 1):
        raise RuntimeError("Expected dim < static_cast<int64_t>(self_sizes.size()) to be "
                           "true, but got false.  (Could this error message be improved?  "
                           "If so, please report an enhancement request to PyTorch.)")
    d, start, length = narrow_args(input, dim, start, length)
    return apply(_f_narrow, "NarrowCopyBackward0", input, axis=d, start=start,
                 length=length)


def _tensor_argument(indices: Tensor):
    """A tensor `indices_or_sections`: its int (0-d) or list of ints (1-d)."""
    if indices.dtype != _dtypes.int64:
        raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                           f"of long, but got {_dtypes.scalar_type_name(indices.dtype)}")
    if indices.ndim > 1:
        raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                           "zero-dimensional or one-dimensional tensor, but got a tensor "
                           f"with {indices.ndim} dims")
    return indices.tolist()


def tensor_split(input, indices_or_sections, dim: int = 0):
    """Pieces of `dim`: `sections` near-equal ones (the first n % sections one longer), or
    the pieces between the given indices.

    Indices cut as Python slices do, `input[i:j]` along dim for each consecutive pair
    (0 first, the size last): negative ones count from the end, ones past the end clamp to
    it, and an index smaller than the one before gives an empty piece while the next piece
    starts again from it (torch: `tensor_split(arange(6), [3, 1])` is [0:3], [3:1], [1:6]).
    """
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = _tensor_argument(indices_or_sections)
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        bounds = _consecutive([n // k + (1 if i < n % k else 0) for i in range(k)])
    else:
        cuts = [0] + [int(i) for i in indices_or_sections] + [n]
        bounds = []
        for a, b in zip(cuts[:-1], cuts[1:]):
            start, stop, _ = slice(a, b).indices(n)
            bounds.append((start, max(stop - start, 0)))
    # torch lets these pieces be modified in place (multi=None)
    return _pieces(input, bounds, d, "SliceBackward0", None)


def _f_unbind(x, *, axis):
    return tuple(jnp.moveaxis(x, axis, 0))


def unbind(input, dim: int = 0):
    """The slices along `dim`, as a tuple."""
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] == 1:
        return (squeeze(input, d),)
    pieces = apply(_f_unbind, "UnbindBackward0", input, axis=d)
    return tuple(_as_selection(piece, input, ("select", d, i), ("Unbind", i))
                 for i, piece in enumerate(pieces))
