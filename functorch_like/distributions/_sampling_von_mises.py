"""The von Mises rejection sampler (Best & Fisher, 1979) as one JAX program.

PyTorch loops in Python until every entry is accepted; here a `lax.while_loop` does the
same rounds, so it also runs inside functorch_like.compile. The key comes from the global
generator.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from .._tensor import apply
from .utils import _key


def _f_von_mises(loc, concentration, proposal_r, key):
    shape = loc.shape

    def cond(state):
        return ~jnp.all(state[1])

    def body(state):
        x, done, key = state
        key, sub = jax.random.split(key)
        u1, u2, u3 = jax.random.uniform(sub, (3,) + shape, dtype=loc.dtype)
        z = jnp.cos(math.pi * u1)
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | (jnp.log(c / u2) + 1 - c >= 0)
        take = accept & ~done
        x = jnp.where(take, jnp.sign(u3 - 0.5) * jnp.arccos(f), x)
        return x, done | accept, key

    x0 = jnp.zeros(shape, loc.dtype)
    x, _, _ = jax.lax.while_loop(cond, body, (x0, jnp.zeros(shape, bool), key))
    return jnp.mod(x + math.pi + loc, 2 * math.pi) - math.pi


def von_mises(loc, concentration, proposal_r):
    """Draws of loc's shape (all three broadcast already), no gradient."""
    return apply(_f_von_mises, "VonMisesSample", loc.detach(), concentration.detach(),
                 proposal_r.detach(), _key())
