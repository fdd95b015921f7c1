"""The structured initializers of torch.nn.init as pure functions: Dirac and sparse.

Parity: `dirac` is deterministic and equals PyTorch's; `sparse` follows PyTorch's law
(N(0, std^2) entries, exactly ceil(sparsity * rows) zeros per column at uniformly random
rows) with JAX's random stream, so its numbers differ from PyTorch's draws.
"""

from __future__ import annotations

import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ._types import Array, PRNGKey

__all__ = ["dirac", "sparse"]


def _float_dtype(dtype):
    return jax.dtypes.canonicalize_dtype(jnp.float32 if dtype is None else dtype)


def dirac(shape: Sequence[int], groups: int = 1, *, dtype=None) -> Array:
    """A conv weight (out, in, *kernel) that passes input channels through unchanged.

    In each of `groups` blocks of out/groups output channels, channel d reads input
    channel d at the kernel's centre (index k // 2), for d < min(out/groups, in).
    """
    shape = tuple(shape)
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = shape[0] // groups
    # Built with numpy: a constant pattern, not worth compiling an XLA program per shape.
    out = np.zeros(shape, _float_dtype(dtype))
    centre = tuple(k // 2 for k in shape[2:])
    for g in range(groups):
        for d in range(min(per_group, shape[1])):
            out[(g * per_group + d, d) + centre] = 1
    return jnp.asarray(out)


def sparse(shape: Sequence[int], sparsity: float, std: float = 0.01, *, key: PRNGKey,
           dtype=None) -> Array:
    """A (rows, cols) matrix of N(0, std^2) entries with ceil(sparsity * rows) zeros in
    every column, at rows drawn uniformly without replacement (Martens, 2010)."""
    shape = tuple(shape)
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _sparse(key, shape, math.ceil(sparsity * shape[0]), std, _float_dtype(dtype))


@functools.partial(jax.jit, static_argnums=(1, 2, 4))
def _sparse(key, shape, num_zeros, std, dtype):
    # One compiled program per shape (eagerly each op would compile on its own).
    k_values, k_perm = jax.random.split(key)
    values = std * jax.random.normal(k_values, shape, dtype)
    # Each column's rows in a random order; the first num_zeros of that order are zeroed.
    order = jnp.argsort(jax.random.uniform(k_perm, shape), axis=0)
    position = jnp.argsort(order, axis=0)
    return jnp.where(position < num_zeros, jnp.zeros((), dtype), values)
