"""Complex helpers against torch: real/imag, angle, conj and its flag, view_as_real/
complex, complex(), polar and abs of complex tensors; values, dtypes, grad_fn names,
gradients (PyTorch's conjugate convention for complex leaves) and errors."""

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

RNG = np.random.default_rng(1)
C = (RNG.standard_normal(4) + 1j * RNG.standard_normal(4)).astype(np.complex64)
C[3] = 0          # abs and angle have PyTorch's zero gradient at 0
R = RNG.standard_normal(4).astype(np.float32)


def _loss(y):
    return (y.abs().sin().sum() + y.real.sum()) if y.is_complex() else y.sin().sum()


CASES = {
    "real": (lambda L, x: x.real, [C]),
    "imag": (lambda L, x: L.imag(x), [C]),
    "angle": (lambda L, x: x.angle(), [C]),
    "angle_real": (lambda L, x: L.angle(x), [R]),
    "conj": (lambda L, x: x.conj() * (2 + 1j), [C]),
    "conj_physical": (lambda L, x: L.conj_physical(x), [C]),
    "view_as_real": (lambda L, x: L.view_as_real(x), [C]),
    "view_as_complex": (lambda L, x: L.view_as_complex(x), [R.reshape(2, 2)]),
    "complex": (lambda L, a, b: L.complex(a, b), [R, R[::-1].copy()]),
    "polar": (lambda L, a, b: L.polar(a, b), [np.abs(R), R[::-1].copy()]),
    "abs": (lambda L, x: x.abs(), [C]),
    "mul": (lambda L, x: (x * x.conj()).real + x.imag, [C]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    call, arrays = CASES[name]
    results = []
    for lib in (fl, torch):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = call(lib, *xs)
        _loss(y).backward()
        results.append((y.detach().resolve_conj().numpy(),
                        [x.grad.resolve_conj().numpy() for x in xs], str(y.dtype),
                        y.grad_fn.name()))
    (ya, ga, da, na), (yb, gb, db, nb) = results
    np.testing.assert_allclose(ya, yb, rtol=1e-5, atol=1e-6)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert (da, na) == (db, nb)


def test_conj_flags_and_identities():
    for lib in (fl, torch):
        c, r = lib.tensor(C), lib.tensor(R)
        flags = (c.conj().is_conj(), c.is_conj(), c.conj().resolve_conj().is_conj(),
                 c.conj().conj().is_conj(), r.conj().is_conj(), lib.is_conj(c.conj()),
                 c.is_neg(), lib.resolve_neg(c).is_neg())
        assert flags == (True, False, False, False, False, True, False, False), lib
        assert r.real is r and r.conj() is r
    np.testing.assert_array_equal(fl.tensor(C).conj().numpy(), np.conj(C))


def test_errors_match_torch():
    calls = [lambda L: L.tensor(R).imag,
             lambda L: L.view_as_real(L.tensor(R)),
             lambda L: L.view_as_real(L.tensor(C).conj()),
             lambda L: L.view_as_complex(L.zeros(3, 3)),
             lambda L: L.view_as_complex(L.zeros(3, 2, dtype=L.int16)),
             lambda L: L.complex(L.tensor([1]), L.tensor([1])),
             lambda L: L.polar(L.tensor(R), L.tensor(R).to(L.float16))]
    for call in calls:
        torch_error, _ = check_raises(call)
        assert isinstance(torch_error, RuntimeError)
