"""Gradient clipping with torch.nn.utils' rules: the total norm of per-tensor norms, and a
scale of max_norm / (total_norm + 1e-6) capped at 1."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from .._types import in_opmath

Array = jax.Array


@in_opmath
def vector_norm(x: Array, ord: float = 2.0) -> Array:
    """torch.linalg.vector_norm of a whole array: inf/-inf take max/min of |x|, 0 counts
    the nonzeros, other p give (sum |x|^p)^(1/p). Shape () in x's dtype (float16 and
    bfloat16 summed in float32, as torch: their squares overflow from 256 on)."""
    a = jnp.abs(x)
    if ord == float("inf"):
        return jnp.max(a) if a.size else jnp.zeros((), a.dtype)
    if ord == float("-inf"):
        return jnp.min(a)
    if ord == 0:
        return jnp.sum(a != 0).astype(a.dtype)
    if ord == 1:
        return jnp.sum(a)
    if ord == 2:
        return jnp.sqrt(jnp.sum(a * a))
    return jnp.sum(a**ord) ** (1.0 / ord)


def global_norm(tree: Any, norm_type: float = 2.0) -> Array:
    """torch.nn.utils.get_total_norm over a pytree's leaves: the norm of the leaves'
    norms (torch's order of reduction, so the rounding agrees too)."""
    leaves = jax.tree.leaves(tree)
    if not leaves:
        return jnp.zeros((), jnp.float32)
    return vector_norm(jnp.stack([vector_norm(leaf, norm_type) for leaf in leaves]),
                       norm_type)


def clip_coefficient(total_norm: Array, max_norm: float | Array) -> Array:
    """min(max_norm / (total_norm + 1e-6), 1): what clip_grad_norm_ multiplies by
    (PyTorch-parity: as torch's tensor division of a number, the reciprocal times
    max_norm, an ulp apart from a direct division)."""
    return jnp.minimum(jnp.reciprocal(total_norm + 1e-6) * max_norm,
                       1.0).astype(total_norm.dtype)


def clip_grad_norm(max_norm: float, norm_type: float = 2.0) -> optax.GradientTransformation:
    """torch.nn.utils.clip_grad_norm_ as a stateless optax transformation (chain it before
    an optimizer): every leaf is scaled by min(max_norm / (total_norm + 1e-6), 1).

    PyTorch parity: optax's `clip_by_global_norm` scales by max_norm / total_norm (no 1e-6)
    and only for the 2-norm; this follows torch's rule for any norm_type.
    """
    norm_type = float(norm_type)

    def init(params):
        del params
        return optax.EmptyState()

    def update(updates, state, params=None):
        del params
        coef = clip_coefficient(global_norm(updates, norm_type), max_norm)
        return jax.tree.map(lambda g: g * coef.astype(g.dtype), updates), state

    return optax.GradientTransformation(init, update)
