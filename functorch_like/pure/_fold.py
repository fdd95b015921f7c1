"""unfold (im2col) and fold (col2im): sliding blocks of (N, C, H, W) as columns, and back.

Both are built from one strided slice per kernel offset, so they are exact (no
convolution with an identity kernel, whose precision depends on the backend) and each
is the other's transpose, which is what JAX's gradients of them are.
"""

from __future__ import annotations

import itertools

import jax.numpy as jnp

from ._conv import ntuple
from ._errors import ShapeError, shape_str
from ._types import Array

__all__ = ["unfold", "fold"]


def _geometry(spatial, kernel_size, dilation, padding, stride):
    k, d = ntuple(kernel_size, 2), ntuple(dilation, 2)
    p, s = ntuple(padding, 2), ntuple(stride, 2)
    if any(v <= 0 for v in k):
        raise ShapeError(f"kernel size should be greater than zero, but got kernel_height: "
                         f"{k[0]} kernel_width: {k[1]}")
    if any(v <= 0 for v in s):
        raise ShapeError(f"stride should be greater than zero, but got stride_height: {s[0]} "
                         f"stride_width: {s[1]}")
    if any(v <= 0 for v in d):
        raise ShapeError(f"dilation should be greater than zero, but got dilation_height: "
                         f"{d[0]} dilation_width: {d[1]}")
    if any(v < 0 for v in p):
        raise ShapeError(f"padding should be non-negative, but got pad_height: {p[0]} "
                         f"pad_width: {p[1]}")
    blocks = tuple((n + 2 * pi - di * (ki - 1) - 1) // si + 1
                   for n, ki, di, pi, si in zip(spatial, k, d, p, s))
    return k, d, p, s, blocks


def _offsets(k, d, s, blocks):
    """Per kernel offset (row-major, as PyTorch's column order), the slices of the padded
    plane that it sees across all blocks."""
    return [tuple(slice(o * di, o * di + (b - 1) * si + 1, si)
                  for o, di, si, b in zip(offset, d, s, blocks))
            for offset in itertools.product(range(k[0]), range(k[1]))]


def unfold(x: Array, kernel_size, dilation=1, padding=0, stride=1) -> Array:
    """(N, C, H, W) or (C, H, W) -> (N, C * kH * kW, L): each column holds one sliding
    block, L blocks in row-major order, the rows ordered (channel, kernel row, kernel col)."""
    if x.ndim not in (3, 4):
        raise ShapeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                         f"and other non-zero dimensions for input, but got: "
                         f"{shape_str(x.shape)}")
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    k, d, p, s, blocks = _geometry(x.shape[2:], kernel_size, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise ShapeError(
            f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={k}, "
            f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
            f"{blocks}, but its components must be at least one.")
    xp = jnp.pad(x, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    cols = jnp.stack([xp[(...,) + w] for w in _offsets(k, d, s, blocks)], axis=2)
    n, c = x.shape[:2]
    y = cols.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return y[0] if unbatched else y


def fold(x: Array, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Array:
    """(N, C * kH * kW, L) or (C * kH * kW, L) -> (N, C, *output_size): sums every column
    back into its block (overlaps add up), the inverse arrangement of unfold."""
    if x.ndim not in (2, 3):
        raise ShapeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                         "batch size and non-zero dimensions for input, but got: "
                         f"{shape_str(x.shape)}")
    unbatched = x.ndim == 2
    if unbatched:
        x = x[None]
    out = ntuple(output_size, 2)
    k, d, p, s, blocks = _geometry(out, kernel_size, dilation, padding, stride)
    if x.shape[1] % (k[0] * k[1]):
        raise ShapeError("Expected size of input's dimension 1 to be divisible by the product "
                         f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                         f"kernel_size={k}.")
    if blocks[0] * blocks[1] != x.shape[2]:
        raise ShapeError(
            f"Given output_size={out}, kernel_size={k}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated number"
            f" of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but "
            f"got input.size(2)={x.shape[2]}.")
    n = x.shape[0]
    c = x.shape[1] // (k[0] * k[1])
    cols = x.reshape((n, c, k[0] * k[1]) + blocks)
    y = jnp.zeros((n, c, out[0] + 2 * p[0], out[1] + 2 * p[1]), x.dtype)
    for j, w in enumerate(_offsets(k, d, s, blocks)):
        y = y.at[(...,) + w].add(cols[:, :, j])
    y = y[:, :, p[0]:p[0] + out[0], p[1]:p[1] + out[1]]
    return y[0] if unbatched else y
