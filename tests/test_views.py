"""In-place ops on views write through to the base, as PyTorch's shared storage does."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _both(fn):
    """Runs fn(lib) with torch and functorch_like, returns both results as numpy."""
    return fn(torch).numpy(), fn(fl).numpy()


@pytest.mark.parametrize("body", [
    lambda t: _slice_and_reshape(t),
    lambda t: _row_fill(t),
    lambda t: _chained(t),
])
def test_inplace_on_views_matches_torch(body):
    a, b = _both(body)
    np.testing.assert_array_equal(b, a)


def _slice_and_reshape(t):
    x = t.zeros(3)
    x[0:2].add_(1)
    x.view(3, 1).mul_(5)
    return x


def _row_fill(t):
    y = t.zeros(2, 3)
    with t.no_grad():
        y[0].fill_(3.0)
        y[:, 2].zero_()
    return y


def _chained(t):
    z = t.zeros(2, 2, 2)
    z[1][0].add_(2)
    z.reshape(4, 2)[3].sub_(1)
    return z


def test_view_of_leaf_that_requires_grad_raises_like_torch():
    for lib in (torch, fl):
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            w[0].add_(1)
        with lib.no_grad():
            w[0].add_(1)                      # allowed under no_grad, writes through
        assert w.detach().numpy().tolist() == [2.0, 1.0]


def test_gradient_through_an_inplace_view_update_matches_torch():
    grads = []
    for lib in (torch, fl):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        b[1].mul_(10)
        b.sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
    assert grads[0].tolist() == [2.0, 20.0, 2.0]


def test_embedding_style_init_of_a_row():
    emb = fl.nn.Embedding(5, 2)
    with fl.no_grad():
        emb.weight[3].zero_()
    assert emb.weight.detach().numpy()[3].tolist() == [0.0, 0.0]
    assert np.abs(emb.weight.detach().numpy()[[0, 1, 2, 4]]).sum() > 0
