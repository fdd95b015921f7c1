"""The anti-aliased taps of F.interpolate(antialias=True) ('bilinear' and 'bicubic').

PyTorch's separable anti-aliased resampling (torchvision's resize, UpSampleKernel.cpp's
`_compute_indices_min_size_weights_aa`): output pixel i of an axis is centred on input
position center = scale * (i + 0.5); a filter (triangle for bilinear, Keys cubic with
a = -0.5 for bicubic) whose support is widened by the scale when downsampling weighs the
input pixels within the support, and the weights are normalized to sum to one. The
arithmetic follows PyTorch's in the input's precision (float32 for float32/half inputs).
"""

from __future__ import annotations

import numpy as np

__all__ = ["aa_taps", "cubic_conv1", "cubic_conv2"]

_KEYS_A = -0.5
_INTERP_SIZE = {"bilinear": 2, "bicubic": 4, "lanczos": 6}


def cubic_conv1(x, a):
    """The cubic convolution kernel on |x| <= 1."""
    return ((a + 2) * x - (a + 3)) * x * x + 1


def cubic_conv2(x, a):
    """The cubic convolution kernel on 1 < |x| < 2."""
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def sinc(x):
    """Pillow's sinc_filter, in x's precision: sin(pi x) / (pi x), 1 at 0."""
    t = x * x.dtype.type(np.pi)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(x == 0, x.dtype.type(1), np.sin(t) / t).astype(x.dtype)


def _filter(mode, x):
    # HelperInterpLinear / HelperInterpCubic ::aa_filter, in the weights' precision.
    x = np.abs(x)
    one = x.dtype.type(1)
    if mode == "bilinear":
        return np.where(x < one, one - x, 0).astype(x.dtype)
    if mode == "lanczos":
        return np.where(x < 3 * one, sinc(x) * sinc(x / x.dtype.type(3)), 0).astype(x.dtype)
    a = x.dtype.type(_KEYS_A)
    return np.where(x < one, cubic_conv1(x, a),
                    np.where(x < 2 * one, cubic_conv2(x, a), 0)).astype(x.dtype)


def aa_taps(mode: str, n_in: int, n_out: int, scale, ftype):
    """[(indices, weights)] of one axis, as `_resize._taps`: output o = sum_j w_j[o] *
    x[idx_j[o]], with `scale` (input / output, as area_pixel_compute_scale gives it)."""
    f = ftype
    scale = f(scale)
    half = f(_INTERP_SIZE[mode] * 0.5)
    support = half * scale if scale >= 1 else half
    max_size = int(np.ceil(support)) * 2 + 1
    invscale = f(1.0 / float(scale)) if scale >= 1 else f(1)
    i = np.arange(n_out, dtype=np.float64)
    center = (float(scale) * (i + 0.5)).astype(f)
    # static_cast<int64_t> truncates towards zero.
    lo = np.maximum(np.trunc((center - support).astype(np.float64) + 0.5), 0).astype(np.int64)
    hi = np.minimum(np.trunc((center + support).astype(np.float64) + 0.5), n_in)
    size = np.clip(hi.astype(np.int64) - lo, 0, max_size)
    width = max(int(size.max()), 1)
    j = np.arange(width)
    pos = lo[:, None] + j[None, :]
    arg = ((pos.astype(f) - center[:, None]).astype(np.float64) + 0.5) * float(invscale)
    w = np.where(j[None, :] < size[:, None], _filter(mode, arg.astype(f)), f(0)).astype(f)
    total = np.zeros(n_out, f)
    for k in range(width):  # PyTorch's running sum, in order
        total = (total + w[:, k]).astype(f)
    w = np.where(total[:, None] != 0, w / np.where(total == 0, f(1), total)[:, None],
                 w).astype(f)
    # Pad taps past a row's support point at its first pixel with weight 0.
    idx = np.where(j[None, :] < size[:, None], pos, lo[:, None])
    idx = np.minimum(idx, n_in - 1)
    return [(idx[:, k], w[:, k]) for k in range(width)]
