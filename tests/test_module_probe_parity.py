"""From a probe of the nn.Module API against torch 2.13: assigning `.data` shares the
given tensor's storage (vector_to_parameters makes parameters views of the vector; tying
through .data stays tied; it copied before), named_modules skips the modules a caller's
memo holds, parametrized modules deep-copy (it raised), two unmaterialized lazy modules
load each other's state_dict, and Sequential.insert / ModuleList item assignment refuse
a non-Module with torch's errors."""

import copy

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl


def test_vector_to_parameters_makes_views_of_the_vector():
    for lib in (torch, fl):
        m = lib.nn.Linear(2, 1)
        v = lib.arange(3.0)
        lib.nn.utils.vector_to_parameters(v, m.parameters())
        v.add_(10)
        assert m.bias.item() == 12.0 and m.weight.tolist() == [[10.0, 11.0]]
        m.weight.data.mul_(2)
        assert v.tolist() == [20.0, 22.0, 12.0]


def test_tying_through_data_stays_tied():
    for lib in (torch, fl):
        enc, dec = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
        dec.weight.data = enc.weight.data
        opt = lib.optim.SGD(enc.parameters(), lr=0.1)
        enc(lib.ones(1, 2)).sum().backward()
        opt.step()
        assert lib.equal(dec.weight, enc.weight)


def test_data_assignment_leaves_old_aliases_behind():
    for lib in (torch, fl):
        p = lib.ones(2)
        old = p.data
        p.data = lib.zeros(2)
        old.add_(5)
        assert p.tolist() == [0.0, 0.0] and old.tolist() == [6.0, 6.0]


def test_named_modules_skips_the_callers_memo():
    names = []
    for lib in (torch, fl):
        r = lib.nn.ReLU()
        s = lib.nn.Sequential(r, lib.nn.Tanh(), r)
        names.append(([n for n, _ in s.named_modules(memo={r})],
                      [n for n, _ in s.named_modules()],
                      [n for n, _ in s.named_modules(remove_duplicate=False)]))
    assert names[1] == names[0]


@pytest.mark.parametrize("which", ["weight_norm", "orthogonal", "spectral_norm"])
def test_parametrized_module_deepcopies(which):
    m = getattr(fl.nn.utils.parametrizations, which)(fl.nn.Linear(3, 3))
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear"
    assert fl.allclose(c.weight, m.weight, atol=1e-6)
    first = next(iter(c.parametrizations.weight.parameters()))
    assert first is not next(iter(m.parametrizations.weight.parameters()))


def test_unmaterialized_lazy_modules_load_each_other():
    for lib in (torch, fl):
        out = lib.nn.LazyLinear(2).load_state_dict(lib.nn.LazyLinear(2).state_dict())
        assert not out.missing_keys and not out.unexpected_keys


ERRORS = {
    "Sequential.insert": lambda L: L.nn.Sequential().insert(0, 3),
    "ModuleList setitem": lambda L: L.nn.ModuleList([L.nn.ReLU()]).__setitem__(0, 3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_container_refusals_as_torch(name):
    check_raises(ERRORS[name])


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_parameters_tied_through_data_both_stepped_add_up(optimizer):
    """Two parameters sharing storage (b.weight.data = a.weight.data), both in the
    optimizer: torch's two in-place updates add up on the storage (the later one's
    overwrote the earlier's here)."""
    outs = []
    for lib in (torch, fl):
        a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
        with lib.no_grad():
            a.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        b.weight.data = a.weight.data
        opt = getattr(lib.optim, optimizer)([a.weight, b.weight], lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            x = lib.tensor([[1.0, 2.0]])
            (a(x).sum() + 2 * b(x).sum()).backward()
            opt.step()
        outs.append((a.weight.tolist(), b.weight.tolist()))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
