"""Tensor ops at their edges, against torch 2.13 (findings of a differential sweep):
- a bool tensor times inf/nan or divided by 0 gives nan where it is False (XLA rewrote
  `float(mask) * x` as a select, giving 0);
- i0's gradient is i1 (it was 1 at 0);
- nonzero/argwhere of a 0-d tensor, histc of an empty one, unique_consecutive(dim=0)
  of an empty one work (they raised numpy's or JAX's errors);
- numpy scalars promote as the Python numbers torch's parser makes of them;
- special.ndtr computes half inputs (JAX refuses them), while ndtri, log_ndtr and erfcx
  refuse them with torch's error;
- nextafter has torch's gradient (1 for input, 0 for other)."""

import math
import warnings

import numpy as np
import pytest
import torch

import functorch_like as fl

INF, NAN = math.inf, math.nan


def _values(t):
    return np.asarray(t.detach()).tolist()


def _same(got, want):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64),
                               np.asarray(want, dtype=np.float64), rtol=1e-5, equal_nan=True)


@pytest.mark.parametrize("expr", [
    lambda L, t: t * INF, lambda L, t: t * L.tensor(NAN), lambda L, t: t / 0,
    lambda L, t: t / False, lambda L, t: L.tensor(0.0) / t, lambda L, t: INF * t,
    lambda L, t: L.mul(t, L.tensor([INF, NAN])), lambda L, t: t.div(L.tensor([0.0, 0.0])),
])
def test_bool_factor_times_inf_or_over_zero_gives_nan(expr):
    got = expr(fl, fl.tensor([True, False]))
    want = expr(torch, torch.tensor([True, False]))
    assert str(got.dtype) == str(want.dtype)
    _same(_values(got), _values(want))


def test_bool_mask_product_keeps_grad_and_nan_under_compile():
    mask = fl.tensor([True, False, True])
    x = fl.tensor([1.0, NAN, 2.0], requires_grad=True)

    @fl.compile
    def f(x):
        return mask * x

    out = f(x)
    _same(_values(out), [1.0, NAN, 2.0])          # torch: False * nan is nan
    (mask * x).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]


def test_i0_gradient_is_i1():
    def grads(L):
        x = L.tensor([0.0, 1e-3, -2.0, 3.0], requires_grad=True)
        L.special.i0(x).sum().backward()
        return x.grad.tolist()
    _same(grads(fl), grads(torch))
    assert grads(fl)[0] == 0.0


@pytest.mark.parametrize("value", [3.0, 0.0])
def test_nonzero_and_argwhere_of_a_0d_tensor(value):
    def run(L):
        t = L.tensor(value)
        return [(tuple(r.shape), str(r.dtype), r.tolist()) for r in
                (L.nonzero(t), *L.nonzero(t, as_tuple=True), L.argwhere(t), t.nonzero())]
    assert run(fl) == run(torch)


def test_empty_inputs_of_histc_and_unique_consecutive():
    def run(L):
        e = L.zeros(0)
        out = [L.histc(e, bins=3).tolist(), L.histc(e, bins=2, min=1, max=3).tolist()]
        vals, counts = L.unique_consecutive(e, dim=0, return_counts=True)
        vals2, inv = L.unique_consecutive(L.zeros(0, 3), dim=0, return_inverse=True)
        return out + [vals.tolist(), counts.tolist(), tuple(vals2.shape), inv.tolist()]
    assert run(fl) == run(torch)


_NUMPY_SCALARS = [np.int8(3), np.int64(3), np.uint8(200), np.bool_(True), np.float16(1),
                  np.float32(1.5), np.float64(2.5)]


@pytest.mark.parametrize("scalar", _NUMPY_SCALARS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("dtype", ["bool", "int16", "uint8", "float16"])
def test_numpy_scalars_promote_as_python_numbers(scalar, dtype):
    def run(L):
        t = L.ones(2, dtype=getattr(L, dtype))
        out = [str((t * scalar).dtype), str((scalar * t).dtype), str(L.result_type(t, scalar))]
        if dtype != "bool":
            out.append(str(L.add(t, scalar).dtype))
        return out
    assert run(fl) == run(torch)


def test_numpy_bool_scalar_is_a_float_to_torch():
    for L in (fl, torch):
        with pytest.raises(NotImplementedError):
            L.ones(2, dtype=L.bool) & np.bool_(True)


@pytest.mark.parametrize("name", ["ndtr", "ndtri", "log_ndtr", "erfcx"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_special_functions_on_half_inputs(name, dtype):
    def run(L):
        x = L.tensor([0.25, 0.5], dtype=getattr(L, dtype))
        try:
            r = getattr(L.special, name)(x)
        except NotImplementedError as e:
            return str(e)
        return str(r.dtype), [round(v, 3) for v in r.float().tolist()]
    assert run(fl) == run(torch)


def test_nextafter_gradient():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = L.tensor([3.0, 0.0], requires_grad=True)
        z = L.nextafter(x, y)
        z.sum().backward()
        return z.tolist(), x.grad.tolist(), y.grad.tolist(), type(z.grad_fn).__name__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(fl) == run(torch)
