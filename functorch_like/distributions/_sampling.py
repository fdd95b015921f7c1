"""Pure JAX samplers for the families whose draws are not a transform of randn/rand.

Module-level functions of jax arrays, run through the dispatch point, so that gradients of
reparameterized draws (Gamma, Dirichlet: JAX's implicit reparameterization, as PyTorch's
`_standard_gamma` backward) flow to the parameters. The key comes from the global generator.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._tensor import apply
from .utils import _key


def _f_standard_gamma(concentration, key):
    x = jax.random.gamma(key, concentration, dtype=concentration.dtype)
    # PyTorch clamps draws that underflow to 0 up to the smallest normal number (values
    # only: the gradient is the unclamped draw's).
    tiny = jnp.finfo(x.dtype).tiny
    return x + jax.lax.stop_gradient(jnp.maximum(x, tiny) - x)


def standard_gamma(concentration):
    """Gamma(concentration, 1) draws of concentration's shape, differentiable."""
    return apply(_f_standard_gamma, "StandardGammaBackward0", concentration, _key())


def dirichlet(concentration):
    """Dirichlet draws over the last dim of concentration's shape, differentiable:
    normalized Gamma draws."""
    return apply(_f_dirichlet, "DirichletBackward0", concentration, _key())


def _f_dirichlet(concentration, key):
    # Normalized in log space (the log-Gamma draws' softmax): a small concentration's
    # Gamma draw underflows to 0 in float32, and its gradient with it, where its log is
    # exact; then a Beta(2, 0.05) draw's reparameterized gradient is not lost.
    log_g = jax.random.loggamma(key, concentration, dtype=concentration.dtype)
    return _clamp_unit(jax.nn.softmax(log_g, axis=-1))


def _clamp_unit(x):
    # PyTorch clamps the normalized draws into [tiny, the float below 1] (values only, as
    # the gamma clamp above): a component of exactly 0 or 1, which small concentrations
    # give often in float32 (Beta(0.1, 0.1): 7% of draws), would make log_prob of the
    # draw +inf.
    below_one = jnp.nextafter(jnp.ones((), x.dtype), jnp.zeros((), x.dtype))
    return x + jax.lax.stop_gradient(jnp.clip(x, jnp.finfo(x.dtype).tiny, below_one) - x)


def _f_poisson(rate, key):
    return jax.random.poisson(key, rate).astype(rate.dtype)


def poisson(rate):
    """Poisson(rate) counts of rate's shape, in rate's dtype (no gradient)."""
    return apply(_f_poisson, "PoissonBackward0", rate.detach(), _key())


def _f_binomial(count, probs, key):
    return jax.random.binomial(key, count, probs).astype(probs.dtype)


def binomial(count, probs):
    """Binomial(count, probs) counts, in probs' dtype (no gradient)."""
    return apply(_f_binomial, "BinomialBackward0", count.detach(), probs.detach(), _key())


def _f_categorical(logits, key, *, shape):
    return jax.random.categorical(key, logits, shape=shape).astype(jnp.int32)


def categorical(logits, shape):
    """Indices drawn by the last-dim `logits`, of `shape` (= sample + batch shape)."""
    from .. import int64
    out = apply(_f_categorical, "CategoricalBackward", logits.detach(), _key(),
                shape=tuple(shape))
    return out.to(int64)
