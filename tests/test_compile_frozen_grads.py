"""A compiled step's `zero_grad(set_to_none=False)` zeroes the .grad of a parameter frozen
between calls, as the eager step does: that gradient is no input of the program (the
parameter no longer requires grad), and it was left stale (the value of the call before
freezing), where an optimizer with weight decay or a logger would read it.

A step may also change requires_grad itself (a GAN's steps freezing each other's
networks): a tensor it gives a gradient to carries its .grad through the program from then
on, and the flags it sets are set again after every call, as the program was traced for
the flags it began with."""

import numpy as np
import pytest

import functorch_like as fl
from functorch_like import nn

from _compile_helpers import summed_step


def _run(compiled: bool, set_to_none: bool):
    fl.manual_seed(0)
    m = nn.Linear(3, 1)
    opt = fl.optim.SGD(m.parameters(), lr=0.1, weight_decay=0.01)
    x = fl.tensor(np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3))

    def step(x):
        opt.zero_grad(set_to_none=set_to_none)
        loss = m(x).pow(2).sum()
        loss.backward()
        opt.step()
        return loss
    f = fl.compile(step) if compiled else step
    losses = [f(x).item()]
    m.bias.requires_grad_(False)
    losses += [f(x).item() for _ in range(2)]
    m.bias.requires_grad_(True)          # (and unfrozen again: its grad is the program's)
    losses.append(f(x).item())
    return (losses, m.weight.tolist(), m.bias.tolist(),
            None if m.bias.grad is None else m.bias.grad.tolist())


@pytest.mark.parametrize("set_to_none", [False, True])
def test_frozen_parameters_grad_is_zeroed_as_eagerly(set_to_none):
    eager, compiled = _run(False, set_to_none), _run(True, set_to_none)
    np.testing.assert_allclose(compiled[0], eager[0], rtol=1e-5)
    np.testing.assert_allclose(compiled[1], eager[1], rtol=1e-5)
    np.testing.assert_allclose(compiled[2], eager[2], rtol=1e-5)


def test_frozen_grad_after_the_frozen_calls():
    fl.manual_seed(0)
    m = nn.Linear(3, 1)
    opt = fl.optim.SGD(m.parameters(), lr=0.1)

    @fl.compile
    def step(x):
        opt.zero_grad(set_to_none=False)
        m(x).pow(2).sum().backward()
        opt.step()

    step(fl.ones(4, 3))
    m.bias.requires_grad_(False)
    step(fl.ones(4, 3))
    assert m.bias.grad.tolist() == [0.0]        # (stale before: the first call's gradient)
    step(fl.ones(4, 3))
    assert m.bias.grad.tolist() == [0.0]


def _grads(module):
    return [None if p.grad is None else p.grad.tolist() for p in module.parameters()]


def _both(run):
    """run(compile_or_identity) for eager and compiled steps, each from the same seed."""
    out = []
    for wrap in (lambda f: f, fl.compile):
        fl.manual_seed(0)
        out.append(run(wrap))
    return out


def test_a_step_that_turns_requires_grad_on_accumulates_as_eagerly():
    """(It crashed with a leaked tracer on the third call: the trace for a frozen weight
    gave it a gradient that was no output of the program.)"""
    def run(wrap):
        d = nn.Linear(2, 1)
        step = wrap(lambda x: (d.weight.requires_grad_(True), d(x).mean().backward()))
        x = fl.ones(3, 2)
        step(x)
        d.weight.requires_grad_(False)
        step(x)
        step(x)
        return _grads(d), d.weight.requires_grad
    eager, compiled = _both(run)
    assert compiled == eager
    assert eager[0][0] == [[3.0, 3.0]]


def test_a_step_that_turns_requires_grad_off_at_its_end_accumulates_as_eagerly():
    """(The weight's gradient was 1 after three calls where eager code has 3: the calls
    that began frozen started it afresh.)"""
    def run(wrap):
        d = nn.Linear(2, 1)

        def step(x):
            d.weight.requires_grad_(True)
            d(x).mean().backward()
            d.weight.requires_grad_(False)
        step = wrap(step)
        for _ in range(3):
            step(fl.ones(3, 2))
        return _grads(d), d.weight.requires_grad
    eager, compiled = _both(run)
    assert compiled == eager
    assert eager[0][0] == [[3.0, 3.0]]


def test_gan_steps_that_freeze_each_others_networks_as_eagerly():
    """The discriminator's requires_grad after each call is what the step set (it stayed
    as the trace left it on later calls of one program)."""
    def run(wrap):
        g, d = nn.Linear(2, 2), nn.Linear(2, 1)
        opt_g = fl.optim.SGD(g.parameters(), lr=0.1)
        opt_d = fl.optim.SGD(d.parameters(), lr=0.1)

        def freeze_d(flag):
            for p in d.parameters():
                p.requires_grad = flag

        def d_step(x, z):
            freeze_d(True)
            opt_d.zero_grad()
            with fl.no_grad():
                fake = g(z)
            loss = d(fake).mean() - d(x).mean()
            loss.backward()
            opt_d.step()
            return loss

        def g_step(z):
            freeze_d(False)
            opt_g.zero_grad()
            loss = -d(g(z)).mean()
            loss.backward()
            opt_g.step()
            return loss
        d_step, g_step = wrap(d_step), wrap(g_step)
        rng = np.random.default_rng(0)
        trace = []
        for _ in range(4):
            for _ in range(2):
                x = fl.tensor(rng.standard_normal((4, 2), dtype=np.float32))
                d_step(x, fl.tensor(rng.standard_normal((4, 2), dtype=np.float32)))
                trace.append(d.weight.requires_grad)
            g_step(fl.tensor(rng.standard_normal((4, 2), dtype=np.float32)))
            trace.append(d.weight.requires_grad)
        return trace, [p.tolist() for p in [*g.parameters(), *d.parameters()]], _grads(d)
    eager, compiled = _both(run)
    assert compiled[0] == eager[0]
    assert eager[0][:3] == [True, True, False]
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    for a, b in zip(compiled[2], eager[2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_zero_grad_clears_a_frozen_layers_stale_grad_as_eagerly():
    """(The frozen layer's gradient from before freezing stayed after a compiled
    zero_grad(), where eager's sets it to None.)"""
    def run(wrap):
        m = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
        opt = fl.optim.SGD(m.parameters(), lr=0.1)
        m(fl.ones(3, 2)).sum().backward()
        for p in m[0].parameters():
            p.requires_grad_(False)
        step = wrap(summed_step(m, opt))
        for _ in range(3):
            step(fl.ones(3, 2))
        return _grads(m), [p.tolist() for p in m.parameters()]
    eager, compiled = _both(run)
    assert compiled[0][:2] == eager[0][:2] == [None, None]
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
