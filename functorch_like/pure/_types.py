"""Type aliases that read as documentation (optax `_src/base.py` style)."""

from __future__ import annotations

import functools
from typing import Any, Mapping

import jax
import jax.numpy as jnp

Array = jax.Array
PRNGKey = jax.Array
# A parameter pytree: a flat dict keyed by PyTorch state_dict names ("0.weight",
# "bn.running_mean"), arrays in PyTorch's layouts.
Params = Mapping[str, Any]
Shape = tuple[int, ...]


def opmath_dtype(dtype):
    """The dtype PyTorch's CPU kernels do a dtype's arithmetic in ("opmath"): float32 for
    float16 and bfloat16, the dtype itself otherwise."""
    return jnp.float32 if dtype in (jnp.float16, jnp.bfloat16) else dtype


def in_opmath(fn):
    """fn of an array `x` (and other arguments) computed in opmath_dtype(x.dtype) and
    rounded once back to x's dtype: torch's CPU kernels for float16/bfloat16 (computed in
    half, a third to a half of the values of its math and activations were an ulp or
    more off)."""
    @functools.wraps(fn)
    def wrapped(x, *args, **kwargs):
        wide = opmath_dtype(x.dtype)
        if wide != x.dtype:
            return fn(x.astype(wide), *args, **kwargs).astype(x.dtype)
        return fn(x, *args, **kwargs)
    return wrapped


def convert(x: Array, dtype) -> Array:
    """x.astype(dtype) as torch's CPU conversion gives it (x86): a float (or a complex's
    real part) becomes an integer by truncation toward zero through a 32-bit integer, one
    out of that range (or NaN, inf) being its smallest value, and a narrower integer type
    then keeps the low bits, so that -1.0 is 255 in uint8 and 200.0 is -56 in int8. An
    int64 (x64 on) is truncated alike through 64 bits. Shapes: any; values beyond the
    integer range are undefined in C and these are the ones torch's kernels give on x86.

    PyTorch-parity note: XLA's own conversion saturates (-1.0 -> 0, 300.0 -> 255 in
    uint8) and takes NaN to 0. With x64 off, int64 is stored in 32 bits and follows the
    32-bit rule. To bool, any nonzero value (NaN, a complex with a nonzero imaginary part)
    is True.
    """
    target = jax.dtypes.canonicalize_dtype(dtype)     # (int64 is int32 with x64 off)
    if target.kind == "b":
        return x != 0       # (a complex is True when either part is nonzero, as torch's)
    if jnp.iscomplexobj(x) and target.kind != "c":
        x = jnp.real(x)         # (torch keeps the real part; JAX's astype warns it will not)
    if target.kind not in "iu" or not jnp.issubdtype(x.dtype, jnp.inexact):
        return x.astype(target)
    if jnp.iscomplexobj(x):
        x = jnp.real(x)
    x = x.astype(opmath_dtype(x.dtype))         # (half: the bounds are beyond its range)
    wide = jnp.dtype(jnp.int64 if target.itemsize == 8 else jnp.int32)
    bound = float(2 ** (jnp.iinfo(wide).bits - 1))
    t = jnp.trunc(x)
    inside = (t >= -bound) & (t < bound)        # (False for NaN)
    whole = jnp.where(inside, t, 0).astype(wide)
    return jnp.where(inside, whole, jnp.iinfo(wide).min).astype(target)
