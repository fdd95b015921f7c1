"""Convolutions in PyTorch's layouts: inputs (N, C, *spatial), weights (O, I/groups, *k)."""

from __future__ import annotations

import math
from typing import Sequence

import jax
import jax.numpy as jnp

from . import _conv_checks as _checks
from . import init as _init
from ._errors import ShapeError, shape_str
from ._types import Array, PRNGKey

__all__ = ["conv_init", "conv1d", "conv2d", "conv3d", "conv_transpose_init",
           "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "ntuple"]

_LAYOUTS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"),
            3: ("NCDHW", "OIDHW", "NCDHW")}


def ntuple(value, n: int) -> tuple:
    """`3 -> (3, 3)`; a sequence is kept (PyTorch's `_pair`)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n:
            raise ValueError(f"expected {n} values, got {tuple(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def conv_init(in_channels: int, out_channels: int, kernel_size, groups: int = 1,
              bias: bool = True, *, key: PRNGKey, nd: int = 2, dtype=None) -> dict[str, Array]:
    """PyTorch's default ConvNd parameters: weight (O, I/groups, *k), bias (O,).

    Both are U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = I/groups * prod(k).
    """
    if in_channels % groups or out_channels % groups:
        raise ValueError("in_channels and out_channels must be divisible by groups")
    shape = (out_channels, in_channels // groups) + ntuple(kernel_size, nd)
    wkey, bkey = jax.random.split(key)
    params = {"weight": _init.kaiming_uniform(shape, a=math.sqrt(5), key=wkey, dtype=dtype)}
    if bias:
        fan_in, _ = _init.fan_in_and_fan_out(shape)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        params["bias"] = _init.uniform((out_channels,), -bound, bound, key=bkey, dtype=dtype)
    return params


def _check_rank(x, nd: int, name: str) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise ShapeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {shape_str(x.shape)}")


def _check_channels(x, weight, nd: int, groups: int, transposed: bool = False) -> None:
    if weight.shape[0] % groups:        # (JAX's own error, or a reshape's, came first)
        raise ShapeError(f"Given groups={groups}, expected weight to be divisible by "
                         f"{groups} at dimension 0, but got weight of size "
                         f"[{shape_str(weight.shape)}] instead")
    channels = x.shape[-nd - 1]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        # PyTorch names the batched shape (an unbatched input gains its leading 1 first) and
        # says "transposed=1" instead of the groups for transposed convolutions.
        batched = x.shape if x.ndim == nd + 2 else (1,) + x.shape
        given = "transposed=1" if transposed else f"groups={groups}"
        what = (f"expected input{shape_str(batched)} to have {expected} channels, but got "
                f"{channels} channels instead")
        raise ShapeError(f"Given {given}, weight of size {shape_str(weight.shape)}, " + what)


def _check_bias(weight, bias, groups: int, transposed: bool = False) -> None:
    """PyTorch's error for a bias that is not one value per output channel (a (C, 1)
    bias broadcast over the output's length before)."""
    if bias is None:
        return
    n = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias.ndim != 1 or bias.shape[0] != n:
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise ShapeError(f"{given} of size {shape_str(weight.shape)}, expected bias to be "
                         f"1-dimensional with {n} elements, but got bias of size "
                         f"{shape_str(bias.shape)} instead")


def _padding(padding, kernel, dilation, stride, nd):
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * nd
        if padding != "same":
            raise ValueError(f"Invalid padding string '{padding}', should be one of "
                             "{'valid', 'same'}")
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        # PyTorch pads the extra element of an even total on the right.
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    return [(p, p) for p in ntuple(padding, nd)]


def _conv(x, weight, bias, stride, padding, dilation, groups, nd, name):
    # PyTorch's order: the bias's dtype (not in the overload for string paddings), the
    # input's rank, the weight's rank, the shapes, and the dtypes the kernel takes
    if not isinstance(padding, str):
        _checks.check_bias_dtype(x, bias)
    _check_rank(x, nd, name)
    stride, padding, dilation = _checks.conv_params(x, weight, stride, padding, dilation, nd)
    _check_channels(x, weight, nd, groups)
    _check_bias(weight, bias, groups)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    kernel = weight.shape[2:]
    pads = _padding(padding, kernel, dilation, stride, nd)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < s for p, s in zip(padded, spans)):
        raise ShapeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, spans))}). Kernel size can't be greater "
            "than actual input size")
    _checks.check_kernel_dtypes(x, weight, bias, nd, transposed=False)
    if any(s > 1 for s in stride) and any(p != (0, 0) for p in pads):
        # A strided convolution's padding as an explicit pad of the input (XLA folds it
        # back into the convolution): with it in the convolution, the input gradient of
        # some strided ones (a (2, 3) kernel at stride 2, padding (1, 0)) makes XLA's
        # algebraic simplifier abort the process (a CHECK failure, nothing to catch).
        x = jnp.pad(x, [(0, 0), (0, 0), *pads])
        pads = [(0, 0)] * nd
    half = x.dtype in (jnp.float16, jnp.bfloat16) and bias is not None
    y = jax.lax.conv_general_dilated(
        x, weight, window_strides=stride, padding=pads, rhs_dilation=dilation,
        dimension_numbers=_LAYOUTS[nd], feature_group_count=groups,
        # (half: the bias is added in float32 and the sum rounded once, as torch's kernel;
        # so the bias gradient is summed in float32 too)
        preferred_element_type=jnp.float32 if half else None)
    if bias is not None:
        y = y + bias.reshape((-1,) + (1,) * nd).astype(y.dtype)
    if half:
        y = y.astype(x.dtype)
    return y[0] if unbatched else y


def conv1d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Array:
    """1-D convolution (cross-correlation, as PyTorch).

    Args:
      x: (N, C_in, L) or unbatched (C_in, L).
      weight: (C_out, C_in/groups, K).
      padding: int, tuple, 'valid' or 'same' (stride 1 only).
    Returns:
      (N, C_out, L_out).
    """
    return _conv(x, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Array:
    """2-D convolution (cross-correlation, as PyTorch).

    Args:
      x: (N, C_in, H, W) or unbatched (C_in, H, W).
      weight: (C_out, C_in/groups, kH, kW).
      padding: int, pair, 'valid' or 'same' (stride 1 only; an odd total pads one more on
        the right/bottom, as PyTorch).
    Returns:
      (N, C_out, H_out, W_out).
    """
    return _conv(x, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
           dilation=1, groups: int = 1) -> Array:
    """3-D convolution (cross-correlation, as PyTorch).

    Args:
      x: (N, C_in, D, H, W) or unbatched (C_in, D, H, W).
      weight: (C_out, C_in/groups, kD, kH, kW).
      padding: int, triple, 'valid' or 'same' (stride 1 only).
    Returns:
      (N, C_out, D_out, H_out, W_out).
    """
    return _conv(x, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose_init(in_channels: int, out_channels: int, kernel_size, groups: int = 1,
                        bias: bool = True, *, key: PRNGKey, nd: int = 2,
                        dtype=None) -> dict[str, Array]:
    """PyTorch's ConvTransposeNd parameters: weight (I, O/groups, *k), bias (O,).

    PyTorch computes fan_in from weight dim 1 (O/groups * prod(k)) for both.
    """
    shape = (in_channels, out_channels // groups) + ntuple(kernel_size, nd)
    wkey, bkey = jax.random.split(key)
    params = {"weight": _init.kaiming_uniform(shape, a=math.sqrt(5), key=wkey, dtype=dtype)}
    if bias:
        fan_in, _ = _init.fan_in_and_fan_out(shape)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        params["bias"] = _init.uniform((out_channels,), -bound, bound, key=bkey, dtype=dtype)
    return params


def conv_transpose1d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Array:
    """1-D transposed convolution: (N, C_in, L) with weight (C_in, C_out/groups, K) ->
    (N, C_out, (L-1)*stride - 2*padding + dilation*(K-1) + output_padding + 1)."""
    return _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation,
                           1)


def conv_transpose2d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Array:
    """2-D transposed convolution (the gradient of conv2d with respect to its input).

    Args:
      x: (N, C_in, H, W) or unbatched.
      weight: (C_in, C_out/groups, kH, kW), PyTorch's layout.
    Returns:
      (N, C_out, (H-1)*stride - 2*padding + dilation*(kH-1) + output_padding + 1, ...).
    """
    return _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation,
                           2)


def conv_transpose3d(x: Array, weight: Array, bias: Array | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Array:
    """3-D transposed convolution: (N, C_in, D, H, W) with weight
    (C_in, C_out/groups, kD, kH, kW), sizes as conv_transpose2d's per dim."""
    return _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation,
                           3)


def _dim_words(values, nd):
    """PyTorch's per-dim labels: 1-d ops run as 2-d ones (height 0 or 1 prepended)."""
    names = ("depth", "height", "width")[-max(nd, 2):]
    return list(zip(names, values))


def _check_output_padding(output_padding, stride, dilation):
    if all(op < max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        return
    # PyTorch's text names each dim, a 1-d op as a 2-d one with a unit height.
    one = len(stride) == 1
    parts = [(f"output_padding_{n}", v) for n, v in _dim_words(((0,) if one else ()) +
                                                              output_padding, len(stride))]
    parts += [(f"stride_{n}", v) for n, v in _dim_words(((1,) if one else ()) + stride,
                                                        len(stride))]
    parts += [(f"dilation_{n}", v) for n, v in _dim_words(((1,) if one else ()) + dilation,
                                                          len(stride))]
    raise ShapeError("output padding must be smaller than either stride or dilation, but got "
                     + " ".join(f"{n}: {v}" for n, v in parts))


def _check_transposed_size(sizes, kernel, stride, padding, output_padding, dilation):
    outs = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1
            for n, k, s, p, op, d in zip(sizes, kernel, stride, padding, output_padding,
                                         dilation)]
    # A negative size always raises in PyTorch; an empty one raises on some of its CPU
    # paths and not on others, so it stays an empty result here.
    if all(o >= 0 for o in outs):
        return
    if len(outs) == 1:              # PyTorch runs 1-d as 2-d with a unit height
        sizes, outs = (1,) + tuple(sizes), [1] + outs
    raise ShapeError(f"Given input size per channel: ({' x '.join(map(str, sizes))}). "
                     f"Calculated output size per channel: ({' x '.join(map(str, outs))}). "
                     "Output size is too small")


def _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    _check_rank(x, nd, f"conv_transpose{nd}d")
    stride, padding, dilation = _checks.conv_params(x, weight, stride, padding, dilation, nd)
    _check_channels(x, weight, nd, groups, transposed=True)
    _check_bias(weight, bias, groups, transposed=True)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    output_padding = ntuple(output_padding, nd)
    _check_output_padding(output_padding, stride, dilation)
    cin, cout_g = weight.shape[:2]
    kernel = weight.shape[2:]
    _check_transposed_size(x.shape[2:], kernel, stride, padding, output_padding, dilation)
    _checks.check_kernel_dtypes(x, weight, bias, nd, transposed=True)
    # (I, O/g, k) -> (O, I/g, k) per group, spatially flipped: a direct convolution over the
    # stride-dilated input computes the transpose.
    w = weight.reshape((groups, cin // groups, cout_g) + kernel)
    w = jnp.swapaxes(w, 1, 2).reshape((groups * cout_g, cin // groups) + kernel)
    w = jnp.flip(w, axis=tuple(range(2, 2 + nd)))
    pads = [(d * (k - 1) - p, d * (k - 1) - p + op)
            for k, d, p, op in zip(kernel, dilation, padding, output_padding)]
    half = x.dtype in (jnp.float16, jnp.bfloat16) and bias is not None
    y = jax.lax.conv_general_dilated(
        x, w, window_strides=(1,) * nd, padding=pads, lhs_dilation=stride,
        rhs_dilation=dilation, dimension_numbers=_LAYOUTS[nd], feature_group_count=groups,
        preferred_element_type=jnp.float32 if half else None)   # (as in _conv)
    if bias is not None:
        y = y + bias.reshape((-1,) + (1,) * nd).astype(y.dtype)
    if half:
        y = y.astype(x.dtype)
    return y[0] if unbatched else y
