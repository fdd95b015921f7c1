"""Activations with PyTorch's arguments and its gradients at the kinks (relu'(0) = 0)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ._types import Array

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh",
           "softmax", "log_softmax", "silu", "softplus", "hardtanh", "mish", "logsigmoid"]


def relu(x: Array) -> Array:
    """max(x, 0); the gradient at 0 is 0, as PyTorch."""
    return jax.nn.relu(x)


def relu6(x: Array) -> Array:
    """min(max(x, 0), 6)."""
    return hardtanh(x, 0.0, 6.0)


def hardtanh(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    """x clipped to [min_val, max_val]; gradient 0 outside the open interval (PyTorch)."""
    inside = (x > min_val) & (x < max_val)
    return jnp.where(inside, x, jax.lax.stop_gradient(jnp.clip(x, min_val, max_val)))


def leaky_relu(x: Array, negative_slope: float = 0.01) -> Array:
    """x for x > 0, else negative_slope * x."""
    return jnp.where(x > 0, x, x * negative_slope)


def elu(x: Array, alpha: float = 1.0) -> Array:
    """x for x > 0, else alpha * (exp(x) - 1); the gradient at 0 is alpha, as PyTorch."""
    # The negative branch sees x itself up to and including 0 (jnp.minimum(x, 0) would
    # halve the gradient at the tie x == 0) and a harmless 0 above, where it is discarded.
    neg = jnp.where(x > 0, jnp.zeros((), x.dtype), x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(neg))


def selu(x: Array) -> Array:
    """scale * elu(x, alpha) with PyTorch's constants."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def gelu(x: Array, approximate: str = "none") -> Array:
    """x * Phi(x); `approximate='tanh'` uses PyTorch's tanh formula."""
    if approximate == "none":
        return 0.5 * x * (1.0 + jax.lax.erf(x / math.sqrt(2.0)))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1.0 + jnp.tanh(inner))
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


def sigmoid(x: Array) -> Array:
    return jax.nn.sigmoid(x)


def logsigmoid(x: Array) -> Array:
    return jax.nn.log_sigmoid(x)


def tanh(x: Array) -> Array:
    return jnp.tanh(x)


def silu(x: Array) -> Array:
    """x * sigmoid(x)."""
    return x * jax.nn.sigmoid(x)


def mish(x: Array) -> Array:
    """x * tanh(softplus(x))."""
    return x * jnp.tanh(softplus(x))


def softplus(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch)."""
    bx = beta * x
    # The log branch gets bx itself wherever it is used (bx <= threshold): jnp.minimum
    # would halve its gradient at bx == threshold, where PyTorch gives sigmoid(bx).
    soft = jnp.log1p(jnp.exp(jnp.where(bx > threshold, jnp.zeros((), bx.dtype), bx))) / beta
    return jnp.where(bx > threshold, x, soft)


def softmax(x: Array, dim: int) -> Array:
    """exp(x) / sum(exp(x)) along `dim` (PyTorch's implicit dim is deprecated: pass one)."""
    return jax.nn.softmax(x, axis=dim)


def log_softmax(x: Array, dim: int) -> Array:
    """x - logsumexp(x) along `dim`."""
    return jax.nn.log_softmax(x, axis=dim)
