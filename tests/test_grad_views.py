"""Gradients accumulated into an existing .grad, against torch 2.13: views taken of the
.grad see the sum, and a .grad that is a view of a flat buffer writes the sum into it (the
accumulation replaced the .grad's value alone)."""

import numpy as np
import torch

import functorch_like as fl


def _view_of_grad(lib):
    x = lib.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    head = x.grad[:2]
    (x * 5).sum().backward()
    return head


def _grad_into_buffer(lib):
    x = lib.ones(2, requires_grad=True)
    buf = lib.zeros(4)
    x.grad = buf[1:3]
    (x * 3).sum().backward()
    (x * 2).sum().backward()
    return buf


def _row_of_a_zeroed_weight_grad(lib):
    lib.manual_seed(0)
    m = lib.nn.Linear(2, 2)
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    m(lib.ones(1, 2)).sum().backward()
    row = m.weight.grad[0]
    opt.zero_grad(set_to_none=False)
    m(lib.ones(1, 2)).sum().backward()
    return row


def test_accumulated_gradients_reach_views_as_torchs():
    for case in (_view_of_grad, _grad_into_buffer, _row_of_a_zeroed_weight_grad):
        np.testing.assert_array_equal(case(fl).numpy(), case(torch).numpy(), case.__name__)


def test_detach_in_place_of_a_view_raises_as_torch():
    from _tensor_ops_ref import check_raises
    check_raises(lambda lib: lib.ones(3)[1:].detach_())
    check_raises(lambda lib: lib.ones(2, 3).unbind()[0].detach_())
    for lib in (fl, torch):           # (not a view: a detached one, a dtype view)
        lib.ones(3)[1:].detach().detach_()
        lib.ones(3).view(lib.int32).detach_()


def test_zero_grad_keeps_a_grad_that_is_a_view_of_a_buffer():
    seen = []
    for lib in (fl, torch):
        x = lib.ones(2, requires_grad=True)
        buf = lib.zeros(4)
        x.grad = buf[1:3]
        (x * 3).sum().backward()
        lib.optim.SGD([x], lr=0.1).zero_grad(set_to_none=False)
        (x * 2).sum().backward()
        seen.append(buf.tolist())
    assert seen[0] == seen[1]
