"""Arithmetic whose rounding follows torch's CPU kernels, against torch 2.13 bit for bit:
integer division toward zero is exact (it went through float32), half and bfloat16
products and quotients with a Python float keep the scalar in float32 (1e5 became inf in
half, and 0 * inf NaN), add/sub round the scalar and alpha to half and the sum once,
`number / tensor` is `reciprocal(tensor) * number`, and float division with a rounding
mode divides exactly (XLA's multiply-by-reciprocal moved quotients to the next integer)."""

import numpy as np
import pytest
import torch

import functorch_like as ft


def _same(t, f):
    t, f = t.float().numpy() if t.is_floating_point() else t.numpy(), np.asarray(
        f.float().numpy() if f.is_floating_point() else f.numpy())
    return np.array_equal(t, f, equal_nan=True)


def test_integer_trunc_division_is_exact():
    for lib in (torch, ft):
        a = lib.tensor([123456789, 2 ** 30 + 1, 16777217, -7, 7])
        out = lib.div(a, lib.tensor([10, 1, 1, 2, -2]), rounding_mode="trunc")
        assert out.tolist() == [12345678, 2 ** 30 + 1, 16777217, -3, -3]
        wrapped = lib.div(-3, lib.tensor([2, 4], dtype=lib.uint8), rounding_mode="trunc")
        assert wrapped.tolist() == [126, 63]          # (-3 wraps to 253 in uint8 first)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", [
    lambda L, x: x * 0.1, lambda L, x: x * 1e5, lambda L, x: x / 3, lambda L, x: 3 / x,
    lambda L, x: x + 0.3, lambda L, x: x - 1e-3, lambda L, x: L.add(x, x, alpha=0.3),
    lambda L, x: L.sub(x, x.flip(0), alpha=0.7), lambda L, x: x * L.tensor(0.1),
    lambda L, x: x * x.flip(0), lambda L, x: x / x.flip(0),
    lambda L, x: L.div(x, 0.3, rounding_mode="trunc"),
    lambda L, x: L.div(x, 0.3, rounding_mode="floor"),
])
def test_half_arithmetic_with_scalars_as_torch(dtype, op):
    # (a multiple of torch's vector width: its scalar loop over a remainder rounds
    # add/sub's alpha * other to half first, its vectorized loop does not)
    x = (np.random.default_rng(0).standard_normal(4096) * 3).astype(np.float32)
    x[:3] = [0.0, 0.640625, -0.13208]
    t = torch.tensor(x).to(getattr(torch, dtype))
    f = ft.tensor(t.float().numpy()).to(getattr(ft, dtype))
    assert _same(op(torch, t), op(ft, f))


def test_zero_times_a_large_scalar_in_half_is_zero():
    h = ft.tensor([0.0, 0.640625], dtype=ft.float16)
    assert (h * 1e5).tolist() == [0.0, 64064.0]


@pytest.mark.parametrize("divisor", [0.3, 0.7, 3.0, 0.1])
@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_float_division_with_a_rounding_mode_is_exact(divisor, mode):
    x = (np.random.default_rng(1).standard_normal(20000) * 5).astype(np.float32)
    assert _same(torch.div(torch.tensor(x), divisor, rounding_mode=mode),
                 ft.div(ft.tensor(x), divisor, rounding_mode=mode))
    assert _same(torch.tensor(x) // divisor, ft.tensor(x) // divisor)


def test_number_over_tensor_is_reciprocal_times_number():
    x = (np.random.default_rng(2).standard_normal(5000) * 3).astype(np.float32)
    assert _same(3 / torch.tensor(x), 3 / ft.tensor(x))
    for lib in (torch, ft):
        y = 3 / lib.tensor([3.0, 7.0], requires_grad=True)
        assert type(y.grad_fn).__name__ == "MulBackward0"
        assert (1 / lib.tensor([2, 4])).dtype == lib.float32


@pytest.mark.parametrize("op", [
    lambda L, x: x * 2 ** 40, lambda L, x: x + 10 ** 10, lambda L, x: x < 2 ** 40,
    lambda L, x: x.clamp(min=-2 ** 40, max=2 ** 41), lambda L, x: L.where(x > 0, x, 2 ** 40),
    lambda L, x: x.masked_fill(x > 0, 2 ** 40), lambda L, x: x.clone().fill_(2 ** 40),
    lambda L, x: x.bfloat16() * 2 ** 40, lambda L, x: L.ones(2, dtype=L.int32) / 2 ** 40,
])
def test_python_ints_beyond_int32_with_floating_tensors(op):
    """(JAX's OverflowError: a Python int beyond int32 could not enter a program without
    x64, where torch computes with it as a float)"""
    assert _same(op(torch, torch.tensor([1.0, -2.0])), op(ft, ft.tensor([1.0, -2.0])))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", [
    lambda L, x: L.exp2(x), lambda L, x: L.expm1(x), lambda L, x: L.log2(x.abs() + 0.01),
    lambda L, x: L.log10(x.abs() + 0.01), lambda L, x: L.sigmoid(x), lambda L, x: L.asinh(x),
    lambda L, x: L.sinc(x), lambda L, x: L.softmax(x, 0), lambda L, x: L.nn.functional.silu(x),
    lambda L, x: L.nn.functional.elu(x), lambda L, x: L.nn.functional.softplus(x),
    lambda L, x: L.nn.functional.mish(x), lambda L, x: L.nn.functional.hardswish(x),
    lambda L, x: L.nn.functional.leaky_relu(x, 0.1),
])
def test_half_unary_ops_in_float32_as_torch(dtype, op):
    """(computed in half, a third to a half of the values were an ulp or more off torch's,
    which computes them in float32 and rounds once)"""
    x = (np.random.default_rng(0).standard_normal(4096) * 2).astype(np.float32)
    t = torch.tensor(x).to(getattr(torch, dtype))
    f = ft.tensor(t.float().numpy()).to(getattr(ft, dtype))
    assert _same(op(torch, t), op(ft, f))
