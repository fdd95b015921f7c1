"""`.detach()` / `.data` of a view shares its base's storage, as PyTorch's: writes through
it reach the base (outside autograd), even when the view itself is gone, and the base's
in-place changes show through it."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _rows(lib):
    return lib.tensor([[1.0, 2.0], [3.0, 4.0]])


CASES = {
    "row of a temporary view": lambda lib: (_rows(lib), lambda a: a[0].detach().fill_(9)),
    "column .data": lambda lib: (_rows(lib), lambda a: a[:, 1].data.mul_(10)),
    "transpose .data then index": lambda lib: (_rows(lib), lambda a: a.t().data[0].fill_(5)),
    "view then view": lambda lib: (lib.arange(6.0).reshape(2, 3),
                                   lambda a: a.view(3, 2).detach().view(-1).__setitem__(0, 7)),
    "diagonal": lambda lib: (_rows(lib), lambda a: a.diagonal().detach().zero_()),
    "leaf that requires grad": lambda lib: (
        _rows(lib).requires_grad_(), lambda a: a[1].data.mul_(10)),
    "unbind piece": lambda lib: (_rows(lib), lambda a: a.unbind(0)[1].detach().add_(1)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_write_through_a_detached_view_reaches_the_base(name):
    out = {}
    for lib in (torch, fl):
        base, write = CASES[name](lib)
        write(base)
        out[lib] = (base.detach().numpy().tolist(), base.requires_grad, base.grad_fn is None)
    assert out[fl] == out[torch]


def test_a_detached_view_follows_its_bases_changes_and_keeps_torchs_layout():
    out = {}
    for lib in (torch, fl):
        a = lib.arange(6.0).reshape(2, 3)
        d = a[:, 1:].data
        a.add_(1)
        t = a.t().detach()
        out[lib] = (d.tolist(), d.stride(), d.is_contiguous(), t.stride(), t.is_contiguous())
    assert out[fl] == out[torch]


def test_a_graph_tensors_detached_view_changes_its_values_but_not_its_gradient():
    out = {}
    for lib in (torch, fl):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1:].detach().mul_(0)
        values = y.detach().numpy().tolist()
        y.sum().backward()
        out[lib] = (values, x.grad.numpy().tolist())
    assert out[fl] == out[torch]


def test_an_embedding_row_zeroed_through_data_of_its_view():
    torch.manual_seed(0)
    fl.manual_seed(0)
    e = fl.nn.Embedding(3, 2)
    e.weight[0].data.zero_()
    np.testing.assert_array_equal(e.weight.detach().numpy()[0], [0.0, 0.0])
    assert e.weight.detach().numpy()[1].any()
