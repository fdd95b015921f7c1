"""PyTorch's legacy CrossMapLRN2d (torch.nn.modules._functions.CrossMapLRN2d): local response
normalization across channels, with that Function's own forward window and hand-written
backward, both reproduced here as they are (neither is the textbook LRN)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ._types import Array

__all__ = ["cross_map_lrn2d"]


def _forward_window(size: int, channels: int) -> np.ndarray:
    """(C, C) 0/1 matrix: scale[c] = sum_j W[c, j] x[j]^2, from torch's running sum.

    torch adds channel c + pre_pad - 1 and removes c - pre_pad only when c > pre_pad, so
    channel 0 is never removed: replaying that recurrence on indicator rows gives the window
    exactly, quirk included."""
    pre_pad = int((size - 1) / 2 + 1)
    window = np.zeros((channels, channels))
    window[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        window[c] = window[c - 1]
        if c < channels - pre_pad + 1:
            window[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            window[c, c - pre_pad] -= 1
    return window


def _backward_window(size: int, channels: int) -> np.ndarray:
    """(C, C) 0/1 matrix: the channels c' whose ratio torch's backward sums for channel c
    (a window of `size` channels ending at c + size - 1 - inversePrePad)."""
    inverse_pre_pad = int(size - (size - 1) / 2)
    window = np.zeros((channels, channels))
    for c in range(channels):
        for other in range(channels):
            if c <= other + inverse_pre_pad <= c + size - 1:
                window[c, other] = 1
    return window


def _scale(x, size, alpha, k):
    window = jnp.asarray(_forward_window(size, x.shape[1]), x.dtype)
    return jnp.einsum("cj,njhw->nchw", window, x * x) * (alpha / size) + k


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def cross_map_lrn2d(x: Array, size: int, alpha: float = 1e-4, beta: float = 0.75,
                    k: float = 1.0) -> Array:
    """x * scale^-beta with scale = k + alpha / size * (windowed sum of x^2 over channels).

    Args:
      x: (N, C, H, W).
    Returns:
      (N, C, H, W).

    PyTorch parity: the windows are torch's legacy ones (channel 0 stays in every window
    past the first pre_pad channels), and the gradient is torch's hand-written backward,
    which does not equal the derivative of this forward; both are matched, not fixed.
    """
    return x * _scale(x, size, alpha, k) ** -beta


def _fwd(x, size, alpha, beta, k):
    scale = _scale(x, size, alpha, k)
    out = x * scale ** -beta
    return out, (x, scale, out)


def _bwd(size, alpha, beta, k, saved, g):
    x, scale, out = saved
    window = jnp.asarray(_backward_window(size, x.shape[1]), x.dtype)
    ratio = g * out / scale
    accum = jnp.einsum("cj,njhw->nchw", window, ratio)
    return (scale ** -beta * g - (2 * alpha * beta / size) * x * accum,)


cross_map_lrn2d.defvjp(_fwd, _bwd)
