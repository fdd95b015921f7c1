"""Special functions with torch's values and derivatives at poles and domain edges.

JAX's kernels give NaN where torch's give an infinity (digamma's derivative at 0,
polygamma and zeta at their poles), or a finite number where torch's formula gives NaN or
inf (logit's derivative outside [0, 1], ndtri's at 0 and 1, logaddexp's with an infinite
operand). Each function here has torch's forward value and, through `jax.custom_jvp`, the
derivative of torch's `tools/autograd/derivatives.yaml`, so backward, `func.grad` and
forward mode all see it; away from these points the numbers are JAX's.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import jax.scipy.special as jss

from ._types import Array

__all__ = ["digamma", "lgamma", "polygamma", "zeta", "ndtri", "logit", "logaddexp",
           "logaddexp2"]


def _nonpositive_integer(x: Array) -> Array:
    return (x <= 0) & (x == jnp.floor(x))


@jax.custom_jvp
def digamma(x: Array) -> Array:
    """torch: digamma(+-0) = -+inf (JAX gives NaN)."""
    return jnp.where(x == 0, jnp.copysign(jnp.inf, -x).astype(x.dtype), jax.lax.digamma(x))


@digamma.defjvp
def _digamma_jvp(primals, tangents):
    # derivatives.yaml: digamma: grad * polygamma(1, self) (inf at 0, not NaN)
    (x,), (t,) = primals, tangents
    return digamma(x), polygamma(1, x) * t


@jax.custom_jvp
def lgamma(x: Array) -> Array:
    """torch's (the C library's) lgamma is exactly 0 at 1 and 2, where XLA's float32 one
    is a few ulps off."""
    out = jax.lax.lgamma(x)
    return jnp.where((x == 1) | (x == 2), jnp.zeros((), x.dtype), out)


@lgamma.defjvp
def _lgamma_jvp(primals, tangents):
    # derivatives.yaml: lgamma: grad * digamma(self) (-inf at 0, not NaN)
    (x,), (t,) = primals, tangents
    return lgamma(x), digamma(x) * t


def polygamma(n: int, x: Array) -> Array:
    """The n-th derivative of digamma; at 0 and the negative integers torch gives
    (-1)^(n+1) * inf for n >= 2 (n! zeta(n+1, x) with zeta's pole), JAX NaN."""
    if n == 0:
        return digamma(x)
    return _polygamma(n, x)


def _polygamma_value(n: int, x: Array) -> Array:
    out = jss.polygamma(n, x)
    if n == 1:          # (torch's trigamma: +inf at 0, huge finite values at -1, -2, ...)
        return jnp.where(x == 0, jnp.asarray(jnp.inf, out.dtype), out)
    pole = jnp.asarray(math.copysign(math.inf, (-1) ** (n + 1)), out.dtype)
    return jnp.where(_nonpositive_integer(x), pole, out)


_polygamma = jax.custom_jvp(_polygamma_value, nondiff_argnums=(0,))


@_polygamma.defjvp
def _polygamma_jvp(n, primals, tangents):
    # derivatives.yaml: polygamma: grad * polygamma(n + 1, self)
    (x,), (t,) = primals, tangents
    return _polygamma(n, x), _polygamma(n + 1, x) * t


def zeta(x: Array, q: Array) -> Array:
    """The Hurwitz zeta function with torch's (Cephes') domain: inf at x == 1 and for
    q a non-positive integer, NaN for x < 1 and for a negative non-integer q with a
    non-integer x. The derivative is JAX's (torch has one for q only:
    -x * zeta(x + 1, q), which JAX's also is)."""
    out = jss.zeta(x, q)
    inf, nan = jnp.asarray(jnp.inf, out.dtype), jnp.asarray(jnp.nan, out.dtype)
    out = jnp.where((q < 0) & (q != jnp.floor(q)) & (x != jnp.floor(x)), nan, out)
    out = jnp.where(_nonpositive_integer(q), inf, out)
    out = jnp.where(x < 1, nan, out)
    return jnp.where(x == 1, inf, out)


@jax.custom_jvp
def ndtri(p: Array) -> Array:
    return jss.ndtri(p)


@ndtri.defjvp
def _ndtri_jvp(primals, tangents):
    # derivatives.yaml: special_ndtri: grad * sqrt(2 pi) * exp(result^2 / 2) (inf at 0, 1)
    (p,), (t,) = primals, tangents
    y = jss.ndtri(p)
    return y, jnp.sqrt(2 * jnp.pi).astype(y.dtype) * jnp.exp(y * y / 2) * t


def logit(x: Array, eps: float | None = None) -> Array:
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given."""
    return _logit(eps, x)


def _logit_value(eps, x):
    if eps is not None:
        x = jnp.clip(x, eps, 1.0 - eps)
    return jnp.log(x / (1 - x))


_logit = jax.custom_jvp(_logit_value, nondiff_argnums=(0,))


@_logit.defjvp
def _logit_jvp(eps, primals, tangents):
    # derivatives.yaml (logit_backward): grad / (x * (1 - x)), NaN outside [0, 1] without
    # eps; with eps, 0 where x was clamped
    (x,), (t,) = primals, tangents
    slope = 1 / (x * (1 - x))
    if eps is None:
        slope = jnp.where((x < 0) | (x > 1), jnp.nan, slope)
    else:
        slope = jnp.where((x < eps) | (x > 1.0 - eps), 0, slope)
    return _logit_value(eps, x), slope.astype(x.dtype) * t


@jax.custom_jvp
def logaddexp(a: Array, b: Array) -> Array:
    return jnp.logaddexp(a, b)


@jax.custom_jvp
def logaddexp2(a: Array, b: Array) -> Array:
    return jnp.logaddexp2(a, b)


def _logaddexp_rule(fn, exp) -> None:
    # derivatives.yaml: grad / (1 + exp(other - self)) and grad / (1 + exp(self - other)),
    # with pow(2, .) for logaddexp2
    def jvp(primals, tangents):
        (a, b), (ta, tb) = primals, tangents
        return fn(a, b), ta / (1 + exp(b - a)) + tb / (1 + exp(a - b))
    fn.defjvp(jvp)


_logaddexp_rule(logaddexp, jnp.exp)
_logaddexp_rule(logaddexp2, jnp.exp2)
