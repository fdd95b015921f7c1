"""torch.special, torch.linalg and torch.fft inputs where torch refuses or computes
differently from what JAX's functions did, against torch 2.13: complex inputs of
real-only special functions, complex logsumexp, batched tolerances, solve's checks."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_REAL_ONLY = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
              "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
              "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
              "spherical_bessel_j0", "airy_ai", "erfcx", "i0e", "i1", "i1e", "ndtr", "ndtri",
              "log_ndtr", "entr"]


@pytest.mark.parametrize("name", _REAL_ONLY)
def test_real_only_special_functions_refuse_complex_input_as_torch(name):
    # (bessel_j0 gave a real number, bessel_y0 a wrong complex one; others a TypeError)
    check_raises(lambda t: getattr(t.special, name)(t.tensor([1 + 2j])))


@pytest.mark.parametrize("fn", [lambda t, x: t.logsumexp(x, 0),
                                lambda t, x: t.special.logsumexp(x, 0),
                                lambda t, x: x.logsumexp(0)])
def test_logsumexp_of_complex_numbers_as_torch(fn):
    # (the imaginary part was dropped and the real part wrong)
    got, want = (fn(t, t.tensor([1 + 1j, 2 + 0.5j])) for t in (fl, torch))
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_logsumexp_of_complex_numbers_gradient_as_torch(x64):
    grads = []
    for t in (torch, fl):
        b = t.tensor([[1 + 1j, 2j], [float("-inf"), 0.5]], dtype=t.complex128,
                     requires_grad=True)
        r = t.logsumexp(b, 1, keepdim=True)
        (r.real.sum() + 2 * r.imag.sum()).backward()
        grads.append(b.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)


@pytest.mark.parametrize("call", [
    lambda t, A: t.linalg.matrix_rank(A, atol=t.tensor([0.0, 4.0])),
    lambda t, A: t.linalg.matrix_rank(A, rtol=t.tensor([[0.5], [0.1]])),
    lambda t, A: t.linalg.matrix_rank(A, tol=t.tensor([0.0, 4.0])),
    lambda t, A: t.linalg.pinv(A, rtol=t.tensor([0.0, 0.5])),
    lambda t, A: t.linalg.pinv(A, atol=t.tensor([4.0, 1.0])),
    lambda t, A: t.linalg.pinv(A, atol=2.0)])
def test_tolerances_one_per_matrix_as_torch(call):
    # (a tensor of tolerances raised: its truth value, or a conversion to a number)
    got, want = (call(t, t.stack([t.eye(2), 3 * t.eye(2)])) for t in (fl, torch))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda t: t.linalg.matrix_norm(t.ones(2, 2).half(), 2),
    lambda t: t.linalg.matrix_norm(t.ones(2, 2).bfloat16(), "nuc"),
    lambda t: t.linalg.norm(t.ones(2, 2).half(), -2),
    lambda t: t.linalg.eigh(t.ones(2, 2, dtype=t.int64)),
    lambda t: t.linalg.eigvalsh(t.ones(2, 2, dtype=t.int64)),
    lambda t: t.linalg.matrix_rank(t.ones(4, 3), hermitian=True),
    lambda t: t.linalg.solve(t.eye(2), t.ones(2).half()),
    lambda t: t.linalg.solve(t.eye(2), t.ones(2, dtype=t.complex64)),
    lambda t: t.linalg.solve(t.eye(3), t.ones(3), left=False),
    lambda t: t.linalg.solve_ex(t.eye(2), t.ones(2, dtype=t.int64)),
    lambda t: t.fft.fft(np.float32(1.0)),
    lambda t: t.fft.rfft2(1.0),
    lambda t: t.fft.fftshift([1.0])])
def test_refusals_as_torch(call):
    check_raises(call)


def test_matrix_exp_of_half_matrices_is_the_float32_result_rounded():
    # (JAX refused half types; torch 2.13's CPU half kernel is far off, so the reference
    # is the float32 exponential)
    a = np.array([[0.1, 0.2], [0.3, -0.1]], np.float32)
    want = torch.matrix_exp(torch.tensor(a)).numpy()
    for dtype in (fl.float16, fl.bfloat16):
        got = fl.matrix_exp(fl.tensor(a).to(dtype))
        assert got.dtype == dtype
        np.testing.assert_allclose(got.float().numpy(), want, rtol=1e-2)
