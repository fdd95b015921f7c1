"""A compiled step's `zero_grad(set_to_none=False)` zeroes the .grad of a parameter frozen
between calls, as the eager step does: that gradient is no input of the program (the
parameter no longer requires grad), and it was left stale (the value of the call before
freezing), where an optimizer with weight decay or a logger would read it."""

import numpy as np
import pytest

import functorch_like as fl
from functorch_like import nn


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
