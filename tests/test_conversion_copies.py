"""Conversions and transposes that torch answers with a new tensor.

`x.double()` of a float32 tensor and `x.int()` of an int64 one are copies in torch; with
JAX's x64 mode off they are stored alike here, and they used to return x itself, so a
write to the "copy" changed x. `t()` of a 0-d or 1-d tensor is a view in torch (grad_fn
TBackward0), not the tensor itself.
"""

import numpy as np
import pytest
import torch as real

import functorch_like as torch


@pytest.mark.parametrize("convert", ["double", "int", "to float64", "to int32"])
def test_a_conversion_to_another_dtype_name_is_a_copy(convert):
    results = []
    for lib in (real, torch):
        x = lib.arange(4.) if convert in ("double", "to float64") else lib.arange(4)
        y = {"double": lambda: x.double(), "int": lambda: x.int(),
             "to float64": lambda: x.to(lib.float64),
             "to int32": lambda: x.to(dtype=lib.int32)}[convert]()
        y[0] = 100
        results.append((x.tolist(), y.tolist(), y is x))
    assert results[1] == results[0]


@pytest.mark.parametrize("convert", ["float", "long"])
def test_a_conversion_to_the_same_dtype_is_the_tensor_itself(convert):
    for lib in (real, torch):
        x = lib.arange(4.) if convert == "float" else lib.arange(4)
        assert getattr(x, convert)() is x


@pytest.mark.parametrize("shape", [(), (3,)])
def test_t_of_a_0d_or_1d_tensor_is_a_view(shape):
    got = []
    for lib in (real, torch):
        w = lib.ones(shape).requires_grad_()
        v = w.t()
        with lib.no_grad():
            x = lib.zeros(shape)
            x.t().add_(1)                   # a view: the write reaches x
        (v * 2).sum().backward()
        got.append((v is w, type(v.grad_fn).__name__, v.is_leaf, x.tolist(),
                    np.asarray(w.grad).tolist()))
    assert got[1] == got[0]
