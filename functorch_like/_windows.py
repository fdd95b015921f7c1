"""Window functions: torch.hann_window, hamming_window, bartlett_window, blackman_window,
kaiser_window.

Each returns a 1-D tensor of `window_length` samples. `periodic=True` (the default) gives
the window for spectral analysis: one period of a window of length + 1, its last sample
dropped. Values are computed in float64 and cast to `dtype`.

PyTorch parity: torch evaluates the cosines in the target dtype, so float32 values may
differ from torch's in the last bit (1e-7).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._factories import _finish
from ._tensor import Tensor

__all__ = ["hann_window", "hamming_window", "bartlett_window", "blackman_window",
           "kaiser_window"]


def _make(name, values_fn, window_length, periodic, dtype, device, requires_grad):
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    d = _dtypes.get_default_dtype() if dtype is None else dtype
    if not d.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: "
                           f"TensorOptions(dtype={_dtypes.scalar_type_name(d)})")
    if window_length <= 1:
        values = np.ones(window_length)
    else:
        n = window_length + 1 if periodic else window_length
        values = values_fn(np.arange(n, dtype=np.float64), n)[:window_length]
    return _finish(jnp.asarray(values, _dtypes.to_jax(d)), None, device, requires_grad)


def _cosine_sum(*coeffs):
    def values(k, n):
        phase = 2 * np.pi * k / (n - 1)
        return sum(c * np.cos(i * phase) for i, c in enumerate(coeffs))
    return values


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, requires_grad: bool = False) -> Tensor:
    """0.5 - 0.5 cos(2 pi k / (N - 1)), shape (window_length,)."""
    return _make("hann_window", _cosine_sum(0.5, -0.5), window_length, periodic, dtype,
                 device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False) -> Tensor:
    """alpha - beta cos(2 pi k / (N - 1)), shape (window_length,)."""
    return _make("hamming_window", _cosine_sum(alpha, -beta), window_length, periodic, dtype,
                 device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _make("blackman_window", _cosine_sum(0.42, -0.5, 0.08), window_length, periodic,
                 dtype, device, requires_grad)


def _bartlett(k, n):
    return 1.0 - np.abs(2.0 * k / (n - 1) - 1.0)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """The triangular window 1 - |2k / (N - 1) - 1|, shape (window_length,)."""
    return _make("bartlett_window", _bartlett, window_length, periodic, dtype, device,
                 requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta), shape (window_length,)."""
    def values(k, n):
        return np.i0(beta * np.sqrt(np.clip(1 - (2 * k / (n - 1) - 1) ** 2, 0, None))) / \
            np.i0(beta)
    return _make("kaiser_window", values, window_length, periodic, dtype, device,
                 requires_grad)
