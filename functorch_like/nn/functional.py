"""torch.nn.functional on Tensors: each function dispatches one pure-core function.

Parity notes: `batch_norm` updates the running statistics in place, as PyTorch's does;
`dropout` draws its mask from the global generator (same seed, same masks).
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp

from .. import _autocast_state, _dtypes, _random
from .._methods import log_softmax as _log_softmax
from .._methods import softmax as _softmax
from .._ops_math import as_operand
from .._tensor import Tensor, apply
from ..autograd._grad_mode import no_grad
from ..pure import _activations as A
from ..pure import _attention, _conv, _dropout, _linear, _norm, _pool, _unpool
from ..pure import losses as L
from . import _loss_weights as _lw
from ._functional_activations import celu as celu
from ._functional_activations import celu_ as celu_
from ._functional_activations import elu_ as elu_
from ._functional_activations import glu as glu
from ._functional_activations import gumbel_softmax as gumbel_softmax
from ._functional_activations import hardshrink as hardshrink
from ._functional_activations import hardsigmoid as hardsigmoid
from ._functional_activations import hardswish as hardswish
from ._functional_activations import hardtanh_ as hardtanh_
from ._functional_activations import leaky_relu_ as leaky_relu_
from ._functional_activations import prelu as prelu
from ._functional_activations import relu_ as relu_
from ._functional_activations import rrelu as rrelu
from ._functional_activations import rrelu_ as rrelu_
from ._functional_activations import selu_ as selu_
from ._functional_activations import softmin as softmin
from ._functional_activations import softshrink as softshrink
from ._functional_activations import softsign as softsign
from ._functional_activations import tanhshrink as tanhshrink
from ._functional_activations import threshold as threshold
from ._functional_activations import threshold_ as threshold_
from ._functional_layers import adaptive_avg_pool3d as adaptive_avg_pool3d
from ._functional_layers import adaptive_max_pool1d as adaptive_max_pool1d
from ._functional_layers import adaptive_max_pool1d_with_indices as adaptive_max_pool1d_with_indices  # noqa: E501
from ._functional_layers import adaptive_max_pool2d as adaptive_max_pool2d
from ._functional_layers import adaptive_max_pool2d_with_indices as adaptive_max_pool2d_with_indices  # noqa: E501
from ._functional_layers import adaptive_max_pool3d as adaptive_max_pool3d
from ._functional_layers import adaptive_max_pool3d_with_indices as adaptive_max_pool3d_with_indices  # noqa: E501
from ._functional_layers import alpha_dropout as alpha_dropout
from ._functional_layers import avg_pool3d as avg_pool3d
from ._functional_layers import channel_shuffle as channel_shuffle
from ._functional_layers import conv3d as conv3d
from ._functional_layers import conv_transpose1d as conv_transpose1d
from ._functional_layers import conv_transpose3d as conv_transpose3d
from ._functional_layers import dropout1d as dropout1d
from ._functional_layers import dropout3d as dropout3d
from ._functional_layers import feature_alpha_dropout as feature_alpha_dropout
from ._functional_layers import fold as fold
from ._functional_layers import instance_norm as instance_norm
from ._functional_layers import interpolate as interpolate
from ._functional_fractional import fractional_max_pool2d as fractional_max_pool2d
from ._functional_fractional import fractional_max_pool2d_with_indices as fractional_max_pool2d_with_indices  # noqa: E501
from ._functional_fractional import fractional_max_pool3d as fractional_max_pool3d
from ._functional_fractional import fractional_max_pool3d_with_indices as fractional_max_pool3d_with_indices  # noqa: E501
from ._functional_mha import multi_head_attention_forward as multi_head_attention_forward
from ._functional_layers import local_response_norm as local_response_norm
from ._functional_layers import lp_pool1d as lp_pool1d
from ._functional_layers import lp_pool2d as lp_pool2d
from ._functional_layers import lp_pool3d as lp_pool3d
from ._functional_layers import max_pool1d_with_indices as max_pool1d_with_indices
from ._functional_layers import max_pool2d_with_indices as max_pool2d_with_indices
from ._functional_layers import max_pool3d as max_pool3d
from ._functional_layers import max_pool3d_with_indices as max_pool3d_with_indices
from ._functional_layers import pixel_shuffle as pixel_shuffle
from ._functional_layers import pixel_unshuffle as pixel_unshuffle
from ._functional_layers import rms_norm as rms_norm
from ._functional_layers import unfold as unfold
from ._functional_layers import upsample as upsample
from ._functional_layers import upsample_bilinear as upsample_bilinear
from ._functional_layers import upsample_nearest as upsample_nearest
from ._functional_losses import cosine_embedding_loss as cosine_embedding_loss
from ._functional_losses import cosine_similarity as cosine_similarity
from ._functional_losses import gaussian_nll_loss as gaussian_nll_loss
from ._functional_losses import hinge_embedding_loss as hinge_embedding_loss
from ._functional_linear_ce import linear_cross_entropy as linear_cross_entropy
from ._functional_losses import margin_ranking_loss as margin_ranking_loss
from ._functional_losses import multi_margin_loss as multi_margin_loss
from ._functional_losses import multilabel_margin_loss as multilabel_margin_loss
from ._functional_losses import multilabel_soft_margin_loss as multilabel_soft_margin_loss
from ._functional_losses import pairwise_distance as pairwise_distance
from ._functional_losses import pdist as pdist
from ._functional_losses import poisson_nll_loss as poisson_nll_loss
from ._functional_losses import soft_margin_loss as soft_margin_loss
from ._functional_losses import triplet_margin_loss as triplet_margin_loss
from ._functional_losses import triplet_margin_with_distance_loss as triplet_margin_with_distance_loss  # noqa: E501
from ._functional_sparse import embedding_bag as embedding_bag
from ._functional_ctc import ctc_loss as ctc_loss
from ._functional_grid import affine_grid as affine_grid
from ._functional_grid import grid_sample as grid_sample
from ._functional_unpool import max_unpool3d as max_unpool3d

# ---- linear, conv, pooling ----------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias; input (*, in), weight (out, in) -> (*, out). Mixed dtypes
    raise PyTorch's errors (outside autocast, which casts them first)."""
    if _autocast_state.cast is None and isinstance(input, Tensor) and isinstance(
            weight, Tensor):
        if input.dtype != weight.dtype:
            if bias is None:
                raise RuntimeError(
                    "expected m1 and m2 to have the same dtype, but got: "
                    f"{_dtypes.cpp_type_name(input.dtype)} != "
                    f"{_dtypes.cpp_type_name(weight.dtype)}")
            raise RuntimeError(
                "mat1 and mat2 must have the same dtype, but got "
                f"{_dtypes.scalar_type_name(input.dtype)} and "
                f"{_dtypes.scalar_type_name(weight.dtype)}")
        if isinstance(bias, Tensor) and bias.dtype != weight.dtype:
            raise RuntimeError(
                "self and mat2 must have the same dtype, but got "
                f"{_dtypes.scalar_type_name(bias.dtype)} and "
                f"{_dtypes.scalar_type_name(weight.dtype)}")
    return apply(_linear.linear, "AddmmBackward0" if input.ndim == 2 else "ViewBackward0",
                 input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    return apply(_linear.bilinear, "AddBackward0", input1, input2, weight, bias)


def _f_conv(x, w, b, *, nd, stride, padding, dilation, groups):
    fn = _conv.conv1d if nd == 1 else _conv.conv2d
    return fn(x, w, b, stride, padding, dilation, groups)


def _norm_arg(v):
    return tuple(v) if isinstance(v, list) else v


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C_in, L) * (C_out, C_in/groups, K) -> (N, C_out, L_out)."""
    return apply(_f_conv, "ConvolutionBackward0", input, weight, bias, nd=1,
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 dilation=_norm_arg(dilation), groups=groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C_in, H, W) * (C_out, C_in/groups, kH, kW) -> (N, C_out, H_out, W_out)."""
    return apply(_f_conv, "ConvolutionBackward0", input, weight, bias, nd=2,
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 dilation=_norm_arg(dilation), groups=groups)


def _f_conv_t(x, w, b, *, stride, padding, output_padding, groups, dilation):
    return _conv.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 2-D convolution; weight (C_in, C_out/groups, kH, kW)."""
    return apply(_f_conv_t, "ConvolutionBackward0", input, weight, bias,
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 output_padding=_norm_arg(output_padding), groups=groups,
                 dilation=_norm_arg(dilation))


def _f_pad(x, *, pad, mode, value):
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "constant":     # lax.pad: a negative amount crops, as PyTorch's does
        return jax.lax.pad(x, jnp.asarray(value, x.dtype), [(lo, hi, 0) for lo, hi in widths])
    return jnp.pad(x, widths, mode={"reflect": "reflect", "replicate": "edge",
                                    "circular": "wrap"}[mode])


def pad(input, pad, mode: str = "constant", value: float | None = None):
    """Pads the last len(pad)//2 dims; `pad` lists (left, right) pairs from the last dim.
    In constant mode a negative amount crops that side, as in PyTorch."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unsupported padding mode: {mode}")
    if mode == "constant":      # PyTorch crops (narrows) first, then pads
        for i in range(len(pad) // 2):
            if input.shape[-1 - i] + min(pad[2 * i], 0) + min(pad[2 * i + 1], 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
    for i in range(len(pad) // 2):
        # Reflection mirrors once and circular padding wraps once, as PyTorch's kernels.
        size, (left, right) = input.shape[-1 - i], pad[2 * i:2 * i + 2]
        if mode == "reflect" and (left >= size or right >= size):
            raise RuntimeError(
                f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({left}, {right}) at dimension "
                f"{input.ndim - 1 - i} of input {list(input.shape)}")
        if mode == "circular" and (left > size or right > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    # PyTorch's grad_fn names: one kernel per mode and padded rank; circular copies slices.
    name = {"constant": "ConstantPadNdBackward0", "circular": "CopySlices",
            "reflect": f"ReflectionPad{len(pad) // 2}DBackward0",
            "replicate": f"ReplicationPad{len(pad) // 2}DBackward0"}[mode]
    return apply(_f_pad, name, input, pad=tuple(int(p) for p in pad),
                 mode=mode, value=0.0 if value is None else value)


def _f_max_pool(x, *, nd, kernel_size, stride, padding, dilation, ceil_mode, indices):
    if indices:
        fn = _pool.max_pool1d_with_indices if nd == 1 else _pool.max_pool2d_with_indices
    else:
        fn = _pool.max_pool1d if nd == 1 else _pool.max_pool2d
    return fn(x, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, L); with return_indices also each maximum's position."""
    return apply(_f_max_pool, "MaxPool1DWithIndicesBackward0", input, nd=1,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), dilation=_norm_arg(dilation), ceil_mode=ceil_mode,
                 indices=bool(return_indices))


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of (N, C, H, W); stride defaults to kernel_size. With
    return_indices, also each maximum's flat position h * W + w (for max_unpool2d)."""
    return apply(_f_max_pool, "MaxPool2DWithIndicesBackward0", input, nd=2,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), dilation=_norm_arg(dilation), ceil_mode=ceil_mode,
                 indices=bool(return_indices))


def _f_max_unpool(x, indices, *, nd, kernel_size, stride, padding, output_size):
    fn = (_unpool.max_unpool1d, _unpool.max_unpool2d, _unpool.max_unpool3d)[nd - 1]
    return fn(x, indices, kernel_size, stride, padding, output_size)


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    if output_size is not None:     # checked here, so the message shows the caller's value
        output_size = _unpool.unpool_output_size(tuple(input.shape), _norm_arg(kernel_size),
                                                 _norm_arg(stride), _norm_arg(padding),
                                                 output_size, nd)
    return apply(_f_max_unpool, f"MaxUnpool{nd}DBackward0",
                 input, indices, nd=nd, kernel_size=_norm_arg(kernel_size),
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 output_size=output_size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of (N, C, L) back at its max_pool1d index in zeros (N, C, L_out)."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Puts each value of (N, C, H, W) back at its max_pool2d index in zeros of
    (N, C, H_out, W_out); H_out = (H - 1) * stride + kernel_size - 2 * padding by default."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def _f_avg_pool(x, *, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    if nd == 1:
        return _pool.avg_pool1d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)
    return _pool.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                            divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    return apply(_f_avg_pool, "AvgPool2DBackward0", input, nd=1,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    return apply(_f_avg_pool, "AvgPool2DBackward0", input, nd=2,
                 kernel_size=_norm_arg(kernel_size), stride=_norm_arg(stride),
                 padding=_norm_arg(padding), ceil_mode=ceil_mode,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def _f_adaptive_avg(x, *, nd, output_size):
    fn = _pool.adaptive_avg_pool1d if nd == 1 else _pool.adaptive_avg_pool2d
    return fn(x, output_size)


def adaptive_avg_pool1d(input, output_size):
    return apply(_f_adaptive_avg, "AdaptiveAvgPool2DBackward0", input, nd=1,
                 output_size=_norm_arg(output_size))


def adaptive_avg_pool2d(input, output_size):
    return apply(_f_adaptive_avg, "AdaptiveAvgPool2DBackward0", input, nd=2,
                 output_size=_norm_arg(output_size))


# ---- normalization ------------------------------------------------------------------

_BN_STATS = ("running_mean", "running_var", "num_batches_tracked")


def _f_batch_norm(x, rm, rv, w, b, nbt, *, training, momentum, eps):
    y, state = _norm.batch_norm(x, rm, rv, w, b, nbt, training=training, momentum=momentum,
                                eps=eps)
    if not training:
        return y          # eval reads the statistics and returns them unchanged
    # Only the statistics that were given come back: every output of `apply` is an array.
    return (y,) + tuple(state[k] for k in _BN_STATS if k in state)


def _write_buffer(buffer: Tensor | None, value) -> None:
    # Running statistics are data, not part of the graph: written in place, no grad_fn.
    if buffer is not None and value is not None:
        buffer._value = jax.lax.stop_gradient(value._value)
        buffer._version += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5, *, num_batches_tracked=None):
    """Batch normalization over dim 1; in training updates running_mean/var in place
    (momentum None needs `num_batches_tracked`, a functorch_like extension that BatchNorm
    modules pass, and increments it)."""
    if training and running_mean is not None and num_batches_tracked is None \
            and momentum is None:
        raise ValueError("momentum=None needs num_batches_tracked")
    if training and running_mean is not None and _batched(input) and not _batched(
            running_mean):
        # Under vmap the update would put the batch's tracer into the module's buffer.
        raise RuntimeError(
            "Batch norm got a batched tensor as input while the running_mean or "
            "running_var, which will be updated in place, were not batched.\nIf you are "
            "using a module and do not need eval mode, please set `track_running_stats` to "
            "be False.If you are using a prebuilt module and do not need eval mode, please "
            "see the functorch website for resources on how to patch your module to work "
            "with vmap")
    out = apply(_f_batch_norm, "NativeBatchNormBackward0", input, running_mean, running_var,
                weight, bias, num_batches_tracked, training=training, momentum=momentum,
                eps=eps)
    if not training:
        return out
    y, *new_stats = out
    # The pure core returns the statistics it was given, in _BN_STATS order.
    given = [b for b in (running_mean, running_var, num_batches_tracked) if b is not None]
    for buf, value in zip(given, new_stats):
        _write_buffer(buf, value)
    return y


def _batched(t) -> bool:
    """Whether a tensor's value is batched by a vmap (jax's BatchTracer, which jax does
    not export)."""
    return type(t._value).__name__ == "BatchTracer"


def _f_layer_norm(x, w, b, *, normalized_shape, eps):
    return _norm.layer_norm(x, normalized_shape, w, b, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        normalized_shape)
    return apply(_f_layer_norm, "NativeLayerNormBackward0", input, weight, bias,
                 normalized_shape=shape, eps=eps)


def _f_group_norm(x, w, b, *, num_groups, eps):
    return _norm.group_norm(x, num_groups, w, b, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalizes each of num_groups groups of the channels of input (N, C, *); weight and
    bias (C,) scale and shift per channel."""
    if input.ndim < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    # PyTorch's _verify_batch_size, on the input seen as (N*C/G, G, *spatial), before the
    # channel checks (so it raises in eval mode too).
    size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {size}")
    channels = input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != channels):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number "
                               f"of channels in input, but got {what} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    return apply(_f_group_norm, "NativeGroupNormBackward0", input, weight, bias,
                 num_groups=num_groups, eps=eps)


# ---- dropout, embedding -------------------------------------------------------------

def _f_dropout(x, key, *, p, channels):
    fn = _dropout.dropout2d if channels else _dropout.dropout
    return fn(x, p, True, key=key)


def _dropout_impl(input, p, training, inplace, channels):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    key = _random.next_key() if p < 1.0 else None
    out = apply(_f_dropout, "MulBackward0", input, key, p=p, channels=channels)
    return input._set(out) if inplace else out


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes elements with probability p (mask from the global generator), scales the
    rest by 1/(1-p); identity when not training."""
    return _dropout_impl(input, p, training, inplace, False)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of (N, C, H, W) with probability p; other ranks with torch's
    warnings and behaviour (one draw per (N, C): see pure/_dropout.dropout2d)."""
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. "
                      "Note that dropout2d exists to provide channel-wise dropout on inputs "
                      "with 2 spatial dimensions, a channel dimension, and an optional batch "
                      "dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
                      "dropout behavior, please switch to using dropout1d instead.",
                      UserWarning, stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True)


def _f_sdpa(q, k, v, mask, key, *, dropout_p, is_causal, scale, enable_gqa):
    return _attention.scaled_dot_product_attention(q, k, v, mask, dropout_p, is_causal, scale,
                                                   enable_gqa, key=key)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None, enable_gqa: bool = False):
    """softmax(Q K^T * scale + mask) V over (..., L, E) queries and (..., S, E) keys/values;
    a bool attn_mask is True where attending is allowed; enable_gqa lets key/value have
    fewer heads (dim -3) than the query; is_causal with an attn_mask applies both for 4-d
    inputs without dropout, and raises otherwise, as torch 2.13 on CPU. Dropout applies whenever dropout_p > 0 (PyTorch's functional form
    does not look at a module's training flag)."""
    if is_causal and attn_mask is not None and (query.ndim != 4 or dropout_p > 0):
        # (torch's CPU flash kernel, which takes both, serves 4-d inputs without dropout;
        # its math path refuses the pair)
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    rng = _random.next_key() if dropout_p > 0 else None
    return apply(_f_sdpa, "ScaledDotProductAttentionBackward", query, key, value, attn_mask,
                 rng, dropout_p=float(dropout_p), is_causal=bool(is_causal),
                 scale=None if scale is None else float(scale), enable_gqa=bool(enable_gqa))


def _f_embedding(idx, w, *, padding_idx, scale_grad_by_freq):
    return _linear.embedding(idx, w, padding_idx, scale_grad_by_freq)


def _f_embedding_renorm(w, idx, *, max_norm, norm_type):
    return _linear.embedding_renorm(w, idx, max_norm, norm_type)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of weight picked by integer input; no gradient to the padding_idx row.

    With max_norm, the looked-up rows of `weight` whose norm exceeds it are first rescaled
    in place, as PyTorch's. PyTorch parity: sparse=True gives the same gradient, dense."""
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    if max_norm is not None:
        with no_grad():
            weight._set(apply(_f_embedding_renorm, "EmbeddingRenormBackward", weight, input,
                              max_norm=float(max_norm), norm_type=float(norm_type)))
    return apply(_f_embedding, "EmbeddingBackward0", input, weight, padding_idx=padding_idx,
                 scale_grad_by_freq=bool(scale_grad_by_freq))


def one_hot(tensor, num_classes: int = -1):
    """int64 tensor of shape (*tensor.shape, num_classes): 1 at each class index, else 0.

    tensor: int64 class indices of any shape. num_classes -1 infers max + 1 (a value-shaped
    output: eager only). Errors as PyTorch's: a non-int64 input, an empty one without a
    positive num_classes, negative or too large classes.

    PyTorch parity: in traced code (compile, jax.jit) the values cannot be checked; the
    row of a class outside [0, num_classes) is then filled with the smallest integer (as
    this library's out-of-range writes are), never a valid-looking row.
    """
    from .. import _dtypes
    from ..pure._errors import check_values

    if tensor.dtype != _dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    value = tensor._value
    if value.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        check_values((value,), lambda: (value < 0, value.min()),
                     lambda _: RuntimeError("Class values must be non-negative."))
        if num_classes == -1:
            if isinstance(value, jax.core.Tracer):
                raise TypeError("one_hot() without num_classes has an output shape that "
                                "depends on the input's values, so it cannot run inside "
                                "traced code (functorch_like.compile, jax.jit); pass "
                                "num_classes")
            num_classes = int(value.max()) + 1
        check_values((value,), lambda: (value >= num_classes, value.max()),
                     lambda _: RuntimeError("Class values must be smaller than num_classes."))
    out = jax.nn.one_hot(value, num_classes, dtype=_dtypes.int64.jax)
    if isinstance(value, jax.core.Tracer):
        bad = (value < 0) | (value >= num_classes)
        out = jnp.where(bad[..., None], jnp.iinfo(out.dtype).min, out)
    return Tensor._make(out)


# ---- activations --------------------------------------------------------------------

def _act(fn, name, input, inplace=False, **static):
    out = apply(fn, name, input, **static)
    return input._set(out) if inplace else out


def relu(input, inplace: bool = False):
    return _act(A.relu, "ReluBackward0", input, inplace)


def relu6(input, inplace: bool = False):
    return _act(A.relu6, "HardtanhBackward0", input, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _act(A.hardtanh, "HardtanhBackward0", input, inplace, min_val=min_val,
                max_val=max_val)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    return _act(A.leaky_relu, "LeakyReluBackward0", input, inplace,
                negative_slope=negative_slope)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    return _act(A.elu, "EluBackward0", input, inplace, alpha=alpha)


def selu(input, inplace: bool = False):
    return _act(A.selu, "EluBackward0", input, inplace)


def gelu(input, approximate: str = "none"):
    return apply(A.gelu, "GeluBackward0", input, approximate=approximate)


def silu(input, inplace: bool = False):
    return _act(A.silu, "SiluBackward0", input, inplace)


def mish(input, inplace: bool = False):
    return _act(A.mish, "MishBackward0", input, inplace)


def sigmoid(input):
    return apply(A.sigmoid, "SigmoidBackward0", input)


def tanh(input):
    return apply(A.tanh, "TanhBackward0", input)


def logsigmoid(input):
    return apply(A.logsigmoid, "LogSigmoidBackward0", input)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    return apply(A.softplus, "SoftplusBackward0", input, beta=beta, threshold=threshold)


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """PyTorch's deprecated implicit softmax dim, with its warning (pointing at the
    caller's line: `stacklevel` counts from the public function, as torch's)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """softmax along `dim` (PyTorch's deprecated implicit dim is supported, with its rule
    and warning)."""
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    return _softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    return _log_softmax(input, dim, dtype)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12):
    """input / max(||input||_p along dim, eps)."""
    n = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input / n.expand_as(input)


# ---- losses -------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, reduction):
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def _loss(fn, name, *args, **static):
    return apply(fn, name, *[as_operand(a) if a is not None else None for a in args],
                 **static)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _loss(L.mse_loss, "MseLossBackward0", input, target,
                 reduction=_legacy_reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _loss(L.l1_loss, "L1LossBackward0", input, target,
                 reduction=_legacy_reduction(size_average, reduce, reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    return _loss(L.smooth_l1_loss, "SmoothL1LossBackward0", input, target,
                 reduction=_legacy_reduction(size_average, reduce, reduction), beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0):
    return _loss(L.huber_loss, "HuberLossBackward0", input, target, reduction=reduction,
                 delta=delta)


def _f_cross_entropy(x, t, w, *, ignore_index, reduction, label_smoothing):
    return L.cross_entropy(x, t, w, ignore_index, reduction, label_smoothing)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """log_softmax + nll over dim 1 (class indices or class probabilities as target)."""
    if _lw.class_indices(target):
        _lw.check_not_differentiable(_lw.nll_op_name(input), weight=weight)
    return _loss(_f_cross_entropy, "NllLossBackward0", input, target, weight,
                 ignore_index=ignore_index,
                 reduction=_legacy_reduction(size_average, reduce, reduction),
                 label_smoothing=label_smoothing)


def _f_nll(x, t, w, *, ignore_index, reduction):
    return L.nll_loss(x, t, w, ignore_index, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    _lw.check_not_differentiable(_lw.nll_op_name(input), weight=weight)
    return _loss(_f_nll, "NllLossBackward0", input, target, weight, ignore_index=ignore_index,
                 reduction=_legacy_reduction(size_average, reduce, reduction))


def _f_bce(x, t, w, *, reduction):
    return L.binary_cross_entropy(x, t, w, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    out = _loss(_f_bce, "BinaryCrossEntropyBackward0", input, target, weight,
                reduction=_legacy_reduction(size_average, reduce, reduction))
    # After the shape checks, which PyTorch makes in Python before its autograd's check.
    _lw.check_not_differentiable("binary_cross_entropy", weight=weight)
    return out


def _f_bce_logits(x, t, w, pw, *, reduction):
    return L.binary_cross_entropy_with_logits(x, t, w, reduction, pw)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    _lw.check_not_differentiable("binary_cross_entropy_with_logits", weight=weight,
                                 pos_weight=pos_weight)
    return _loss(_f_bce_logits, "BinaryCrossEntropyWithLogitsBackward0", input, target,
                 weight, pos_weight,
                 reduction=_legacy_reduction(size_average, reduce, reduction))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    return _loss(L.kl_div, "KlDivBackward0", input, target,
                 reduction=_legacy_reduction(size_average, reduce, reduction),
                 log_target=log_target)
