"""Grad mode during backward is create_graph, as torch's engine sets it: hooks run
without recording (before: grad mode on, so the optimizer-in-backward pattern raised),
and create_graph records even when backward is called under no_grad (before: the
gradients had no graph)."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_error


def test_hooks_see_grad_mode_off_and_may_update_their_parameter():
    def run(T):
        p = T.nn.Parameter(T.tensor([1.0, 2.0]))
        lin = T.nn.Linear(2, 2)
        lin.load_state_dict({"weight": T.tensor([[0.5, -1.0], [2.0, 0.25]]),
                             "bias": T.tensor([0.1, -0.2])})
        seen = []
        p.register_hook(lambda g: seen.append(T.is_grad_enabled()))
        lin.register_full_backward_hook(lambda m, gi, go: seen.append(T.is_grad_enabled()))

        def sgd_in_backward(q):
            q.add_(q.grad, alpha=-0.1)
            q.grad = None
        p.register_post_accumulate_grad_hook(sgd_in_backward)
        (lin(p * 2) ** 2).sum().backward()
        made = (p * 3).requires_grad
        return seen, p.detach().numpy(), p.grad, made
    t, f = run(torch), run(fl)
    assert f[0] == t[0] == [False, False]
    np.testing.assert_allclose(f[1], t[1], rtol=1e-6)
    assert f[2] is None and t[2] is None
    assert f[3] == t[3]


def test_post_accumulate_hook_update_matches_torch():
    def run(T):
        T.manual_seed(0)
        p = T.nn.Parameter(T.tensor([1.0, -2.0, 0.5]))

        def step(q):
            q.add_(q.grad, alpha=-0.1)
            q.grad = None
        p.register_post_accumulate_grad_hook(step)
        for _ in range(3):
            (p ** 3).sum().backward()
        return p.detach().numpy()
    np.testing.assert_allclose(run(fl), run(torch), rtol=1e-6)


def test_create_graph_under_no_grad_records():
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        with T.no_grad():
            (g,) = T.autograd.grad(y, x, create_graph=True)
        (h,) = T.autograd.grad(g.sum(), x)
        z = (x ** 2).sum()
        with T.no_grad():
            z.backward(create_graph=True)
        return g.requires_grad, h.tolist(), x.grad.requires_grad
    assert run(fl) == run(torch)


def _autograd_argument_cases(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    xc = lib.tensor([1 + 1j, 2.0], requires_grad=True)
    return {
        "backward with no inputs": lambda: (x * 2).sum().backward(inputs=[]),
        "backward with an empty tuple": lambda: lib.autograd.backward([(x * 2).sum()],
                                                                      inputs=()),
        "complex scalar without a gradient": lambda: (xc * 2).sum().backward(),
        "grad of a complex scalar": lambda: lib.autograd.grad((xc * 2).sum(), xc),
        "set_grad_enabled of a string": lambda: lib.set_grad_enabled("yes"),
        "set_grad_enabled of an int": lambda: lib.set_grad_enabled(1),
    }


@pytest.mark.parametrize("name", list(_autograd_argument_cases(torch)))
def test_autograd_argument_errors_match_torch(name):
    """(Each ran: an empty `inputs` accumulated nothing, a complex loss got a gradient of
    2-0j, set_grad_enabled took any truth value.)"""
    same_error(lambda lib: _autograd_argument_cases(lib)[name]())
    assert fl.is_grad_enabled()
