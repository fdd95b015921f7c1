"""requires_grad inside torch.func transforms, against torch 2.13: a grad-type transform's
differentiated inputs (grad, vjp, jacrev), and what is computed from them at that level,
require grad; tensors at an inner vmap or jvp level, constants, detached tensors,
arguments not differentiated and results under no_grad do not. A custom
autograd.Function's `needs_input_grad` follows it (it was False there, so a backward that
returned None for an input that "needs no grad" gave zero gradients)."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _flags(t, x, seen):
    c = t.ones(2)
    with t.no_grad():
        under_no_grad = (x * 2).requires_grad
    seen += [x.requires_grad, (x * 2).requires_grad, c.requires_grad, (c + x).requires_grad,
             x.detach().requires_grad, under_no_grad]
    return x.sin().sum()


def _nested(t, transform, seen):
    def outer(x):
        def inner(y):
            seen.extend([y.requires_grad, x.requires_grad, (y * x[0]).requires_grad])
            return (y * x[0]).sum()
        if transform == "vmap":
            return t.func.vmap(inner)(t.ones(3, 2)).sum()
        if transform == "grad":
            return t.func.grad(inner)(x).sum()
        return t.func.jvp(inner, (x,), (t.ones(2),))[1]
    t.func.grad(outer)(t.ones(2))


SCENARIOS = {
    "grad": lambda t, seen: t.func.grad(lambda x: _flags(t, x, seen))(t.ones(2)),
    "vjp": lambda t, seen: t.func.vjp(lambda x: _flags(t, x, seen), t.ones(2)),
    "jacrev": lambda t, seen: t.func.jacrev(lambda x: _flags(t, x, seen))(t.ones(2)),
    "jvp": lambda t, seen: t.func.jvp(lambda x: _flags(t, x, seen), (t.ones(2),),
                                      (t.ones(2),)),
    "vmap": lambda t, seen: t.func.vmap(lambda x: _flags(t, x, seen))(t.ones(3, 2)),
    "not_in_argnums": lambda t, seen: t.func.grad(
        lambda a, b: (seen.append(b.requires_grad), (a * b).sum())[1])(t.ones(2), t.ones(2)),
    "vmap_in_grad": lambda t, seen: _nested(t, "vmap", seen),
    "grad_in_grad": lambda t, seen: _nested(t, "grad", seen),
    "jvp_in_grad": lambda t, seen: _nested(t, "jvp", seen),
    "grad_in_vmap": lambda t, seen: t.func.vmap(lambda x: t.func.grad(
        lambda y: (seen.extend([x.requires_grad, y.requires_grad]), (y * x).sum())[1])(x))(
        t.ones(3, 2)),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_requires_grad_inside_a_transform_is_torchs(scenario):
    got, want = [], []
    SCENARIOS[scenario](fl, got)
    SCENARIOS[scenario](torch, want)
    assert got == want


def _exp_function(t):
    class MyExp(t.autograd.Function):
        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, g):
            # (the pattern torch's docs show: no gradient for an input that needs none)
            if not ctx.needs_input_grad[0]:
                return None
            y, = ctx.saved_tensors
            return g * y
    return MyExp


@pytest.mark.parametrize("transform", ["grad", "jacrev", "vjp"])
def test_a_function_that_checks_needs_input_grad_gets_its_gradient(transform):
    def run(t):
        f = _exp_function(t).apply
        x = t.tensor([0.0, 1.0])
        if transform == "grad":
            return t.func.grad(lambda v: f(v).sum())(x)
        if transform == "jacrev":
            return t.func.jacrev(f)(x)
        return t.func.vjp(f, x)[1](t.ones(2))[0]
    np.testing.assert_allclose(run(fl).numpy(), run(torch).numpy(), rtol=1e-6)


def test_grad_mode_inside_a_transform_is_torchs():
    # (it read False there: the library records no tape inside, JAX differentiates)
    def run(lib):
        seen = []

        def f(x):
            seen.append(lib.is_grad_enabled())
            with lib.no_grad():
                seen.append(lib.is_grad_enabled())
                with lib.enable_grad():
                    seen.append(lib.is_grad_enabled())
            return x.sum()
        lib.func.grad(f)(lib.ones(2))
        lib.func.vmap(f)(lib.ones(3, 2))
        lib.func.jvp(f, (lib.ones(2),), (lib.ones(2),))
        with lib.no_grad():
            lib.func.grad(f)(lib.ones(2))
        return seen + [lib.is_grad_enabled()]
    assert run(fl) == run(torch)
