"""After a compiled call, `.data`/`detach()` aliases of the state see the new values, as
torch's shared storage does; an alias group whose aliases are all gone is dropped, so that
a `p.data` read once (in an init, a print) does not make every later call publish to
nothing."""

import gc

import torch

import functorch_like as fl


def _setup(lib):
    lib.manual_seed(0)
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[0.5, -1.0, 2.0], [1.0, 0.25, -0.5]]))
        m.bias.copy_(lib.tensor([0.1, -0.2]))
    opt = lib.optim.SGD(m.parameters(), lr=0.5, momentum=0.9)

    def step(x):
        opt.zero_grad()
        m(x).square().sum().backward()
        opt.step()
    return m, step


def _x(lib):
    return lib.tensor([[1.0, 2.0, 3.0]])


def test_a_gone_alias_leaves_no_group_and_a_new_one_follows():
    m, step = _setup(fl)
    step = fl.compile(step)
    gone = m.weight.data
    del gone
    gc.collect()
    step(_x(fl))
    step(_x(fl))
    assert m.weight._aliases is None
    live = m.weight.detach()        # taken after the group was dropped
    tm, tstep = _setup(torch)
    for _ in range(3):
        tstep(_x(torch))
    step(_x(fl))
    assert live.tolist() == m.weight.tolist()
    assert torch.allclose(torch.tensor(live.tolist()), tm.weight.detach(), atol=1e-6)


def test_a_live_alias_keeps_its_group_and_follows_every_call():
    m, step = _setup(fl)
    step = fl.compile(step)
    kept = m.bias.data
    seen = []
    for _ in range(3):
        step(_x(fl))
        seen.append(kept.tolist())
    tm, tstep = _setup(torch)
    tkept = tm.bias.data
    want = []
    for _ in range(3):
        tstep(_x(torch))
        want.append(tkept.tolist())
    assert m.bias._aliases is not None
    assert torch.allclose(torch.tensor(seen), torch.tensor(want), atol=1e-6)
