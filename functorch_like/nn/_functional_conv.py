"""torch.nn.functional's linear maps, 1-d/2-d convolutions and padding: linear, bilinear,
conv1d, conv2d, conv_transpose2d and pad. Each dispatches one pure-core function;
nn.functional re-exports them (the 3-d and transposed 1-d/3-d forms live in
_functional_layers).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from .. import _autocast_state, _dtypes
from .._scalar_range import check_fits
from .._tensor import Tensor, apply
from ..pure import _conv, _linear
from . import _arg_checks as _args


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias; input (*, in), weight (out, in) -> (*, out). Mixed dtypes
    raise PyTorch's errors (outside autocast, which casts them first)."""
    _check_linear_args(input, weight, bias)
    check_linear_dtypes(input, weight, bias)
    return apply(_linear.linear, _linear_grad_fn(input.ndim, bias is not None), input,
                 weight, bias)


def check_linear_dtypes(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's errors for a linear map of mixed dtypes (the matmul's with a bias (addmm),
    or the mm's without one); none under autocast, which casts the operands first."""
    if _autocast_state.cast is not None:
        return
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
    if bias is not None and bias.dtype != weight.dtype:
        raise RuntimeError(
            "self and mat2 must have the same dtype, but got "
            f"{_dtypes.scalar_type_name(bias.dtype)} and "
            f"{_dtypes.scalar_type_name(weight.dtype)}")


def _check_linear_args(input, weight, bias) -> None:
    """torch's checks before linear's matmul, in its order: the argument parser's types,
    then at::linear's ranks, then the transpose of the weight (and addmm's, which takes a
    2-d input with a bias)."""
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)) or not (
            bias is None or isinstance(bias, Tensor)):
        _args.require_tensor("linear", input, "input", 1)
        _args.require_tensor("linear", weight, "weight", 2)
        _args.require_optional_tensor("linear", bias, "bias", 3)
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.ndim}D and {weight.ndim}D")
    if weight.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{weight.ndim}D")
    if weight.ndim == 1 and bias is not None and input.ndim == 2:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")


def _linear_grad_fn(ndim: int, has_bias: bool) -> str:
    """torch's grad_fn name for linear: the last op of its composite at this input rank."""
    if has_bias:
        return "AddmmBackward0" if ndim == 2 else "ViewBackward0"
    return {1: "SqueezeBackward4", 2: "MmBackward0"}.get(ndim, "UnsafeViewBackward0")


def bilinear(input1, input2, weight, bias=None):
    """y_k = input1 W_k input2 + b_k; input1 (*, in1), input2 (*, in2), weight
    (out, in1, in2) -> (*, out). Mixed dtypes raise PyTorch's error (outside autocast)."""
    for position, (name, value) in enumerate((("input1", input1), ("input2", input2),
                                              ("weight", weight)), 1):
        _args.require_tensor("bilinear", value, name, position)
    _args.require_optional_tensor("bilinear", bias, "bias", 4)
    _check_bilinear_dtypes(input1, input2, weight, bias)
    return apply(_linear.bilinear, "AddBackward0", input1, input2, weight, bias)


def _check_bilinear_dtypes(input1, input2, weight, bias) -> None:
    """at::bilinear's first check: one dtype for all operands (in C++ type names)."""
    operands = {"input1": input1, "input2": input2, "weight": weight}
    if bias is not None:
        operands["bias"] = bias
    if _autocast_state.cast is None and len({t.dtype for t in operands.values()}) > 1:
        listed = ", ".join(f"{name}: {_dtypes.cpp_type_name(t.dtype)}"
                           for name, t in operands.items())
        raise RuntimeError(f"All tensors must have the same dtype, got {listed}")


def _f_conv(x, w, b, *, nd, stride, padding, dilation, groups):
    fn = _conv.conv1d if nd == 1 else _conv.conv2d
    return fn(x, w, b, stride, padding, dilation, groups)


def _norm_arg(v):
    return tuple(v) if isinstance(v, list) else v


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C_in, L) * (C_out, C_in/groups, K) -> (N, C_out, L_out)."""
    _args.require_conv_overload("conv1d", (input, weight, bias, stride, padding, dilation,
                                           groups))
    return apply(_f_conv, "ConvolutionBackward0", input, weight, bias, nd=1,
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 dilation=_norm_arg(dilation), groups=groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """(N, C_in, H, W) * (C_out, C_in/groups, kH, kW) -> (N, C_out, H_out, W_out)."""
    _args.require_conv_overload("conv2d", (input, weight, bias, stride, padding, dilation,
                                           groups))
    return apply(_f_conv, "ConvolutionBackward0", input, weight, bias, nd=2,
                 stride=_norm_arg(stride), padding=_norm_arg(padding),
                 dilation=_norm_arg(dilation), groups=groups)


def _f_conv_t(x, w, b, *, stride, padding, output_padding, groups, dilation):
    return _conv.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed 2-D convolution; weight (C_in, C_out/groups, kH, kW)."""
    _args.require_conv_tensors("conv_transpose2d", input, weight, bias)
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
    # A negative amount crops that side, as torch's: circular padding wraps the cropped
    # input; reflection and replication pad the whole input, then crop.
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    jmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]

    def cropped(a):
        return a[tuple(slice(-min(lo, 0), n + min(hi, 0))
                       for (lo, hi), n in zip(widths, a.shape))]
    if mode == "circular":
        return jnp.pad(cropped(x), grow, mode=jmode)
    return cropped(jnp.pad(x, grow, mode=jmode))


def pad(input, pad, mode: str = "constant", value: float | None = None):
    """Pads the last len(pad)//2 dims; `pad` lists (left, right) pairs from the last dim.
    In constant mode a negative amount crops that side, as in PyTorch."""
    _args.require_input("pad", input)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           "input dimension")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode == "constant" and isinstance(value, (int, float)) and not isinstance(value, bool):
        # (torch converts the value to the tensor's type with checked_convert)
        check_fits(value, input.dtype)
        if input.is_floating_point() and math.isfinite(value) and \
                abs(value) > float(jnp.finfo(input._value.dtype).max):
            raise RuntimeError(f"value cannot be converted to type "
                               f"{_dtypes.cpp_type_name(input.dtype)} without overflow")
    # The other modes pad the last 1-3 dims of a batched or unbatched input only.
    if mode != "constant" and not (len(pad) in (2, 4, 6)
                                   and len(pad) // 2 + 1 <= input.ndim <= len(pad) // 2 + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode in ("reflect", "replicate"):
        dims = len(pad) // 2
        # (the batch dim, when there is one, may be empty; a padded or channel dim not)
        if 0 in input.shape[input.ndim - dims - 1:]:
            raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                               "possibly 0 batch size and other non-zero dimensions for "
                               f"input, but got: {list(input.shape)}")
    for i in range(len(pad) // 2):      # PyTorch crops (narrows) first, then pads
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
        kept = size + min(left, 0) + min(right, 0)      # (circular wraps the cropped input)
        if mode == "circular" and (left > kept or right > kept):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    # PyTorch's grad_fn names: one kernel per mode and padded rank; circular copies slices.
    name = {"constant": "ConstantPadNdBackward0", "circular": "CopySlices",
            "reflect": f"ReflectionPad{len(pad) // 2}DBackward0",
            "replicate": f"ReplicationPad{len(pad) // 2}DBackward0"}[mode]
    return apply(_f_pad, name, input, pad=tuple(int(p) for p in pad),
                 mode=mode, value=0.0 if value is None else value)
