"""More shape helpers: unfold (sliding windows), ravel, split_with_sizes, hsplit/vsplit/
dsplit, sum_to_size, diag_embed/diagflat, and the predicates is_same_size, is_signed,
is_nonzero, is_floating_point, is_complex."""

from __future__ import annotations

import builtins

import jax.numpy as jnp

from . import _dtypes
from . import _ops_reduce as R
from . import _ops_shape as S
from . import _ops_split as SP
from ._tensor import Tensor, _wrap_dim, apply


def _f_unfold(x, *, axis, size, step):
    if x.ndim == 0:
        return x.reshape(1)
    return S._f_selection(x, view=("unfold", axis, size, step))


def unfold(input, dimension: int, size: int, step: int):
    """All windows of `size` elements along `dimension`, `step` apart: that dim becomes the
    number of windows, (n - size) // step + 1, and a new last dim of `size` holds each one.

    Windows that do not overlap (step >= size) are a view of `input`: an in-place change
    of them reaches it, as in PyTorch.

    PyTorch parity: overlapping windows (step < size) are a copy: an in-place change of
    them does not reach `input` (in PyTorch they share its memory, each element several
    times).
    """
    d = _wrap_dim(dimension, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    out = apply(_f_unfold, "UnfoldBackward0", input, axis=d, size=builtins.int(size),
                step=builtins.int(step))
    if input.ndim and step >= size:
        S._as_selection(out, input, ("unfold", d, builtins.int(size), builtins.int(step)))
    return out


def ravel(input):
    """The elements as a 1-D tensor (a view)."""
    return S.reshape(input, -1)


def split_with_sizes(input, split_sizes, dim: int = 0):
    """Consecutive pieces of the given sizes along `dim` (they must add up to its size)."""
    return SP.split(input, list(split_sizes), dim)


def _directional_split(name: str, min_dims: int, input, sections):
    if input.ndim < min_dims:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                           f"dimension, but got a tensor with {input.ndim} dimensions!")
    d = {"hsplit": 1 if input.ndim > 1 else 0, "vsplit": 0, "dsplit": 2}[name]
    if isinstance(sections, builtins.int):
        if sections == 0 or input.shape[d] % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the "
                               f"size of the dimension {input.shape[d]} is not divisible by "
                               f"the split_size {sections}!")
    return SP.tensor_split(input, sections, d)


def hsplit(input, indices_or_sections):
    """Splits along dim 1 (dim 0 for a 1-D input) into equal sections or at indices."""
    return _directional_split("hsplit", 1, input, indices_or_sections)


def vsplit(input, indices_or_sections):
    """Splits along dim 0 (inputs of at least 2 dims)."""
    return _directional_split("vsplit", 2, input, indices_or_sections)


def dsplit(input, indices_or_sections):
    """Splits along dim 2 (inputs of at least 3 dims)."""
    return _directional_split("dsplit", 3, input, indices_or_sections)


def sum_to_size(input, *size):
    """Sums `input` down to `size`, a shape that broadcasts (expands) to input's shape."""
    target = S._sizes(size, "sum_to_size")
    n = len(target)
    lead = input.ndim - n
    if lead < 0 or any(t != s and t != 1 for t, s in zip(target, input.shape[lead:])):
        raise RuntimeError(f"size {{{list(target)}}} is not expandable to size "
                           f"{{{list(input.shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + k for k, (t, s) in
                                      enumerate(zip(target, input.shape[lead:]))
                                      if t == 1 and s != 1)
    if not dims:
        return input
    out = R.sum(input, dims, keepdim=True)
    return S.reshape(out, target) if lead else out


def _f_diag_embed(x, *, offset, dim1, dim2):
    m = x.shape[-1]
    n = m + abs(offset)
    rows = jnp.arange(m) + builtins.max(-offset, 0)
    cols = jnp.arange(m) + builtins.max(offset, 0)
    out = jnp.zeros(x.shape[:-1] + (n, n), x.dtype).at[..., rows, cols].set(x)
    return jnp.moveaxis(out, (-2, -1), (dim1, dim2))


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Tensors whose (dim1, dim2) diagonals (at `offset`) hold input's last dim: the output
    has one more dim, of size n + |offset| in both dim1 and dim2."""
    a1, a2 = _wrap_dim(dim1, input.ndim + 1), _wrap_dim(dim2, input.ndim + 1)
    if a1 == a2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    x = input if input.ndim else input.reshape(1)
    return apply(_f_diag_embed, "DiagEmbedBackward0", x, offset=builtins.int(offset),
                 dim1=a1, dim2=a2)


def diagflat(input, offset: int = 0):
    """A 2-D tensor with the flattened input on its `offset` diagonal."""
    return diag_embed(input.reshape(-1), offset)


def is_same_size(input, other) -> bool:
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input) -> bool:
    """True except for bool and uint8."""
    return input.dtype not in (_dtypes.bool, _dtypes.uint8)


def is_nonzero(input) -> bool:
    """The truth value of a one-element tensor."""
    n = input.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0
                           else "Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input.item() != 0)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()
