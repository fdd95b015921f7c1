"""In-place shape ops (t_, transpose_, swapaxes_, squeeze_, unsqueeze_) keep a tensor's
storage, against torch 2.13: on a view, writes through it land on the base's elements
its new shape names; on a base, its views, aliases and itself stay linked (the view was
written through with the old layout, or silently dropped)."""

import pytest
import torch

import functorch_like as fl

CASES = {
    "transposed_view_written": lambda T: (lambda x: (x[:, :2].t_()[0].fill_(1), x)[1])(
        T.zeros(2, 3)),
    "square_base_nonsquare_view": lambda T: (lambda x: (x[:2].t_()[0].fill_(1), x)[1])(
        T.zeros(3, 3)),
}


def _base_then_write(T, op, index, view_index):
    x = T.zeros(2, 3)
    v = x[view_index]
    getattr(x, op[0])(*op[1:])
    x[index] = 5
    return [v.tolist(), x.tolist()]


def _view_written_after(T):
    x = T.zeros(2, 3)
    v = x[0]
    x.t_()
    v.fill_(3)
    return x.tolist()


def _alias_both_ways(T):
    x = T.zeros(2, 3)
    d = x.detach()
    x.t_()
    x[0, 1] = 7
    seen = d.tolist()
    d[0, 2] = 9
    return [seen, x.tolist()]


def _squeezed_base(T):
    x = T.zeros(1, 3)
    v = x[0]
    x.squeeze_(0)
    x[1] = 4
    v[2] = 6
    return [v.tolist(), x.tolist()]


@pytest.mark.parametrize("case", sorted(CASES))
def test_writes_through_a_transposed_view_are_torchs(case):
    assert CASES[case](fl).tolist() == CASES[case](torch).tolist()


@pytest.mark.parametrize("op,index,view_index", [
    (("t_",), (1, 0), 0),
    (("transpose_", 0, 1), (2, 1), 1),
    (("swapaxes_", 0, 1), (0, 1), 0),
    (("unsqueeze_", 0), (0, 1, 2), 1),
])
def test_views_of_a_base_reshaped_in_place_stay_views(op, index, view_index):
    assert _base_then_write(fl, op, index, view_index) == \
        _base_then_write(torch, op, index, view_index)


def test_aliases_and_old_views_stay_linked_both_ways():
    for case in (_view_written_after, _alias_both_ways, _squeezed_base):
        assert case(fl) == case(torch), case.__name__
