"""max_unpool: the partial inverse of max pooling (values back at their argmax positions)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from ._conv import ntuple
from ._errors import OutOfBoundsError, ShapeError, check_values, first_where, shape_str
from ._types import Array

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d", "unpool_output_size"]


class _InvalidIndexError(OutOfBoundsError, RuntimeError):
    """An index outside the output plane (PyTorch raises RuntimeError)."""


def unpool_output_size(input_shape, kernel_size, stride, padding, output_size, nd: int):
    """The spatial output size: (in - 1) * stride + kernel - 2 * padding per dim, or
    `output_size` (spatial, or with N and C in front) within one stride of it."""
    k = ntuple(kernel_size, nd)
    s = k if stride is None else ntuple(stride, nd)
    p = ntuple(padding, nd)
    default = [(n - 1) * si + ki - 2 * pi
               for n, ki, si, pi in zip(input_shape[-nd:], k, s, p)]
    if output_size is None:
        return tuple(default)
    given = output_size
    if len(given) == nd + 2:
        given = given[2:]
    if len(given) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(given)}'")
    for i in range(nd):
        low, high = default[i] - s[i], default[i] + s[i]
        if not low < given[i] < high:
            raise ValueError(f'invalid output_size "{given}" (dim {i} must be between {low} '
                             f"and {high})")
    return tuple(int(n) for n in given)


def _max_unpool(x, indices, nd, kernel_size, stride, padding, output_size):
    if x.shape != indices.shape:
        raise ShapeError(f"Expected shape of indices to be same as that of the input tensor "
                         f"({shape_str(x.shape)}) but got indices tensor with shape: "
                         f"{shape_str(indices.shape)}")
    out = unpool_output_size(x.shape, kernel_size, stride, padding, output_size, nd)
    plane = 1
    for n in out:
        plane *= n
    lead = x.shape[:-nd]
    flat_x = x.reshape(lead + (-1,))
    flat_i = indices.reshape(lead + (-1,))
    size_text = "x".join(str(n) for n in out)

    def invalid():
        bad = (flat_i < 0) | (flat_i >= plane)
        return bad, first_where(bad, flat_i)
    check_values((flat_i,), invalid,
                 lambda first: _InvalidIndexError(f"Found an invalid max index: {int(first)} "
                                                  f"(output volumes are of size {size_text})"))
    rows = flat_x.reshape(-1, flat_x.shape[-1])
    cols = flat_i.reshape(-1, flat_i.shape[-1])
    return _place(rows, cols, plane).reshape(lead + out)


@functools.partial(jax.custom_jvp, nondiff_argnums=(2,))
def _place(rows, cols, plane: int):
    """Row r of the result: zeros of length `plane` with rows[r, j] at cols[r, j].
    Out-of-range columns (possible only under tracing, where they cannot be checked) are
    dropped rather than written somewhere else."""
    result = jnp.zeros((rows.shape[0], plane), rows.dtype)
    return result.at[jnp.arange(rows.shape[0])[:, None], cols].set(rows, mode="drop")


@_place.defjvp
def _place_jvp(plane, primals, tangents):
    # PyTorch's gradient: every value gets the output gradient at its index, also when
    # two windows chose the same maximum (a set-scatter would credit only one of them).
    rows, cols = primals
    d_rows = tangents[0]
    d_out = jnp.zeros((rows.shape[0], plane), d_rows.dtype)
    d_out = d_out.at[jnp.arange(rows.shape[0])[:, None], cols].add(d_rows, mode="drop")
    return _place(rows, cols, plane), d_out


def max_unpool1d(x: Array, indices: Array, kernel_size, stride=None, padding=0,
                 output_size=None) -> Array:
    """(N, C, L) pooled values and their max_pool1d indices -> (N, C, L_out) zeros with each
    value at its index; L_out = (L - 1) * stride + kernel_size - 2 * padding by default."""
    return _max_unpool(x, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(x: Array, indices: Array, kernel_size, stride=None, padding=0,
                 output_size=None) -> Array:
    """(N, C, H, W) pooled values and their max_pool2d indices -> (N, C, H_out, W_out) zeros
    with each value at its flat index h * W_out + w."""
    return _max_unpool(x, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(x: Array, indices: Array, kernel_size, stride=None, padding=0,
                 output_size=None) -> Array:
    """(N, C, D, H, W) pooled values and their max_pool3d indices -> (N, C, D_out, H_out,
    W_out) zeros with each value at its flat index (d * H_out + h) * W_out + w."""
    return _max_unpool(x, indices, 3, kernel_size, stride, padding, output_size)
