"""Dropout with an explicit PRNG key; `p` is the probability of zeroing."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._types import Array, PRNGKey

__all__ = ["dropout", "dropout2d"]


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _masked(x, p, mask_shape, key):
    if p == 1.0:
        return jnp.zeros_like(x)
    if key is None:
        raise ValueError("dropout in training mode needs a PRNG key (key=...)")
    keep = jax.random.bernoulli(key, 1.0 - p, mask_shape)
    # Survivors are scaled by 1/(1-p) so the expectation is unchanged (PyTorch's rule).
    return jnp.where(keep, x / (1.0 - p), jnp.zeros((), x.dtype))


def dropout(x: Array, p: float = 0.5, training: bool = True, *,
            key: PRNGKey | None = None) -> Array:
    """Zeroes each element with probability `p` and scales survivors by 1/(1-p).

    The identity when not training or p == 0; zeros when p == 1 (PyTorch's results).
    `key` is needed only when an element can actually be dropped.
    """
    _check_p(p)
    if not training or p == 0.0:
        return x
    return _masked(x, p, x.shape, key)


def dropout2d(x: Array, p: float = 0.5, training: bool = True, *,
              key: PRNGKey | None = None) -> Array:
    """Zeroes whole channels of (N, C, H, W) (or unbatched (C, H, W)) with probability p."""
    _check_p(p)
    if not training or p == 0.0:
        return x
    lead = 2 if x.ndim == 4 else 1
    return _masked(x, p, x.shape[:lead] + (1,) * (x.ndim - lead), key)
