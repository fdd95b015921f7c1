"""Normalization layers: batch_norm (returns its new running statistics), layer_norm,
group_norm, instance_norm, rms_norm, local_response_norm."""

from __future__ import annotations

import math
from typing import Sequence

import jax
import jax.numpy as jnp

from ._errors import ShapeError, shape_str
from .init import check_shape
from ._types import Array, opmath_dtype

__all__ = ["batch_norm_init", "batch_norm", "layer_norm_init", "layer_norm", "group_norm_init",
           "group_norm", "instance_norm", "rms_norm", "local_response_norm"]


def _default_float(dtype):
    return jax.dtypes.canonicalize_dtype(jnp.float32 if dtype is None else dtype)


def _upcast(x: Array) -> Array:
    """Half-precision inputs are normalized in float32 (PyTorch's CPU kernels' opmath);
    the result is cast back to the input's dtype, also with float32 affine parameters."""
    up = opmath_dtype(x.dtype)
    return x if up == x.dtype else x.astype(up)


def batch_norm_init(num_features: int, affine: bool = True, track_running_stats: bool = True,
                    *, dtype=None) -> dict[str, Array]:
    """PyTorch's BatchNorm state, in state_dict order: weight=1, bias=0, running_mean=0,
    running_var=1, num_batches_tracked=0 (int64 under x64, else int32)."""
    dtype = _default_float(dtype)
    if affine or track_running_stats:
        check_shape((num_features,))
    params = {}
    if affine:
        params["weight"] = jnp.ones((num_features,), dtype)
        params["bias"] = jnp.zeros((num_features,), dtype)
    if track_running_stats:
        params["running_mean"] = jnp.zeros((num_features,), dtype)
        params["running_var"] = jnp.ones((num_features,), dtype)
        params["num_batches_tracked"] = jnp.zeros((), jax.dtypes.canonicalize_dtype(jnp.int64))
    return params


def batch_norm(x: Array, running_mean: Array | None = None, running_var: Array | None = None,
               weight: Array | None = None, bias: Array | None = None,
               num_batches_tracked: Array | None = None, *, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5) -> tuple[Array, dict]:
    """Batch normalization over channel dim 1 of (N, C, *).

    In training (or without running statistics) normalizes with the batch mean and the
    *biased* batch variance, and returns the running statistics updated with the *unbiased*
    variance: `running = (1 - momentum) * running + momentum * batch`, `momentum=None` for
    a cumulative average (factor 1/num_batches_tracked). In eval normalizes with the
    running statistics and returns them unchanged.

    Returns:
      (y of x's shape, new state: the dict of whichever of running_mean, running_var,
      num_batches_tracked were given).
    """
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected input with at least 2 dims (N, C, *), got "
                         f"input of size: {shape_str(x.shape)}")
    channels = x.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        if value is not None and value.shape != (channels,):
            raise ShapeError(f"{name} should contain {channels} elements not "
                             f"{math.prod(value.shape)}")
    state = {}
    if num_batches_tracked is not None:
        state["num_batches_tracked"] = num_batches_tracked
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, channels) + (1,) * (x.ndim - 2)
    use_batch_stats = training or running_mean is None
    dtype, x = x.dtype, _upcast(x)
    if use_batch_stats:
        n = x.size // channels if channels else 0
        if training and n == 1:     # (an empty batch is allowed, as torch's)
            raise ValueError("Expected more than 1 value per channel when training, got "
                             f"input size torch.Size({shape_str(x.shape)})")
        mean = jnp.mean(x, axis=axes)
        var = jnp.mean(jnp.square(x - mean.reshape(bshape)), axis=axes)
        if training and running_mean is not None:
            factor = momentum
            if num_batches_tracked is not None:
                state["num_batches_tracked"] = num_batches_tracked + 1
            if momentum is None:
                if num_batches_tracked is None:
                    raise ValueError("momentum=None (cumulative average) needs "
                                     "num_batches_tracked")
                factor = 1.0 / state["num_batches_tracked"].astype(x.dtype)
            if n == 0:      # (an empty batch leaves them, as torch's; the count still grows)
                state.update(running_mean=running_mean, running_var=running_var)
            else:
                unbiased = var * (n / (n - 1))
                # (computed wide, stored in the buffers' own dtype: half statistics stay half)
                state["running_mean"] = ((1 - factor) * _upcast(running_mean) + factor
                                         * jax.lax.stop_gradient(mean)
                                         ).astype(running_mean.dtype)
                state["running_var"] = ((1 - factor) * _upcast(running_var) + factor
                                        * jax.lax.stop_gradient(unbiased)
                                        ).astype(running_var.dtype)
        elif running_mean is not None:
            state.update(running_mean=running_mean, running_var=running_var)
    else:
        mean, var = running_mean, running_var
        state.update(running_mean=running_mean, running_var=running_var)
    y = (x - mean.reshape(bshape)) * jax.lax.rsqrt(var.reshape(bshape) + eps)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y.astype(dtype), state


def _shape_tuple(shape) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def layer_norm_init(normalized_shape, elementwise_affine: bool = True, bias: bool = True,
                    *, dtype=None) -> dict[str, Array]:
    """PyTorch's LayerNorm parameters: weight=1, bias=0 of `normalized_shape`."""
    shape, dtype = _shape_tuple(normalized_shape), _default_float(dtype)
    params = {}
    if elementwise_affine:
        check_shape(shape)
        params["weight"] = jnp.ones(shape, dtype)
        if bias:
            params["bias"] = jnp.zeros(shape, dtype)
    return params


def _normalized_axes(x, normalized_shape, star: str = "*, ") -> tuple[int, ...]:
    """The trailing axes of x that `normalized_shape` names, checked as PyTorch does
    (whose rms_norm message spells the shape `[*3, 4]`, layer_norm's `[*, 3, 4]`)."""
    shape = _shape_tuple(normalized_shape)
    nd = len(shape)
    if x.shape[x.ndim - nd:] != shape or x.ndim < nd:
        raise ShapeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                         f"[{star}{', '.join(map(str, shape))}], but got input of size"
                         f"{shape_str(x.shape)}")
    return tuple(range(x.ndim - nd, x.ndim))


def layer_norm(x: Array, normalized_shape: int | Sequence[int], weight: Array | None = None,
               bias: Array | None = None, eps: float = 1e-5) -> Array:
    """Normalizes over the trailing dims `normalized_shape` of x (*, *normalized_shape)
    with the biased variance, then applies the elementwise affine."""
    axes = _normalized_axes(x, normalized_shape)
    dtype, x = x.dtype, _upcast(x)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    y = (x - mean) * jax.lax.rsqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.astype(dtype)


def group_norm_init(num_groups: int, num_channels: int, affine: bool = True,
                    *, dtype=None) -> dict[str, Array]:
    """PyTorch's GroupNorm parameters: weight=1, bias=0 of (num_channels,)."""
    if num_channels % num_groups:
        raise ValueError("num_channels must be divisible by num_groups")
    dtype = _default_float(dtype)
    if not affine:
        return {}
    check_shape((num_channels,))
    return {"weight": jnp.ones((num_channels,), dtype), "bias": jnp.zeros((num_channels,), dtype)}


def group_norm(x: Array, num_groups: int, weight: Array | None = None,
               bias: Array | None = None, eps: float = 1e-5) -> Array:
    """Normalizes (N, C, *) over each group of C/num_groups channels and the spatial dims."""
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ShapeError("Expected number of channels in input to be divisible by num_groups, "
                         f"but got input of shape {shape_str(x.shape)} and "
                         f"num_groups={num_groups}")
    n, c = x.shape[:2]
    dtype, x = x.dtype, _upcast(x)
    g = x.reshape((n, num_groups, -1))
    mean = jnp.mean(g, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(g - mean), axis=-1, keepdims=True)
    y = ((g - mean) * jax.lax.rsqrt(var + eps)).reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y.astype(dtype)


def instance_norm(x: Array, running_mean: Array | None = None,
                  running_var: Array | None = None, weight: Array | None = None,
                  bias: Array | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> tuple[Array, dict]:
    """Normalizes each (sample, channel) plane of (N, C, *) over its spatial dims.

    PyTorch's algorithm: batch norm of the input seen as (1, N*C, *), with the running
    statistics repeated N times and, after the update, averaged back over N (so each
    running statistic moves towards the batch mean of the per-instance statistics, the
    variance unbiased over the spatial size).

    Returns:
      (y of x's shape, new state: the dict of whichever of running_mean, running_var were
      given).
    """
    if x.ndim < 3:
        raise ShapeError(f"instance_norm: expected input with at least 3 dims (N, C, *), "
                         f"got input of size: {shape_str(x.shape)}")
    n, c = x.shape[:2]
    if use_input_stats and math.prod(x.shape[2:]) == 1:
        raise ValueError("Expected more than 1 spatial element when training, got input size "
                         f"torch.Size({shape_str(x.shape)})")

    def tile(v):
        return None if v is None else jnp.tile(v, n)
    y, state = batch_norm(x.reshape((1, n * c) + x.shape[2:]), tile(running_mean),
                          tile(running_var), tile(weight), tile(bias),
                          training=use_input_stats, momentum=momentum, eps=eps)
    if running_mean is not None:
        state = {k: jnp.mean(v.reshape(n, c), axis=0) for k, v in state.items()}
    return y.reshape(x.shape), state


def _eps_of(dtype, eps):
    return float(jnp.finfo(dtype).eps) if eps is None else eps


def rms_norm(x: Array, normalized_shape: int | Sequence[int], weight: Array | None = None,
             eps: float | None = None) -> Array:
    """x / sqrt(mean(x^2 over the trailing `normalized_shape` dims) + eps) * weight.

    `eps=None` means the machine epsilon of the dtype it computes in (PyTorch's default):
    half-precision inputs are computed in float32 and cast back, as PyTorch's kernel does.
    """
    axes = _normalized_axes(x, normalized_shape, star="*")
    up = _upcast(x)
    eps = _eps_of(up.dtype, eps)        # (float32's for half inputs, as torch's kernel)
    y = (up * jax.lax.rsqrt(jnp.mean(jnp.square(up), axis=axes, keepdims=True) + eps))
    return (y if weight is None else y * weight).astype(x.dtype)


def local_response_norm(x: Array, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Array:
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels) ** beta.

    The window around channel c spans [c - size//2, c + (size-1)//2], zero-padded at the
    ends, and the mean always divides by `size` (PyTorch's avg_pool over the padded
    channels). x is (N, C, *) with at least one spatial dim.
    """
    if x.ndim < 3:
        # PyTorch's message has this run of spaces (a line continuation inside its string).
        raise ValueError("Expected 3D or higher dimensionality                          "
                         f"input (got {x.ndim} dimensions)")
    if x.size == 0:
        return x
    sq = jnp.square(x)
    padded = jnp.pad(sq, [(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    total = sum(padded[:, i:i + x.shape[1]] for i in range(size))
    div = (total / size * alpha + k) ** beta
    return x / div
