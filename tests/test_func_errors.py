"""torch.func's errors for common mistakes, as torch's RuntimeErrors (before: JAX's
TypeErrors and ValueErrors, which `except RuntimeError` does not catch)."""

import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import error_of

CASES = {
    "grad of a non-scalar": lambda T, x: T.func.grad(lambda v: v * 2)(x),
    "grad_and_value of a non-scalar": lambda T, x: T.func.grad_and_value(lambda v: v)(x),
    "has_aux without a pair": lambda T, x: T.func.grad(lambda v: v.sum(), has_aux=True)(x),
    "has_aux with a triple": lambda T, x: T.func.grad(lambda v: (v.sum(), 1, 2),
                                                      has_aux=True)(x),
    "empty argnums": lambda T, x: T.func.grad(lambda v: v.sum(), argnums=())(x),
    "argnums out of range": lambda T, x: T.func.grad(lambda v: v.sum(), argnums=3)(x),
    "integer input": lambda T, x: T.func.grad(lambda v: v.sum())(x.long()),
    "vmap over .item()": lambda T, x: T.func.vmap(lambda v: v.item())(x),
    "vmap over float()": lambda T, x: T.func.vmap(lambda v: float(v))(x),
    "vmap over int()": lambda T, x: T.func.vmap(lambda v: int(v))(x),
    "vmap over an if": lambda T, x: T.func.vmap(lambda v: v if v > 0 else -v)(x),
    # (these returned a result: zeros, the number, a raw float0 array, a random Jacobian)
    "grad of a number": lambda T, x: T.func.grad(lambda v: 3.0)(x),
    "grad_and_value of a number": lambda T, x: T.func.grad_and_value(lambda v: 3.0)(x),
    "grad of a complex scalar": lambda T, x: T.func.grad(lambda v: (v * 1j).sum())(x),
    "grad with a number aux": lambda T, x: T.func.grad(lambda v: (v.sum(), 3),
                                                       has_aux=True)(x),
    "jvp of a number": lambda T, x: T.func.jvp(lambda v: 3.0, (x,), (x,)),
    "vjp of a number": lambda T, x: T.func.vjp(lambda v: 3.0, x),
    "vjp of an integer primal": lambda T, x: T.func.vjp(lambda v: v * 2, x.long()),
    "jacfwd of a random op": lambda T, x: T.func.jacfwd(lambda v: v * T.rand(3))(x),
    "jacfwd's randomness": lambda T, x: T.func.jacfwd(lambda v: v, randomness="foo")(x),
    "jacobian of a complex output": lambda T, x: T.autograd.functional.jacobian(
        lambda v: v * 1j, x),
    "hessian of a complex function": lambda T, x: T.autograd.functional.hessian(
        lambda v: (v * v).sum(), x.to(T.complex64)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error_as_torch(name):
    t = error_of(lambda: CASES[name](torch, torch.ones(3)))
    f = error_of(lambda: CASES[name](fl, fl.ones(3)))
    assert t is not None and f == t


def test_valid_calls_still_work():
    x = fl.tensor([1.0, 2.0])
    assert fl.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, x)[1].tolist() == [
        1.0, 2.0]
    assert fl.func.grad(lambda v: (v.sum(), v), has_aux=True)(x)[1].tolist() == [1.0, 2.0]
    assert fl.func.vmap(lambda v: v * 2)(x).tolist() == [2.0, 4.0]
    # jacfwd(randomness='same'): one draw for every column
    j = fl.func.jacfwd(lambda v: v * fl.rand(2), randomness="same")(x)
    assert (j == fl.diag(fl.diagonal(j))).all()
    assert fl.func.grad(lambda v: (v.sum(), {"a": v * 2}), has_aux=True)(x)[1]["a"].tolist() \
        == [2.0, 4.0]
