"""Tensor.resize_ and resize_as_ against torch 2.13: any number of elements (growth is
zeros here, uninitialized memory in torch, so only the kept elements are compared), its
argument forms and its errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl

from _tensor_ops_ref import same_as_torch


@pytest.mark.parametrize("fn", [
    lambda t: t.arange(6.0).resize_(2, 3),
    lambda t: t.arange(6.0).resize_((3, 2)),
    lambda t: t.arange(6.0).resize_([1, 6]),
    lambda t: t.arange(6.0).resize_(t.Size([2, 2])),
    lambda t: t.arange(6).resize_(4),
    lambda t: t.arange(6.0).reshape(2, 3).clone().resize_(5),
    lambda t: t.arange(6.0).resize_(0),
    lambda t: t.arange(4.0).resize_as_(t.ones(1, 3)),
    lambda t: t.arange(6.0).view(2, 3).resize_(3, 2),
])
def test_resize_keeps_the_leading_elements_like_torch(fn):
    same_as_torch(fn)


def test_a_view_keeps_its_number_of_elements():
    # (documented: torch re-points a resized view into the base's storage)
    x = fl.arange(6.0)
    with pytest.raises(RuntimeError, match="keeps its number of elements here"):
        x.view(2, 3).resize_(5)
    with pytest.raises(RuntimeError, match="keeps its number of elements here"):
        x.detach().resize_(8)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_growing_keeps_the_old_elements_first():
    for lib in (torch, fl):
        x = lib.arange(4.0)
        assert x.resize_(2, 3) is x and tuple(x.shape) == (2, 3)
        assert x.reshape(-1)[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert fl.arange(4.0).resize_(6)[4:].tolist() == [0.0, 0.0]      # (zeros here)


@pytest.mark.parametrize("fn", [
    lambda t: t.ones(2, requires_grad=True).resize_(3),
    lambda t: (t.ones(2, requires_grad=True) * 1).resize_(2),
    lambda t: t.ones(2).resize_(-1),
    lambda t: t.ones(2).resize_(2, -3),
    lambda t: t.ones(2).resize_(),
    lambda t: t.ones(2).resize_(2.0),
    lambda t: t.ones(2).resize_(2, 3.0),
    lambda t: t.ones(2).resize_((2, 2), (3,)),
])
def test_errors_like_torch(fn):
    same_as_torch(fn)


def test_a_resize_between_compiled_calls_reaches_the_next_call():
    # (a counted write: the compiled call does not reuse the old value)
    buf = fl.zeros(3)

    @fl.compile
    def total(x):
        return (x + buf.sum()).sum()

    x = fl.ones(2)
    assert total(x).item() == 2.0
    buf.resize_(4)
    buf.fill_(1.0)
    assert total(x).item() == 10.0
    np.testing.assert_array_equal(buf.numpy(), np.ones(4))
