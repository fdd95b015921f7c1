"""F.interpolate of uint8 images in 'bilinear' and 'bicubic' modes, as PyTorch's CPU kernels
compute it (the integer path torchvision's resize of uint8 tensors takes).

PyTorch resamples uint8 (N, C, H, W) separably, width first, then height (an axis whose
size does not change is skipped), with double-precision weights per output pixel:
- antialias: the filter (triangle; Keys' cubic with a = -0.5, Pillow's) centred on
  scale * (i + 0.5) and widened by the downsampling factor; taps outside the input are
  dropped and the rest renormalized to sum to one;
- no antialias: the float kernels' taps (the source index and its fraction, the filter at
  the 2 or 4 points around it; cubic a = -0.75, OpenCV's), the weights of taps past an
  edge added onto the edge's tap (as the float kernels' clamped indices do).
The weights become int16 with `precision` fractional bits (the most that keeps twice the
largest weight under 2**15), and each pass rounds to uint8:
    out = clip((2**(precision - 1) + sum_k w16_k * x_k) >> precision, 0, 255).
The sums are exact int32 arithmetic here as there, so the results are PyTorch's bit for
bit (see PyTorch's UpSampleKernel.cpp, "Weights computation for uint8_t and
multiplication trick").
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._resize_aa import cubic_conv1, cubic_conv2, sinc
from ._types import Array

__all__ = ["resize_uint8"]

_INTERP_SIZE = {"bilinear": 2, "bicubic": 4, "lanczos": 6}


def _filter(mode: str, x, antialias: bool):
    x = np.abs(x)
    if mode == "bilinear":
        return np.where(x < 1, 1 - x, 0.0)
    if mode == "lanczos":
        return np.where(x < 3, sinc(x) * sinc(x / 3), 0.0)
    a = -0.5 if antialias else -0.75
    return np.where(x < 1, cubic_conv1(x, a), np.where(x < 2, cubic_conv2(x, a), 0.0))


def _scale(n_in: int, n_out: int, align_corners: bool, scale) -> float:
    # area_pixel_compute_scale in double precision
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    if scale is not None and scale > 0:
        return 1.0 / scale
    return n_in / n_out


def _aa_weights(mode, n_in, n_out, s):
    """_compute_indices_min_size_weights_aa: the widened filter around scale * (i + 0.5),
    taps outside the input dropped and the rest renormalized."""
    half = _INTERP_SIZE[mode] * 0.5
    support = half * s if s >= 1 else half
    max_size = int(np.ceil(support)) * 2 + 1
    invscale = 1.0 / s if s >= 1 else 1.0
    weights, lows = np.zeros((n_out, max_size)), np.zeros(n_out, np.int64)
    for i in range(n_out):
        center = s * (i + 0.5)
        # (static_cast<int64_t>: truncation towards zero, as Python's int())
        low = max(int(center - support + 0.5), 0)
        size = min(max(min(int(center + support + 0.5), n_in) - low, 0), max_size)
        w = _filter(mode, (np.arange(size) + low - center + 0.5) * invscale, True)
        total = np.cumsum(w)[-1] if size else 0.0      # (PyTorch's running sum)
        if total != 0:
            weights[i, :size] = w / total
        lows[i] = low
    return weights, lows, weights.max()


def _plain_weights(mode, n_in, n_out, s, align_corners):
    """_compute_indices_min_size_weights: the float kernels' taps (source index, lambda,
    the filter at the 2 or 4 points around it), the weights of taps past an edge added
    onto the edge's tap, as the float kernels' clamped indices do."""
    max_size = _INTERP_SIZE[mode]
    support = max_size // 2
    weights, lows = np.zeros((n_out, max_size)), np.zeros(n_out, np.int64)
    w_max = 0.0
    for i in range(n_out):
        if align_corners:
            real = s * i
        else:
            real = s * (i + 0.5) - 0.5
            if mode == "bilinear":
                real = max(real, 0.0)
        # (guard_index_and_lambda: its floorf rounds the double to float first)
        index = min(int(np.floor(np.float32(real))), n_in - 1)
        lam = min(max(real - index, 0.0), 1.0)
        unbound_low = index - support + 1
        low = max(unbound_low, 0)
        size = min(max(min(index + support + 1, n_in) - low, 0), max_size)
        row, w_index = weights[i], 0
        for j in range(max_size):
            row[j] = 0.0
            w = float(_filter(mode, np.float64(j + 1 - support - lam), False))
            if unbound_low + j <= 0:
                w_index = 0
            elif unbound_low + j >= n_in - 1:
                w_index = size - 1
            row[w_index] += w
            w_max = max(w_max, row[w_index])
            w_index += 1
        lows[i] = low
    return weights, lows, w_max


def int16_taps(mode: str, n_in: int, n_out: int, align_corners: bool, scale,
               antialias: bool):
    """One axis's (indices (n_out, K), int16-valued weights (n_out, K), precision)."""
    s = _scale(n_in, n_out, align_corners, scale)
    if antialias:
        weights, lows, w_max = _aa_weights(mode, n_in, n_out, s)
    else:
        weights, lows, w_max = _plain_weights(mode, n_in, n_out, s, align_corners)
    precision = 22
    for p in range(22):
        if int(0.5 + w_max * (1 << (p + 1))) >= 1 << 15:
            precision = p
            break
    scaled = weights * (1 << precision)
    # (C's int cast of v -/+ 0.5: rounds half away from zero)
    w16 = np.trunc(np.where(scaled < 0, scaled - 0.5, scaled + 0.5)).astype(np.int32)
    # (a tap past the input's end has weight 0: any index inside it will do)
    index = np.minimum(lows[:, None] + np.arange(weights.shape[1]), n_in - 1)
    return index, w16, precision


def _resample_axis(x: Array, axis: int, index, w16, precision: int) -> Array:
    acc = jnp.full(x.shape[:axis] + (index.shape[0],) + x.shape[axis + 1:],
                   1 << (precision - 1), jnp.int32)
    shape = (-1,) + (1,) * (x.ndim - axis - 1)
    wide = x.astype(jnp.int32)
    for k in range(index.shape[1]):
        acc = acc + jnp.take(wide, jnp.asarray(index[:, k]), axis=axis) * jnp.asarray(
            w16[:, k]).reshape(shape)
    return jnp.clip(acc >> precision, 0, 255).astype(jnp.uint8)


def resize_uint8(x: Array, output_size, scales, mode: str, align_corners: bool,
                 antialias: bool) -> Array:
    """uint8 (N, C, H, W) -> (N, C, *output_size), 'bilinear' or 'bicubic' (see above).
    scales: the (height, width) scale factors the kernel uses, or None."""
    scales = scales or (None, None)
    y = x
    for axis in (3, 2):                 # width first, then height
        n_in, n_out = x.shape[axis], output_size[axis - 2]
        if n_in == n_out:
            continue
        taps = int16_taps(mode, n_in, n_out, align_corners, scales[axis - 2], antialias)
        y = _resample_axis(y, axis, *taps)
    return y
