"""Dropout with an explicit PRNG key; `p` is the probability of zeroing."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._types import Array, PRNGKey

__all__ = ["dropout", "dropout2d", "feature_dropout", "alpha_dropout", "feature_alpha_dropout"]


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def masked(x, p, mask_shape, key):
    """x with elements (or, by mask_shape, whole features) zeroed with probability p and
    the rest scaled by 1/(1-p); zeros when p == 1 (their gradient 0, not NaN)."""
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
    return masked(x, p, x.shape, key)


def dropout2d(x: Array, p: float = 0.5, training: bool = True, *,
              key: PRNGKey | None = None) -> Array:
    """Zeroes whole channels of (N, C, H, W) with probability p.

    PyTorch parity: as torch 2.13, one draw per (N, C) whatever the rank (feature
    dropout): a 3-D input is (N, C, L), not an unbatched (C, H, W), and a 2-D one drops
    single elements."""
    return feature_dropout(x, p, training, key=key)


def _feature_shape(x):
    if x.ndim < 2:
        raise ValueError("Feature dropout requires at least 2 dimensions in the input")
    return x.shape[:2] + (1,) * (x.ndim - 2)


def feature_dropout(x: Array, p: float = 0.5, training: bool = True, *,
                    key: PRNGKey | None = None) -> Array:
    """Zeroes whole feature maps: one draw per (N, C) of (N, C, *), survivors scaled by
    1/(1-p) (PyTorch's feature_dropout, behind dropout1d/2d/3d)."""
    _check_p(p)
    if not training or p == 0.0:
        return x
    return masked(x, p, _feature_shape(x), key)


# SELU's alpha * scale: the value a SELU unit saturates at, which dropped units take.
_SELU_SATURATION = 1.7580993408473766


def _alpha(x, p, training, mask_shape, key):
    _check_p(p)
    if p == 0.0 or not training or x.size == 0:
        return x
    if p == 1.0:
        return x * jnp.zeros((), x.dtype)
    if key is None:
        raise ValueError("alpha dropout in training mode needs a PRNG key (key=...)")
    noise = jax.random.bernoulli(key, 1.0 - p, mask_shape).astype(x.dtype)
    # PyTorch's affine correction keeping mean 0 and variance 1 of a SELU network's units,
    # in its order of operations.
    alpha = _SELU_SATURATION
    a = 1.0 / ((alpha * alpha * p + 1) * (1 - p)) ** 0.5
    b = (noise - 1) * (alpha * a) + alpha * a * p
    return x * (noise * a) + b


def alpha_dropout(x: Array, p: float = 0.5, training: bool = False, *,
                  key: PRNGKey | None = None) -> Array:
    """Alpha dropout (for SELU networks): dropped elements take -alpha' (SELU's negative
    saturation), then an affine map keeps the mean and variance. Identity unless training
    (PyTorch's functional default is training=False); zeros when p == 1."""
    return _alpha(x, p, training, x.shape, key)


def feature_alpha_dropout(x: Array, p: float = 0.5, training: bool = False, *,
                          key: PRNGKey | None = None) -> Array:
    """Alpha dropout of whole feature maps: one draw per (N, C) of (N, C, *)."""
    if not training or p == 0.0:
        _check_p(p)
        return x
    return _alpha(x, p, training, _feature_shape(x), key)
