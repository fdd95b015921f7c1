"""Compiled calls whose tensor arguments share storage with each other or with the state
(a view of another argument, overlapping views, a view of a parameter's detached alias):
the program takes each argument as an input of its own, so a write through one would not
show through the other. Such a call runs eagerly and gives torch's numbers; views of
separate dataset tensors (`X[i:j]`, `Y[i:j]`) stay compiled."""

import numpy as np
import torch

import functorch_like as fl
from functorch_like import _compile

from _compile_helpers import summed_step


def _centre_then_sum(a, b):
    a.sub_(a.mean())
    return b.sum()


def _views(lib, which):
    d = lib.arange(4.0)
    return (d, d[:2]) if which == "base_and_view" else (d[:3], d[1:])


def test_an_argument_that_is_a_view_of_another_sees_its_in_place_change():
    for which in ("base_and_view", "overlapping_views"):
        step = fl.compile(_centre_then_sum)
        got = [step(*_views(fl, which)).item() for _ in range(2)]
        want = [_centre_then_sum(*_views(torch, which)).item() for _ in range(2)]
        assert got == want, which


def _linear_and_sgd(lib):
    lib.manual_seed(0)
    m = lib.nn.Linear(2, 1, bias=False)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0]]))
    return m, lib.optim.SGD(m.parameters(), lr=1.0)


def test_an_argument_that_is_a_view_of_a_parameter_sees_the_step_update_it():
    results = []
    for lib in (torch, fl):
        m, opt = _linear_and_sgd(lib)

        def step(x, row):
            opt.zero_grad()
            m(x).sum().backward()
            opt.step()
            return row * 1
        run = fl.compile(step) if lib is fl else step
        results.append([run(lib.ones(1, 2), m.weight.detach()[0]).tolist() for _ in range(2)])
    assert results[1] == results[0]


def test_views_of_separate_dataset_tensors_stay_compiled():
    m, opt = _linear_and_sgd(fl)
    X, Y = fl.randn(8, 2), fl.randn(8, 1)

    def step(x, y):
        opt.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    run = fl.compile(step)
    before = _compile.compile_count()
    losses = [run(X[i:i + 2], Y[i:i + 2]).item() for i in range(0, 8, 2)]
    assert _compile.compile_count() - before == 1
    assert run._snapshot is not None        # (the fast path admits such calls)
    m2, opt2 = _linear_and_sgd(fl)
    eager = []
    for i in range(0, 8, 2):
        opt2.zero_grad()
        loss = ((m2(X[i:i + 2]) - Y[i:i + 2]) ** 2).mean()
        loss.backward()
        opt2.step()
        eager.append(loss.item())
    np.testing.assert_allclose(losses, eager, rtol=1e-6)



def _returned_views(lib, compile_it):
    lib.manual_seed(0)
    m = lib.nn.Linear(2, 2, bias=False)
    opt = lib.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)
    with lib.no_grad():
        m.weight.fill_(1.0)

    def step(x):
        opt.zero_grad()
        m(x).sum().backward()
        opt.step()
        return m.weight.detach()[0], x[:1], opt.state[m.weight]["momentum_buffer"]
    run = fl.compile(step, keep_grads=True) if compile_it else step
    x = lib.ones(2, 2)
    run(x)                              # (the momentum buffer exists from here on)
    row, head, buf = run(x)
    run(x)                              # the next call's updates show in them
    seen = [row.tolist(), buf.tolist()]
    row.zero_()                         # writes through to the weight and the argument
    head.fill_(3.0)
    return seen + [m.weight.tolist(), x.tolist()]


def test_returned_views_and_optimizer_state_alias_the_state_as_torchs():
    # (they were copies: stale after the next call, and writes to them were lost)
    assert _returned_views(fl, True) == _returned_views(torch, False)


def test_a_returned_loss_has_a_freed_grad_fn_as_torchs():
    # (it came back without one: printed without grad_fn, and requires_grad False)
    seen = []
    for lib in (torch, fl):
        lib.manual_seed(0)
        m = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        step = summed_step(m, opt)
        run = fl.compile(step) if lib is fl else step
        loss = run(lib.ones(1, 2))
        loss = run(lib.ones(1, 2))
        try:
            loss.backward()
            error = None
        except RuntimeError as e:
            error = str(e)
        seen.append((loss.requires_grad, type(loss.grad_fn).__name__, error))
    assert seen[1] == seen[0]
