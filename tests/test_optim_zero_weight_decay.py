"""A weight_decay of 0 is skipped, as torch's `if weight_decay != 0:`: its term is not in
the update (a parameter holding inf keeps torch's finite L2 gradient, where `g + 0 * p`
gave NaN), and a compiled step guards on it (0 -> nonzero traces again; nonzero ->
another nonzero is the program's input)."""

import math

import numpy as np
import pytest
import torch

import functorch_like as ft
import functorch_like.optim as fopt
from functorch_like.pure import optim as pure_optim

from _compile_helpers import squared_step

# (ASGD and Adafactor give NaN for an infinite parameter for other reasons: their own
# arithmetic, not the decay)
NAMES = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
         "RAdam"]


def _run(lib, name, weight_decay, steps=2):
    p = lib.tensor([float("inf"), 1.0, -2.0], requires_grad=True)
    opt = getattr(lib.optim, name)([p], lr=0.1, weight_decay=weight_decay)
    for _ in range(steps):
        opt.zero_grad()
        (p * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        opt.step()
    return p.detach().numpy()


@pytest.mark.parametrize("name", NAMES)
def test_zero_decay_keeps_an_infinite_parameter_as_torch(name):
    ours, ref = _run(ft, name, 0), _run(torch, name, 0)
    assert math.isinf(ref[0]) and math.isinf(ours[0])
    np.testing.assert_allclose(ours, ref, rtol=1e-5)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_nonzero_decay_still_decays(name):
    def finite(lib):
        p = lib.tensor([0.5, 1.0, -2.0], requires_grad=True)
        opt = getattr(lib.optim, name)([p], lr=0.1, weight_decay=0.3)
        for _ in range(3):
            opt.zero_grad()
            (p * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
            opt.step()
        return p.detach().numpy()
    np.testing.assert_allclose(finite(ft), finite(torch), rtol=1e-5)


def test_weight_decay_set_on_the_group_between_steps():
    """0 -> 0.2 -> 0 -> 0.1 on the live group, eagerly: each step uses the current value."""
    results = []
    for lib in (ft, torch):
        lib.manual_seed(0)
        p = lib.tensor([0.5, 1.0, -2.0], requires_grad=True)
        opt = lib.optim.Adam([p], lr=0.1)
        for wd in (0, 0.2, 0, 0.1):
            opt.param_groups[0]["weight_decay"] = wd
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        results.append(p.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


def _models():
    ft.manual_seed(3)
    model = ft.nn.Linear(3, 2)
    twin = ft.nn.Linear(3, 2)
    twin.load_state_dict(model.state_dict())
    return model, twin


def test_compiled_step_guards_on_a_zero_decay():
    model, twin = _models()
    opt, twin_opt = (fopt.AdamW(m.parameters(), lr=0.05, weight_decay=0)
                     for m in (model, twin))
    step, eager = ft.compile(squared_step(model, opt)), squared_step(twin, twin_opt)
    x = ft.randn(4, 3)
    before = ft._compile.compile_count()
    counts = []
    for wd in (0, 0, 0.5, 0.25, 0.25, 0):
        for o in (opt, twin_opt):
            o.param_groups[0]["weight_decay"] = wd
        np.testing.assert_allclose(step(x).item(), eager(x).item(), rtol=1e-5)
        counts.append(ft._compile.compile_count() - before)
    # traced for 0, again for a nonzero value (0.5 and 0.25 are inputs of one program),
    # and 0 finds its first program again
    assert counts == [1, 1, 2, 2, 2, 2]
    for a, b in zip(model.parameters(), twin.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5)


def test_pure_transform_keeps_its_weight_decay_hyperparameter():
    """The pure API's state always holds weight_decay: set_hyperparams changes it."""
    params = {"w": np.array([1.0, -2.0], np.float32)}
    grads = {"w": np.array([0.5, 0.5], np.float32)}
    tx = pure_optim.sgd(0.1)
    state = tx.init(params)
    assert "weight_decay" in state.hyperparams
    state = pure_optim.set_hyperparams(state, weight_decay=0.5)
    updates, _ = tx.update(grads, state, params)
    np.testing.assert_allclose(updates["w"], -0.1 * (grads["w"] + 0.5 * params["w"]),
                               rtol=1e-5)


def test_compiled_step_that_sets_its_own_weight_decay_runs_as_eager():
    """A weight_decay the step sets on its group itself (from an argument) is the one the
    update uses, 0 or not (the group's zero as the call began was used instead)."""
    def run(compiled):
        ft.manual_seed(0)
        model = ft.nn.Linear(3, 1)
        opt = fopt.SGD(model.parameters(), lr=0.1, weight_decay=0)

        def step(x, wd):
            opt.param_groups[0]["weight_decay"] = wd
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss
        fn = ft.compile(step) if compiled else step
        x = ft.ones(2, 3)
        losses = [fn(x, wd).item() for wd in (0.5, 0.5, 0.0, 0.5)]
        return losses, model.weight.detach().numpy()
    (eager, w_eager), (compiled, w_compiled) = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-6)
    np.testing.assert_allclose(w_compiled, w_eager, rtol=1e-6)
