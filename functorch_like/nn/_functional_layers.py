"""More of torch.nn.functional: 3-D convolutions and pools, adaptive max and power
pooling, fold/unfold, instance/RMS/local-response norms, resizing, feature and alpha
dropout. Each function dispatches one pure-core function; nn.functional re-exports them.
"""

from __future__ import annotations

import warnings

from .. import _dtypes, _random
from .._dtype_refusals import check
from .._tensor import apply
from ..pure import _conv, _dropout, _fold, _norm, _pool, _resize
from . import _arg_checks as _args
from . import functional as _F

# ---- convolutions -------------------------------------------------------------------

_CONV = {3: _conv.conv3d}
_CONV_T = {1: _conv.conv_transpose1d, 3: _conv.conv_transpose3d}


def _f_conv(x, w, b, *, nd, stride, padding, dilation, groups):
    return _CONV[nd](x, w, b, stride, padding, dilation, groups)


def _f_conv_t(x, w, b, *, nd, stride, padding, output_padding, groups, dilation):
    return _CONV_T[nd](x, w, b, stride, padding, output_padding, groups, dilation)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C_in, D, H, W) * (C_out, C_in/groups, kD, kH, kW) -> (N, C_out, D', H', W')."""
    _args.require_conv_overload("conv3d", (input, weight, bias, stride, padding, dilation,
                                           groups))
    a = _F._norm_arg
    return apply(_f_conv, "ConvolutionBackward0", input, weight, bias, nd=3, stride=a(stride),
                 padding=a(padding), dilation=a(dilation), groups=groups)


def _conv_transpose(nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    _args.require_conv_tensors(f"conv_transpose{nd}d", input, weight, bias)
    a = _F._norm_arg
    return apply(_f_conv_t, "ConvolutionBackward0", input, weight, bias, nd=nd,
                 stride=a(stride), padding=a(padding), output_padding=a(output_padding),
                 groups=groups, dilation=a(dilation))


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 1-D convolution; weight (C_in, C_out/groups, K)."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 3-D convolution; weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


# ---- pooling ------------------------------------------------------------------------

def _f_max_pool3d(x, *, kernel_size, stride, padding, dilation, ceil_mode, indices):
    fn = _pool.max_pool3d_with_indices if indices else _pool.max_pool3d
    return fn(x, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, D, H, W); with return_indices also each maximum's flat
    position (d * H + h) * W + w in its input volume."""
    a = _F._norm_arg
    return apply(_f_max_pool3d, "MaxPool3DWithIndicesBackward0", input,
                 kernel_size=a(kernel_size), stride=a(stride), padding=a(padding),
                 dilation=a(dilation), ceil_mode=ceil_mode, indices=bool(return_indices))


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool1d's (values, indices), whatever return_indices says (as PyTorch's)."""
    del return_indices
    return _F.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool2d's (values, indices), whatever return_indices says (as PyTorch's)."""
    del return_indices
    return _F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """max_pool3d's (values, indices), whatever return_indices says (as PyTorch's)."""
    del return_indices
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _f_avg_pool3d(x, *, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override):
    return _pool.avg_pool3d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over windows of (N, C, D, H, W), avg_pool2d's divisor rules."""
    a = _F._norm_arg
    return apply(_f_avg_pool3d, "AvgPool3DBackward0", input, kernel_size=a(kernel_size),
                 stride=a(stride), padding=a(padding), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def _f_adaptive_avg(x, *, nd, output_size):
    return _pool.adaptive_avg_pool(x, nd, output_size, f"adaptive_avg_pool{nd}d")


def adaptive_avg_pool3d(input, output_size):
    """Average over adaptive bins: (N, C, D, H, W) -> (N, C, *output_size)."""
    return apply(_f_adaptive_avg, "AdaptiveAvgPool3DBackward0", input, nd=3,
                 output_size=_F._norm_arg(output_size))


def _f_adaptive_max(x, *, nd, output_size, indices):
    out = _pool.adaptive_max_pool(x, nd, output_size, f"adaptive_max_pool{nd}d")
    return out if indices else out[0]


def _adaptive_max(nd, input, output_size, return_indices):
    # PyTorch computes the 1-d case with its 2-d kernel and a squeeze.
    name = "SqueezeBackward1" if nd == 1 else f"AdaptiveMaxPool{nd}DBackward0"
    check(f"adaptive_max_pool{max(nd, 2)}d", input)
    return apply(_f_adaptive_max, name, input, nd=nd, output_size=_F._norm_arg(output_size),
                 indices=bool(return_indices))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over adaptive bins of (N, C, L) -> (N, C, output_size) (and the maxima's
    positions along L with return_indices)."""
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over adaptive bins of (N, C, H, W) -> (N, C, *output_size) (and each maximum's
    flat position h * W + w with return_indices); None in output_size keeps a dim."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over adaptive bins of (N, C, D, H, W) -> (N, C, *output_size)."""
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    del return_indices
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    del return_indices
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    del return_indices
    return _adaptive_max(3, input, output_size, True)


def _f_lp_pool(x, *, nd, norm_type, kernel_size, stride, ceil_mode):
    return _pool.lp_pool(x, nd, norm_type, kernel_size, stride, ceil_mode)


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    a = _F._norm_arg
    return apply(_f_lp_pool, "PowBackward0", input, nd=nd, norm_type=float(norm_type),
                 kernel_size=a(kernel_size), stride=a(stride), ceil_mode=bool(ceil_mode))


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum of x^p over each window of (N, C, L)) ^ (1/p)."""
    out = _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)
    if isinstance(kernel_size, (tuple, list)):
        # PyTorch's lp_pool1d pools first, then scales by `.mul(kernel_size)`, which takes
        # no sequence.
        raise TypeError("mul(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(kernel_size).__name__}")
    return out


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum of x^p over each window of (N, C, H, W)) ^ (1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum of x^p over each window of (N, C, D, H, W)) ^ (1/p)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


def _f_unfold(x, *, kernel_size, dilation, padding, stride):
    return _fold.unfold(x, kernel_size, dilation, padding, stride)


def _check_pairs(**args) -> None:
    """torch's im2col/col2im want two values of each size argument (an int is two)."""
    for name, value in args.items():
        if isinstance(value, (tuple, list)) and len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of (N, C, H, W) as columns: (N, C * kH * kW, L)."""
    _check_pairs(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)
    a = _F._norm_arg
    return apply(_f_unfold, "Im2ColBackward0", input, kernel_size=a(kernel_size),
                 dilation=a(dilation), padding=a(padding), stride=a(stride))


def _f_fold(x, *, output_size, kernel_size, dilation, padding, stride):
    return _fold.fold(x, output_size, kernel_size, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns (N, C * kH * kW, L) summed back into (N, C, *output_size)."""
    _check_pairs(output_size=output_size, kernel_size=kernel_size, dilation=dilation,
                 padding=padding, stride=stride)
    a = _F._norm_arg
    return apply(_f_fold, "Col2ImBackward0", input, output_size=a(output_size),
                 kernel_size=a(kernel_size), dilation=a(dilation), padding=a(padding),
                 stride=a(stride))


# ---- normalization ------------------------------------------------------------------

def _f_instance_norm(x, rm, rv, w, b, *, use_input_stats, momentum, eps):
    y, state = _norm.instance_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if not use_input_stats or rm is None:
        return y
    return y, state["running_mean"], state["running_var"]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Normalizes each (sample, channel) plane of (N, C, *) over its spatial dims; with
    use_input_stats and running statistics given, updates them in place (the batch mean
    of the per-instance statistics, variance unbiased)."""
    check("batch_norm", input)      # (torch's runs batch_norm)
    out = apply(_f_instance_norm, "ViewBackward0", input, running_mean, running_var, weight,
                bias, use_input_stats=bool(use_input_stats), momentum=momentum, eps=eps)
    if not isinstance(out, tuple):
        return out
    y, new_mean, new_var = out
    _F._write_buffer(running_mean, new_mean)
    _F._write_buffer(running_var, new_var)
    return y


def _f_rms_norm(x, w, *, normalized_shape, eps):
    return _norm.rms_norm(x, normalized_shape, w, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input / sqrt(mean(input^2 over the trailing normalized_shape dims) + eps) * weight;
    eps=None is the machine epsilon of input's dtype."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        normalized_shape)
    return apply(_f_rms_norm, "MulBackward0", input, weight, normalized_shape=shape,
                 eps=None if eps is None else float(eps))


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of input^2 over `size` neighbouring channels) ** beta."""
    # (torch's errors, from the padding and the avg_pool2d/3d of its composite; a JAX
    # index error before)
    if int(size) < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if int(size) == 0:
        raise RuntimeError("kernel size should be greater than zero, but got " + (
            "kH: 0 kW: 1" if input.ndim == 3 else "kT: 0 kH: 1 kW: 1"))
    return apply(_norm.local_response_norm, "DivBackward0", input, size=int(size),
                 alpha=float(alpha), beta=float(beta), k=float(k))


# ---- resizing -----------------------------------------------------------------------

_RESIZE_NAMES = {"nearest": "UpsampleNearest{n}DBackward0",
                 "nearest-exact": "UpsampleNearestExact{n}DBackward0",
                 "linear": "UpsampleLinear1DBackward0", "bilinear": "UpsampleBilinear2DBackward0",
                 "bicubic": "UpsampleBicubic2DBackward0",
                 "trilinear": "UpsampleTrilinear3DBackward0",
                 "area": "AdaptiveAvgPool{n}DBackward0"}
_AA_NAMES = {"bilinear": "UpsampleBilinear2DAaBackward0",
             "bicubic": "UpsampleBicubic2DAaBackward0",
             "lanczos": "UpsampleLanczos2DAaBackward0"}


def _f_resize(x, *, output_size, scales, mode, align_corners, antialias):
    return _resize.resize(x, output_size, scales, mode, align_corners, antialias)


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest",
                align_corners=None, recompute_scale_factor=None, antialias: bool = False):
    """Resamples (N, C, L), (N, C, H, W) or (N, C, D, H, W) to `size` or by
    `scale_factor` with PyTorch's index formulas (see pure `_resize.interpolate`);
    antialias=True: PyTorch's anti-aliased 'bilinear'/'bicubic'/'lanczos' kernels; uint8
    images resize in those modes as PyTorch's integer kernels (`_resize_uint8`).
    """
    output_size, scales, align_corners = _resize.resolve_interpolate_args(
        tuple(input.shape), size, scale_factor, mode, align_corners, recompute_scale_factor,
        antialias)
    if not (input.is_floating_point() or mode in ("nearest", "nearest-exact") or (
            input.dtype == _dtypes.uint8 and mode in ("bilinear", "bicubic", "lanczos"))):
        # (torch resizes integer images in the 2-d filter modes only, and as uint8)
        kernel = "compute_index_ranges_weights" if antialias else {
            "linear": "compute_indices_weights_linear",
            "trilinear": "compute_indices_weights_linear",
            "bilinear": "upsample_bilinear2d_channels_last",
            "bicubic": "compute_indices_weights_cubic",
            "area": "adaptive_avg_pool3d_cpu" if input.ndim == 5 else "adaptive_avg_pool2d",
        }[mode]
        raise _dtypes.kernel_error(kernel, input.dtype)
    name = (_AA_NAMES if antialias else _RESIZE_NAMES)[mode].format(n=input.ndim - 2)
    return apply(_f_resize, name, input, output_size=output_size, scales=scales, mode=mode,
                 align_corners=bool(align_corners), antialias=bool(antialias))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (warns, as PyTorch's)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest') (warns, as PyTorch's)."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True) (warns, as PyTorch's)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor: int):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    return apply(_resize.pixel_shuffle, "PixelShuffleBackward0", input,
                 upscale_factor=int(upscale_factor))


def pixel_unshuffle(input, downscale_factor: int):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    return apply(_resize.pixel_unshuffle, "PixelUnshuffleBackward0", input,
                 downscale_factor=int(downscale_factor))


def channel_shuffle(input, groups: int):
    """Interleaves the channels of `groups` groups of (N, C, *)."""
    return apply(_resize.channel_shuffle, "ChannelShuffleBackward0", input, groups=int(groups))


# ---- dropout ------------------------------------------------------------------------

_DROPOUTS = {"feature": _dropout.feature_dropout, "alpha": _dropout.alpha_dropout,
             "feature_alpha": _dropout.feature_alpha_dropout}


def _f_dropout(x, key, *, p, kind):
    return _DROPOUTS[kind](x, p, True, key=key)


def _dropout(kind, name, input, p, training, inplace):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    key = _random.next_key() if p < 1.0 else None      # the global generator, as dropout
    out = apply(_f_dropout, name, input, key, p=float(p), kind=kind)
    return input._set(out, op="dropout_") if inplace else out


def _unbatched_feature_dropout(input, p, training, inplace, batched):
    if batched or not training or p == 0.0:
        return _dropout("feature", "MulBackward0", input, p, training, inplace)
    out = _dropout("feature", "MulBackward0", input.unsqueeze(0), p, training, False)
    out = out.squeeze(0)
    return input._set(out, op="dropout_") if inplace else out


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of (N, C, L) or unbatched (C, L) with probability p."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _unbatched_feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) with
    probability p (other ranks warn, as PyTorch, and count as unbatched)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior and "
            "silence this warning, please use dropout instead. Note that dropout3d exists to "
            "provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2)
    return _unbatched_feature_dropout(input, p, training, inplace, input.ndim == 5)


def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Alpha dropout for SELU networks (dropped units take SELU's negative saturation, then
    an affine map keeps mean 0 and variance 1); identity unless training."""
    return _dropout("alpha", "AddBackward0", input, p, training, inplace)


def feature_alpha_dropout(input, p: float = 0.5, training: bool = False,
                          inplace: bool = False):
    """Alpha dropout of whole channels of (N, C, *); identity unless training."""
    if training and 0.0 < p <= 1.0 and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _dropout("feature_alpha", "AddBackward0", input, p, training, inplace)
