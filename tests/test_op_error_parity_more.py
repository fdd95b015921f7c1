"""Differential tests against torch 2.13 for error and edge-case parity of tensor ops:
Tensor-only arguments of binary functions, the order of in-place checks (broadcast, then
dtype, then kernel), int `dim` arguments, prod's gradient with inf, indexing errors and
the grad_fn of basic indexing."""

import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of


def outcome(fn, lib):
    """What `fn(lib)` gives: its error as (type, message), or its value as a list with the
    dtype's name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(lib)
        except Exception as e:                 # noqa: BLE001 (the type is what we compare)
            return type(e).__name__, str(e)
    if hasattr(out, "detach"):
        return str(out.dtype).split(".")[-1], np.asarray(out.detach().numpy()).tolist()
    return out


def same_as_torch(fn):
    """Asserts torch and functorch_like give the same error or value for `fn(lib)`."""
    want, got = outcome(fn, torch), outcome(fn, fl)
    if isinstance(want, tuple) and isinstance(want[1], list) and isinstance(got, tuple):
        assert got[0] == want[0]
        np.testing.assert_allclose(np.asarray(got[1], dtype=float),
                                   np.asarray(want[1], dtype=float), rtol=1e-6)
    else:
        assert got == want


# ---- binary functions whose `other` (or `input`) must be a Tensor ------------------------

TENSOR_ONLY = """atan2 arctan2 hypot maximum minimum fmax fmin nextafter ldexp logaddexp
    logaddexp2 logical_and logical_or logical_xor gcd lcm igamma igammac dist cross kron
    inner vdot matmul equal isclose allclose heaviside outer dot mm polar complex""".split()
TENSOR_INPUT = """eq ne lt le gt ge greater less greater_equal less_equal not_equal fmod
    copysign clamp_min clamp_max""".split()


@pytest.mark.parametrize("scalar", [2, 1.5, True, np.float64(2.0), None, "a"], ids=repr)
@pytest.mark.parametrize("name", TENSOR_ONLY)
def test_tensor_only_binary_functions_refuse_a_scalar(name, scalar):
    # torch.maximum(t, 2) returned a result; torch's parser raises TypeError.
    def t(lib):
        return lib.tensor([1.0, 2.0])
    same_as_torch(lambda lib: getattr(lib, name)(t(lib), scalar))
    same_as_torch(lambda lib: getattr(lib, name)(scalar, t(lib)))
    if hasattr(torch.Tensor, name):
        same_as_torch(lambda lib: getattr(t(lib), name)(scalar))


@pytest.mark.parametrize("name", ["atan2_", "hypot_", "ldexp_", "nextafter_", "gcd_",
                                  "lcm_", "logical_and_", "logical_xor_", "heaviside_"])
def test_tensor_only_inplace_methods_refuse_a_scalar(name):
    same_as_torch(lambda lib: getattr(lib.tensor([1, 2]), name)(2))


def test_tensor_only_keyword_argument_is_named_without_position():
    same_as_torch(lambda lib: lib.maximum(lib.tensor([1.0]), other=2))
    same_as_torch(lambda lib: lib.tensor([1.0]).maximum(other=2.5))
    same_as_torch(lambda lib: lib.gcd_(lib.tensor([4]), 2))


@pytest.mark.parametrize("name", TENSOR_INPUT)
def test_scalar_input_of_tensor_or_number_functions_is_an_invalid_combination(name):
    # torch.eq(2, t) returned a result; torch accepts a Number only as `other`.
    same_as_torch(lambda lib: getattr(lib, name)(2, lib.tensor([1.0, 2.0])))
    same_as_torch(lambda lib: getattr(lib, name)(np.float64(2), lib.tensor([1.0])))
    same_as_torch(lambda lib: getattr(lib, name)(lib.tensor([1.0, 2.0]), 2))


def test_invalid_combination_lists_keyword_types_like_torch():
    same_as_torch(lambda lib: lib.eq(2, other=lib.tensor([1.0])))
    same_as_torch(lambda lib: lib.eq(2, lib.tensor([1.0]), out=lib.tensor([True])))
