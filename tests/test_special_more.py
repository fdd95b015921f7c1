"""Differential tests against torch.special for the Bessel/Airy functions, erfcx, the
incomplete gamma functions, zeta, multigammaln and the orthogonal polynomials."""

import functools

import jax
import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

BESSEL = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
          "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
          "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
          "airy_ai"]

# Small, large, negative and special arguments: every branch of the Cephes approximations.
_POINTS = np.concatenate([np.linspace(-25, 25, 101), [0.0, 1e-6, -1e-6, 1e-3, 2.0, 2.09, -2.09,
                                                      4.99, 5.0, 8.3, 50.0, 103.0, 110.0, 1e4,
                                                      np.inf, -np.inf, np.nan]])


def _compare(name, values, rtol, atol):
    want = getattr(torch.special, name)(torch.from_numpy(values)).numpy()
    got = getattr(fl.special, name)(fl.tensor(values)).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name", BESSEL)
def test_bessel_airy_values(name):
    _compare(name, _POINTS.astype(np.float32), rtol=3e-5, atol=1e-5)


def test_bessel_airy_float64():
    # float64 follows the same Cephes coefficients to ~1e-15 (a few of them: compile time).
    with jax.enable_x64(True):
        for name in ("bessel_j0", "bessel_y1", "modified_bessel_k1", "airy_ai"):
            _compare(name, _POINTS, rtol=1e-10, atol=1e-14)


def test_bessel_not_differentiable_and_integers():
    x = _POINTS.astype(np.float32)
    for name in ("bessel_y0", "airy_ai"):
        # torch's kernels have no derivative: the result does not require grad.
        want = getattr(torch.special, name)(torch.tensor(x, requires_grad=True))
        got = getattr(fl.special, name)(fl.tensor(x, requires_grad=True))
        assert got.requires_grad == want.requires_grad == False  # noqa: E712
    check(lambda t, a: t.special.bessel_j1(a), rand(5, dtype=np.int64, low=1, high=9))


def test_erfcx():
    check(lambda t, a: t.special.erfcx(a), rand(6, low=-3, high=5))
    x = np.array([-30.0, -5.0, 0.0, 60.0, 1e8], np.float32)
    check(lambda t, a: t.special.erfcx(a), x, grad=False, rtol=1e-5)


def test_incomplete_gamma():
    a, x = rand(3, 4, low=0.2, high=4), rand(3, 4, low=0.0, high=5)
    # Gradients for `other` only: torch raises for `input`.
    check(lambda t, p, q: (t.special.gammainc(p.detach(), q), p.detach().igammac(q)), a, x)
    # (each under its own name in torch's argument errors, so not one function object)
    for name in ("igamma", "igammac", "special.gammainc", "special.gammaincc"):
        def fn(t):
            return functools.reduce(getattr, name.split("."), t)
        check_raises(lambda t, q: fn(t)(2, q), x)
        check_raises(lambda t, p: fn(t)(p, 2.0), a)
    check_raises(lambda t, p, q: t.igamma(p, q), np.array([1, 2]), np.array([1, 2]))
    check_raises(lambda t, p, q: t.special.gammaincc(p, q), np.array([1, 2]), np.array([1, 2]))


def test_zeta():
    s, q = rand(6, low=1.5, high=4), rand(6, low=0.5, high=3)
    check(lambda t, a, b: t.special.zeta(a.detach(), b), s, q)
    check(lambda t, a, b: t.special.zeta(a, b), np.array([2, 3]), np.array([1, 2]))
    check(lambda t, a, b: t.special.zeta(a, b), np.array([2.0, 3.0, 1.0, 0.5, -1.0, 2.0]),
          np.array([1.0, 2.0, 1.0, 1.0, 1.0, -1.5]), grad=False)


def test_multigammaln():
    x = rand(3, 2, low=2.0, high=6.0)
    check(lambda t, a: (t.special.multigammaln(a, 3), a.mvlgamma(2)), x)
    check(lambda t, a: t.mvlgamma(a, 2), np.array([3, 4]))
    check_raises(lambda t, a: t.special.multigammaln(a, 0), x)


POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]

# End points of both the plain and the shifted families, inside/outside the interval, and
# degrees that cross torch's closed-form thresholds (4, 6, 8) and Hermite's limit (128).
_X = np.array([-2.5, -1.0, -0.999, -0.7, -0.3, 0.0, 0.2, 0.5, 0.8, 1.0, 1.3, 3.0])
_N = np.array([-3, 0, 1, 2, 3, 5, 7, 9, 12, 30, 100, 129, 600])


@pytest.mark.parametrize("name", POLYS)
def test_orthogonal_polynomials(name):
    X, N = np.meshgrid(_X, _N)
    torch_fn, fl_fn = getattr(torch.special, name), getattr(fl.special, name)
    want = torch_fn(torch.from_numpy(X.astype(np.float32)), torch.from_numpy(N)).numpy()
    got = fl_fn(fl.tensor(X.astype(np.float32)), fl.tensor(N.astype(np.int32))).numpy()
    # (n + 1/2) theta for n = 600 loses ~1e-4 in float32 (torch and here round differently)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=5e-4, equal_nan=True)
    if name not in ("chebyshev_polynomial_u", "hermite_polynomial_h", "laguerre_polynomial_l"):
        return    # float64 for a few (compile time): the same code path in a wider type
    with jax.enable_x64(True):
        want = torch_fn(torch.from_numpy(X), torch.from_numpy(N.astype(np.float64))).numpy()
        got = fl_fn(fl.tensor(X), fl.tensor(N.astype(np.float64))).numpy()
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, equal_nan=True)


def test_polynomial_scalar_degree_dtypes_and_grad():
    x = rand(4, low=-1, high=1)
    check(lambda t, a: (t.special.chebyshev_polynomial_t(a, 3),
                        t.special.hermite_polynomial_h(0.5, t.tensor([2, 3, 2.7, -1.5])),
                        t.special.laguerre_polynomial_l(a.to(t.int64), 2)), x)
    out = fl.special.chebyshev_polynomial_u(fl.tensor(x, requires_grad=True), 4)
    assert not out.requires_grad          # torch: no grad_fn for these kernels


def test_namespace():
    for name in fl.special.__all__:
        assert hasattr(torch.special, name), name
    for name in ("igamma", "igammac", "mvlgamma"):
        assert hasattr(torch, name) and hasattr(fl, name) and hasattr(fl.Tensor, name)
