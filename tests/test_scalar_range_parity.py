"""A Python number written into an integer tensor raises where it does not fit, as torch's
checked conversion does (before: it wrapped, 300 into uint8 was 44); arithmetic wraps in
both."""

import jax
import pytest
import torch as real

import functorch_like as torch


def _cases(lib):
    return {
        "full": lambda: lib.full((2,), 300, dtype=lib.uint8),
        "index assignment": lambda: lib.zeros(2, dtype=lib.uint8).__setitem__(0, 300),
        "masked_fill": lambda: lib.tensor([1], dtype=lib.uint8).masked_fill(
            lib.tensor([True]), 300),
        "fill_": lambda: lib.tensor([1], dtype=lib.int8).fill_(200),
        "where": lambda: lib.where(lib.tensor([True]), lib.tensor([1], dtype=lib.uint8), 300),
        "clamp": lambda: lib.tensor([1], dtype=lib.uint8).clamp(max=300),
        "index_fill": lambda: lib.zeros(3, dtype=lib.int16).index_fill(0, lib.tensor([1]),
                                                                       -40000),
        "float above the max": lambda: lib.tensor([1], dtype=lib.uint8).fill_(255.7),
        "nan": lambda: lib.full((1,), float("nan"), dtype=lib.uint8),
        "int16": lambda: lib.full((1,), 40000, dtype=lib.int16),
        # (fits: c10 lets a negative number down to -max wrap into an unsigned type)
        "-1 into uint8": lambda: lib.full((2,), -1, dtype=lib.uint8),
        "-255 into uint8": lambda: lib.full((2,), -255, dtype=lib.uint8),
        "2.5 into uint8": lambda: lib.full((1,), 2.5, dtype=lib.uint8),
        "arithmetic wraps": lambda: lib.tensor([1], dtype=lib.uint8) + 300,
        "in-place arithmetic wraps": lambda: lib.zeros(2, dtype=lib.int16).add_(40000),
        "scalars alone": lambda: lib.where(lib.tensor([True]), 300, 5),
    }


def _outcome(fn):
    try:
        result = fn()
    except Exception as err:                            # noqa: BLE001 (compared below)
        return type(err).__name__, str(err)
    return "ok", None if result is None else result.tolist()


@pytest.mark.parametrize("name", list(_cases(real)))
def test_numbers_written_into_integer_tensors_as_torch(name):
    assert _outcome(_cases(torch)[name]) == _outcome(_cases(real)[name])


@pytest.mark.parametrize("name", list(_cases(real)))
def test_the_same_where_ops_run_unjitted(name, monkeypatch):
    """Past the limit of jitted variants of one op (_tensor._MAX_VARIANTS, reached in a
    long session) ops run unjitted: the numbers and errors are the same. (`add_(40000)` on
    int16 raised OverflowError there, where jitted it wraps as torch's.)"""
    import functorch_like._tensor as tensor_module
    monkeypatch.setattr(tensor_module, "_op_programs", {})
    monkeypatch.setattr(tensor_module, "_MAX_VARIANTS", 0)
    assert _outcome(_cases(torch)[name]) == _outcome(_cases(real)[name])


def test_an_int64_beyond_32_bits_raises_while_x64_is_off():
    assert not jax.config.jax_enable_x64
    with pytest.raises(RuntimeError, match="64-bit integers need JAX's x64 mode"):
        torch.tensor([1]).fill_(2 ** 40)
