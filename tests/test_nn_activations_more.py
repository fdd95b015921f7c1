"""Reference tests of the remaining activations (F functions, in-place forms, modules) and
gumbel_softmax against real PyTorch, in float64, including their kinks."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
import functorch_like.nn as nn
import functorch_like.nn.functional as F
from functorch_like.pure import _activations as A

from _tensor_ops_ref import check, check_raises

# The kinks of every activation here (-3, 3, +-0.5, 0) next to ordinary values.
X = np.array([[-3.0, -0.5, 0.0, 0.5], [3.0, 1.3, -1.7, 0.2]])
TIGHT = dict(x64=True, atol=1e-12, rtol=1e-10)

CASES = {
    "celu": lambda t, x: t.nn.functional.celu(x, 1.5),
    "softsign": lambda t, x: t.nn.functional.softsign(x),
    "hardswish": lambda t, x: t.nn.functional.hardswish(x),
    "hardsigmoid": lambda t, x: t.nn.functional.hardsigmoid(x),
    "softmin": lambda t, x: t.nn.functional.softmin(x, 1),
    "threshold": lambda t, x: t.nn.functional.threshold(x, 0.5, -2.0),
    "tanhshrink": lambda t, x: t.nn.functional.tanhshrink(x),
    "softshrink": lambda t, x: t.nn.functional.softshrink(x, 0.5),
    "hardshrink": lambda t, x: t.nn.functional.hardshrink(x, 0.5),
    "glu": lambda t, x: t.nn.functional.glu(x, 1),
    "glu_dim0": lambda t, x: t.nn.functional.glu(x, 0),
    "rrelu_eval": lambda t, x: t.nn.functional.rrelu(x, 0.1, 0.3),
    "softmax2d": lambda t, x: t.nn.Softmax2d()(x.reshape(2, 2, 2)),
}


@pytest.mark.parametrize("name", CASES)
def test_functional_matches_torch(name):
    check(CASES[name], X, **TIGHT)


def test_grad_fn_names():
    x = fl.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    for name in ("celu", "softsign", "hardswish", "hardsigmoid", "softmin", "threshold",
                 "tanhshrink", "softshrink", "hardshrink", "glu", "rrelu_eval"):
        assert CASES[name](fl, x).grad_fn.name() == CASES[name](torch, tx).grad_fn.name()


def test_prelu_functional_and_module():
    xt = X.T.copy()                       # (4, 2): two channels
    check(lambda t, x, w: t.nn.functional.prelu(x, w), xt, np.array([0.1, -0.2]), **TIGHT)
    check(lambda t, x, w: t.nn.functional.prelu(x, w), X[0], np.array([0.3]), **TIGHT)
    with jax.enable_x64(True):
        tm, m = torch.nn.PReLU(2, 0.1).double(), nn.PReLU(2, 0.1).double()
        assert repr(m) == repr(tm) and list(m.state_dict()) == ["weight"]
        tx, x = torch.tensor(xt, requires_grad=True), fl.tensor(xt, requires_grad=True)
        tm(tx).pow(2).sum().backward()
        m(x).pow(2).sum().backward()
        np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
        assert m(x).grad_fn.name() == "PreluKernelBackward0"


MODULES = [
    lambda n: n.PReLU(), lambda n: n.PReLU(3, 0.1), lambda n: n.CELU(), lambda n: n.CELU(2.0, True),
    lambda n: n.Softsign(), lambda n: n.Hardswish(True), lambda n: n.Hardsigmoid(),
    lambda n: n.Softmin(), lambda n: n.Softmin(1), lambda n: n.Threshold(0.1, 20, True),
    lambda n: n.Tanhshrink(), lambda n: n.Softshrink(), lambda n: n.Hardshrink(0.3),
    lambda n: n.GLU(), lambda n: n.RReLU(), lambda n: n.RReLU(0.1, 0.3, True),
    lambda n: n.Softmax2d(), lambda n: n.Threshold(0.1, 20),
]


def test_module_reprs_and_eval_forward():
    x = np.array([[[-1.0, 0.25], [2.0, -0.1], [0.7, -3.0]]])      # (1, 3, 2)
    for make in MODULES:
        tm, m = make(torch.nn), make(nn)
        assert repr(m) == repr(tm)
        if isinstance(tm, (torch.nn.Softmin, torch.nn.Softmax2d)):
            continue      # (implicit dim / needs 3-D input: covered above)
        tm.eval()
        m.eval()
        want = tm(torch.tensor(x, dtype=torch.float32)).detach().numpy()
        np.testing.assert_allclose(m(fl.tensor(x, dtype=fl.float32)).detach().numpy(), want,
                                   rtol=1e-6, atol=1e-7, err_msg=repr(tm))


INPLACE = {
    "relu_": lambda F_, x: F_.relu_(x),
    "elu_": lambda F_, x: F_.elu_(x, 0.7),
    "leaky_relu_": lambda F_, x: F_.leaky_relu_(x, 0.2),
    "hardtanh_": lambda F_, x: F_.hardtanh_(x, -0.4, 0.6),
    "selu_": lambda F_, x: F_.selu_(x),
    "celu_": lambda F_, x: F_.celu_(x, 1.5),
    "threshold_": lambda F_, x: F_.threshold_(x, 0.2, 5.0),
    "rrelu_": lambda F_, x: F_.rrelu_(x, 0.1, 0.3),
    "hardswish_inplace": lambda F_, x: F_.hardswish(x, inplace=True),
}


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms(name, x64):
    fn = INPLACE[name]
    tleaf, leaf = torch.tensor(X, requires_grad=True), fl.tensor(X, requires_grad=True)
    tx, x = tleaf * 1, leaf * 1           # in-place on a non-leaf, as PyTorch allows
    tout, out = fn(torch.nn.functional, tx), fn(F, x)
    assert out is x
    np.testing.assert_allclose(x.detach().numpy(), tx.detach().numpy(), rtol=1e-12)
    (tout * tout).sum().backward()
    (out * out).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_rrelu_training_draws_slopes_from_the_global_generator(x64):
    fl.manual_seed(3)
    x = fl.tensor(np.linspace(-2.0, 2.0, 9), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xv, yv, g = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    neg = xv < 0
    slopes = yv[neg] / xv[neg]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and len(set(slopes.round(8))) > 1
    np.testing.assert_allclose(g[neg], slopes, rtol=1e-12)       # d/dx is the drawn slope
    np.testing.assert_array_equal(yv[xv > 0], xv[xv > 0])
    np.testing.assert_array_equal(g[xv > 0], 1.0)
    fl.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3, True).detach().numpy(), yv)
    m = nn.RReLU(0.1, 0.3)
    assert not np.array_equal(m(x).detach().numpy(), m.eval()(x).detach().numpy())


ERRORS = [
    lambda t, x: t.nn.functional.glu(x[:, :3]),
    lambda t, x: t.nn.functional.glu(x[0, 0]),
    lambda t, x: t.nn.functional.softshrink(x, -1.0),
    lambda t, x: t.nn.functional.celu(x, 0.0),
    lambda t, x: t.nn.functional.rrelu(x, 0.5, 0.1, True),
    lambda t, x: t.nn.functional.prelu(x, t.ones(3)),
    lambda t, x: t.nn.functional.prelu(x[0], t.ones(4)),
    lambda t, x: t.nn.functional.prelu(x, t.ones(1, 2)),
    lambda t, x: t.nn.functional.prelu(x, t.ones(1, 4)),
    lambda t, x: t.nn.Softmax2d()(x),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_match_torch(fn):
    check_raises(fn, X.astype(np.float32))


def test_gumbel_softmax(x64):
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]])
    fl.manual_seed(0)
    x = fl.tensor(logits, requires_grad=True)
    y = F.gumbel_softmax(x, tau=0.5)
    assert y.grad_fn.name() == "SoftmaxBackward0"
    np.testing.assert_allclose(y.detach().numpy().sum(-1), 1.0, rtol=1e-12)
    # The noise the sample used: g = tau log y - logits, up to a constant per row; torch's
    # softmax((logits + g) / tau) must then give the same sample and gradient.
    noise = 0.5 * np.log(y.detach().numpy()) - logits
    tx = torch.tensor(logits, requires_grad=True)
    ty = torch.softmax((tx + torch.tensor(noise)) / 0.5, -1)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
    ct = np.random.default_rng(0).standard_normal(logits.shape)
    (y * fl.tensor(ct)).sum().backward()
    (ty * torch.tensor(ct)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    # hard: one-hot of the soft sample's argmax, with the soft sample's gradient.
    fl.manual_seed(0)
    x.grad = None
    h = F.gumbel_softmax(x, tau=0.5, hard=True)
    assert h.grad_fn.name() == "AddBackward0"
    np.testing.assert_array_equal(h.detach().numpy(),
                                  np.eye(3)[y.detach().numpy().argmax(-1)])
    (h * fl.tensor(ct)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-12)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        F.gumbel_softmax(x, eps=1e-5)
    assert "`eps` parameter is deprecated" in str(w[0].message)


def test_pure_functions_under_jit_and_grad():
    x = jnp.asarray(X, jnp.float32)
    fns = (A.hardswish, A.hardsigmoid, A.celu, A.softshrink, A.softsign)

    def total(v):
        return sum(jnp.sum(f(v) * (i + 1)) for i, f in enumerate(fns))
    g = jax.jit(jax.grad(total))(x)
    tx = torch.tensor(X, dtype=torch.float32, requires_grad=True)
    tfns = (torch.nn.functional.hardswish, torch.nn.functional.hardsigmoid,
            torch.nn.functional.celu, torch.nn.functional.softshrink,
            torch.nn.functional.softsign)
    sum((f(tx) * (i + 1)).sum() for i, f in enumerate(tfns)).backward()
    np.testing.assert_allclose(g, tx.grad.numpy(), rtol=1e-6)
    w = jnp.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(jax.jit(A.prelu)(x, w), A.prelu(x, w))
    key = jax.random.key(0)
    train = jax.jit(lambda v, k: A.rrelu(v, 0.1, 0.3, True, key=k))
    np.testing.assert_array_equal(train(x, key), A.rrelu(x, 0.1, 0.3, True, key=key))
    hard = jax.jit(lambda v, k: A.gumbel_softmax(v, 1.0, True, key=k))(x, key)
    np.testing.assert_array_equal(hard.sum(-1), 1.0)
