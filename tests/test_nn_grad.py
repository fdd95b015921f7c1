"""torch.nn.grad (the gradients of conv1d/2d/3d w.r.t. input and weight, and their own
gradients), torch.embedding_renorm_ and native_channel_shuffle, against torch 2.13."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_CONFIGS = [dict(), dict(stride=2, padding=1), dict(dilation=2, groups=2)]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kw", _CONFIGS)
def test_conv_input_and_weight_gradients_as_torch(nd, kw):
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((2, 4) + (6,) * nd).astype(np.float32)
    w = rng.standard_normal((6, 4 // kw.get("groups", 1)) + (3,) * nd).astype(np.float32)
    conv = f"conv{nd}d"
    shape = getattr(torch.nn.functional, conv)(torch.from_numpy(x), torch.from_numpy(w),
                                               **kw).shape
    g = rng.standard_normal(tuple(shape)).astype(np.float32)
    results = []
    for lib in (torch, fl):
        weight = lib.tensor(w, requires_grad=True)
        grad_out = lib.tensor(g, requires_grad=True)
        grad_in = getattr(lib.nn.grad, conv + "_input")(x.shape, weight, grad_out, **kw)
        grad_w = getattr(lib.nn.grad, conv + "_weight")(lib.tensor(x), w.shape, grad_out, **kw)
        (grad_in.sum() + (grad_w ** 2).sum()).backward()        # (and their gradients)
        results.append([grad_in.detach().numpy(), grad_w.detach().numpy(),
                        weight.grad.numpy(), grad_out.grad.numpy()])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_nn_functional_grad_is_nn_grad():
    assert fl.nn.functional.grad is fl.nn.grad


def test_embedding_renorm_rescales_the_indexed_rows_in_place_as_torch():
    w = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32) * 2
    out = []
    for lib in (torch, fl):
        weight = lib.tensor(w)
        result = lib.embedding_renorm_(weight, lib.tensor([[0, 2], [2, 4]]), 1.0, 2.0)
        assert result is weight
        out.append(weight.numpy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)
    assert not np.allclose(out[1], w)


def test_embedding_renorm_of_float_indices_raises_as_torch():
    check_raises(lambda t: t.embedding_renorm_(t.ones(3, 2), t.tensor([0.0]), 1.0, 2.0))


@pytest.mark.parametrize("fn", [lambda t: t.native_channel_shuffle,
                                lambda t: t.nn.functional.native_channel_shuffle])
def test_native_channel_shuffle_as_torch(fn):
    x = np.arange(24.0, dtype=np.float32).reshape(1, 6, 2, 2)
    got, want = (fn(t)(t.tensor(x), 3).numpy() for t in (fl, torch))
    np.testing.assert_array_equal(got, want)
