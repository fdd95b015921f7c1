"""`out=` of the bitwise ops, gcd/lcm, heaviside, float_power, signbit, nan_to_num and
isposinf/isneginf, with torch's dtype rules and errors (they refused the keyword)."""

import warnings

import pytest

from _tensor_ops_ref import same_as_torch

_CALLS = {
    "bitwise_and": lambda L, o: L.bitwise_and(L.tensor([1, 2]), 3, out=o),
    "bitwise_or": lambda L, o: L.bitwise_or(L.tensor([1, 2]), L.tensor([4, 4]), out=o),
    "bitwise_xor": lambda L, o: L.bitwise_xor(L.tensor([1, 2]), 3, out=o),
    "bitwise_not": lambda L, o: L.bitwise_not(L.tensor([1, 2]), out=o),
    "bitwise_left_shift": lambda L, o: L.bitwise_left_shift(L.tensor([1, 2]), 1, out=o),
    "bitwise_right_shift": lambda L, o: L.bitwise_right_shift(L.tensor([4, 8]), 1, out=o),
    "gcd": lambda L, o: L.gcd(L.tensor([4, 6]), L.tensor([6, 9]), out=o),
    "lcm": lambda L, o: L.lcm(L.tensor([4, 6]), L.tensor([6, 9]), out=o),
    "heaviside": lambda L, o: L.heaviside(L.tensor([-1.0, 0.0]), L.tensor([0.5, 0.5]), out=o),
    "float_power": lambda L, o: L.float_power(L.tensor([2.0, 3.0]), 2, out=o),
    "signbit": lambda L, o: L.signbit(L.tensor([-1.0, 2.0]), out=o),
    "nan_to_num": lambda L, o: L.nan_to_num(L.tensor([float("nan"), 2.0]), out=o),
    "isposinf": lambda L, o: L.isposinf(L.tensor([float("inf"), 2.0]), out=o),
    "isneginf": lambda L, o: L.isneginf(L.tensor([-float("inf"), 2.0]), out=o),
}


@pytest.mark.parametrize("name", list(_CALLS))
def test_out_as_torchs(name, x64):
    for dtype in ("float32", "int8", "bool", "int64", "float64"):
        def call(lib):
            out = lib.zeros(2, dtype=getattr(lib, dtype))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = _CALLS[name](lib, out)
            assert result is out
            return out
        same_as_torch(call)
