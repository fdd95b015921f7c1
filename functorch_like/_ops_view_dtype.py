"""`Tensor.view(dtype)`: the same bytes read as another dtype (PyTorch's reinterpretation).

An element size that differs scales the last dim (float32 -> uint8: 4x as many; uint8 ->
float32: a quarter, the size must divide). The bytes are little-endian, as PyTorch's CPU
and CUDA storage, so the numbers match its bit for bit.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._tensor import Tensor, mark_view


def _to_bytes(x):
    """x's bytes as uint8, shape (*x.shape, itemsize)."""
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.uint8)                  # torch stores a bool as one byte, 0 or 1
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        x = jnp.stack([x.real, x.imag], axis=-1)     # JAX cannot bitcast complex values
        return _to_bytes(x).reshape(x.shape[:-1] + (-1,))
    if x.dtype.itemsize == 1:
        return jax.lax.bitcast_convert_type(x, jnp.uint8)[..., None]
    return jax.lax.bitcast_convert_type(x, jnp.uint8)


def _from_bytes(b, dtype):
    """The inverse of _to_bytes: uint8 of shape (..., dtype's itemsize) to `dtype`."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return b[..., 0] != 0
    if jnp.issubdtype(dtype, jnp.complexfloating):
        real = np.dtype(jnp.finfo(dtype).dtype)
        parts = _from_bytes(b.reshape(b.shape[:-1] + (2, real.itemsize)), real)
        return jax.lax.complex(parts[..., 0], parts[..., 1])
    if dtype.itemsize == 1:
        return jax.lax.bitcast_convert_type(b[..., 0], dtype)
    return jax.lax.bitcast_convert_type(b, dtype)


def reinterpret(x, dtype):
    """The array `x`'s bytes as `dtype` (a JAX dtype), the last dim scaled by the ratio of
    the element sizes (the caller checked that it divides)."""
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    size = dtype.itemsize
    raw = _to_bytes(x)
    shape = x.shape[:-1] + (x.shape[-1] * x.dtype.itemsize // size,) if x.ndim else ()
    return _from_bytes(raw.reshape(shape + (size,)), dtype).reshape(shape)


def _check(input: Tensor, dtype: _dtypes.dtype) -> None:
    """PyTorch's errors for a reinterpretation that changes the element size."""
    old, new = input._value.dtype.itemsize, dtype.jax.itemsize
    if old == new:
        return
    what = (f"to view {_dtypes.scalar_type_name(input.dtype)} as "
            f"{_dtypes.scalar_type_name(dtype)} (different element sizes)")
    if input.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    if new < old:
        return                 # (torch also needs stride(-1) == 1: every tensor here is dense)
    ratio = new // old
    if input.shape[-1] % ratio:
        raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                           f"{input.shape[-1]}")
    for d in range(input.ndim - 1):
        # The strides of a contiguous tensor (torch counts an empty dim as size 1 there).
        stride = math.prod(max(s, 1) for s in input.shape[d + 1:])
        if stride % ratio:
            raise RuntimeError(f"self.stride({d}) must be divisible by {ratio} {what}, but "
                               f"got {stride}")


def view_dtype(input: Tensor, dtype: _dtypes.dtype) -> Tensor:
    """`input.view(dtype)`: the same bytes as `dtype`; the last dim scales when the element
    size differs.

    A view, as in PyTorch: in-place writes through it change `input`, and ones to `input`
    show in it. Like PyTorch's, the result is outside autograd: it never requires grad, and
    a write through it changes the base's values without touching the base's graph.

    PyTorch parity: a byte other than 0 or 1 viewed as bool reads True, as in torch, but
    is stored as 1 (a JAX bool holds no other byte), so viewing it back gives 1 where
    torch gives the byte. While JAX's x64 mode is off, 64-bit dtypes are stored as 32-bit ones
    (see _dtypes.py), so `view(torch.float64)` of a float32 tensor keeps its shape and
    values. PyTorch's stride(-1) == 1 check never fails here: every tensor is dense.
    """
    _check(input, dtype)
    out = Tensor._make(reinterpret(input._value, dtype.jax))
    return mark_view(out, input, "dtype", dtype.jax)
