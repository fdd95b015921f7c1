"""torch.func with complex tensors, as torch: grad/grad_and_value/vjp give PyTorch's
complex gradient (the conjugate of JAX's, as `.backward()` here does), and the Jacobians
(jacrev, jacfwd, hessian) refuse complex inputs and outputs with torch's error."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises


def _z(lib):
    return lib.tensor([1 + 2j, 3 - 1j])


def _x(lib):
    return lib.tensor([1.0, 2.0])


def _ct(lib):
    return lib.tensor([1 + 1j, 2 - 1j])


VALUES = {
    "grad_imag": lambda lib: lib.func.grad(lambda z: z.imag.sum())(_z(lib)),
    "grad_abs2": lambda lib: lib.func.grad(lambda z: (z.abs() ** 2).sum())(_z(lib)),
    "grad_and_value": lambda lib: lib.func.grad_and_value(
        lambda z: (z.abs() ** 2).sum())(_z(lib))[0],
    "vjp_real_out": lambda lib: lib.func.vjp(lambda z: z.imag.sum(), _z(lib))[1](
        lib.tensor(1.0))[0],
    "vjp_complex_out_real_in": lambda lib: lib.func.vjp(lambda x: x * (1 + 2j), _x(lib))[1](
        _ct(lib))[0],
    "vjp_complex_in_out": lambda lib: lib.func.vjp(lambda z: z * (1 + 2j), _z(lib))[1](
        _ct(lib))[0],
    "vmap_grad": lambda lib: lib.func.vmap(lib.func.grad(lambda z: (z * z).real.sum()))(
        _z(lib).unsqueeze(1)),
    "recorded_grad": lambda lib: _recorded(lib),
}


def _recorded(lib):
    # (an input that requires grad: the gradient is part of the eager graph)
    w = lib.tensor([0.5 - 1j, 2 + 0.5j], requires_grad=True)
    g = lib.func.grad(lambda z: (z * w).real.sum())(_z(lib))
    (g.real.sum() + g.imag.sum()).backward()
    return lib.stack([g, w.grad])


@pytest.mark.parametrize("case", sorted(VALUES))
def test_complex_gradients_match_torch(case):
    want = VALUES[case](torch)
    got = VALUES[case](fl)
    assert torch.allclose(torch.tensor(got.tolist()), want.detach(), atol=1e-6), (got, want)


REFUSED = {
    "jacrev_input": lambda lib: lib.func.jacrev(lambda z: z.imag)(_z(lib)),
    "jacfwd_input": lambda lib: lib.func.jacfwd(lambda z: z.imag)(_z(lib)),
    "jacrev_output": lambda lib: lib.func.jacrev(lambda x: x * (1 + 1j))(_x(lib)),
    "jacfwd_output": lambda lib: lib.func.jacfwd(lambda x: x * (1 + 1j))(_x(lib)),
    "hessian_input": lambda lib: lib.func.hessian(lambda z: (z.abs() ** 2).sum())(_z(lib)),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_jacobians_refuse_complex_as_torch(case):
    err, _ = check_raises(REFUSED[case])
    assert isinstance(err, RuntimeError) and "Expected all" in str(err)


def test_real_jacobians_are_unchanged():
    x = [1.0, 2.0]
    got = fl.func.hessian(lambda v: (v ** 3).sum())(fl.tensor(x))
    want = torch.func.hessian(lambda v: (v ** 3).sum())(torch.tensor(x))
    assert got.tolist() == want.tolist()
