"""Negative log likelihoods of count and Gaussian targets, with PyTorch's reductions."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ._errors import check_values
from ._loss_base import broadcast_shapes, check_reduction, reduce
from ._types import Array

__all__ = ["poisson_nll_loss", "gaussian_nll_loss"]


def poisson_nll_loss(input: Array, target: Array, log_input: bool = True, full: bool = False,
                     eps: float = 1e-8, reduction: str = "mean") -> Array:
    """exp(x) - t x (log_input) or x - t log(x + eps); `full` adds Stirling's approximation
    t log t - t + log(2 pi t) / 2 where t > 1.
    """
    check_reduction(reduction)
    broadcast_shapes(target.shape, input.shape)
    if log_input:
        loss = jnp.exp(input) - target * input
    else:
        loss = input - target * jnp.log(input + eps)
    if full:
        # Masked out where t <= 1 (PyTorch's masked_fill): the value is finite there, but
        # as in PyTorch the target's gradient is NaN where t <= 0 (0 * log(t)).
        big = target > 1
        t = target.astype(loss.dtype)
        stirling = t * jnp.log(t) - t + 0.5 * jnp.log(2 * math.pi * t)
        loss = loss + jnp.where(big, stirling, jnp.zeros((), loss.dtype))
    return reduce(loss, reduction)


def _gaussian_var(input: Array, var) -> Array:
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        return jnp.full(input.shape, var, input.dtype)
    check_values((var,), lambda: (var < 0, jnp.zeros(())),
                 lambda _: ValueError("var has negative entry/entries"))
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            return var[..., None]          # one variance per sample (homoscedastic)
        mismatched = [v for x, v in zip(input.shape, var.shape) if x != v]
        # Same ndim and one dim of size 1 where they differ: broadcast (as PyTorch's test).
        if not (input.ndim == var.ndim and sum(mismatched) == 1):
            raise ValueError("var is of incorrect size")
    return var


def gaussian_nll_loss(input: Array, target: Array, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Array:
    """(log max(var, eps) + (x - t)^2 / max(var, eps)) / 2, plus log(2 pi) / 2 if `full`.

    Args:
      input: expectations (N, *) or (*); target: samples of the same shape (or broadcast).
      var: variances: the input's shape, the input's shape without its last dim, the same
        ndim with one dim of size 1, or a Python float.

    PyTorch parity: the clamp at eps is invisible to the gradient (PyTorch clamps under
    no_grad), so var below eps still gets the gradient of the formula at eps.
    """
    var = _gaussian_var(input, var)
    check_reduction(reduction, "{} is not valid")
    var = var + jax.lax.stop_gradient(jnp.maximum(var, eps) - var)
    loss = 0.5 * (jnp.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce(loss, reduction)
