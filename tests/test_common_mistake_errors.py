"""Common mistakes get torch's exception (its type, or a subclass, and its message), not a
JAX error or a silently computed number: a conv bias of the wrong size (a (C, 1) bias was
broadcast), outer of matrices (flattened), hardtanh with min > max (computed), a pool
stride of 0 (ZeroDivisionError), layer_norm's weight/bias shapes, allclose/isclose of
shapes that do not broadcast, scatter's shapes (a 0-d src tensor filled), gumbel_softmax's
dim, scaled_dot_product_attention's shapes. And BatchNorm takes an empty batch, as
torch's."""

import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

CASES = {
    "conv2d bias size": lambda lib: lib.nn.functional.conv2d(
        lib.ones(1, 1, 3, 3), lib.ones(2, 1, 2, 2), lib.ones(3)),
    "conv1d 2-d bias": lambda lib: lib.nn.functional.conv1d(
        lib.ones(1, 1, 3), lib.ones(2, 1, 2), lib.ones(2, 1)),
    "conv_transpose2d bias": lambda lib: lib.nn.functional.conv_transpose2d(
        lib.ones(1, 2, 3, 3), lib.ones(2, 3, 2, 2), lib.ones(4)),
    "outer of a matrix": lambda lib: lib.outer(lib.ones(2, 3), lib.ones(3)),
    "outer vec2 matrix": lambda lib: lib.outer(lib.ones(3), lib.ones(2, 3)),
    "outer 0-d": lambda lib: lib.outer(lib.tensor(1.0), lib.ones(3)),
    "hardtanh min > max": lambda lib: lib.nn.functional.hardtanh(lib.ones(2), 1.0, -1.0),
    "Hardtanh min > max": lambda lib: lib.nn.Hardtanh(1.0, -1.0),
    "max_pool2d stride 0": lambda lib: lib.nn.functional.max_pool2d(
        lib.ones(1, 1, 4, 4), 2, stride=0),
    "avg_pool2d stride 0": lambda lib: lib.nn.functional.avg_pool2d(
        lib.ones(1, 1, 4, 4), 2, stride=0),
    "max_pool1d stride 0": lambda lib: lib.nn.functional.max_pool1d(
        lib.ones(1, 1, 4), 2, stride=0),
    "layer_norm weight": lambda lib: lib.nn.functional.layer_norm(
        lib.ones(2, 3), (3,), weight=lib.ones(2)),
    "layer_norm bias": lambda lib: lib.nn.functional.layer_norm(
        lib.ones(2, 3), (3,), bias=lib.ones(2)),
    "allclose shapes": lambda lib: lib.allclose(lib.ones(2), lib.ones(3)),
    "isclose shapes": lambda lib: lib.isclose(lib.ones(2), lib.ones(3)),
    "scatter_ small src": lambda lib: lib.zeros(2, 3).scatter_(
        1, lib.tensor([[0, 1, 2]]), lib.ones(1, 2)),
    "scatter_ 0-d src tensor": lambda lib: lib.zeros(2, 3).scatter_(
        0, lib.zeros(1, 3, dtype=lib.long), lib.tensor(2.0)),
    "scatter index rank": lambda lib: lib.zeros(2, 3).scatter(
        0, lib.zeros(3, dtype=lib.long), lib.ones(2, 3)),
    "scatter_add small src": lambda lib: lib.zeros(2, 3).scatter_add(
        1, lib.tensor([[0, 1, 2]]), lib.ones(1, 2)),
    "scatter_reduce 0-d src tensor": lambda lib: lib.zeros(2, 3).scatter_reduce(
        0, lib.zeros(1, 3, dtype=lib.long), lib.tensor(2.0), "sum"),
    "gumbel_softmax dim": lambda lib: lib.nn.functional.gumbel_softmax(lib.ones(2, 3), dim=5),
    "sdpa key size": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 5), lib.ones(1, 2, 3, 4)),
    "sdpa mask shape": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 4), lib.ones(1, 2, 3, 4),
        attn_mask=lib.ones(4, 4)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_common_mistake_raises_torchs_error(name):
    check_raises(CASES[name])


def test_what_the_checks_let_through_still_computes_as_torch():
    want, got = [[lib.zeros(2, 3).scatter(0, lib.tensor([[1, 0]]), lib.ones(3, 3)).tolist(),
                  lib.zeros(2, 3).scatter_(0, lib.zeros(1, 3, dtype=lib.long), 2.0).tolist(),
                  lib.nn.functional.hardtanh(lib.tensor([-2.0, 2.0]), 1.0, 1.0).tolist(),
                  lib.outer(lib.ones(2), lib.arange(3.0)).tolist()] for lib in (torch, fl)]
    assert got == want


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_of_an_empty_batch_is_torchs(momentum):
    out = {}
    for lib in (torch, fl):
        bn = lib.nn.BatchNorm1d(3, momentum=momentum)
        x = lib.zeros(0, 3, requires_grad=True)
        y = bn(x)
        y.sum().backward()
        bn2 = lib.nn.BatchNorm2d(2)
        out[lib] = (tuple(y.shape), bn.running_mean.tolist(), bn.running_var.tolist(),
                    int(bn.num_batches_tracked), bn.weight.grad.tolist(), tuple(x.grad.shape),
                    tuple(bn2(lib.zeros(0, 2, 3, 3)).shape), bn2.running_var.tolist())
    assert out[fl] == out[torch]
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        fl.nn.BatchNorm1d(3)(fl.zeros(1, 3))


MORE = {
    "randperm negative": lambda lib: lib.randperm(-1),
    "randint without a size": lambda lib: lib.randint(0, 5),
    "tensor(None)": lambda lib: lib.tensor(None),
    "tensor of a dict": lambda lib: lib.tensor({"a": 1}),
    "div rounding_mode": lambda lib: lib.ones(2).div(2, rounding_mode="round"),
    "inf norm of an empty tensor": lambda lib: lib.zeros(0).norm(p=float("inf")),
    "inf norm over an empty dim": lambda lib: lib.zeros(2, 0).norm(p=float("inf"), dim=-1),
    "-1 norm over an empty dim": lambda lib: lib.linalg.vector_norm(lib.zeros(2, 0), -1, dim=1),
    "eye of a float": lambda lib: lib.eye(2.5),
    "topk of a float": lambda lib: lib.ones(3).topk(1.5),
    "chunk of a float": lambda lib: lib.ones(3).chunk(2.5),
    "split of a float": lambda lib: lib.ones(3).split(1.5),
    "Tensor of a float": lambda lib: lib.Tensor(2.5),
    "pad_sequence of lists": lambda lib: lib.nn.utils.rnn.pad_sequence([[1, 2], [3]]),
    "pad_sequence with a list": lambda lib: lib.nn.utils.rnn.pad_sequence(
        [lib.ones(2), [3]]),
}
# (torch's argument parser lists every overload: the type is compared, not the text)
TYPE_ONLY = {
    "normal without a size": lambda lib: lib.normal(0.0, 1.0),
    "randint of a float": lambda lib: lib.randint(0.5, 3, (2,)),
}


@pytest.mark.parametrize("name", list(MORE) + list(TYPE_ONLY))
def test_a_wrong_argument_raises_torchs_error(name):
    call = MORE.get(name) or TYPE_ONLY[name]
    with pytest.raises(Exception) as want:
        call(torch)
    with pytest.raises(type(want.value)) as got:
        call(fl)
    if name in MORE:
        assert str(got.value) == str(want.value)
    else:
        assert str(got.value).split(" - got ")[0] == str(want.value).split(" - got ")[0]


def test_saving_into_a_missing_folder_raises_torchs_error(tmp_path):
    path = tmp_path / "missing" / "a.pt"
    with pytest.raises(RuntimeError) as want:
        torch.save({"a": 1}, path)
    with pytest.raises(RuntimeError) as got:
        fl.save({"a": 1}, path)
    assert str(got.value) == str(want.value)
    assert not (tmp_path / "missing").exists()
