"""Bad input to nn.functional gets torch 2.13's exception, not a number or a JAX error:
ctc_loss with a blank outside the labels (NaN before), scaled_dot_product_attention with
an integer mask (added as a float one), embedding_bag offsets past the input (an empty
bag), affine_grid of an integer theta (zeros), pad with a value in a non-constant mode
(ignored) or an unknown mode, conv weights not divisible by groups, MultiheadAttention
projection weights that do not fit kdim/vdim, local_response_norm of size 0 and adaptive
pools given too many output sizes."""

import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

CASES = {
    "ctc blank past labels": lambda L: L.nn.functional.ctc_loss(
        L.zeros(5, 1, 4).log_softmax(2), L.tensor([[1, 2, 3]]), L.tensor([5]), L.tensor([3]),
        blank=4),
    "ctc negative blank": lambda L: L.nn.functional.ctc_loss(
        L.zeros(5, 1, 4).log_softmax(2), L.tensor([[1, 2, 3]]), L.tensor([5]), L.tensor([3]),
        blank=-1),
    "sdpa integer mask": lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(2, 3, 2), L.ones(2, 3, 2), L.ones(2, 3, 2),
        attn_mask=L.tensor([[1, 0, 0], [0, 1, 1], [1, 1, 1]])),
    "embedding_bag offsets past input": lambda L: L.nn.functional.embedding_bag(
        L.tensor([0, 1]), L.ones(3, 2), L.tensor([0, 3]), mode="mean"),
    "affine_grid integer theta": lambda L: L.nn.functional.affine_grid(
        L.zeros(1, 2, 3, dtype=L.int64), (1, 1, 2, 2), align_corners=False),
    "pad reflect with value": lambda L: L.nn.functional.pad(L.ones(1, 2, 3), (1, 1),
                                                            mode="reflect", value=1.0),
    "pad circular with value": lambda L: L.nn.functional.pad(L.ones(1, 2, 3), (1, 1),
                                                             mode="circular", value=-2),
    "pad unknown mode": lambda L: L.nn.functional.pad(L.ones(1, 2, 3), (1, 1), mode="foo"),
    "conv2d groups": lambda L: L.nn.functional.conv2d(L.ones(1, 4, 5, 5), L.ones(3, 2, 3, 3),
                                                      groups=2),
    "conv1d groups": lambda L: L.nn.functional.conv1d(L.ones(1, 4, 5), L.ones(3, 2, 3),
                                                      groups=2),
    "conv_transpose2d groups": lambda L: L.nn.functional.conv_transpose2d(
        L.ones(1, 3, 5, 5), L.ones(3, 2, 3, 3), groups=2),
    "mha kdim": lambda L: L.nn.MultiheadAttention(4, 2, kdim=3)(
        L.ones(2, 1, 4), L.ones(2, 1, 4), L.ones(2, 1, 4)),
    "mha vdim": lambda L: L.nn.MultiheadAttention(4, 2, kdim=3, vdim=5)(
        L.ones(2, 1, 4), L.ones(2, 1, 3), L.ones(2, 1, 4)),
    "local_response_norm 0 (3-d)": lambda L: L.nn.functional.local_response_norm(
        L.ones(1, 2, 3), 0),
    "local_response_norm 0 (4-d)": lambda L: L.nn.functional.local_response_norm(
        L.ones(1, 2, 3, 4), 0),
    "local_response_norm negative": lambda L: L.nn.functional.local_response_norm(
        L.ones(1, 2, 3, 4), -2),
    "adaptive_avg_pool2d 3 sizes": lambda L: L.nn.functional.adaptive_avg_pool2d(
        L.ones(1, 2, 3, 3), (2, 2, 2)),
    "adaptive_max_pool2d 3 sizes": lambda L: L.nn.functional.adaptive_max_pool2d(
        L.ones(1, 2, 3, 3), (2, 2, 2)),
    "adaptive_avg_pool1d 2 sizes": lambda L: L.nn.functional.adaptive_avg_pool1d(
        L.ones(1, 2, 3), (2, 2)),
}


@pytest.mark.parametrize("name", CASES)
def test_error_matches_torch(name):
    check_raises(CASES[name])


OK = {
    "sdpa float mask on half": lambda L: L.nn.functional.scaled_dot_product_attention(
        L.ones(2, 3, 2).half(), L.ones(2, 3, 2).half(), L.ones(2, 3, 2).half(),
        attn_mask=L.zeros(3, 3)),
    "pad reflect with value 0": lambda L: L.nn.functional.pad(L.ones(1, 2, 3), (1, 1),
                                                              mode="reflect", value=0.0),
    "embedding_bag last offset at the end": lambda L: L.nn.functional.embedding_bag(
        L.tensor([0, 1]), L.ones(3, 2), L.tensor([0, 2]), mode="sum"),
    "mha fitting kdim/vdim": lambda L: L.nn.MultiheadAttention(4, 2, kdim=3, vdim=5)(
        L.ones(2, 1, 4), L.ones(2, 1, 3), L.ones(2, 1, 5))[0],
}


@pytest.mark.parametrize("name", OK)
def test_valid_neighbours_still_compute(name):
    assert tuple(OK[name](fl).shape) == tuple(OK[name](torch).shape)
