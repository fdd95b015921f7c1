"""More of torch's random draws: poisson, binomial, and the in-place cauchy_, log_normal_
and geometric_ samplers, from the global generator (or one passed in).

PyTorch parity: the streams are JAX's, so the numbers differ from torch's for the same
seed; the distributions, dtypes, argument checks and gradients (zero) are torch's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import _dtypes
from ._random import _key_into, _sample_inplace, next_key
from ._tensor import Tensor, apply
from .pure._errors import check_values


def _f_poisson(rate, key):
    # (no gradient flows to the rate: torch's PoissonBackward0 gives zeros)
    rate = jax.lax.stop_gradient(rate)
    return jax.random.poisson(key, rate, rate.shape).astype(rate.dtype)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates `input` (floating), in its dtype."""
    if not input.is_floating_point():
        raise _dtypes.kernel_error("poisson_cpu", input.dtype)
    check_values((input._value,), lambda: (input._value < 0, input._value),
                 lambda _: RuntimeError("invalid Poisson rate, expected rate to be "
                                        "non-negative"))
    return apply(_f_poisson, "PoissonBackward0", input, next_key(generator))


def _f_binomial(count, prob, key):
    count, prob = jax.lax.stop_gradient(count), jax.lax.stop_gradient(prob)
    shape = jnp.broadcast_shapes(count.shape, prob.shape)
    return jax.random.binomial(key, count, prob, shape).astype(count.dtype)


def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """Binomial samples of `count` trials with success probability `prob` (floating)."""
    return apply(_f_binomial, "BinomialBackward0", count, prob, next_key(generator))


def cauchy_(t: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fills `t` with Cauchy(median, sigma) samples."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    key = _key_into(t, "CauchyBackward0", generator)
    value = median + sigma * jax.random.cauchy(key, t.shape, t._value.dtype)
    return _sample_inplace(t, value, "CauchyBackward0")


def log_normal_(t: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fills `t` with exp(N(mean, std)) samples."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    key = _key_into(t, "LogNormalBackward0", generator)
    value = jnp.exp(mean + std * jax.random.normal(key, t.shape,
                                                   t._value.dtype))
    return _sample_inplace(t, value, "LogNormalBackward0")


def geometric_(t: Tensor, p: float, *, generator=None) -> Tensor:
    """Fills `t` with the number of trials to the first success (1, 2, ...) at rate p."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    key = _key_into(t, "GeometricBackward0", generator)
    value = jax.random.geometric(key, p, t.shape).astype(t._value.dtype)
    return _sample_inplace(t, value, "GeometricBackward0")


Tensor.cauchy_ = cauchy_
Tensor.log_normal_ = log_normal_
Tensor.geometric_ = geometric_
