"""Special functions at their poles and domain edges give torch's values and gradients
(torch's derivatives.yaml), where JAX's kernels gave NaN for an infinity or a finite
number for NaN: lgamma's slope at 0 (digamma(0) = -inf), digamma's (trigamma(0) = inf),
polygamma(n >= 2) and Hurwitz zeta at their poles, ndtri's slope at 0 and 1, logit's
outside [0, 1], mvlgamma's, and logaddexp/logaddexp2 with an infinite operand."""

import numpy as np
import pytest
import torch

import functorch_like as fl

VALUES = {
    "polygamma 2": lambda L: L.polygamma(2, L.tensor([0.0, -2.0, 1.5])),
    "polygamma 3": lambda L: L.polygamma(3, L.tensor([0.0, -1.0, 2.5])),
    "polygamma 1 at 0": lambda L: L.polygamma(1, L.tensor([0.0, 0.5])),
    "zeta": lambda L: L.special.zeta(L.tensor([3.0, -6.0, 1.0, 2.0, 0.5, 2.5]),
                                     L.tensor([0.0, 0.0, 2.0, -1.0, 1.0, -1.5])),
    "digamma": lambda L: L.digamma(L.tensor([0.0, -0.0, 1.5])),
    "lgamma at 1 and 2": lambda L: L.lgamma(L.tensor([1.0, 2.0, 0.5])),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_match_torch(name):
    np.testing.assert_allclose(VALUES[name](fl).numpy(), VALUES[name](torch).numpy(),
                               rtol=1e-5)


GRADS = {
    "lgamma": (lambda L, t: L.lgamma(t), [0.0, -1.0, 1.5, 1.0, 2.0]),
    "digamma": (lambda L, t: L.digamma(t), [0.0, 1.5]),
    "polygamma 2": (lambda L, t: L.polygamma(2, t), [0.0, 2.5]),
    "ndtri": (lambda L, t: L.special.ndtri(t), [0.0, 1.0, 0.5, 0.9]),
    "logit": (lambda L, t: L.logit(t), [-0.5, 1.5, 0.0, 1.0, 0.3]),
    "logit eps": (lambda L, t: L.logit(t, eps=0.1), [-0.5, 0.05, 0.1, 0.3, 0.95]),
    "mvlgamma": (lambda L, t: L.mvlgamma(t, 2), [0.5, 1.0, 2.0]),
}


@pytest.mark.parametrize("name", GRADS)
def test_gradients_match_torch(name):
    fn, points = GRADS[name]
    grads = []
    for lib in (torch, fl):
        t = lib.tensor(points, requires_grad=True)
        fn(lib, t).sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
@pytest.mark.parametrize("a,b", [(np.inf, 0.0), (0.0, np.inf), (-np.inf, 0.0), (1.0, 2.0),
                                 (-np.inf, -np.inf)])
def test_logaddexp_gradients_with_infinities(name, a, b):
    grads = []
    for lib in (torch, fl):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, requires_grad=True)
        getattr(lib, name)(x, y).backward()
        grads.append([x.grad.item(), y.grad.item()])
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_second_derivative_of_lgamma_is_trigamma():
    x = fl.tensor([0.7, 2.5], requires_grad=True)
    (g,) = fl.autograd.grad(fl.lgamma(x).sum(), x, create_graph=True)
    (h,) = fl.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), torch.polygamma(1, torch.tensor([0.7, 2.5])).numpy(),
                               rtol=1e-5)
