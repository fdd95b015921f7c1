"""Ops whose derivative at ties, zeros and NaN is PyTorch's rather than JAX's.

Each function computes the same forward value as its jnp counterpart; a `jax.custom_jvp`
states the derivative of torch's `tools/autograd/derivatives.yaml` (quoted at each rule),
so `.backward()`, `func.grad` and forward mode all see it. The rules are linear in the
tangents, so reverse mode is their transpose: torch's backward formula.

Tangents are symbolic zeros for an operand that is a constant (a Python number, a tensor
that does not require grad): its term is skipped, and its weight is not computed.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero

from ._types import Array

__all__ = ["amax", "amin", "max_all", "min_all", "maximum", "minimum"]


def _jvp(out: Array, *terms) -> Array:
    """sum(tangent * weight()) over the (tangent, weight) pairs whose tangent is not a
    symbolic zero, broadcast to `out`; weights are thunks, computed only when used."""
    acc = None
    for tangent, weight in terms:
        if isinstance(tangent, SymbolicZero):
            continue
        term = tangent * weight()
        acc = term if acc is None else acc + term
    if acc is None:
        return jnp.zeros_like(out)
    return jnp.broadcast_to(acc, out.shape).astype(out.dtype)


# ---- reductions -------------------------------------------------------------------------

def _restored(out: Array, axis, ndim: int, keepdims: bool) -> Array:
    """`out` with the reduced dims back as size 1 (torch's restore_reduced_dims)."""
    if keepdims:
        return out
    if axis is None:
        return out.reshape((1,) * ndim)
    return jnp.expand_dims(out, axis)


def _share(x: Array, out: Array, t: Array, axis, keepdims: bool, nan_chosen: bool) -> Array:
    """The tangent of a max/min: `t` averaged over the positions equal to the result.

    torch's amax/amin: `scale_grad_by_count(grad, result == self, dim)`, i.e.
    `(grad / mask.sum(dim)) * mask`: a NaN result matches no position, and 0/0 makes the
    whole slice NaN. Its full max()/min() (`evenly_distribute_backward`) counts the NaN
    positions as the chosen ones instead (`nan_chosen`).
    """
    kept = _restored(out, axis, x.ndim, keepdims)
    mask = x == kept
    if nan_chosen:
        mask = jnp.where(jnp.isnan(kept), jnp.isnan(x), mask)
    mask = mask.astype(x.dtype)
    count = jnp.sum(mask, axis=axis, keepdims=True)
    # The 0/0 is spelled out: XLA folds `mask / count` into a select that gives 0 there.
    weight = jnp.where(count == 0, jnp.nan, mask / count).astype(x.dtype)
    return jnp.sum(t * weight, axis=axis, keepdims=keepdims)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def amax(x: Array, axis=None, keepdims: bool = False) -> Array:
    """jnp.max(x, axis); the gradient is split evenly among ties, NaN over a slice whose
    max is NaN (torch.amax)."""
    return jnp.max(x, axis=axis, keepdims=keepdims)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def amin(x: Array, axis=None, keepdims: bool = False) -> Array:
    """jnp.min(x, axis), with torch.amin's gradient (as `amax`)."""
    return jnp.min(x, axis=axis, keepdims=keepdims)


@jax.custom_jvp
def max_all(x: Array) -> Array:
    """jnp.max(x); the gradient is split evenly among ties, or among the NaN positions when
    there are some (torch's full `max()`)."""
    return jnp.max(x)


@jax.custom_jvp
def min_all(x: Array) -> Array:
    """jnp.min(x), with torch's full `min()` gradient (as `max_all`)."""
    return jnp.min(x)


# Each rule computes its primal output with the custom function itself, not the jnp op:
# a derivative of the rule (a jax.vjp inside another, as compile's per-op linearization
# under backward's replay; double backward) then keeps torch's rule too.

@amax.defjvp
def _amax_jvp(axis, keepdims, primals, tangents):
    (x,), (t,) = primals, tangents
    out = amax(x, axis, keepdims)
    return out, _share(x, out, t, axis, keepdims, nan_chosen=False)


@amin.defjvp
def _amin_jvp(axis, keepdims, primals, tangents):
    (x,), (t,) = primals, tangents
    out = amin(x, axis, keepdims)
    return out, _share(x, out, t, axis, keepdims, nan_chosen=False)


@max_all.defjvp
def _max_all_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    out = max_all(x)
    return out, _share(x, out, t, None, False, nan_chosen=True)


@min_all.defjvp
def _min_all_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    out = min_all(x)
    return out, _share(x, out, t, None, False, nan_chosen=True)


# ---- elementwise ------------------------------------------------------------------------

def _split(tie: Array, lose: Array, dtype) -> Array:
    return jnp.where(tie, 0.5, jnp.where(lose, 0.0, 1.0)).astype(dtype)


@jax.custom_jvp
def maximum(a: Array, b: Array) -> Array:
    """jnp.maximum(a, b); ties share the gradient, both operands get it where the result
    is NaN (torch.maximum)."""
    return jnp.maximum(a, b)


@jax.custom_jvp
def minimum(a: Array, b: Array) -> Array:
    """jnp.minimum(a, b), with torch.minimum's gradient (as `maximum`)."""
    return jnp.minimum(a, b)


@functools.partial(maximum.defjvp, symbolic_zeros=True)
def _maximum_jvp(primals, tangents):
    # torch: self: at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0),
    # other: ... masked_fill_(self > other, 0). With a NaN no comparison holds: both get grad.
    (a, b), (ta, tb) = primals, tangents
    out = maximum(a, b)
    return out, _jvp(out, (ta, lambda: _split(a == b, a < b, out.dtype)),
                     (tb, lambda: _split(a == b, a > b, out.dtype)))


@functools.partial(minimum.defjvp, symbolic_zeros=True)
def _minimum_jvp(primals, tangents):
    (a, b), (ta, tb) = primals, tangents
    out = minimum(a, b)
    return out, _jvp(out, (ta, lambda: _split(a == b, a > b, out.dtype)),
                     (tb, lambda: _split(a == b, a < b, out.dtype)))
