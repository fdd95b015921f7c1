"""Found by a random-call fuzzer against torch 2.13: addcmul/addcdiv compute in the common
dtype of all three operands (a bf16 quotient was rounded; a half input gave float32); cat
promotes over the empty 1-D tensors it skips; diff with n=0 ignores prepend; bincount's
weights count in double unless float32, and an empty input counts in int64; a float
written into an integer tensor must lie in its range (-1.5 into uint8 was saturated to 0);
trapezoid with even spacing is torch's (sum - (first + last) / 2) * dx, so an inf sample
gives NaN as there; and empty or 0-d edge cases that crashed: integer trunc division of different ranks,
quantile of a 0-d tensor along dim 0, searchsorted in empty rows, fmod/remainder of
nothing by 0, bool scatter_reduce amax/amin and index_put_ accumulate, a uint8 where
condition, a 0-d lerp weight of another dtype."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl

CASES = {
    "addcdiv bf16 / uint8": lambda L: L.addcdiv(L.tensor([0.5]), L.tensor([-0.5]).bfloat16(),
                                                L.tensor([9], dtype=L.uint8)),
    "addcdiv f64 self, f16 operands": lambda L: L.addcdiv(
        L.tensor([2.0], dtype=L.float64), L.tensor([1.3]).half(), L.tensor([1.7]).half()),
    "addcmul half self, int operands": lambda L: L.addcmul(
        L.tensor([1.0]).half(), L.tensor([1]), L.tensor([3]), value=0.3),
    "addcdiv half self, bool / 0-d": lambda L: L.addcdiv(L.tensor([1.0]).half(),
                                                         L.tensor([True]), L.tensor(0.5)),
    "addcmul_ in place": lambda L: L.tensor([1.0, 2.0]).addcmul_(L.tensor([1.0, 2.0]),
                                                                  L.tensor([3.0, 4.0]), value=2),
    "cat with empty 1-d float": lambda L: L.cat([L.tensor([1, 2]), L.tensor([])]),
    "hstack with empty half": lambda L: L.hstack([L.tensor([], dtype=L.float16),
                                                  L.tensor([1.0]).bfloat16()]),
    "diff n=0 prepend": lambda L: L.diff(L.tensor([5, -1, 4]), n=0, prepend=L.tensor([5])),
    "bincount half weights": lambda L: L.bincount(L.tensor([0, 1, 1]),
                                                  weights=L.tensor([1.0, 2.0, 3.0]).half()),
    "bincount empty with weights": lambda L: L.bincount(
        L.tensor([], dtype=L.int64), weights=L.tensor([]), minlength=2),
    "div trunc of different ranks": lambda L: L.div(
        L.tensor([[7, -7]], dtype=L.int8), L.tensor([2, 2], dtype=L.int32),
        rounding_mode="trunc"),
    "quantile 0-d dim 0": lambda L: L.quantile(L.tensor(3.0), 0.5, dim=0),
    "nanquantile 0-d keepdim": lambda L: L.nanquantile(L.tensor(3.0), L.tensor([0.2, 0.5]),
                                                       dim=0, keepdim=True),
    "searchsorted empty rows": lambda L: L.searchsorted(L.tensor([[], []]),
                                                        L.tensor([[1.0], [3.0]])),
    "fmod of nothing by 0": lambda L: L.fmod(L.tensor([], dtype=L.int64), 0),
    "remainder of nothing by 0": lambda L: L.remainder(L.tensor([], dtype=L.int64),
                                                       L.tensor([0])),
    "bool scatter_reduce amax": lambda L: L.tensor([True, False]).scatter_reduce(
        0, L.tensor([0, 0]), L.tensor([False, True]), "amax", include_self=False),
    "bool scatter_reduce amin": lambda L: L.tensor([True, False]).scatter_reduce(
        0, L.tensor([1, 1]), L.tensor([False, True]), "amin", include_self=False),
    "bool index_put_ accumulate": lambda L: L.tensor([True, False]).index_put_(
        (L.tensor([1]),), L.tensor(True), accumulate=True),
    "lerp 0-d half weight": lambda L: L.lerp(L.ones(2), L.zeros(2), L.tensor(0.5).half()),
    "lerp 0-d int weight": lambda L: L.lerp(L.ones(2).half(), L.zeros(2).half(),
                                            L.tensor(1)),
    "trapezoid with inf": lambda L: L.trapezoid(L.tensor([0.0, 1.0, float("inf")])),
    "trapezoid lone NaN": lambda L: L.trapezoid(L.tensor([[float("nan")]]), dim=1),
    "trapezoid dx": lambda L: L.trapezoid(L.tensor([[1.0, 2.0, 4.0], [0.5, 1.0, -3.0]]),
                                          dx=0.5),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    want, got = CASES[name](torch), CASES[name](fl)
    assert str(got.dtype) == str(want.dtype) or (     # (float64 is float32 without x64)
        str(want.dtype) == "torch.float64" and str(got.dtype) == "torch.float32") or (
        str(want.dtype) == "torch.int32" and str(got.dtype) == "torch.int64")
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.float().numpy(), want.float().numpy(), rtol=1e-6)


def test_where_takes_a_uint8_condition_with_torchs_warning():
    for lib in (torch, fl):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            out = lib.where(lib.tensor([1, 0], dtype=lib.uint8), 1.0, 2.0)
        assert out.tolist() == [1.0, 2.0]
        assert any("where received a uint8 condition tensor" in str(w.message) for w in seen) \
            or lib is fl and _warned_before()


def _warned_before():
    # (warned once per process, as torch's TORCH_WARN_ONCE: an earlier test may have)
    from functorch_like._warn_once import _given
    return any("uint8 condition" in m for m in _given)


def test_dimensioned_lerp_weight_must_still_match():
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match="expected dtype float for `weight` but got "
                                               "dtype c10::Half"):
            lib.lerp(lib.ones(2), lib.zeros(2), lib.tensor([0.5, 0.5]).half())


WRITES = {
    "fill_": lambda t, v: t.fill_(v),
    "full": lambda t, v: fl_or_torch(t).full((2,), v, dtype=t.dtype),
    "masked_fill": lambda t, v: t.masked_fill(fl_or_torch(t).tensor([True, False]), v),
    "masked_fill 0-d tensor": lambda t, v: t.masked_fill(fl_or_torch(t).tensor([True, False]),
                                                         fl_or_torch(t).tensor(v)),
    "new_full": lambda t, v: t.new_full((2,), v),
    "scatter_ value": lambda t, v: t.scatter_(0, fl_or_torch(t).tensor([0]), value=v),
    "index_fill": lambda t, v: t.index_fill(0, fl_or_torch(t).tensor([0]), v),
    "setitem": lambda t, v: t.__setitem__(0, v),
}


def fl_or_torch(t):
    return fl if isinstance(t, fl.Tensor) else torch


@pytest.mark.parametrize("how", WRITES)
@pytest.mark.parametrize("value", [-2.67, -0.5, -1, 255.0, 255.5, -256, float("-inf")])
def test_number_written_into_uint8_fits_as_torch(how, value):
    outcomes = []
    for lib in (torch, fl):
        t = lib.tensor([1, 2], dtype=lib.uint8)
        try:
            out = WRITES[how](t, value)
            outcomes.append(("ok", (out if out is not None else t).tolist()))
        except RuntimeError as e:
            outcomes.append(("error", str(e)))
    assert outcomes[1] == outcomes[0]


def test_scatter_add_refuses_another_src_dtype():
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match=r"scatter\(\): Expected self.dtype to be equal "
                                               r"to src.dtype"):
            lib.zeros(3).scatter_add(0, lib.tensor([0]), lib.tensor([1]))
