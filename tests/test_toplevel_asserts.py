"""torch._assert, _assert_async and the _check family against PyTorch: the same
exception type and message for each condition, and nothing raised where torch raises
nothing."""

import pytest
import torch

import functorch_like as ft
from functorch_like._trace_state import UntraceableError


def _outcome(lib, call):
    try:
        call(lib)
    except Exception as e:          # noqa: BLE001 (the outcome compared is any exception)
        return type(e).__name__, str(e)
    return None


CASES = {
    "assert_true_tensor": lambda t: t._assert(t.tensor(True), "m"),
    "assert_false_tensor": lambda t: t._assert(t.tensor(False), "m"),
    "assert_false_bool": lambda t: t._assert(False, "plain"),
    "assert_int": lambda t: t._assert(1, "m"),
    "assert_two_elements": lambda t: t._assert(t.tensor([True, False]), "m"),
    "async_zero": lambda t: t._assert_async(t.tensor(0)),
    "async_zero_message": lambda t: t._assert_async(t.tensor(0), "custom"),
    "async_nan": lambda t: t._assert_async(t.tensor(float("nan"))),
    "async_one": lambda t: t._assert_async(t.tensor(1.5)),
    "async_two": lambda t: t._assert_async(t.tensor([1, 2])),
    "async_empty": lambda t: t._assert_async(t.tensor([])),
    "check_false": lambda t: t._check(False),
    "check_true": lambda t: t._check(True),
    "check_message": lambda t: t._check(False, lambda: "boom"),
    "check_string_message": lambda t: t._check(False, "str"),
    "check_tensor": lambda t: t._check(t.tensor(True)),
    "check_int": lambda t: t._check(1),
    "check_index": lambda t: t._check_index(False, lambda: "idx"),
    "check_value": lambda t: t._check_value(False),
    "check_type": lambda t: t._check_type(False),
    "check_not_implemented": lambda t: t._check_not_implemented(False),
    "check_with_value_error": lambda t: t._check_with(ValueError, False, lambda: "x"),
    "check_with_int": lambda t: t._check_with(int, False, lambda: "x"),
    "check_with_warning": lambda t: t._check_with(UserWarning, False, lambda: "x"),
    "check_with_true": lambda t: t._check_with(int, True, lambda: "x"),
    "tensor_all_false": lambda t: t._check_tensor_all(t.tensor([True, False])),
    "tensor_all_true": lambda t: t._check_tensor_all(t.tensor([True, True])),
    "tensor_all_int": lambda t: t._check_tensor_all(t.tensor([1, 1])),
    "tensor_all_bool": lambda t: t._check_tensor_all(True),
    "tensor_all_message": lambda t: t._check_tensor_all(t.tensor([False]), lambda: "all"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_outcome_as_torch(name):
    call = CASES[name]
    assert _outcome(ft, call) == _outcome(torch, call)


def test_assert_under_compile():
    """A Python-bool check (a shape test, as torchvision writes them) passes through the
    trace; a condition on traced values is refused with the untraceable-Python error."""
    @ft.compile
    def shape_checked(x):
        ft._assert(x.shape[1] == 3, "needs 3 channels")
        return x * 2

    assert shape_checked(ft.ones(2, 3)).tolist() == [[2.0] * 3] * 2

    @ft.compile
    def value_checked(x):
        ft._assert(x.sum() > 0, "negative")
        return x * 2

    with pytest.raises(UntraceableError, match=r"bool\(tensor\)"):
        value_checked(ft.ones(3))
