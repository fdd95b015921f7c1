"""Resizing of (N, C, *spatial): interpolate (PyTorch's upsample kernels), pixel_shuffle,
pixel_unshuffle, channel_shuffle.

Interpolation is separable: along each spatial axis the output is a weighted sum of a few
gathered input rows, with the source indices and weights computed in numpy from PyTorch's
formulas (`area_pixel_compute_scale`, `area_pixel_compute_source_index` and the cubic
convolution coefficients with A = -0.75), in the arithmetic precision PyTorch uses (float32
for float32/half inputs, float64 for float64). antialias=True uses `_resize_aa`'s taps;
uint8 'bilinear'/'bicubic' use PyTorch's integer kernels (`_resize_uint8`).
Gradients come from JAX (the gather's transpose is the scatter-add that PyTorch's backward
kernels perform), except where PyTorch's backward kernel is not the forward's transpose
(`_kernel_taps`): there `_linear_grad.mismatched_linear` states PyTorch's backward.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ._errors import ShapeError, shape_str
from ._linear_grad import mismatched_linear
from ._pool import adaptive_avg_pool
from ._resize_aa import aa_taps, cubic_conv1, cubic_conv2
from ._resize_uint8 import resize_uint8
from ._types import Array

__all__ = ["interpolate", "resize", "resolve_interpolate_args", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle"]

_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 1, "bilinear": 2,
          "bicubic": 2, "trilinear": 3, "lanczos": 2}
_CUBIC_A = -0.75


def resolve_interpolate_args(shape, size=None, scale_factor=None, mode: str = "nearest",
                             align_corners=None, recompute_scale_factor=None,
                             antialias: bool = False):
    """PyTorch's argument rules of F.interpolate, on the input's shape.

    Returns:
      (output_size, scales, align_corners): the spatial output size, the scale factors the
      kernel sees (None when they are recomputed from the sizes) and align_corners.
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = len(shape) - 2
    spatial = list(shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales = None
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            output_size = tuple(int(s) for s in size)
        else:
            output_size = (int(size),) * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions,"
                    f" but got input with spatial dimensions of {spatial} and scale_factor "
                    f"of shape {scale_factor}. Please provide input tensor in (N, C, d1, d2,"
                    " ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(s) for s in scale_factor)
        else:
            scales = (float(scale_factor),) * dim
        # PyTorch truncates in double precision (`int(size * scale)`).
        output_size = tuple(int(n * s) for n, s in zip(spatial, scales))
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and len(shape) == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    _check_mode(mode, len(shape))
    if mode == "lanczos":       # (anti-aliased only: Pillow's Lanczos-3 resampling)
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    return output_size, scales, align_corners


def _check_mode(mode, ndim):
    if mode not in _MODES or ndim not in (3, 4, 5) or (mode in ("bicubic", "lanczos")
                                                        and ndim != 4):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    need = _MODES[mode]
    if need is not None and need != ndim - 2:
        wanted = {1: "linear", 2: "bilinear", 3: "trilinear"}
        raise NotImplementedError(f"Got {ndim}D input, but {wanted[need]} mode needs "
                                  f"{need + 2}D input")


def _scale(n_in, n_out, align_corners, scale, ftype):
    # area_pixel_compute_scale / compute_scales_value.
    if align_corners:
        return ftype((n_in - 1) / (n_out - 1)) if n_out > 1 else ftype(0)
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(n_in) / ftype(n_out)


def _source(scale, dst, align_corners, cubic):
    # area_pixel_compute_source_index, elementwise over the output positions `dst`.
    if align_corners:
        return scale * dst
    src = scale * (dst + dst.dtype.type(0.5)) - dst.dtype.type(0.5)
    return src if cubic else np.maximum(src, 0)


def _nearest_index(n_in, n_out, s, shortcuts):
    # nearest_idx: the CPU kernels of the 2-d forward and of every backward copy a dim
    # whose size is unchanged and halve the index of a doubled one, whatever the scale.
    if shortcuts and n_out == n_in:
        return np.arange(n_in)
    if shortcuts and n_out == 2 * n_in:
        return np.arange(n_out) >> 1
    dst = np.arange(n_out, dtype=s.dtype)
    # floorf: PyTorch floors in single precision whatever the input's dtype.
    idx = np.floor((s * dst).astype(np.float32)).astype(np.int64)
    return np.minimum(idx, n_in - 1)


def _taps(mode, n_in, n_out, align_corners, scale, ftype, nearest_shortcuts=False):
    """[(indices, weights or None)] of one axis: output o = sum_j w_j[o] * x[idx_j[o]]."""
    dst = np.arange(n_out, dtype=ftype)
    s = _scale(n_in, n_out, align_corners, scale, ftype)
    if mode == "nearest":
        return [(_nearest_index(n_in, n_out, s, nearest_shortcuts), None)]
    if mode == "nearest-exact":
        src = _source(s, dst, False, False)
        idx = np.floor((src + ftype(0.5)).astype(np.float32)).astype(np.int64)
        return [(np.minimum(idx, n_in - 1), None)]
    if n_in == n_out and mode != "bicubic":
        return [(np.arange(n_in), None)]
    src = _source(s, dst, align_corners, mode == "bicubic")
    # guard_index_and_lambda
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)
    t = np.clip(src - i0.astype(ftype), 0, 1).astype(ftype)
    if mode != "bicubic":
        i1 = i0 + (i0 < n_in - 1)
        return [(i0, ftype(1) - t), (i1, t)]
    a = ftype(_CUBIC_A)
    weights = [cubic_conv2(t + 1, a), cubic_conv1(t, a), cubic_conv1(1 - t, a),
               cubic_conv2(2 - t, a)]
    return [(np.clip(i0 - 1 + j, 0, n_in - 1), w) for j, w in enumerate(weights)]


def _kernel_taps(shape, output_size, scales, mode, align_corners, antialias, ftype,
                 backward):
    """The taps of every spatial axis used by PyTorch's forward kernel, or (`backward`)
    those its backward kernel scatters with: they differ in a few corner cases."""
    sizes = list(zip(shape[2:], output_size, scales))
    if backward and mode == "bicubic" and not antialias and all(
            n == o for n, o, _ in sizes):
        # upsample_bicubic2d_backward copies when no size changes.
        return [[(np.arange(n), None)] for n, _, _ in sizes]
    taps = []
    for n, o, scale in sizes:
        if antialias and (n != o or backward):
            # The forward skips an unchanged dim; the backward always weighs.
            taps.append(aa_taps(mode, n, o, _scale(n, o, align_corners, scale, ftype), ftype))
        elif antialias:
            taps.append([(np.arange(n), None)])
        else:
            taps.append(_taps(mode, n, o, align_corners, scale, ftype,
                              backward or len(sizes) == 2))
    if antialias and not backward and output_size[1] == 1 and shape[2] != output_size[0]:
        # PyTorch's anti-aliased vertical pass into a one-column output repeats its first
        # row (its backward weighs each row correctly).
        taps[0] = [(np.full(o, idx[0]), np.full(o, w[0])) for idx, w in taps[0]
                   for o in [output_size[0]]]
    return taps


def _same_taps(a, b) -> bool:
    return len(a) == len(b) and all(
        len(ta) == len(tb) and all(np.array_equal(ia, ib) and (
            (wa is None and wb is None) or (wa is not None and wb is not None
                                            and np.array_equal(wa, wb)))
            for (ia, wa), (ib, wb) in zip(ta, tb))
        for ta, tb in zip(a, b))


def _apply_taps(x: Array, taps) -> Array:
    nd = x.ndim - 2
    y = x
    # Last axis first: the same order of sums as PyTorch's separable CPU kernels.
    for axis in reversed(range(nd)):
        total = None
        for idx, w in taps[axis]:
            part = jnp.take(y, jnp.asarray(idx), axis=2 + axis)
            if w is not None:
                part = part * jnp.asarray(w, x.dtype).reshape((-1,) + (1,) * (nd - 1 - axis))
            total = part if total is None else total + part
        y = total
    return y


def _check_sizes(x, output_size, mode, antialias):
    nd = x.ndim - 2
    if any(n <= 0 for n in x.shape[2:]) or any(
            o < 0 or (o == 0 and mode != "area") for o in output_size):
        def named(sizes):
            return ", ".join(f"{a}: {n}" for a, n in zip("DHW"[3 - nd:], sizes))
        raise ShapeError(f"Input and output sizes should be greater than 0, but got input "
                         f"({named(x.shape[2:])}){' and' if nd == 1 else ''} output "
                         f"({named(output_size)})")
    if antialias and x.dtype in (jnp.float16, jnp.bfloat16) and tuple(
            x.shape[2:]) != tuple(output_size):
        # No half-precision anti-aliased weights on PyTorch's CPU.
        kind = "Half" if x.dtype == jnp.float16 else "BFloat16"
        raise NotImplementedError(
            f'"compute_index_ranges_weights" not implemented for \'{kind}\'')
    if not jnp.issubdtype(x.dtype, jnp.floating) and mode not in (
            "nearest", "nearest-exact") and not (x.dtype == jnp.uint8 and mode in (
                "bilinear", "bicubic", "lanczos")):
        # PyTorch has no integer kernels for the interpolating modes (NotImplementedError).
        raise NotImplementedError(f"interpolate: mode '{mode}' is not implemented for "
                                  f"{x.dtype} inputs")


def resize(x: Array, output_size, scales, mode: str, align_corners: bool = False,
           antialias: bool = False) -> Array:
    """Resamples the spatial dims of (N, C, *spatial) to `output_size` with PyTorch's
    upsample kernels (`scales`: the per-dim scale factors the kernel uses, or None;
    `antialias`: the anti-aliased 'bilinear'/'bicubic' kernels).

    PyTorch parity: the gradient is PyTorch's backward kernel's, which in a few corner
    cases is not the transpose of the forward (see `_kernel_taps`).
    """
    nd = x.ndim - 2
    _check_sizes(x, output_size, mode, antialias)
    if mode == "area":
        # adaptive_avg_pool: an output size of 0 gives an empty tensor.
        return adaptive_avg_pool(x, nd, tuple(output_size), "adaptive_avg_pool")
    if x.dtype == jnp.uint8 and mode in ("bilinear", "bicubic", "lanczos"):
        return resize_uint8(x, output_size, scales, mode, align_corners, antialias)
    scales = scales or (None,) * nd
    ftype = np.float64 if x.dtype == jnp.float64 else np.float32
    args = (x.shape, output_size, scales, mode, align_corners, antialias, ftype)
    fwd = _kernel_taps(*args, backward=False)
    bwd = _kernel_taps(*args, backward=True)
    if _same_taps(fwd, bwd) or not jnp.issubdtype(x.dtype, jnp.floating):
        return _apply_taps(x, fwd)
    return mismatched_linear(lambda a: _apply_taps(a, fwd), lambda a: _apply_taps(a, bwd), x)


def interpolate(x: Array, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Array:
    """F.interpolate: resamples (N, C, L), (N, C, H, W) or (N, C, D, H, W).

    Args:
      size: the spatial output size (an int for every dim, or one per dim); or
      scale_factor: output = floor(input * scale_factor); the kernel then maps positions
        with 1/scale_factor unless `recompute_scale_factor` (or mode 'area').
      mode: 'nearest' (src = floor(dst * scale)), 'nearest-exact', 'linear' (3-D),
        'bilinear' (4-D), 'bicubic' (4-D, A = -0.75, edges clamped), 'trilinear' (5-D) or
        'area' (adaptive average pooling).
      align_corners: for the interpolating modes: the corner pixels' centres align.
      antialias: for 'bilinear', 'bicubic' and 'lanczos' (which needs it): PyTorch's
        anti-aliased kernels (the filter widened by the downsampling factor; Keys cubic
        with a = -0.5 for bicubic; Pillow's Lanczos-3 windowed sinc for lanczos).
    """
    output_size, scales, align_corners = resolve_interpolate_args(
        x.shape, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias)
    return resize(x, output_size, scales, mode, bool(align_corners), antialias)


def pixel_shuffle(x: Array, upscale_factor: int) -> Array:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    if x.ndim < 3:
        raise ShapeError(f"pixel_shuffle expects input to have at least 3 dimensions, but "
                         f"got input with {x.ndim} dimension(s)")
    if r <= 0:
        raise ShapeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = x.shape[-3:]
    if c % (r * r):
        raise ShapeError("pixel_shuffle expects its input's 'channel' dimension to be "
                         f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                         f"is not divisible by {r * r}")
    lead = x.shape[:-3]
    y = x.reshape(lead + (c // (r * r), r, r, h, w))
    n = len(lead)
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(lead + (c // (r * r), h * r, w * r))


def pixel_unshuffle(x: Array, downscale_factor: int) -> Array:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if x.ndim < 3:
        raise ShapeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                         f"got input with {x.ndim} dimension(s)")
    if r <= 0:
        raise ShapeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = x.shape[-3:]
    if h % r:
        raise ShapeError("pixel_unshuffle expects height to be divisible by downscale_factor, "
                         f"but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise ShapeError("pixel_unshuffle expects width to be divisible by downscale_factor, "
                         f"but input.size(-1)={w} is not divisible by {r}")
    lead = x.shape[:-3]
    n = len(lead)
    y = x.reshape(lead + (c, h // r, r, w // r, r))
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(lead + (c * r * r, h // r, w // r))


def channel_shuffle(x: Array, groups: int) -> Array:
    """(N, C, *) -> (N, C, *) with the channels of each of `groups` groups interleaved:
    (N, g, C/g, *) transposed to (N, C/g, g, *)."""
    g = int(groups)
    if x.ndim < 3:
        raise ShapeError("channel_shuffle expects input with > 2 dims, but got input with sizes "
                         f"{shape_str(x.shape)}")
    if g <= 0:
        raise ShapeError(f"Number of groups to divide channels in must be positive. Value of "
                         f"groups:{g}")
    c = x.shape[1]
    if c % g:
        raise ShapeError(f"Number of channels must be divisible by groups. Got {c} channels "
                         f"and {g} groups.")
    y = x.reshape((x.shape[0], g, c // g) + x.shape[2:])
    return jnp.swapaxes(y, 1, 2).reshape(x.shape)

