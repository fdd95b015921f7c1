"""From a random-argument fuzzer of nn.functional against torch 2.13: avg_pool/lp_pool of
float16/bfloat16 sum and divide in float32 and round once (they summed in the half type:
a 32x32 bf16 average of 0.1 was 0.03125), a half conv's bias is added in float32 so its
gradient is summed in float32 (29.5 for torch's 25.625), and the margin losses pass a NaN
through (it read 0)."""

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

VALUES = {
    "avg_pool2d bf16": lambda L: L.nn.functional.avg_pool2d(
        L.full((1, 1, 32, 32), 0.1).bfloat16(), 32),
    "avg_pool2d f16": lambda L: L.nn.functional.avg_pool2d(
        L.full((1, 1, 32, 32), 0.1).half(), 32),
    "avg_pool1d bf16 padded": lambda L: L.nn.functional.avg_pool1d(
        L.full((1, 1, 64), 0.3).bfloat16(), 8, 4, 2, count_include_pad=False),
    "lp_pool2d bf16": lambda L: L.nn.functional.lp_pool2d(
        L.full((1, 1, 32, 32), 0.1).bfloat16(), 1, 32),
    "margin_ranking NaN": lambda L: L.nn.functional.margin_ranking_loss(
        L.tensor([float("nan")]), L.tensor([1.0]), L.tensor([1.0])),
    "triplet NaN": lambda L: L.nn.functional.triplet_margin_loss(
        L.tensor([[float("nan"), 0.0]]), L.ones(1, 2), L.zeros(1, 2)),
    "hinge_embedding NaN": lambda L: L.nn.functional.hinge_embedding_loss(
        L.tensor([float("nan")]), L.tensor([-1.0])),
    "cosine_embedding NaN": lambda L: L.nn.functional.cosine_embedding_loss(
        L.tensor([[float("nan"), 1.0]]), L.ones(1, 2), L.tensor([-1.0])),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_match_torch(name):
    want, got = VALUES[name](torch), VALUES[name](fl)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())


@pytest.mark.parametrize("fn,shape,wshape", [
    ("conv1d", (1, 1, 256), (1, 1, 1)), ("conv2d", (1, 1, 16, 16), (1, 1, 1, 1)),
    ("conv_transpose2d", (1, 1, 16, 16), (1, 1, 1, 1))])
def test_half_conv_bias_gradient_sums_in_float32(fn, shape, wshape):
    grads = []
    for lib in (torch, fl):
        b = lib.zeros(1, dtype=lib.bfloat16, requires_grad=True)
        out = getattr(lib.nn.functional, fn)(lib.ones(*shape, dtype=lib.bfloat16),
                                             lib.ones(*wshape, dtype=lib.bfloat16), b)
        out.mul(0.1).sum().backward()
        grads.append((b.grad.item(), str(out.dtype)))
    assert grads[1] == grads[0]


MORE = {
    "huber_loss bf16 input": lambda L: L.nn.functional.huber_loss(L.ones(3).bfloat16(),
                                                                  L.zeros(3)).dtype,
    "soft_margin_loss f16 input": lambda L: L.nn.functional.soft_margin_loss(
        L.ones(3).half(), L.ones(3)).dtype,
    "huber_loss bf16 target": lambda L: L.nn.functional.huber_loss(
        L.ones(3), L.zeros(3).bfloat16()).dtype,
}


@pytest.mark.parametrize("name", MORE)
def test_loss_dtype_is_the_inputs(name):
    assert str(MORE[name](fl)) == str(MORE[name](torch))


ERRORS = {
    "embedding padding_idx past the end": lambda L: L.nn.functional.embedding(
        L.tensor([1]), L.ones(4, 2), padding_idx=4),
    "embedding padding_idx before the start": lambda L: L.nn.functional.embedding(
        L.tensor([1]), L.ones(4, 2), padding_idx=-5),
    "sdpa of two dtypes": lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(1, 2, 2), L.ones(1, 2, 2).half(), L.ones(1, 2, 2)),
    "prelu of two dtypes": lambda L: L.nn.functional.prelu(L.ones(2), L.ones(1).half()),
    "pad value beyond half": lambda L: L.nn.functional.pad(L.zeros(2).half(), (1, 1),
                                                           value=1e6),
    "pad value beyond uint8": lambda L: L.nn.functional.pad(L.zeros(2, dtype=L.uint8),
                                                            (1, 1), value=300),
    "pad negative float into uint8": lambda L: L.nn.functional.pad(
        L.zeros(2, dtype=L.uint8), (1, 1), value=-1.5),
}


@pytest.mark.parametrize("name", ERRORS)
def test_refused_as_torch(name):
    check_raises(ERRORS[name])


def test_cosine_similarity_of_an_overflowing_norm():
    """A norm that overflows to inf gives that vector a share of 0, as torch's (inf - inf
    in the eps clamp made NaN)."""
    for lib in (torch, fl):
        out = lib.nn.functional.cosine_similarity(lib.tensor([[3e19, 4e19]]),
                                                  lib.tensor([[1.0, 1.0]]))
        assert out.tolist() == [0.0]
