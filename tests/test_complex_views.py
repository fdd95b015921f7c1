"""real, imag, conj (and so mH/adjoint), view_as_real and view_as_complex are views, as
torch's: an in-place op on one writes into its base (before, the write was dropped and
the base kept its old values), the base's changes show in them, `x.real = ...` and
`x.imag = ...` assign into the parts (AttributeError before), and gradients flow through
such writes."""

import pytest
import torch


import functorch_like as fl

WRITES = {
    "real mul_": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]), lambda x: x.real.mul_(2)),
    "imag add_": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]), lambda x: x.imag.add_(1)),
    "real setitem": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]),
                                  lambda x: x.real.__setitem__(0, 7)),
    "view_as_real mul_": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]),
                                       lambda x: T.view_as_real(x).mul_(2)),
    "view_as_real setitem": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]),
                                          lambda x: T.view_as_real(x).__setitem__((0, 1), 9)),
    "view_as_complex mul_": lambda T: _do(T.ones(2, 2),
                                          lambda y: T.view_as_complex(y).mul_(1j)),
    "mH mul_": lambda T: _do(T.tensor([[1 + 1j, 2], [3, 4j]]), lambda x: x.mH.mul_(2)),
    "conj setitem": lambda T: _do(T.tensor([[1 + 1j, 2], [3, 4j]]),
                                  lambda x: x.conj().__setitem__((0, 0), 5j)),
    "conj iadd": lambda T: _do(T.tensor([[1 + 1j, 2], [3, 4j]]), lambda x: _iadd(x.conj())),
    "adjoint fill_": lambda T: _do(T.tensor([[1 + 1j, 2], [3, 4j]]),
                                   lambda x: x.adjoint()[0, 1].fill_(5)),
    "real setter": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]),
                                 lambda x: setattr(x, "real", T.zeros(2))),
    "imag setter number": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]),
                                        lambda x: setattr(x, "imag", 3.0)),
    "real augmented": lambda T: _do(T.tensor([1 + 2j, 3 - 1j]), _real_plus_one),
    "real setter on a real tensor": lambda T: _do(T.tensor([1.0, 2.0]),
                                                  lambda x: setattr(x, "real",
                                                                    T.tensor([5.0, 6.0]))),
}


def _do(x, write):
    write(x)
    return x.tolist()


def _iadd(y):
    y += 1j


def _real_plus_one(x):
    x.real += 1


@pytest.mark.parametrize("name", WRITES)
def test_write_through_a_complex_view(name):
    assert WRITES[name](fl) == WRITES[name](torch)


def test_the_base_changing_shows_in_its_views():
    for lib in (torch, fl):
        x = lib.tensor([1 + 2j, 3 - 1j])
        r, v = x.real, lib.view_as_real(x)
        x.mul_(2)
        assert r.tolist() == [2.0, 6.0] and v.tolist() == [[2.0, 4.0], [6.0, -2.0]]


def test_gradients_through_writes_into_parts():
    grads = []
    for lib in (torch, fl):
        w = lib.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        z = w * 1
        z.real.mul_(3)
        (z.abs() ** 2).sum().backward()
        v = lib.tensor([1.0, 2.0], requires_grad=True)
        c = lib.complex(v, v * 0)
        c.imag.copy_(v * 2)
        (c.abs() ** 2).sum().backward()
        grads.append((w.grad.tolist(), v.grad.tolist()))
    assert grads[1] == grads[0]


def test_imag_setter_of_a_real_tensor_raises():
    for lib in (torch, fl):
        with pytest.raises(RuntimeError, match="imag is not implemented for tensors with "
                                               "non-complex dtypes"):
            lib.ones(2).imag = 1.0
