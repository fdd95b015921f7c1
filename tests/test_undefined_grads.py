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


def test_parameter_a_transform_does_not_read():
    """A gradient penalty built with torch.func: the last bias is read by the model but
    not by its input gradient, so it gets no .grad, and AdamW's weight decay leaves it."""
    def run(T):
        m = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 1))
        m.load_state_dict({
            "0.weight": T.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)),
            "0.bias": T.tensor(np.linspace(-0.5, 0.5, 4, dtype=np.float32)),
            "2.weight": T.tensor(np.linspace(-0.7, 0.9, 4, dtype=np.float32).reshape(1, 4)),
            "2.bias": T.tensor([0.3])})
        x = T.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
        opt = T.optim.AdamW(m.parameters(), lr=0.1, weight_decay=0.5)
        nones = []
        for _ in range(3):
            opt.zero_grad()
            gp = T.func.vmap(T.func.grad(lambda v: m(v).squeeze()))(x)
            ((gp.norm(dim=1) - 1) ** 2).mean().backward()
            nones.append(m[2].bias.grad is None)
            opt.step()
        jac = T.func.jacrev(lambda v: m(v).sum() * 2)(x)
        opt.zero_grad()
        (jac ** 2).sum().backward()
        nones.append(m[2].bias.grad is None)
        return nones, np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    (tn, tp), (fn, fp) = run(torch), run(fl)
    assert fn == tn == [True] * 4
    np.testing.assert_allclose(fp, tp, rtol=1e-5, atol=1e-6)
