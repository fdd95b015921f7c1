"""A compiled step with keep_grads=True makes .grad objects as the eager step does: after
zero_grad() (to None) and backward, each call's .grad is a new tensor, so one kept from an
earlier call keeps its values (it was one tensor overwritten by every call, its buffer
donated); zero_grad(set_to_none=False) keeps the one tensor, as torch's."""

import pytest
import torch

import functorch_like as fl


def _run(lib, set_to_none, compiled):
    m = lib.nn.Linear(2, 1, bias=False)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[0.5, -1.0]]))
    opt = lib.optim.SGD(m.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad(set_to_none=set_to_none)
        m(x).sum().backward()
        opt.step()

    if compiled:
        step = fl.compile(step, keep_grads=True)
    kept = []
    for x in ([[1.0, 2.0]], [[10.0, 20.0]], [[3.0, 4.0]]):
        step(lib.tensor(x))
        kept.append(m.weight.grad)
    return ([g.tolist() for g in kept], [kept[i] is kept[i + 1] for i in range(2)],
            m.weight.tolist())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_kept_grads_match_eager_and_torch(set_to_none):
    want = _run(torch, set_to_none, False)
    assert _run(fl, set_to_none, False) == want
    assert _run(fl, set_to_none, True) == want


@pytest.mark.parametrize("donate", [True, False])
def test_returned_detached_state_is_a_live_alias(donate):
    """`return model.weight.detach()` (or .data, or a state_dict()) from a compiled step
    returns tensors that share the parameter's storage, as eagerly: later calls' updates
    show in them (they were copies frozen at the call that returned them)."""
    results = []
    for compiled in (False, True):
        m = fl.nn.Linear(2, 1, bias=False)
        fl.nn.init.ones_(m.weight)
        opt = fl.optim.SGD(m.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            m(x).sum().backward()
            opt.step()
            return m.weight.detach(), m.state_dict(), m.weight.data

        if compiled:
            step = fl.compile(step, donate=donate)
        first = step(fl.tensor([[1.0, 2.0]]))
        for _ in range(2):
            step(fl.tensor([[1.0, 2.0]]))
        a, sd, d = first
        results.append((a.tolist(), sd["weight"].tolist(), d.tolist(), m.weight.tolist(),
                        a.requires_grad))
    assert results[1] == results[0]
    assert results[0][0] == results[0][3]          # (the live value, not the first call's)
