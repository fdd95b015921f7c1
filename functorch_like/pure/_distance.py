"""Distances between vectors: p-norms with PyTorch's gradients, pairwise_distance,
cosine_similarity and pdist."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._errors import DTypeError, OutOfBoundsError, ShapeError
from ._loss_base import DomainError, broadcast_shapes, torch_dtype_name
from ._types import Array, in_opmath

__all__ = ["vector_norm", "pairwise_distance", "cosine_similarity", "pdist"]


def _abs(x: Array) -> Array:
    # PyTorch's |x| has gradient sgn(x): 0 at x == 0, where jnp.abs's is 1.
    return jnp.where(x == 0, jax.lax.stop_gradient(jnp.abs(x)), jnp.abs(x))


@in_opmath
def vector_norm(x: Array, p: float = 2.0, axis=None, keepdims: bool = False) -> Array:
    """(sum |x|^p)^(1/p) over `axis`; inf/-inf are max/min |x|, 0 counts the non-zeros.

    PyTorch parity: the gradient at the zero vector is 0 (not NaN), and ties of the inf-norm
    share the gradient equally, as in torch.linalg.vector_norm; float16 and bfloat16 are
    summed in float32 (their squares overflow from 256 on), as torch's kernels do.
    """
    a = _abs(x)
    if p == float("inf"):
        return jnp.max(a, axis=axis, keepdims=keepdims)
    if p == float("-inf"):
        return jnp.min(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return jnp.sum(a != 0, axis=axis, keepdims=keepdims).astype(a.dtype)
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=keepdims)
    # (x * x for a real 2-norm: |x|^2 through x * sign(x) has a zero second derivative
    # where a component is 0, where torch's is 2 (a Hessian of ||x||, a Laplacian))
    sq = (x * x if not jnp.iscomplexobj(x) else a * a) if p == 2 else a**p
    s = jnp.sum(sq, axis=axis, keepdims=keepdims)
    zero = s == 0
    safe = jnp.where(zero, jnp.ones((), s.dtype), s)
    root = jnp.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return jnp.where(zero, jnp.zeros((), s.dtype), root).astype(a.dtype)


def pairwise_distance(x1: Array, x2: Array, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Array:
    """||x1 - x2 + eps||_p over the last dim of the broadcast inputs.

    Args:
      x1, x2: (N, D) or (D,), broadcastable. Returns (N,) (or (N, 1) with keepdim).
    """
    broadcast_shapes(x1.shape, x2.shape)
    diff = x1 - x2 + eps
    if diff.ndim == 0:               # PyTorch reduces a 0-d difference over "dim -1"
        return vector_norm(diff[None], p, 0, False)
    return vector_norm(diff, p, -1, keepdim)


def _normalize_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise OutOfBoundsError(f"Dimension out of range (expected to be in range of "
                               f"[{-n}, {n - 1}], but got {dim})")
    return dim % n


def cosine_similarity(x1: Array, x2: Array, dim: int = 1, eps: float = 1e-8) -> Array:
    """sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along `dim`.

    PyTorch parity (torch 2.x): each norm is clamped at eps on its own (not their product),
    and the clamp is invisible to the gradient (PyTorch clamps under no_grad), so a vector
    shorter than eps still gets the gradient of x / ||x|| scaled by 1 / eps.
    """
    dtype = jnp.result_type(x1, x2)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise DTypeError(f"expected common dtype to be floating point, yet common dtype is "
                         f"{torch_dtype_name(dtype)}")
    shape = broadcast_shapes(x1.shape, x2.shape)
    axis = _normalize_dim(dim, len(shape))
    x1, x2 = jnp.broadcast_to(x1, shape).astype(dtype), jnp.broadcast_to(x2, shape).astype(dtype)
    if not shape:                   # a 0-d pair: the norm over "dim 0" is |x|
        x1, x2 = x1[None], x2[None]

    def unit(x):
        n = vector_norm(x, 2.0, axis, True)
        # (the clamp's shift is 0 unless n < eps: an overflowed n = inf stays inf, so the
        # vector's share is 0 as torch's, where inf - inf made NaN)
        return x / (n + jax.lax.stop_gradient(jnp.where(n < eps, eps - n, 0)))
    return jnp.sum(unit(x1) * unit(x2), axis=axis)


def pdist(input: Array, p: float = 2.0) -> Array:
    """The p-norm distance between each pair of rows i < j of (N, M), in row-major order of
    the pairs: (N (N - 1) / 2,)."""
    if input.ndim != 2:
        raise ShapeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise DomainError("pdist only supports non-negative p values")
    i, j = jnp.triu_indices(input.shape[0], k=1)
    return vector_norm(input[i] - input[j], p, -1)
