"""Bad input found by the fuzzer gets torch 2.13's exception instead of a number or an
internal error: histc/histogram over a range that is not finite (a histogram of zeros, or
NaN edges), squeeze of a repeated dim, repeat/tile to a negative size (an MLIR error),
split of a 0-d tensor (an IndexError), an integer dtype= for a reduction of a tensor that
requires grad (the result silently left the graph), mean's wording for an explicit
integer dtype, inner of two dtypes, kthvalue of bools and cdist of halves (computed)."""

import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

CASES = {
    "histc NaN data": lambda L: L.histc(L.tensor([1.0, float("nan")]), bins=3),
    "histc inf data": lambda L: L.histc(L.tensor([1.0, float("inf")]), bins=3),
    "histc inf max": lambda L: L.histc(L.tensor([1.0, 2.0]), bins=3, min=0, max=float("inf")),
    "histogram inf range": lambda L: L.histogram(L.tensor([1.0, 2.0]), bins=3,
                                                 range=(0.0, float("inf"))),
    "histogram NaN data": lambda L: L.histogram(L.tensor([1.0, float("nan")]), bins=3),
    "squeeze repeated dim": lambda L: L.zeros(1, 2, 1).squeeze((0, -3)),
    "tile negative": lambda L: L.zeros(2, 3).tile((-1,)),
    "repeat negative": lambda L: L.zeros(2, 3).repeat(0, -2, 3),
    "split 0-d": lambda L: L.tensor(6).split([1, 2], 0),
    "sum int dtype with grad": lambda L: L.ones(2, requires_grad=True).sum(dtype=L.int64),
    "prod int32 dtype with grad": lambda L: L.ones(2, requires_grad=True).prod(
        dtype=L.int32),
    "cumsum int dtype with grad": lambda L: L.ones(2, requires_grad=True).cumsum(
        0, dtype=L.int64),
    "nansum uint8 dtype with grad": lambda L: L.ones(2, requires_grad=True).nansum(
        dtype=L.uint8),
    "mean explicit int dtype": lambda L: L.ones(2).mean(dtype=L.int64),
    "inner mixed dtypes": lambda L: L.inner(L.ones(2, 2), L.ones(2, dtype=L.float16)),
    "kthvalue of bools": lambda L: L.tensor([True, False]).kthvalue(1),
    "cdist of halves": lambda L: L.cdist(L.ones(1, 2).half(), L.ones(1, 2).half()),
}


@pytest.mark.parametrize("name", CASES)
def test_error_matches_torch(name):
    check_raises(CASES[name])


def test_integer_dtype_allowed_without_grad():
    for lib in (torch, fl):
        x = lib.ones(3, requires_grad=True)
        with lib.no_grad():
            assert x.sum(dtype=lib.int64).item() == 3
        assert x.detach().cumsum(0, dtype=lib.int64).tolist() == [1, 2, 3]
        assert lib.histc(lib.tensor([1.0, 2.0, 3.0]), bins=2).tolist() == [1.0, 2.0]
        assert lib.inner(lib.tensor(2.0), lib.ones(2, dtype=lib.int64)).tolist() == [2.0, 2.0]
        with lib.autocast("cpu", dtype=lib.bfloat16):       # (cdist is float32 there)
            out = lib.cdist(lib.ones(1, 2).bfloat16(), lib.ones(1, 2).bfloat16())
        assert str(out.dtype) == "torch.float32"
