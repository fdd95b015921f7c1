"""Gradients torch leaves undefined stay None here (before: zero tensors, so an optimizer
stepped parameters torch skips: weight decay and momentum moved them)."""

import numpy as np
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


def test_parameter_outside_the_graph_of_a_gradient():
    """`b` enters the loss but not its gradient for x: a penalty on that gradient leaves
    b.grad None, and Adam with weight decay leaves b alone."""
    def run(T):
        b = T.nn.Parameter(T.tensor([0.5]))
        x = T.tensor([1.0, 2.0], requires_grad=True)
        opt = T.optim.Adam([b], lr=0.1, weight_decay=0.1)
        (g,) = T.autograd.grad((x ** 2).sum() + b.sum(), x, create_graph=True)
        (g ** 2).sum().backward()
        grad = b.grad
        opt.step()
        return grad, b.detach().numpy(), x.grad.numpy()
    (tg, tb, tx), (fg, fb, fx) = run(torch), run(fl)
    assert tg is None and fg is None
    np.testing.assert_allclose(fb, tb)
    np.testing.assert_allclose(fx, tx, rtol=1e-6)


def test_custom_backward_returning_none():
    def run(T):
        class Mul(T.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return None, g

        x = T.ones(2, requires_grad=True)
        y = T.full((2,), 3.0, requires_grad=True)
        Mul.apply(x, y).sum().backward()
        used = error_of(lambda: T.autograd.grad(Mul.apply(x, y).sum(), [x, y]))
        unused = T.autograd.grad(Mul.apply(x, y).sum(), [x, y], allow_unused=True)
        return x.grad, y.grad.tolist(), used, unused[0], unused[1].tolist()
    t, f = run(torch), run(fl)
    assert t[0] is None and f[0] is None
    assert f[1:] == t[1:]
