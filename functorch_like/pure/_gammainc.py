"""The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x), accurate
in float32 for large `a` too.

jax.scipy.special.gammainc multiplies a series by the prefactor x^a e^-x / Gamma(a), whose
logarithm a log x - x - lgamma(a) is a difference of numbers near a log a: in float32 it
loses most of its digits for large a (P(1e5, 1e5) came out 0.4585 for 0.5004, P + Q was
0.916; Gamma(a).cdf and Chi2(df).cdf with a large shape were wrong). Where that matters,
a >= 50 and x within 30% of a, Temme's uniform asymptotic expansion (DLMF 8.12) is used
instead: with lambda = x / a and eta = sign(lambda - 1) sqrt(2 (lambda - 1 - ln lambda)),

    Q(a, x) = erfc(eta sqrt(a / 2)) / 2 + R,   P(a, x) = erfc(-eta sqrt(a / 2)) / 2 - R,
    R = exp(-a eta^2 / 2) / sqrt(2 pi a) * (c0(eta) + c1(eta) / a),

c0(eta) = 1/(lambda - 1) - 1/eta and c1(eta) = 1/eta^3 - 1/(lambda - 1)^3 - 1/(lambda - 1)^2
- 1/(12 (lambda - 1)) (the next term is below 1e-7 there). Near eta = 0 both forms cancel,
so c0 and c1 are polynomials in eta, fitted (Chebyshev, at 60 digits with mpmath) to the
closed forms over |eta| <= 0.36 (scripts/fit_temme_coefficients.py), which holds
|x - a| <= 0.3 a: largest errors 1.3e-14 and 3.5e-12. Elsewhere, JAX's own functions are
accurate enough (below a = 50 their error stays near 1e-6; away from x = a the result is
within float32 rounding of 0 or 1).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import jax.scipy.special as jss

# c0 and c1 as polynomials in eta, highest degree first (for jnp.polyval).
_C0 = (8.3154521498130798e-7, -1.9105889100841643e-6, -2.1856502125535483e-6,
       3.9199016035796171e-5, -1.7875513492152602e-4, 3.5273339110633729e-4,
       1.1574074072614481e-3, -1.4814814810040407e-2, 8.3333333333333711e-2,
       -3.3333333333334571e-1)
_C1 = (7.6477086763045375e-6, -1.8509952726194161e-5, -4.0169343052403259e-7,
       2.0579447800056217e-4, -9.9022634290598014e-4, 2.6455017876426327e-3,
       -3.4722222221996063e-3, -1.8518518483787766e-3)

_MIN_A = 50.0
_MAX_SIGMA = 0.3


def _temme(a, x):
    """(P, Q) by the expansion above, for a >= 50 and |x - a| < 0.3 a."""
    s = (x - a) / a
    # eta = sign(s) sqrt(2 (s - log1p(s))); for small s as s sqrt(2 (s - log1p(s)) / s^2),
    # a series without the cancellation of s - log1p(s) and smooth through s = 0 (its
    # gradient there too)
    small = jnp.abs(s) < 0.1
    t = jnp.where(small, s, 0.0)
    over = 1 / 2 - t * (1 / 3 - t * (1 / 4 - t * (1 / 5 - t * (
        1 / 6 - t * (1 / 7 - t * (1 / 8 - t * (1 / 9 - t / 10)))))))
    big = jnp.where(small, 1.0, s)
    eta = jnp.where(small, t * jnp.sqrt(2 * over),
                    jnp.sign(big) * jnp.sqrt(2 * (big - jnp.log1p(big))))
    r = (jnp.exp(-0.5 * a * eta * eta) / jnp.sqrt(2 * math.pi * a)
         * (jnp.polyval(jnp.asarray(_C0, x.dtype), eta)
            + jnp.polyval(jnp.asarray(_C1, x.dtype), eta) / a))
    root = eta * jnp.sqrt(a / 2)
    return 0.5 * jss.erfc(-root) - r, 0.5 * jss.erfc(root) + r


def _split(a, x):
    """Where the expansion applies, and the inputs each branch gets (a fixed, harmless
    point for the branch not taken, so that neither gives NaN gradients)."""
    a, x = jnp.broadcast_arrays(a, x)
    use = (a >= _MIN_A) & (jnp.abs(x - a) < _MAX_SIGMA * a)
    one = jnp.ones((), a.dtype)
    return use, (jnp.where(use, a, _MIN_A * one), jnp.where(use, x, _MIN_A * one)), \
        (jnp.where(use, one, a), jnp.where(use, one, x))


def gammainc(a, x):
    """P(a, x), the regularized lower incomplete gamma function; a, x broadcast.

    PyTorch parity: torch's (Cephes') value to float32 rounding, also for large a (see the
    module docstring); the gradient for x is that of the value computed."""
    use, (ta, tx), (ja, jx) = _split(a, x)
    return jnp.where(use, _temme(ta, tx)[0], jss.gammainc(ja, jx))


def gammaincc(a, x):
    """Q(a, x) = 1 - P(a, x), the regularized upper incomplete gamma function."""
    use, (ta, tx), (ja, jx) = _split(a, x)
    return jnp.where(use, _temme(ta, tx)[1], jss.gammaincc(ja, jx))
