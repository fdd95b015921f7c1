"""Fractional max pooling (Graham, "Fractional Max-Pooling"): windows of a fixed size at
pseudo-random, increasing starts drawn from one uniform sample per plane and dimension."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._types import Array

__all__ = ["fractional_max_pool", "interval_starts"]


def interval_starts(sample: Array, input_size: int, output_size: int,
                    pool_size: int) -> Array:
    """PyTorch's `generate_intervals`: window starts (..., output_size) for samples (...).

    start[i] = int((i + u) * alpha) - int(u * alpha), alpha = (in - pool) / (out - 1), in
    the sample's dtype; the last window always ends at the input's end."""
    # (with one output there are no starts to compute: the divisor is then unused)
    alpha = (jnp.asarray(input_size - pool_size, sample.dtype)
             / jnp.asarray(max(output_size - 1, 1), sample.dtype))
    i = jnp.arange(output_size - 1, dtype=sample.dtype)
    u = sample[..., None]
    # C++'s static_cast<int> truncates; the values are non-negative, so it is a floor
    starts = ((i + u) * alpha).astype(jnp.int32) - (u * alpha).astype(jnp.int32)
    last = jnp.full(sample.shape + (1,), input_size - pool_size, jnp.int32)
    return jnp.concatenate([starts, last], axis=-1)


def fractional_max_pool(x: Array, samples: Array, kernel_size: tuple[int, ...],
                        output_size: tuple[int, ...]) -> tuple[Array, Array]:
    """Max over the windows chosen by `samples`, and each maximum's flat position.

    Args:
      x: (N, C, *spatial) with d = len(kernel_size) spatial dims (2 or 3).
      samples: (N, C, d) in [0, 1): PyTorch's `_random_samples`. Its last axis lists the
        dims as torch reads them: for 2-D (W, H), for 3-D (T, H, W).
      kernel_size, output_size: d ints each.
    Returns:
      values (N, C, *output_size) and indices (same shape; position in the flattened
      spatial plane, e.g. h * W + w), int64 (int32 unless x64 is on).

    PyTorch parity: on ties the first maximum in window order wins, as in torch; the
    caller checks sizes (torch's messages live in the facade).
    """
    nd = len(kernel_size)
    spatial = x.shape[2:]
    order = (1, 0) if nd == 2 else (0, 1, 2)        # which sample column drives each dim
    # Per dim: the positions (N, C, out_d, k_d) each window covers.
    positions = []
    for dim in range(nd):
        starts = interval_starts(samples[..., order[dim]].astype(x.dtype), spatial[dim],
                                 output_size[dim], kernel_size[dim])
        positions.append(starts[..., None] + jnp.arange(kernel_size[dim], dtype=jnp.int32))
    # Flat index of every (output position, window offset): broadcast the per-dim
    # positions against each other, weighted by the strides of the spatial plane.
    flat = jnp.zeros(x.shape[:2] + (1,) * (2 * nd), jnp.int32)
    stride = 1
    for dim in reversed(range(nd)):
        shape = [1] * (2 * nd)
        shape[dim], shape[nd + dim] = output_size[dim], kernel_size[dim]
        flat = flat + stride * positions[dim].reshape(x.shape[:2] + tuple(shape))
        stride *= spatial[dim]
    windows = flat.reshape(x.shape[:2] + tuple(output_size) + (-1,))
    plane = x.reshape(x.shape[:2] + (-1,))
    values = jnp.take_along_axis(plane, windows.reshape(x.shape[:2] + (-1,)), axis=2)
    values = values.reshape(windows.shape)
    first = jnp.argmax(values, axis=-1)[..., None]       # first maximum in window order
    index_dtype = jax.dtypes.canonicalize_dtype(jnp.int64)
    out = jnp.take_along_axis(values, first, axis=-1)[..., 0]
    idx = jnp.take_along_axis(windows, first, axis=-1)[..., 0].astype(index_dtype)
    return out, idx
