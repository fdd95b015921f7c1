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

__all__ = ["amax", "amin", "max_all", "min_all", "prod", "cumprod", "maximum", "minimum", "pow", "atan2",
           "hypot", "x_times_log", "set_at", "abs"]


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


def _others_product(x: Array, axis) -> Array:
    """The product of the other elements of each one's slice along `axis` (None: all),
    from exclusive cumulative products on both sides: no division, so exact at zeros."""
    if x.size == 0:
        return jnp.ones_like(x)
    if axis is None:
        return _others_product(x.reshape(-1), 0).reshape(x.shape)
    ones = jnp.ones_like(jax.lax.slice_in_dim(x, 0, 1, axis=axis))
    before = jnp.concatenate(
        [ones, jax.lax.slice_in_dim(jnp.cumprod(x, axis), 0, -1, axis=axis)], axis)
    flipped = jnp.flip(x, axis)
    after = jnp.concatenate(
        [ones, jax.lax.slice_in_dim(jnp.cumprod(flipped, axis), 0, -1, axis=axis)], axis)
    return before * jnp.flip(after, axis)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def prod(x: Array, axis=None, keepdims: bool = False) -> Array:
    """jnp.prod(x, axis) (one axis or all) with torch.prod's gradient, whose rule is
    chosen by the whole input: with no zero anywhere, `grad * result / input` (so an inf
    element gets NaN, as inf/inf), otherwise the product of the others (JAX's rule)."""
    return jnp.prod(x, axis=axis, keepdims=keepdims)


@prod.defjvp
def _prod_jvp(axis, keepdims, primals, tangents):
    # derivatives.yaml: prod_backward(grad, self.to(grad.scalar_type()), result[, dim])
    (x,), (t,) = primals, tangents
    out = prod(x, axis, keepdims)
    if isinstance(t, SymbolicZero):
        return out, jnp.zeros_like(out)
    zero = x == 0
    # (the division is kept off zeros so that the branch not taken has no NaN derivative)
    quotient = _restored(out, axis, x.ndim, keepdims) / jnp.where(zero, 1, x)
    weight = jnp.where(jnp.any(zero), _others_product(x, axis), quotient)
    return out, jnp.sum(t * weight, axis=axis, keepdims=keepdims).astype(out.dtype)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def cumprod(x: Array, axis: int) -> Array:
    """jnp.cumprod(x, axis) with torch.cumprod's gradient (cumprod_backward's O(n) rule).

    Before a slice's first zero z1 (everywhere in a slice with none): `reversed_cumsum(grad
    * result) / input`, NaN at an inf element where the exact rule gives a number. At z1:
    `sum_{z1 <= j < z2} grad_j * prod_{z1 < k <= j} input_k * result_{z1 - 1}` (z2: the
    second zero); after z1: exactly 0 (JAX's rule gives NaN there for 0 * inf)."""
    return jnp.cumprod(x, axis)


@cumprod.defjvp
def _cumprod_jvp(axis, primals, tangents):
    # The JVP written here is the transpose of torch's backward, which JAX transposes back.
    (x, ), (t, ) = primals, tangents
    out = cumprod(x, axis)
    if isinstance(t, SymbolicZero):
        return out, jnp.zeros_like(out)
    zeros_so_far = jnp.cumsum(x == 0, axis)
    before = zeros_so_far == 0                  # j < z1
    first_run = zeros_so_far == 1               # z1 <= j < z2
    at_z1 = first_run & (x == 0)
    # Each coefficient is fed values that keep it finite where it is not used: the branch
    # not taken is transposed too (with a zero cotangent), and 0 * inf would be NaN.
    # (past z1 this term is out_j = 0 times a finite sum: kept there for its derivative,
    # which torch's double backward has, unless out_j is NaN, 0 * inf)
    quotient = jnp.where(before | jnp.isfinite(out), out, 0) * jnp.cumsum(
        jnp.where(before, t, 0) / jnp.where(before, x, 1), axis)
    prefix = jnp.sum(jnp.where(at_z1, jnp.cumprod(jnp.where(before, x, 1), axis), 0), axis,
                     keepdims=True)               # result_{z1 - 1}, 1 when z1 = 0
    after_z1 = jnp.cumprod(jnp.where(first_run & ~at_z1, x, 1), axis)
    t_z1 = jnp.sum(jnp.where(at_z1, t, 0), axis, keepdims=True)
    at_zero = jnp.where(first_run, after_z1 * prefix, 0) * t_z1
    return out, (quotient + at_zero).astype(out.dtype)


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


@jax.custom_jvp
def pow(x: Array, p: Array) -> Array:  # noqa: A001  (torch.pow)
    """jnp.power(x, p), with torch.pow's gradients: 0 for `x` where p == 0 (JAX: NaN at
    x == 0), and for `p` 0 where x == 0 and p >= 0, else `result * log(x)` (-inf at x == 0
    and p < 0, where JAX gives 0)."""
    return jnp.power(x, p)


@functools.partial(pow.defjvp, symbolic_zeros=True)
def _pow_jvp(primals, tangents):
    (x, p), (tx, tp) = primals, tangents
    out = pow(x, p)

    def wrt_x():
        # torch (pow_backward_self): at::where(exponent == 0.0, 0, grad * exponent *
        # self.pow(exponent - 1)).
        return jnp.where(p == 0, jnp.zeros((), out.dtype), p * pow(x, p - 1))

    def wrt_p():
        # torch (pow_backward_exponent): at::where(self == 0 & exponent >= 0, 0,
        # grad * result * self.log()); a complex exponent counts when it is real.
        if jnp.iscomplexobj(p):
            nonneg = (jnp.imag(p) == 0) & (jnp.real(p) >= 0)
        else:
            nonneg = p >= 0
        return jnp.where((x == 0) & nonneg, jnp.zeros((), out.dtype), out * jnp.log(x))

    return out, _jvp(out, (tx, wrt_x), (tp, wrt_p))


@jax.custom_jvp
def atan2(a: Array, b: Array) -> Array:
    """jnp.arctan2(a, b); the gradient is 0 where a*a + b*b is 0 (torch; JAX: NaN)."""
    return jnp.arctan2(a, b)


@functools.partial(atan2.defjvp, symbolic_zeros=True)
def _atan2_jvp(primals, tangents):
    # torch (atan2_backward): grad * other / (self^2 + other^2) and
    # grad * -self / (self^2 + other^2), with the reciprocal taken as 0 where the sum of
    # squares is 0 (torch 2.13 gives 0, not 0/0, at (0, 0) and where the squares underflow).
    (a, b), (ta, tb) = primals, tangents
    out = atan2(a, b)
    denom = a * a + b * b
    recip = jnp.where(denom == 0, jnp.zeros((), denom.dtype), 1 / denom)
    return out, _jvp(out, (ta, lambda: b * recip), (tb, lambda: -a * recip))


@jax.custom_jvp
def hypot(a: Array, b: Array) -> Array:
    """jnp.hypot(a, b), with torch's gradient `grad * input / result`: NaN at (0, 0)
    (JAX: 1/2 each)."""
    return jnp.hypot(a, b)


@functools.partial(hypot.defjvp, symbolic_zeros=True)
def _hypot_jvp(primals, tangents):
    # torch: self: grad * self / result, other: grad * other / result.
    (a, b), (ta, tb) = primals, tangents
    out = hypot(a, b)
    return out, _jvp(out, (ta, lambda: a / out), (tb, lambda: b / out))


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3))
def x_times_log(x: Array, y: Array, log, low: float) -> Array:
    """x * log(y), 0 where x == 0 (unless y is NaN): xlogy (`log=jnp.log`, `low=0`, the
    edge of log's domain) and xlog1py (`jnp.log1p`, -1).

    PyTorch parity: torch's gradient for x is `xlogy(grad, y)`, 0 where grad is 0 even when
    log(y) is infinite; as a linear rule it is `grad * log(y)` here (NaN there).
    """
    # y <= low (no finite log) and y = inf (0 * inf) are replaced by a point whose log is 0.
    zero = (x == 0) & ~jnp.isnan(y)
    return x * log(jnp.where(zero & ((y <= low) | jnp.isinf(y)), low + 1, y))


@functools.partial(x_times_log.defjvp, symbolic_zeros=True)
def _x_times_log_jvp(log, low, primals, tangents):
    # torch (xlogy): self: at::xlogy(grad, other).masked_fill((self == 0.) & (other <= 0.),
    # 0.), other: grad * self / other (0/0 = NaN at (0, 0)); xlog1py the same with log1p,
    # -1 and `other + 1`.
    (x, y), (tx, ty) = primals, tangents
    out = x_times_log(x, y, log, low)

    def wrt_x():
        return jnp.where((x == 0) & (y <= low), jnp.zeros((), out.dtype), log(y))

    return out, _jvp(out, (tx, wrt_x), (ty, lambda: x / (y - low)))


@jax.custom_jvp
def abs(x: Array) -> Array:  # noqa: A001  (torch.abs)
    """jnp.abs(x) of a real x, with torch's gradient `grad * sgn(x)`: 0 at 0 and at NaN
    (JAX's is 1 at 0 and -1 at NaN), and NaN where the incoming gradient is NaN."""
    return jnp.abs(x)


@abs.defjvp
def _abs_jvp(primals, tangents):
    # torch: self: grad * self.sgn(), and sgn is (0 < x) - (x < 0): 0 at NaN. A product,
    # not a select, so a NaN gradient stays NaN at x == 0 as torch's.
    (x,), (t,) = primals, tangents
    sgn = (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
    return abs(x), t * sgn


# ---- indexed writes ---------------------------------------------------------------------

@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def set_at(where, x: Array, v: Array, *indices: Array) -> Array:
    """`x.at[where(*indices)].set(v)`, with torch's gradient where an index repeats.

    JAX gives a repeated position's gradient to the write that won (one of them); torch's
    index_put/put/index_copy/scatter give it to every write there (`values: grad.index(
    indices)`, `source: grad.take(index)`, ...), and none to `x` at the written positions
    (`self: grad.index_put(indices, zeros_like(values))`).

    Args:
      where: maps the index arrays to the `.at[]` index (a module-level function or a
        partial of one).
      x, v: the destination and the values, broadcastable to the indexed region.
      indices: integer arrays.

    PyTorch parity: forward mode (`func.jvp`) adds the tangents of repeated writes, where
    torch's forward mode takes the winner's.
    """
    return x.at[where(*indices)].set(v)


@functools.partial(set_at.defjvp, symbolic_zeros=True)
def _set_at_jvp(where, primals, tangents):
    # The linear map whose transpose is torch's backward: x's tangent with the written
    # positions cleared, plus every value's tangent added at its position.
    x, v, *indices = primals
    tx, tv = tangents[:2]
    at = where(*indices)
    out = set_at(where, x, v, *indices)
    tangent = None
    if not isinstance(tx, SymbolicZero):
        # (as a product with a mask: JAX transposes a scatter-set only for unique indices)
        kept = jnp.ones(x.shape, tx.dtype).at[at].set(jnp.zeros((), tx.dtype))
        tangent = tx * kept
    if not isinstance(tv, SymbolicZero):
        written = jnp.zeros_like(out).at[at].add(tv.astype(out.dtype))
        tangent = written if tangent is None else tangent + written
    return out, jnp.zeros_like(out) if tangent is None else tangent


@jax.custom_jvp
def value_of(x: Array, value: Array) -> Array:
    """`value` (x's shape and dtype), with the derivative of x: the replay of a tensor of
    the graph changed outside autograd (under no_grad, through `.data`), whose later ops
    see the new value while the gradient flows back through the op that made it, as in
    PyTorch."""
    return value


@value_of.defjvp
def _value_of_jvp(primals, tangents):
    x_dot, _ = tangents
    return primals[1], x_dot
