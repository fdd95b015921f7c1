"""PyTorch's `nn.init` family as pure functions: `(shape, ..., *, key) -> array`.

Parity: the distributions, bounds, gains and fan computations are PyTorch's; the random
streams are JAX's, so the numbers differ from PyTorch's draws while following the same law.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import ShapeError, shape_str
from ._types import Array, PRNGKey

__all__ = [
    "calculate_gain", "fan_in_and_fan_out", "uniform", "normal", "trunc_normal",
    "constant", "zeros", "ones", "eye", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal",
]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                "conv_transpose2d", "conv_transpose3d", "sigmoid")


def _float_dtype(dtype):
    return jax.dtypes.canonicalize_dtype(jnp.float32 if dtype is None else dtype)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`."""
    if nonlinearity in _LINEAR_LIKE:
        return 1         # (an int, as torch's: it prints as 1)
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def fan_in_and_fan_out(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of `shape` in PyTorch's layout (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def check_shape(shape: Sequence[int]) -> None:
    """PyTorch's error for a negative size, raised where it creates the tensor (a module's
    constructor): the first negative dim and the whole shape."""
    negative = [d for d in shape if d < 0]
    if negative:
        raise ShapeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                         f"{shape_str(shape)}")


def _fan(shape, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of "
                         "['fan_in', 'fan_out']")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def uniform(shape, a: float = 0.0, b: float = 1.0, *, key: PRNGKey, dtype=None) -> Array:
    """Samples U(a, b) of `shape`."""
    check_shape(shape)
    return jax.random.uniform(key, tuple(shape), _float_dtype(dtype), a, b)


def normal(shape, mean: float = 0.0, std: float = 1.0, *, key: PRNGKey, dtype=None) -> Array:
    """Samples N(mean, std^2) of `shape`."""
    check_shape(shape)
    return mean + std * jax.random.normal(key, tuple(shape), _float_dtype(dtype))


def trunc_normal(shape, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                 *, key: PRNGKey, dtype=None) -> Array:
    """N(mean, std^2) truncated to [a, b] (bounds are absolute, as in PyTorch).

    PyTorch's method (2.13): where [a, b] holds more than 0.3 of the mass, normal draws
    outside it are drawn again; else uniform draws on [a, b] are accepted with probability
    pdf(x) / pdf(mode), the rest drawn again. Both are exact, far in a tail too (where
    jax.random.truncated_normal, an inverse CDF in float32, gave every value one bound).
    The loop is a lax.while_loop: jit-compatible."""
    check_shape(shape)
    return _trunc_normal(key, tuple(shape), float(mean), float(std), float(a), float(b),
                         jnp.dtype(_float_dtype(dtype)))


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5, 6))
def _trunc_normal(key, shape, mean, std, a, b, dtype):
    # (jitted: one compilation of the loop per shape and bounds, not one per call)
    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        # (the bounds as the dtype holds them, as torch compares)
        lo, hi = (np.asarray(v, dtype).item() for v in (a, b))

        def draw(k):
            x = (mean + std * jax.random.normal(k, shape, dtype)).astype(dtype)
            return x, (x >= lo) & (x <= hi)
    else:
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def draw(k):
            k_x, k_u = jax.random.split(k)
            x = jax.random.uniform(k_x, shape, dtype, a, b)
            log_ratio = (-0.5 * ((x - mean) / std) ** 2 - log_peak).astype(dtype)
            return x, ~(jnp.log(jax.random.uniform(k_u, shape, dtype)) > log_ratio)

    def again(state):
        k, x, pending = state
        k, sub = jax.random.split(k)
        fresh, ok = draw(sub)
        return k, jnp.where(pending, fresh, x), pending & ~ok
    key, sub = jax.random.split(key)
    x, ok = draw(sub)
    return jax.lax.while_loop(lambda state: jnp.any(state[2]), again, (key, x, ~ok))[1]


def constant(shape, val: float, *, dtype=None) -> Array:
    """An array of `shape` filled with `val`."""
    check_shape(shape)
    return jnp.full(tuple(shape), val, _float_dtype(dtype))


def zeros(shape, *, dtype=None) -> Array:
    return constant(shape, 0.0, dtype=dtype)


def ones(shape, *, dtype=None) -> Array:
    return constant(shape, 1.0, dtype=dtype)


def eye(shape, *, dtype=None) -> Array:
    """The identity for a 2-D `shape` (rectangular allowed)."""
    check_shape(shape)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return jnp.eye(shape[0], shape[1], dtype=_float_dtype(dtype))


def xavier_uniform(shape, gain: float = 1.0, *, key: PRNGKey, dtype=None) -> Array:
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    check_shape(shape)
    fan_in, fan_out = fan_in_and_fan_out(shape)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform(shape, -bound, bound, key=key, dtype=dtype)


def xavier_normal(shape, gain: float = 1.0, *, key: PRNGKey, dtype=None) -> Array:
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    check_shape(shape)
    fan_in, fan_out = fan_in_and_fan_out(shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal(shape, 0.0, std, key=key, dtype=dtype)


def kaiming_uniform(shape, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", *, key: PRNGKey, dtype=None) -> Array:
    """He uniform: U(-b, b) with b = gain * sqrt(3 / fan).

    PyTorch parity: Linear and Conv default to `a=sqrt(5)`, which gives b = 1/sqrt(fan_in).
    """
    check_shape(shape)
    if 0 in tuple(shape):
        return jnp.zeros(tuple(shape), _float_dtype(dtype))
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))
    bound = math.sqrt(3.0) * std
    return uniform(shape, -bound, bound, key=key, dtype=dtype)


def kaiming_normal(shape, a: float = 0.0, mode: str = "fan_in",
                   nonlinearity: str = "leaky_relu", *, key: PRNGKey, dtype=None) -> Array:
    """He normal: N(0, std^2) with std = gain / sqrt(fan)."""
    check_shape(shape)
    if 0 in tuple(shape):
        return jnp.zeros(tuple(shape), _float_dtype(dtype))
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))
    return normal(shape, 0.0, std, key=key, dtype=dtype)


def orthogonal(shape, gain: float = 1.0, *, key: PRNGKey, dtype=None) -> Array:
    """A (semi-)orthogonal matrix, reshaped to `shape` (rows = shape[0]), times `gain`.

    As PyTorch: QR of a normal matrix with the signs of R's diagonal folded into Q, so
    the result is uniformly distributed over orthogonal matrices.
    """
    check_shape(shape)
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if 0 in tuple(shape):
        return jnp.zeros(tuple(shape), _float_dtype(dtype))  # PyTorch: a no-op when empty
    rows = shape[0]
    cols = math.prod(shape) // rows
    flat = jax.random.normal(key, (rows, cols), _float_dtype(dtype))
    if rows < cols:
        flat = flat.T
    q, r = jnp.linalg.qr(flat)
    q = q * jnp.sign(jnp.diagonal(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(tuple(shape))
