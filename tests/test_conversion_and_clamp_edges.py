"""Edges found by a probe of type promotion: complex to bool, clamp with a NaN bound where
the other bound clips, renorm of an integer tensor."""

import warnings

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import same_as_torch

_NAN = float("nan")


@pytest.mark.parametrize("convert", [lambda t, lib: t.to(lib.bool), lambda t, lib: t.bool(),
                                     lambda t, lib: t.type(lib.bool)])
def test_complex_to_bool_is_nonzero_as_torchs(convert):
    def call(lib):
        t = lib.tensor([1j, 0j, 1 + 0j, complex(_NAN, 0), complex(0, -0.0)])
        return convert(t, lib)
    same_as_torch(call)
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # (torch does not warn of a discarded part)
        call(fl)


@pytest.mark.parametrize("bounds", [dict(min=_NAN, max=0.5), dict(min=0.2, max=_NAN),
                                    dict(min=_NAN, max=_NAN), dict(min=0.7, max=0.2)])
def test_a_nan_bound_makes_every_value_nan_as_torchs(bounds):
    same_as_torch(lambda lib: lib.clamp(lib.tensor([0.0, 1.0, _NAN]), **bounds))
    same_as_torch(lambda lib: lib.tensor([0.0, 1.0, _NAN]).clamp(
        **{k: lib.tensor([v, v, v]) for k, v in bounds.items()}))


def test_clamp_gradients_with_tensor_bounds_are_torchs():
    def call(lib):
        x = lib.tensor([0.0, 0.5, 1.0], requires_grad=True)
        lo = lib.tensor([0.2, 0.2, 0.2], requires_grad=True)
        hi = lib.tensor([0.8, 0.8, 0.8], requires_grad=True)
        lib.clamp(x, lo, hi).sum().backward()
        return x.grad, lo.grad, hi.grad
    same_as_torch(call)


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8"])
def test_renorm_of_an_integer_tensor_raises_as_torchs(dtype):
    same_as_torch(lambda lib: lib.renorm(lib.tensor([[3, 4]]).to(getattr(lib, dtype)),
                                         2, 0, 1))


def test_a_bool_tensor_is_an_index_as_torchs():
    import operator
    for lib in (fl, torch):
        assert [10, 20][lib.tensor(True)] == 20
        assert operator.index(lib.tensor([False])) == 0
    same_as_torch(lambda lib: lib.arange(5)[lib.tensor(True)])


@pytest.mark.parametrize("other", [[True, True], [[1, 2]]])
def test_kron_of_bool_tensors_as_torchs(other):
    same_as_torch(lambda lib: lib.kron(lib.tensor([True, False]), lib.tensor(other)))


def test_square_of_bool_is_torchs_default_integer(x64):
    same_as_torch(lambda lib: lib.square(lib.tensor([True, False])))
    same_as_torch(lambda lib: lib.square(lib.tensor([2, 3], dtype=lib.int8)))


_BIG_INT_CASES = {
    "int8 + 2**40": lambda L: L.tensor([1], dtype=L.int8) + 2**40,
    "int8 + (2**40 + 3)": lambda L: L.tensor([1], dtype=L.int8) + (2**40 + 3),
    "int8 * (2**33 + 5)": lambda L: L.tensor([1], dtype=L.int8) * (2**33 + 5),
    "uint8 - (2**35 + 7)": lambda L: L.tensor([1], dtype=L.uint8) - (2**35 + 7),
    "float32 + 2**40": lambda L: L.tensor([1.5]) + 2**40,
    "float32 * 2**50": lambda L: L.tensor([1.5]) * 2**50,
    "int16 < 2**40 + 1": lambda L: L.tensor([1], dtype=L.int16) < 2**40 + 1,
}


@pytest.mark.parametrize("name", list(_BIG_INT_CASES))
def test_python_ints_beyond_32_bits_in_arithmetic_as_torchs(name):
    # (JAX refused them with its own OverflowError while x64 is off)
    same_as_torch(_BIG_INT_CASES[name])


def test_an_int64_kept_in_32_bits_names_the_x64_mode():
    import jax
    with jax.enable_x64(False), pytest.raises(RuntimeError,
                                              match="64-bit integers need JAX's x64 mode"):
        fl.tensor([1, 2]) * 2654435761


_COMPLEX_REFUSED = {
    "hypot": lambda L, c: L.hypot(c, c),
    "copysign": lambda L, c: L.copysign(c, -1),
    "atan2": lambda L, c: L.atan2(c, c),
    "xlogy": lambda L, c: L.xlogy(c, c),
    "xlogy of a real and a complex": lambda L, c: L.xlogy(L.tensor([1.0, 2.0]), c),
    "nansum": lambda L, c: L.nansum(c),
    "nanmean": lambda L, c: L.nanmean(c),
}


@pytest.mark.parametrize("name", list(_COMPLEX_REFUSED))
def test_real_only_kernels_refuse_complex_inputs_as_torchs(name):
    # (JAX computed atan2, xlogy, nansum and nanmean of complex numbers, and raised its own
    # ValueError for hypot and copysign)
    same_as_torch(lambda lib: _COMPLEX_REFUSED[name](lib, lib.tensor([1 + 1j, 2 - 1j])))


_FLOAT_OVERFLOW = {
    "setitem": lambda L: L.zeros(2).__setitem__(0, 1e40),
    "masked_fill": lambda L: L.zeros(2).masked_fill(L.tensor([True, False]), 1e40),
    "where": lambda L: L.where(L.tensor([True, False]), L.zeros(2), -1e40),
    "index_fill": lambda L: L.zeros(2).index_fill(0, L.tensor([0]), 1e40),
    "full": lambda L: L.full((1,), -1e40),
    "fill_": lambda L: L.zeros(1).fill_(1e40),
    "clamp": lambda L: L.clamp(L.zeros(1), max=1e40),
    "float16 full of a float32 number (inf)": lambda L: L.full((1,), 1e5, dtype=L.float16),
    "float32 full of inf": lambda L: L.full((1,), float("inf")),
    "float32 arithmetic (inf)": lambda L: L.zeros(2) + 1e40,
}


@pytest.mark.parametrize("name", list(_FLOAT_OVERFLOW))
def test_a_number_beyond_float32_written_into_float32_raises_as_torchs(name):
    # (it became inf silently where torch's checked conversion raises)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_as_torch(_FLOAT_OVERFLOW[name])
