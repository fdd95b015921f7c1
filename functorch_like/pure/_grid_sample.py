"""Spatial transformers: affine_grid and grid_sample (PyTorch's grid_sampler), 2-D and 3-D.

Grids hold normalized coordinates in [-1, 1], ordered (x, y[, z]), i.e. the last spatial
dim first. Sampling gathers the neighbours of each source point and mixes them with
(tri/bi)linear, nearest or bicubic weights; JAX differentiates both the values (a gather)
and the coordinates (the weights).
"""

from __future__ import annotations

import itertools

import jax.numpy as jnp
import numpy as np

from ._errors import DTypeError, ShapeError, shape_str
from ._linspace import linspace_values
from ._types import Array

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75            # PyTorch's (and OpenCV's) bicubic convolution coefficient


def _base_coords(size: int, align_corners: bool, dtype):
    """torch's base grid along one dim: its linspace(-1, 1) bit for bit (symmetric steps
    from both ends, where jnp.linspace's differ by an ulp), times (size - 1), over size
    (two roundings) without align_corners. An ulp matters: a grid point on a pixel centre
    decides which side bilinear's gradient takes."""
    if size <= 1:
        return jnp.zeros((size,), dtype)
    target = np.dtype(dtype)
    coords = linspace_values(-1.0, 1.0, size, target)
    if not align_corners:
        # (float16/bfloat16: each op computes in float32 and rounds, as torch's)
        compute = np.float64 if target == np.float64 else np.float32
        scaled = (coords.astype(compute) * compute(size - 1)).astype(target)
        coords = (scaled.astype(compute) / compute(size)).astype(target)
    return jnp.asarray(coords)


def affine_grid(theta: Array, size, align_corners: bool = False) -> Array:
    """The sampling grid of a batch of affine transforms.

    Args:
      theta: (N, 2, 3) for a 4-D `size` (N, C, H, W), or (N, 3, 4) for a 5-D one.
      size: the output size, whose spatial dims the grid covers.
      align_corners: whether -1 and 1 are the centres (True) or outer edges of the corner
        pixels.

    Returns:
      (N, H, W, 2) or (N, D, H, W, 3) grid of (x, y[, z]) source coordinates.
    """
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    nd = len(size) - 2
    if theta.ndim != 3 or theta.shape[1:] != (nd, nd + 1) or theta.shape[0] != size[0]:
        raise ShapeError(f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} "
                         f"for size {size}. Got torch.Size({shape_str(theta.shape)}).")
    # (x, y[, z], 1) at every output point; x varies along the last dim.
    axes = [_base_coords(n, align_corners, theta.dtype) for n in reversed(size[2:])]
    mesh = jnp.meshgrid(*axes[::-1], indexing="ij")[::-1]           # x, y, z order
    # Each output coordinate summed in torch's bmm order, one product at a time (x * t0 +
    # y * t1 [+ z * t2]) + t_last, each op rounded: an einsum's dot rounds differently.
    # (float16/bfloat16 accumulate in float32 and round once, as torch's CPU bmm)
    low = theta.dtype in (jnp.float16, jnp.bfloat16)
    t = theta.astype(jnp.float32) if low else theta
    mesh = [m.astype(t.dtype) for m in mesh]
    pad = (slice(None),) + (None,) * nd
    columns = [sum(mesh[k][None] * t[pad + (j, k)] for k in range(nd))
               + t[pad + (j, nd)] for j in range(nd)]
    return jnp.stack(columns, axis=-1).astype(theta.dtype)


def _unnormalize(coord, size: int, align_corners: bool):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low: int, twice_high: int):
    """Reflects into [twice_low / 2, twice_high / 2], as PyTorch's reflect_coordinates."""
    if twice_low == twice_high:
        return jnp.zeros_like(coord)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    coord = jnp.abs(coord - low)
    extra = jnp.fmod(coord, span)
    flips = jnp.floor(coord / span)
    return jnp.where(jnp.fmod(flips, 2) == 0, extra + low, span - extra + low)


def _clip(coord, size: int):
    # PyTorch's CPU kernel clips with SIMD max/min, whose max(NaN, 0) is 0: a NaN (or an
    # inf reflected to NaN) samples the first pixel, where a plain clip kept the NaN.
    return jnp.clip(jnp.where(jnp.isnan(coord), 0, coord), 0, size - 1)


def _pad_coords(coord, size: int, padding_mode: str, align_corners: bool):
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return _clip(coord, size)
    return coord


def _gather(flat, sizes, index):
    """flat (N, C, prod(sizes)); index: per spatial dim an int (N, *out) array. Values at
    those points, 0 outside the input -> (N, C, *out)."""
    inside = jnp.ones(index[0].shape, bool)
    linear = jnp.zeros(index[0].shape, jnp.int32)
    for i, n in zip(index, sizes):
        inside &= (i >= 0) & (i < n)
        linear = linear * n + jnp.clip(i, 0, n - 1)
    out_shape = linear.shape
    values = jnp.take_along_axis(flat, linear.reshape(linear.shape[0], 1, -1), axis=2)
    values = values.reshape(flat.shape[:2] + out_shape[1:])
    return jnp.where(inside[:, None], values, jnp.zeros((), flat.dtype))


def _cubic_weights(t):
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _check(x, grid, mode, padding_mode):
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    nd = x.ndim - 2
    if x.ndim not in (4, 5) or grid.ndim != x.ndim or grid.shape[0] != x.shape[0]:
        raise ShapeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                         f"of dimensions and batch size, but got input with sizes "
                         f"{shape_str(x.shape)} and grid with sizes {shape_str(grid.shape)}")
    if grid.shape[-1] != nd:
        raise ShapeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                         f"but got grid with sizes {shape_str(grid.shape)}")
    if grid.dtype != x.dtype:
        raise DTypeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                         f"input has {x.dtype} and grid has {grid.dtype}")
    if mode == "bicubic" and nd != 2:
        raise ValueError("grid_sampler(): bicubic interpolation only supports 4D input")


def grid_sample(x: Array, grid: Array, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool = False) -> Array:
    """Samples `x` at the grid's points.

    Args:
      x: (N, C, H, W) or (N, C, D, H, W).
      grid: (N, H_out, W_out, 2) or (N, D_out, H_out, W_out, 3) of (x, y[, z]) in [-1, 1].
      mode: 'bilinear' (trilinear for 5-D), 'nearest' (ties to even) or 'bicubic' (4-D).
      padding_mode: 'zeros', 'border' or 'reflection' for points outside the input.
      align_corners: as in `affine_grid`.

    Returns:
      (N, C, H_out, W_out) or (N, C, D_out, H_out, W_out).
    """
    _check(x, grid, mode, padding_mode)
    sizes = x.shape[2:]
    nd = len(sizes)
    flat = x.reshape(x.shape[:2] + (-1,))
    raw = [_unnormalize(grid[..., nd - 1 - d], sizes[d], align_corners) for d in range(nd)]
    if mode == "bicubic":
        return _bicubic(flat, sizes, raw, padding_mode, align_corners)
    coords = [_pad_coords(c, n, padding_mode, align_corners) for c, n in zip(raw, sizes)]
    if mode == "nearest":
        # (a NaN point is outside the input, as in PyTorch, not wherever its cast lands)
        return _gather(flat, sizes, [jnp.where(jnp.isnan(c), -1, jnp.round(c)).astype(
            jnp.int32) for c in coords])
    lows = [jnp.floor(c) for c in coords]
    fracs = [c - low for c, low in zip(coords, lows)]
    out = 0
    for corner in itertools.product((0, 1), repeat=nd):
        weight = 1
        for f, o in zip(fracs, corner):
            weight = weight * (f if o else 1 - f)
        index = [low.astype(jnp.int32) + o for low, o in zip(lows, corner)]
        out = out + weight[:, None] * _gather(flat, sizes, index)
    return out.astype(x.dtype)


def _bicubic(flat, sizes, raw, padding_mode, align_corners):
    # PyTorch takes the 4x4 neighbours of the unpadded point and pads each tap's index.
    lows = [jnp.floor(c) for c in raw]
    weights = [_cubic_weights(c - low) for c, low in zip(raw, lows)]
    out = 0
    for taps in itertools.product(range(4), repeat=2):
        index = []
        for low, k, n in zip(lows, taps, sizes):
            tap = _pad_coords(low + (k - 1), n, padding_mode, align_corners)
            index.append(tap.astype(jnp.int32))
        weight = weights[0][taps[0]] * weights[1][taps[1]]
        out = out + weight[:, None] * _gather(flat, sizes, index)
    return out.astype(flat.dtype)
