"""grad_fn names of matmul's shape cases and of fill_/zero_, as torch's."""

import pytest
import torch

import functorch_like as fl


_MATMUL_SHAPES = [((3,), (3, 2)), ((4, 2, 3), (4, 3, 2)), ((2, 3), (4, 3, 2)),
                  ((2, 3), (3, 2)), ((3,), (3,)), ((2, 3), (3,))]


@pytest.mark.parametrize("shapes", _MATMUL_SHAPES)
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)])
def test_matmul_grad_fn_names_are_torchs(shapes, grads):
    # (found by a probe of printing: BmmBackward0, UnsafeViewBackward0 where torch
    # shows UnsafeViewBackward0, SqueezeBackward4, CloneBackward0)
    def name(lib):
        a, b = (lib.ones(*s, requires_grad=g) for s, g in zip(shapes, grads))
        return type((a @ b).grad_fn).__name__
    assert name(fl) == name(torch)


def test_fill_and_zero_grad_fn_names_are_torchs():
    def names(lib):
        base = lambda: lib.ones(3, requires_grad=True).clone()      # noqa: E731
        return [type(t.grad_fn).__name__ for t in
                (base().zero_(), base().fill_(2.0), base().fill_(lib.tensor(2.0)))]
    assert names(fl) == names(torch)
