"""Differential tests against torch.special: values, dtypes and gradients of every function
functorch_like.special provides, and its aliases of torch-namespace ops."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, rand

SPECIAL = {
    # name: (call, low, high) — the input range where the function is smooth.
    "erf": (lambda s, x: s.erf(x), -2, 2),
    "erfc": (lambda s, x: s.erfc(x), -2, 2),
    "erfinv": (lambda s, x: s.erfinv(x), -0.9, 0.9),
    "expit": (lambda s, x: s.expit(x), -4, 4),
    "logit": (lambda s, x: (s.logit(x), s.logit(x, eps=0.3)), 0.05, 0.95),
    "gammaln": (lambda s, x: s.gammaln(x), 0.2, 5),
    "digamma": (lambda s, x: (s.digamma(x), s.psi(x)), 0.2, 5),
    "polygamma": (lambda s, x: (s.polygamma(1, x), s.polygamma(3, x)), 0.5, 3),
    "entr": (lambda s, x: s.entr(x), 0.1, 3),
    "log1p": (lambda s, x: (s.log1p(x), s.expm1(x), s.exp2(x)), -0.5, 2),
    "i0": (lambda s, x: (s.i0(x), s.i0e(x), s.i1(x), s.i1e(x)), -3, 3),
    "ndtr": (lambda s, x: (s.ndtr(x), s.log_ndtr(x)), -4, 4),
    "ndtri": (lambda s, x: s.ndtri(x), 0.05, 0.95),
    "sinc": (lambda s, x: (s.sinc(x), s.round(x)), -2, 2),
    "softmax": (lambda s, x: (s.softmax(x, 1), s.log_softmax(x, 0), s.logsumexp(x, 1),
                              s.logsumexp(x, (0, 1), keepdim=True)), -3, 3),
}


def _lib_special(t):
    return torch.special if t is torch else fl.special


@pytest.mark.parametrize("name", SPECIAL)
def test_special_matches_torch(name):
    fn, low, high = SPECIAL[name]
    x = rand(3, 4, low=low, high=high, dtype=np.float64)
    check(lambda t, a: fn(_lib_special(t), a), x, x64=True, atol=1e-7, rtol=1e-6)
    check(lambda t, a: fn(_lib_special(t), a), x.astype(np.float32))   # default dtype


def test_binary_xlogy_xlog1py():
    x = np.array([0.0, 0.0, 1.5, -2.0, 0.0], np.float64)
    y = np.array([3.0, -1.0, 0.5, 2.0, 0.0], np.float64)
    check(lambda t, a, b: (_lib_special(t).xlogy(a, b), _lib_special(t).xlog1py(a, b)),
          x, y, x64=True, grad=False)
    # The gradient for x, including x == 0 (log(y) where finite, else 0, as torch's).
    check(lambda t, a, b: (_lib_special(t).xlogy(a, b.detach()),
                           _lib_special(t).xlog1py(a, b.detach())), x, y, x64=True)
    check(lambda t, a, b: (_lib_special(t).xlog1py(a, b), _lib_special(t).xlog1py(2.0, b)),
          rand(4), rand(4, low=0.1, high=3))


def test_special_points_and_integers():
    x = np.array([0.0, -1.0, 1.0, np.inf], np.float32)
    check(lambda t, a: (_lib_special(t).entr(a), _lib_special(t).ndtri(a.clamp(0, 1)),
                        _lib_special(t).digamma(a), _lib_special(t).i1e(a)), x, grad=False)
    xi = rand(4, dtype=np.int64, low=1, high=5)
    check(lambda t, a: (_lib_special(t).i1(a), _lib_special(t).ndtr(a), _lib_special(t).entr(a),
                        _lib_special(t).expit(a), _lib_special(t).gammaln(a)), xi)


def test_namespace_and_aliases():
    # (distinct objects, as torch's: each refuses a number under its own native name)
    x = fl.tensor([0.5, 2.0])
    for alias, fn in ((fl.special.expit, fl.sigmoid), (fl.special.gammaln, fl.lgamma),
                      (fl.special.psi, fl.digamma), (fl.special.digamma, fl.digamma)):
        assert alias(x).tolist() == fn(x).tolist()
    for name in fl.special.__all__:
        assert hasattr(torch.special, name), name
        assert callable(getattr(fl.special, name))
