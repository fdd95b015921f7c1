"""A tensor that takes new storage (`t.data = other`, a Module's dtype conversion), against
torch 2.13: the `.data`/`detach()` aliases, state_dict() tensors and views taken before keep
the old storage, linked to one another, and no longer to the tensor (a write to an old
snapshot changed the converted model; an old view followed the new value)."""

import torch

import functorch_like as fl


def _converted_module(lib):
    m = lib.nn.Linear(2, 2)
    with lib.no_grad():
        m.weight.fill_(0.5)
    snap, row = m.state_dict()["weight"], m.weight[0]
    m.half()
    with lib.no_grad():
        snap.fill_(3)
    seen = [m.weight.tolist(), row.tolist(), str(row.dtype)]
    with lib.no_grad():
        m.weight.fill_(1)
    return seen + [row.tolist(), snap.tolist(), str(snap.dtype)]


def _data_swapped(lib):
    w = lib.arange(6.0).reshape(2, 3)
    row, old = w[0], w.data
    w.data = lib.zeros(2, 3)
    row.fill_(5)
    seen = [w.tolist(), old.tolist()]
    w.data.add_(1)
    return seen + [row.tolist(), w.tolist()]


def _same_dtype_keeps_aliases(lib):
    m = lib.nn.Linear(2, 2)
    d = m.weight.detach()
    m.to(lib.float32)                  # (no conversion: the same storage)
    with lib.no_grad():
        m.weight.zero_()
    return d.abs().sum().item()


def test_old_aliases_and_views_keep_the_old_storage_as_torchs():
    for case in (_converted_module, _data_swapped, _same_dtype_keeps_aliases):
        assert case(fl) == case(torch), case.__name__


def _detached_expand(lib):
    x = lib.zeros(2, 1)
    e = x.expand(2, 3).detach()          # (the expand itself is gone)
    x.fill_(2)
    seen = e.tolist()
    try:
        e.add_(1)
        refused = None
    except RuntimeError as err:
        refused = str(err)
    return [seen, refused]


def test_a_detached_expand_still_shares_its_base_storage_as_torchs():
    assert _detached_expand(fl) == _detached_expand(torch)
