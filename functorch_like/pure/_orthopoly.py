"""Classical orthogonal polynomials p_n(x) with PyTorch's special cases, as pure jnp.

Each is evaluated as torch's CPU kernel does (aten/src/ATen/native/Math.h): 0 for n < 0,
exact values at the interval's end points, a trigonometric closed form for the Chebyshev
families once n is large and x is inside (-1, 1), and otherwise the three-term recurrence.
The recurrence runs in a `lax.while_loop` up to the largest n that still needs it, every
element stepping only while its own n is not reached (and, as torch, not once it is NaN).

Shapes: `x` and `n` broadcast together, `(...)`; `n` holds integers (a float n is
truncated towards zero; NaN and inf count as a negative n, so the result is 0).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]


def _degree(n, dtype):
    """n as integers in the float dtype's companion int type; NaN/inf become -1."""
    idt = jnp.int64 if dtype == jnp.float64 else jnp.int32
    if jnp.issubdtype(n.dtype, jnp.integer):
        return n.astype(idt)
    finite = jnp.isfinite(n)
    return jnp.where(finite, jnp.trunc(jnp.where(finite, n, 0)), -1).astype(idt)


def _recur(x, n, first, step, skip, nan_stops=True):
    """p_n by `r = step(j, x, p, q)` from (p, q) = (1, first), j = 0, 1, ...: n - 1 steps.

    Elements where `skip` (a closed form applies) take no steps, so a huge n there does not
    lengthen the loop.
    """
    steps = jnp.where(skip | (n < 1), 0, n - 1)
    total = jnp.max(steps, initial=0)

    def live(j, q):
        active = j < steps
        return active & ~jnp.isnan(q) if nan_stops else active

    def cond(carry):
        j, _, q = carry
        return (j < total) & jnp.any(live(j, q))

    def body(carry):
        j, p, q = carry
        active = live(j, q)
        r = step(j.astype(x.dtype), x, p, q)
        return j + 1, jnp.where(active, q, p), jnp.where(active, r, q)

    one = jnp.ones_like(x)
    _, _, q = jax.lax.while_loop(cond, body, (jnp.zeros((), steps.dtype), one, first))
    return jnp.where(n == 0, one, q)


def _prepare(x, n):
    x, n = jnp.broadcast_arrays(x, n)
    return x, _degree(n, x.dtype)


def _signed(n, even_value, odd_value):
    return jnp.where(n % 2 == 0, even_value, odd_value)


def _cheb_step(j, y, p, q):
    return (y + y) * q - p


def _chebyshev(x, n, kind, y, endpoint_hi, endpoint_lo, closed_min):
    """The four Chebyshev kinds in y (x for the plain ones, 2x - 1 for the shifted ones);
    `endpoint_hi`/`endpoint_lo` say where y = 1 and y = -1 (torch tests x itself)."""
    nf = n.astype(x.dtype)
    first = {"t": y, "u": y + y, "v": y + y - 1.0, "w": y + y + 1.0}[kind]
    inside = jnp.abs(y) < 1.0
    theta = jnp.arccos(jnp.where(inside, y, 0.0))
    if kind == "t":
        closed = jnp.cos(nf * theta)
        hi, lo = jnp.ones_like(x), _signed(n, 1.0, -1.0).astype(x.dtype)
    elif kind == "u":
        s = jnp.sin(theta)
        closed = jnp.where(s != 0, jnp.sin((nf + 1) * theta) / jnp.where(s != 0, s, 1.0),
                           (nf + 1) * jnp.cos((nf + 1) * theta) / y)
        hi, lo = nf + 1, _signed(n, nf + 1, -(nf + 1))
    elif kind == "v":
        c = jnp.cos(theta / 2.0)
        closed = jnp.where(jnp.sin(theta / 2.0) != 1.0,
                           jnp.cos((nf + 0.5) * theta) / jnp.where(c != 0, c, 1.0),
                           _signed(n, 2 * nf + 1, -(2 * nf + 1)))
        hi, lo = jnp.ones_like(x), _signed(n, 2 * nf + 1, -(2 * nf + 1))
    else:
        s = jnp.sin(theta / 2.0)
        degenerate = jnp.cos(theta / 2.0) == 1.0
        # torch's plain W returns 2n+1 for x > 0 here; its shifted W only the sign of n.
        at_one = jnp.where(x > 0, 2 * nf + 1, _signed(n, 1.0, -1.0)) if closed_min == 8 \
            else _signed(n, 1.0, -1.0).astype(x.dtype)
        closed = jnp.where(~degenerate, jnp.sin((nf + 0.5) * theta) / jnp.where(s != 0, s, 1.0),
                           at_one)
        hi, lo = 2 * nf + 1, _signed(n, 1.0, -1.0).astype(x.dtype)
    use_closed = (n > closed_min) & inside
    ends = endpoint_hi | endpoint_lo
    out = _recur(y, n, first, _cheb_step, use_closed | ends)
    out = jnp.where(use_closed, closed, out)
    out = jnp.where(endpoint_lo, lo, jnp.where(endpoint_hi, hi, out))
    return jnp.where(n < 0, jnp.zeros_like(x), out)


def _plain(kind, closed_min):
    def poly(x, n):
        x, n = _prepare(x, n)
        # torch: |x| == 1 with x > 0 is the y = 1 end; T, U, P also take it for even n.
        return _chebyshev(x, n, kind, x, x == 1.0, x == -1.0, closed_min)
    return poly


def _shifted(kind, closed_min):
    def poly(x, n):
        x, n = _prepare(x, n)
        return _chebyshev(x, n, kind, x + x - 1.0, x == 1.0, x == 0.0, closed_min)
    return poly


chebyshev_polynomial_t = _plain("t", 6)
chebyshev_polynomial_u = _plain("u", 8)
chebyshev_polynomial_v = _plain("v", 8)
chebyshev_polynomial_w = _plain("w", 8)
shifted_chebyshev_polynomial_t = _shifted("t", 6)
shifted_chebyshev_polynomial_u = _shifted("u", 6)
shifted_chebyshev_polynomial_v = _shifted("v", 6)
shifted_chebyshev_polynomial_w = _shifted("w", 4)
for _f, _doc in ((chebyshev_polynomial_t, "T_n(x), first kind"),
                 (chebyshev_polynomial_u, "U_n(x), second kind"),
                 (chebyshev_polynomial_v, "V_n(x), third kind"),
                 (chebyshev_polynomial_w, "W_n(x), fourth kind"),
                 (shifted_chebyshev_polynomial_t, "T*_n(x) = T_n(2x - 1)"),
                 (shifted_chebyshev_polynomial_u, "U*_n(x) = U_n(2x - 1)"),
                 (shifted_chebyshev_polynomial_v, "V*_n(x) = V_n(2x - 1)"),
                 (shifted_chebyshev_polynomial_w, "W*_n(x) = W_n(2x - 1)")):
    _f.__doc__ = f"The Chebyshev polynomial {_doc}, elementwise over broadcast (x, n)."
for _name in __all__[:8]:
    globals()[_name].__name__ = globals()[_name].__qualname__ = _name


def _hermite_limit(dtype):
    # torch gives NaN past this degree (getHermitianLimit: 128 for float, 512 for double).
    return 512 if dtype == jnp.float64 else 128


def _h_step(j, x, p, q):
    return (x + x) * q - (2.0 * j + 2.0) * p


def _he_step(j, x, p, q):
    return x * q - (j + 1.0) * p


def hermite_polynomial_h(x, n):
    """The physicists' Hermite polynomial H_n(x); NaN for n above 128 (512 in float64)."""
    x, n = _prepare(x, n)
    too_big = n > _hermite_limit(x.dtype)
    out = _recur(x, n, x + x, _h_step, too_big, nan_stops=False)
    out = jnp.where(too_big, jnp.nan, out)
    return jnp.where(n < 0, jnp.zeros_like(x), out)


def hermite_polynomial_he(x, n):
    """The probabilists' Hermite polynomial He_n(x); NaN for n above 128 (512 in float64)."""
    x, n = _prepare(x, n)
    too_big = n > _hermite_limit(x.dtype)
    out = _recur(x, n, x, _he_step, too_big, nan_stops=False)
    out = jnp.where(too_big & (n > 1), jnp.nan, out)
    return jnp.where(n < 0, jnp.zeros_like(x), out)


def _l_step(j, x, p, q):
    k = j + 1.0
    return ((k + k) + (1.0 - x)) * q - k * p


def _laguerre_step(j, x, p, q):
    return _l_step(j, x, p, q) / (j + 2.0)


def laguerre_polynomial_l(x, n):
    """The Laguerre polynomial L_n(x); 1 at x == 0."""
    x, n = _prepare(x, n)
    zero = x == 0
    out = _recur(x, n, 1.0 - x, _laguerre_step, zero)
    out = jnp.where(zero, jnp.ones_like(x), out)
    return jnp.where(n < 0, jnp.zeros_like(x), out)


def _p_step(j, x, p, q):
    k = j + 1.0
    return ((k + k + 1.0) * x * q - k * p) / (k + 1.0)


def legendre_polynomial_p(x, n):
    """The Legendre polynomial P_n(x); +-1 at x == +-1."""
    x, n = _prepare(x, n)
    ends = jnp.abs(x) == 1.0
    out = _recur(x, n, x, _p_step, ends)
    end_value = jnp.where((x > 0) | (n % 2 == 0), 1.0, -1.0).astype(x.dtype)
    out = jnp.where(ends, end_value, out)
    return jnp.where(n < 0, jnp.zeros_like(x), out)
