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
