"""Python numbers written into tensors (fill_, setitem, full, masked_fill, index_fill),
against torch 2.13: a complex number with an imaginary part into a real tensor raises
(a cast silently dropped it); one without, or any into bool, is converted as torch does."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

REAL_TYPES = ["float32", "float16", "bfloat16", "int64", "int32", "uint8"]


def _setitem(x, index, value):
    x[index] = value
    return x


WRITES = {
    "fill_": lambda t, x, v: x.fill_(v),
    "setitem_int": lambda t, x, v: _setitem(x, 0, v),
    "setitem_slice": lambda t, x, v: _setitem(x, slice(None), v),
    "setitem_index": lambda t, x, v: _setitem(x, t.tensor([0, 1]), v),
    "setitem_mask": lambda t, x, v: _setitem(x, t.tensor([True, False, True]), v),
    "masked_fill": lambda t, x, v: x.masked_fill(t.tensor([True, False, True]), v),
    "masked_fill_": lambda t, x, v: x.masked_fill_(t.tensor([True, False, True]), v),
    "index_fill": lambda t, x, v: x.index_fill(0, t.tensor([0]), v),
    "full": lambda t, x, v: t.full((3,), v, dtype=x.dtype),
    "full_like": lambda t, x, v: t.full_like(x, v),
    "new_full": lambda t, x, v: x.new_full((3,), v),
}


@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_complex_number_into_a_real_tensor_raises_as_torch(write, dtype):
    check_raises(lambda t: WRITES[write](t, t.zeros(3, dtype=getattr(t, dtype)), 1 + 2j),
                 match=dtype != "float16" or not write.startswith("setitem"))


@pytest.mark.parametrize("dtype", REAL_TYPES)
def test_fill_of_an_imaginary_number_names_the_dtype_as_torch(dtype, x64):
    # (x64: an int32 tensor reports int32, not the int64 it is taken for without it)
    check_raises(lambda t: t.zeros(2, dtype=getattr(t, dtype)).fill_(3j))


@pytest.mark.parametrize("write", ["fill_", "setitem_int", "setitem_slice", "setitem_index",
                                   "setitem_mask", "masked_fill", "full", "full_like",
                                   "new_full"])
@pytest.mark.parametrize("dtype,value", [("float32", 2 + 0j), ("int64", 3 + 0j),
                                         ("bool", 3j), ("bool", 0j), ("complex64", 1 + 2j)])
def test_a_complex_number_that_converts_is_written_as_torch(write, dtype, value):
    got, want = (WRITES[write](t, t.zeros(3, dtype=getattr(t, dtype)), value)
                 for t in (fl, torch))
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_nan_into_an_int64_tensor_raises_torchs_error_without_x64():
    # (x64 off: the 64-bit message was for a finite int beyond 32 bits, not a NaN)
    check_raises(lambda t: t.zeros(2, dtype=t.int64).fill_(float("nan")))
    check_raises(lambda t: t.zeros(2, dtype=t.int64).fill_(2.0 ** 70))


def test_an_int_beyond_int32_into_an_int32_tensor_raises_as_torch(x64):
    check_raises(lambda t: t.zeros(2, dtype=t.int32).fill_(2 ** 40))


class _Unassignable:
    pass


@pytest.mark.parametrize("value", [[1.0], (1, 2, 3), "a", None, {1: 2}, b"x",
                                   _Unassignable()],
                         ids=["list", "tuple", "str", "None", "dict", "bytes", "object"])
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int32", "bool", "complex64"])
def test_setitem_of_a_non_number_raises_torchs_type_error(value, dtype, x64):
    # (a list was "unsupported operand type: list"; None was accepted as NaN by jax.
    # x64: an int32 tensor names IntTensor)
    check_raises(lambda t: _setitem(t.zeros(3, dtype=getattr(t, dtype)), slice(None), value))


def test_setitem_takes_numpy_values_as_tensors():
    # PyTorch-parity note: torch refuses an ndarray there; numpy values are tensors here.
    x = fl.zeros(3)
    x[:2] = np.array([1.5, 2.5])
    x[2] = np.float32(4.0)
    np.testing.assert_array_equal(x.numpy(), [1.5, 2.5, 4.0])
