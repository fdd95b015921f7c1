"""Gradients at the edge points where JAX's derivative and torch's differ: ties and NaN in
max/min, NaN and kinks in relu/hardtanh, zeros in pow/atan2/hypot/xlogy, repeated indices
in indexed writes. Each case runs in torch and here on the same float32 inputs and
compares values and `.grad` (NaN where torch gives NaN)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import functorch_like as fl
import functorch_like.nn.functional as FF

NAN, INF = float("nan"), float("inf")


def _grads(lib, fn, inputs, compiled=False):
    """fn(lib, *tensors) and the inputs' .grad after backward of a weighted sum of it; the
    weights (1, 2, 3, ...) tell which output element each gradient came from."""
    tensors = [lib.tensor(np.asarray(x, np.float32), requires_grad=True) for x in inputs]

    def loss(*ts):
        out = fn(lib, *ts)
        w = np.arange(1, out.numel() + 1, dtype=np.float32).reshape(tuple(out.shape))
        return out, (out * lib.tensor(w)).sum()

    if compiled:
        loss = fl.compile(loss)
    out, total = loss(*tensors)
    total.backward()
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def check_grads(fn, *inputs, compiled=False):
    want_out, want = _grads(torch, fn, inputs)
    have_out, have = _grads(fl, fn, inputs, compiled)
    np.testing.assert_allclose(have_out, want_out, rtol=1e-6, equal_nan=True)
    for k, (h, w) in enumerate(zip(have, want)):
        np.testing.assert_allclose(h, w, rtol=1e-5, atol=1e-7, equal_nan=True,
                                   err_msg=f"gradient of input {k}")


def _F(lib):
    return TF if lib is torch else FF


# ---- max / min --------------------------------------------------------------------------

# torch: amax/amin split the gradient evenly among ties and give NaN to a slice whose
# result is NaN; the full max()/min() give it to the NaN positions (evenly).
REDUCTIONS = {
    "max_full_nan": (lambda t, a: a.max(), [[1., NAN, 3., NAN]]),
    "min_full_nan": (lambda t, a: t.min(a), [[NAN, 1., NAN, 1.]]),
    "amax_full_nan": (lambda t, a: t.amax(a), [[1., NAN, 3., 3.]]),
    "amin_full_nan": (lambda t, a: a.amin(), [[1., NAN, 1.]]),
    "amax_dim_keepdim_nan": (lambda t, a: t.amax(a, 1, keepdim=True),
                             [[[1., 3., 3.], [2., NAN, 2.]]]),
    "amin_dim_nan": (lambda t, a: t.amin(a, 0), [[[1., 3., 3.], [1., 2., NAN]]]),
    "amax_dims_nan": (lambda t, a: a.amax((0, 2)), [[[[1., 3.], [2., 2.]],
                                                     [[3., 0.], [NAN, 1.]]]]),
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_max_min_reductions_ties_and_nan(name):
    fn, inputs = REDUCTIONS[name]
    check_grads(fn, *inputs)


BINARY_INPUTS = ([1., 2., NAN, 3., NAN], [1., 3., 1., NAN, NAN])


@pytest.mark.parametrize("op", ["maximum", "minimum", "max", "min"])
def test_elementwise_max_min_nan_feeds_both(op):
    # torch: where(a == b, grad / 2, grad), masked to 0 where the operand loses; at a NaN
    # neither comparison holds and both operands get the full gradient.
    check_grads(lambda t, a, b: getattr(t, op)(a, b), *BINARY_INPUTS)


def test_maximum_broadcast_nan():
    check_grads(lambda t, a, b: t.maximum(a, b), [[1., 2.], [NAN, 3.]], [2.])


# ---- activations at NaN and at their kinks ----------------------------------------------

ACTIVATIONS = {
    # torch: relu'(x) = 0 where the result is <= 0 (x = 0 included), 1 elsewhere (NaN too).
    "relu": (lambda t, a: t.relu(a), [-1., 0., NAN, 2.]),
    "F.relu": (lambda t, a: _F(t).relu(a), [-1., 0., NAN, 2.]),
    "Tensor.relu": (lambda t, a: a.relu(), [-1., 0., NAN, 2.]),
    "nn.ReLU": (lambda t, a: t.nn.ReLU()(a), [-1., 0., NAN, 2.]),
    "relu_inplace": (lambda t, a: _F(t).relu(a * 1, inplace=True), [-1., 0., NAN, 2.]),
    # torch: hardtanh' = 0 where x <= min_val or x >= max_val, 1 elsewhere (NaN too).
    "relu6": (lambda t, a: _F(t).relu6(a), [-1., 0., NAN, 2., 6., 7.]),
    "hardtanh": (lambda t, a: _F(t).hardtanh(a), [-2., -1., 0., NAN, 1., 2.]),
    "hardtanh_bounds": (lambda t, a: _F(t).hardtanh(a, -0.5, 0.5), [-2., -.5, NAN, .5, 2.]),
    "nn.Hardtanh": (lambda t, a: t.nn.Hardtanh()(a), [-1., 0., NAN, 2., 1.]),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradient_at_nan_and_kinks(name):
    fn, x = ACTIVATIONS[name]
    check_grads(fn, x)


def test_neighbouring_rules_at_nan_unchanged():
    # relu's NaN gradient is 1 where clamp's is 0 and leaky_relu's is negative_slope: the
    # three differ in torch, and relu's rule must not leak into the others. relu is part of
    # the same sum so that this test fails while relu's NaN gradient is 0.
    x = [-2., -1., 0., NAN, 1., 2.]
    check_grads(lambda t, a: t.relu(a) + 10 * t.clamp(a, -1., 1.)
                + 100 * _F(t).leaky_relu(a, 0.1), x)


# ---- zeros: pow, atan2, hypot, xlogy ----------------------------------------------------

def test_pow_tensor_exponent_at_zero():
    # torch: d/dx = where(p == 0, 0, p * x**(p - 1)); d/dp = where(x == 0 & p >= 0, 0,
    # result * log(x)): -inf at 0**p for p < 0 (JAX: NaN and 0).
    x = [0., 0., 0., 0., 0., 0., 2., -1., INF, 0.]
    p = [0., 0.5, 1., 2., -1., -0.5, 0., 2., 0., -INF]
    check_grads(lambda t, a, b: t.pow(a, b), x, p)


@pytest.mark.parametrize("fn", [lambda t, a: t.pow(a, 0.), lambda t, a: a ** 0.,
                                lambda t, a: a.pow(0.)], ids=["pow", "**", "Tensor.pow"])
def test_pow_zero_exponent_has_zero_gradient(fn):
    check_grads(fn, [0., NAN, INF, 1.])


@pytest.mark.parametrize("fn", [lambda t, p: t.pow(0., p), lambda t, p: 0. ** p,
                                lambda t, p: t.pow(t.tensor(0.), p)],
                         ids=["pow", "rpow", "0-d base"])
def test_pow_zero_base_exponent_gradient(fn):
    check_grads(fn, [0., 0.5, 1., 2., -1.])


def test_atan2_at_origin():
    # torch: grad * other / (self^2 + other^2), with 0 where the denominator is 0 (NaN in
    # JAX). (Points whose squares are float32 denormals are left out: XLA's CPU code
    # flushes them to zero, torch's does not.)
    check_grads(lambda t, a, b: t.atan2(a, b), [0., 0., -0., 1e-30, 1., NAN, 1e30],
                [0., -0., 0., 1e-30, 0., 1., 1e30])


def test_hypot_at_origin():
    # torch: grad * self / result: 0/0 = NaN at (0, 0) (JAX: 1/2).
    check_grads(lambda t, a, b: t.hypot(a, b), [0., 1e-30, NAN, 3.], [0., 0., 0., 4.])


@pytest.mark.parametrize("op", ["xlogy", "special.xlogy", "special.xlog1py", "Tensor.xlogy"])
def test_xlogy_gradient_wrt_other(op):
    # torch: other: grad * self / other (self / (other + 1) for xlog1py): NaN at
    # self = 0 on log's edge (JAX here: 0); self: xlogy(grad, other), 0 where
    # self == 0 and other <= edge, inf at (0, inf).
    if op == "Tensor.xlogy":
        fn = lambda t, a, b: a.xlogy(b)        # noqa: E731
    elif op.startswith("special."):
        fn = lambda t, a, b: getattr(t.special, op[8:])(a, b)      # noqa: E731
    else:
        fn = lambda t, a, b: t.xlogy(a, b)       # noqa: E731
    edge = -1. if op.endswith("xlog1py") else 0.
    x = [0., 0., 1., 0., NAN, 0., 0., 2.]
    y = [edge, 2., edge, NAN, 1., edge - 1., INF, INF]
    check_grads(fn, x, y)


# ---- repeated indices in indexed writes -------------------------------------------------

def _setitem(t, x, v):
    y = x * 1
    y[t.tensor([0, 2, 0])] = v
    return y


# torch: values: grad.index(indices), so every write at a repeated index gets the gradient
# there (JAX: only the write that won); x: 0 at the written positions.
WRITES = {
    "setitem": (_setitem, [[1., 2., 3.], [10., 20., 30.]]),
    "index_put": (lambda t, x, v: t.index_put(x, (t.tensor([0, 2, 0]),), v),
                  [[1., 2., 3.], [10., 20., 30.]]),
    "index_put_": (lambda t, x, v: (x * 1).index_put_((t.tensor([0, 2, 0]),), v),
                   [[1., 2., 3.], [10., 20., 30.]]),
    "index_put_2d": (lambda t, x, v: t.index_put(x, (t.tensor([0, 1, 0]), t.tensor([1, 0, 1])),
                                                 v), [[[1., 2.], [3., 4.]], [10., 20., 30.]]),
    "index_put_rows": (lambda t, x, v: t.index_put(x, (t.tensor([0, 0]),), v),
                       [[[1., 2.], [3., 4.]], [10., 20.]]),
    "setitem_mixed": (lambda t, x, v: _setitem_mixed(t, x, v),
                      [[[1., 2., 3.], [4., 5., 6.]], [10., 20., 30.]]),
    "put": (lambda t, x, v: t.put(x, t.tensor([0, 2, 0]), v), [[1., 2., 3.], [10., 20., 30.]]),
    "index_copy": (lambda t, x, v: t.index_copy(x, 0, t.tensor([0, 2, 0]), v),
                   [[1., 2., 3.], [10., 20., 30.]]),
    "scatter": (lambda t, x, v: t.scatter(x, 0, t.tensor([0, 2, 0]), v),
                [[1., 2., 3.], [10., 20., 30.]]),
}


def _setitem_mixed(t, x, v):
    y = x * 1
    y[1, t.tensor([0, 2, 0])] = v        # an int with an index tensor (flat placement)
    return y


@pytest.mark.parametrize("name", WRITES)
def test_indexed_write_repeated_index_gradient(name):
    fn, inputs = WRITES[name]
    check_grads(fn, *inputs)


# ---- the rules hold under compile and through higher derivatives -----------------------

def test_rules_hold_under_compile():
    # compile linearizes each op while backward replays the program (a vjp inside a vjp):
    # the rules must survive being differentiated themselves.
    def fn(t, a, b):
        y = t.amax(a, 1) + t.maximum(a, b).sum(1) + t.pow(a, 0.).sum(1) + a.max()
        z = y * 1
        z[t.tensor([0, 0])] = y[t.tensor([1, 0])]
        return z

    a = [[1., 3., 3.], [NAN, 0., 1.]]
    check_grads(fn, a, [[1., 3., 0.], [NAN, 0., 2.]], compiled=True)


def test_pow_second_derivative_keeps_zero_exponent_rule():
    # The derivative of torch's rule p * x**(p - 1) at p = 1, x = 0 has the exponent 0 of
    # its own: (p - 1) * x**(p - 2) is 0 there in torch (JAX: 0 * inf = NaN).
    def second(lib):
        x = lib.tensor([0., 2.], requires_grad=True)
        p = lib.tensor([1., 1.], requires_grad=True)
        g, = lib.autograd.grad(lib.pow(x, p).sum(), x, create_graph=True)
        return [t.numpy() for t in lib.autograd.grad(g.sum(), (x, p))]

    for have, want in zip(second(fl), second(torch)):
        np.testing.assert_allclose(have, want, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, call", [
    ("elu", lambda F, x: F.elu(x, alpha=1.5)),
    ("celu", lambda F, x: F.celu(x, alpha=2.0)),
    ("selu", lambda F, x: F.selu(x)),
])
def test_exponential_linear_second_derivative_is_zero_at_zero(name, call, dtype, x64):
    # torch's elu_double_backward takes its exponential branch for x < 0 only, while the
    # first derivative's is x <= 0: at 0 the slope is alpha and its derivative 0.
    def first_second(lib, F):
        x = lib.tensor([0.0, -0.0, NAN, -1.0, 2.0, -INF], dtype=getattr(lib, dtype),
                       requires_grad=True)
        g, = lib.autograd.grad(call(F, x).sum(), x, create_graph=True)
        g2, = lib.autograd.grad((g * lib.arange(1.0, 7.0, dtype=x.dtype)).sum(), x)
        return g.detach().numpy(), g2.numpy()

    for have, want in zip(first_second(fl, FF), first_second(torch, TF)):
        assert have.dtype == want.dtype
        np.testing.assert_allclose(have, want, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("create_graph", [False, True])
def test_materialized_gradients_are_torchs(create_graph):
    # (they did not require grad under create_graph, and were batched with the rows)
    seen = []
    for lib in (fl, torch):
        a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
        g = lib.autograd.grad((a * 2).sum(), (a, b), allow_unused=True, materialize_grads=True,
                              create_graph=create_graph)[1]
        batched = lib.autograd.grad(a.sin(), (a, b), lib.eye(3), is_grads_batched=True,
                                    allow_unused=True, materialize_grads=True)[1]
        seen.append((g.requires_grad, g.tolist(), tuple(batched.shape)))
    assert seen[0] == seen[1]
