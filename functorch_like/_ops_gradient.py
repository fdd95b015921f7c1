"""torch.gradient (finite-difference derivatives along dims) and torch.unravel_index.

gradient is built from slices and arithmetic on Tensors, so its own gradient (to the input
and to coordinate spacings) comes from those ops.
"""

from __future__ import annotations

import builtins
import numbers

import jax.numpy as jnp

from . import _dtypes
from . import _ops_shape as S
from ._tensor import Tensor, _wrap_dim, apply


def _sl(x: Tensor, dim: int, start, stop=None) -> Tensor:
    return x[(slice(None),) * dim + (slice(start, stop),)]


def _uniform(f: Tensor, d: int, h, edge_order: int) -> Tensor:
    """Central differences inside, one-sided (first or second order) at the two ends."""
    center = (_sl(f, d, 2) - _sl(f, d, 0, -2)) / h / 2
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / h
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / h
    else:
        first = (-1.5 * _sl(f, d, 0, 1) + 2 * _sl(f, d, 1, 2) - 0.5 * _sl(f, d, 2, 3)) / h
        last = (0.5 * _sl(f, d, -3, -2) - 2 * _sl(f, d, -2, -1) + 1.5 * _sl(f, d, -1)) / h
    return S.cat([first, center, last], d)


def _coordinates(f: Tensor, d: int, x: Tensor, edge_order: int) -> Tensor:
    """numpy's second-order formula for unevenly spaced coordinates `x` (1-D) along d."""
    shape = [1] * f.ndim
    shape[d] = -1
    dx = x[1:] - x[:-1]
    dx1, dx2 = dx[:-1], dx[1:]
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _sl(f, d, 0, -2) + b * _sl(f, d, 1, -1) + c * _sl(f, d, 2)
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / dx[0]
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / dx[-1]
    else:
        h0, h1, g1, g2 = dx[0], dx[1], dx[-1], dx[-2]
        first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * _sl(f, d, 0, 1)
                 + (h0 + h1) / (h0 * h1) * _sl(f, d, 1, 2)
                 + (-h0) / (h1 * (h0 + h1)) * _sl(f, d, 2, 3))
        last = (g1 / (g2 * (g1 + g2)) * _sl(f, d, -3, -2)
                - (g1 + g2) / (g1 * g2) * _sl(f, d, -2, -1)
                + (2 * g1 + g2) / (g1 * (g1 + g2)) * _sl(f, d, -1))
    return S.cat([first, center, last], d)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """The derivative of `input` along each of `dim` (all dims when None), one tensor per
    dim, by central differences inside and one-sided differences of order `edge_order` at
    the ends.

    Args:
      spacing: a number (the step in every dim), a list of numbers (one step per dim), or a
        list of 1-D coordinate tensors (one per dim, unevenly spaced sample points).
      dim: an int or a list of ints.
      edge_order: 1 or 2.
    Returns:
      A tuple of tensors shaped like `input` (float even for integer input, as PyTorch).
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else \
        [dim] if isinstance(dim, builtins.int) else list(dim)
    wrapped = [_wrap_dim(d, input.ndim) for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if isinstance(spacing, Tensor):
        raise TypeError("gradient(): spacing must be a number or a tuple of numbers or "
                        "Tensors, not Tensor")
    if isinstance(spacing, numbers.Number):
        spacing = [spacing] * len(wrapped)
    spacing = list(spacing)
    if len(spacing) != len(wrapped):
        if dim is None:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, "
                               f"or a list of length equal to 'self.dim() = {input.ndim}', "
                               f"since dim argument was not given, but got a list of length "
                               f"{len(spacing)}")
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or "
                           f"it's spacing and dim arguments to have the same length, but got "
                           f"a spacing argument of length {len(spacing)} and a dim argument "
                           f"of length {len(wrapped)}.")
    for d in wrapped:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    if not (input.is_floating_point() or input.is_complex()):
        input = input.to(_dtypes.get_default_dtype())
    return tuple(_coordinates(input, d, h, edge_order) if isinstance(h, Tensor)
                 else _uniform(input, d, h, edge_order) for d, h in zip(wrapped, spacing))


def _f_unravel(idx, *, shape):
    out, stride = [], 1
    for size in reversed(shape):        # row-major: the last dim varies fastest
        out.append(jnp.remainder(jnp.floor_divide(idx, stride), size) if size else idx * 0)
        stride *= size
    return tuple(o.astype(_dtypes.int64.jax) for o in reversed(out))


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates (one int64 tensor per dim of `shape`, each shaped like `indices`) of
    flat row-major `indices` into a tensor of `shape`.

    Indices are taken modulo numel (-1 is the last element), as PyTorch's floor-division
    arithmetic does; there is no bounds check, as in PyTorch.
    """
    if indices.is_floating_point() or indices.is_complex() or indices.dtype == _dtypes.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, builtins.int) else tuple(builtins.int(s)
                                                                    for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    return tuple(apply(_f_unravel, "", indices, shape=shape))
