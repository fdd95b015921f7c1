"""A tensor of the graph changed in place outside autograd (under no_grad, or through its
`.data`/`detach()` alias): later ops use the new value, and the gradient still flows
through the op that made the tensor, as in torch. Backward replays the recorded graph, and
replayed the old value (the change was ignored: `h.exp()` differentiated as exp(w), not
exp(3w))."""

from __future__ import annotations

import pytest
import torch

import functorch_like as fl


def _no_grad_mul(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    with lib.no_grad():
        h.mul_(3)
    h.exp().sum().backward()
    return w.grad, h


def _data_mul(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    h.data.mul_(3)
    h.exp().sum().backward()
    return w.grad, h


def _detach_write(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    h.detach()[0] = 5.0
    (h * h).sum().backward()
    return w.grad, h


def _linear_output_column(lib):
    lin = lib.nn.Linear(2, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor([[1.0, -2.0], [3.0, 4.0]]))
        lin.bias.zero_()
    h = lin(lib.tensor([[1.0, 2.0], [3.0, -1.0]]))
    with lib.no_grad():
        h[:, 0] = 10.0
    (h ** 2).sum().backward()
    return lin.weight.grad, lin.bias.grad


def _clamp(lib):
    w = lib.tensor([2.0, -4.0, 6.0], requires_grad=True)
    h = w * 1
    with lib.no_grad():
        h.clamp_(min=0)
    (h * h).sum().backward()
    return w.grad, h


def _retained(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    h.retain_grad()
    with lib.no_grad():
        h.add_(1)
    (h * h).sum().backward()
    return w.grad, h.grad, h.grad_fn.name()


def _earlier_consumer(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    a = h + 1                       # (made before the change: its value is the old one)
    with lib.no_grad():
        h.mul_(2)
    (a.sum() + (h * 3).sum()).backward()
    return w.grad, a


def _through_a_view(lib):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * 1
    v = h[1:]
    with lib.no_grad():
        v.mul_(10)
    (h * h).sum().backward()
    return w.grad, h


CASES = {f.__name__[1:]: f for f in (_no_grad_mul, _data_mul, _detach_write,
                                     _linear_output_column, _clamp, _retained,
                                     _earlier_consumer, _through_a_view)}


def _plain(results):
    return [r if isinstance(r, str) else r.tolist() for r in results]


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_as_torch(name):
    torch.manual_seed(0)
    fl.manual_seed(0)
    assert _plain(CASES[name](fl)) == _plain(CASES[name](torch))


def test_the_tensor_keeps_its_grad_fn_name():
    _, h = _no_grad_mul(fl)
    assert repr(h) == repr(_no_grad_mul(torch)[1])


def _no_grad_view_then_inplace(lib, leaf: bool):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    a = x if leaf else x * 1
    with lib.no_grad():
        v = a[0:1]
    v.mul_(2)


@pytest.mark.parametrize("leaf", [False, True])
def test_a_view_made_under_no_grad_is_not_changed_in_place_with_grad_on(leaf):
    """(The change went through, and the gradient was neither the tracked nor the
    untracked one: [0, 1].)"""
    errors = []
    for lib in (torch, fl):
        with pytest.raises(RuntimeError) as info:
            _no_grad_view_then_inplace(lib, leaf)
        errors.append(str(info.value))
    assert errors[1] == errors[0]


def test_views_made_and_changed_under_no_grad_or_of_plain_tensors_still_work():
    for lib in (torch, fl):
        b = lib.ones(2)
        with lib.no_grad():
            v = b[0:1]
        v.mul_(2)
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        with lib.no_grad():
            w = a[0:1]
            w.mul_(3)
        assert b.tolist() == [2.0, 1.0] and a.tolist() == [3.0, 2.0]
