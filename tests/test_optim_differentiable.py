"""`differentiable=True` records the optimizer step in the autograd graph, as torch's: the
updated parameter is a function of the old one, of its `.grad` (with its own graph) and of
the state, so unrolled optimization gets torch's gradients. Before, the step was a plain
write and those gradients were silently missing. And `zero_grad(set_to_none=False)` keeps
the `.grad` object, as torch's."""

import numpy as np
import pytest
import torch

import functorch_like as fl

# (name, options, steps): torch's own differentiable step raises its in-place version
# error for some optimizers after one step, so those run once.
CASES = [
    ("SGD", dict(lr=0.1, weight_decay=0.5), 3),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), 3),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, maximize=True), 3),
    ("Adam", dict(lr=0.1), 3),
    ("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1), 1),
    ("AdamW", dict(lr=0.1, weight_decay=0.3), 3),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True), 1),
    ("RMSprop", dict(lr=0.01), 3),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01), 3),
    ("Adamax", dict(lr=0.1), 1),
    ("NAdam", dict(lr=0.1), 3),
    ("RAdam", dict(lr=0.1), 3),
    ("Adadelta", dict(lr=1.0), 3),
    ("Rprop", dict(lr=0.1), 1),
    ("ASGD", dict(lr=0.1), 3),
]


def _unrolled(lib, name, options, steps, dtype="float32"):
    dt = getattr(lib, dtype)
    w = lib.tensor([1.0, -2.0, 0.5], dtype=dt, requires_grad=True)
    h = lib.tensor([0.3, -0.7, 0.2], dtype=dt, requires_grad=True)
    p = w.clone()
    opt = getattr(lib.optim, name)([p], differentiable=True, **options)
    for k in range(steps):
        p.grad = h * (k + 2) + p * 0.5
        opt.step()
    loss = (p * p.conj()).real.sum()
    gw, gh = lib.autograd.grad(loss, [w, h])
    return p.detach().numpy(), gw.numpy(), gh.numpy()


@pytest.mark.parametrize("name,options,steps", CASES)
def test_gradients_through_the_step_match_torch(name, options, steps):
    want = _unrolled(torch, name, options, steps)
    got = _unrolled(fl, name, options, steps)
    for g, t in zip(got, want):
        np.testing.assert_allclose(g, t, rtol=2e-4, atol=1e-5)


def test_complex_parameter():
    want = _unrolled(torch, "SGD", dict(lr=0.1, weight_decay=0.5), 2, "complex64")
    got = _unrolled(fl, "SGD", dict(lr=0.1, weight_decay=0.5), 2, "complex64")
    for g, t in zip(got, want):
        np.testing.assert_allclose(g, t, rtol=2e-4, atol=1e-5)


def test_state_keeps_its_graph_and_the_step_runs_under_no_grad():
    outs = []
    for lib in (torch, fl):
        h = lib.tensor([0.3, -0.7], requires_grad=True)
        p = lib.zeros(2).requires_grad_(False)
        opt = lib.optim.SGD([p], lr=0.5, momentum=0.9, differentiable=True)
        for _ in range(2):
            p.grad = h * 2
            with lib.no_grad():          # (torch's differentiable step turns grad on)
                opt.step()
        buf = opt.state[p]["momentum_buffer"]
        assert p.requires_grad and buf.requires_grad
        (gh,) = lib.autograd.grad(p.sum() + buf.sum(), [h])
        outs.append((p.detach().numpy(), gh.numpy()))
    for g, t in zip(outs[1], outs[0]):
        np.testing.assert_allclose(g, t, rtol=1e-5)


def test_leaf_parameter_still_refused():
    w = fl.ones(2, requires_grad=True)
    opt = fl.optim.Adam([w], differentiable=True)
    w.grad = fl.ones(2)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        opt.step()


@pytest.mark.parametrize("via", ["optimizer", "module"])
def test_zero_grad_keeps_the_grad_object(via):
    for lib in (torch, fl):
        lin = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(lin.parameters(), lr=0.1)
        lin(lib.ones(1, 2)).sum().backward()
        g = lin.weight.grad
        (opt if via == "optimizer" else lin).zero_grad(set_to_none=False)
        assert lin.weight.grad is g and g.abs().sum().item() == 0
        lin(lib.ones(1, 2) * 2).sum().backward()
        assert lin.weight.grad is g and g.tolist() == [[2.0, 2.0]]
