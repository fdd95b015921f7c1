"""From a probe of linalg, fft and complex support against torch 2.13: lstsq's residuals
of complex input are sum |r|^2 (real; they were sum r^2, complex), logdet of a complex
matrix is the complex log(det) (its real part before), fftfreq/rfftfreq refuse integer
and complex dtypes and negative lengths as torch, a 1-D fft refuses n < 1, complex()
broadcasts its parts, float()/int() of a complex tensor take a zero imaginary part."""

import numpy as np
import pytest
import torch
from _tensor_ops_ref import check_raises

import functorch_like as fl

rng = np.random.RandomState(0)
A = (rng.randn(4, 2) + 1j * rng.randn(4, 2)).astype(np.complex64)
M = (rng.randn(3, 3) + 1j * rng.randn(3, 3)).astype(np.complex64)


@pytest.mark.parametrize("driver", ["gels", "gelsd", "gelss", "gelsy"])
def test_complex_lstsq_residuals(driver):
    outs = []
    for lib in (torch, fl):
        r = lib.linalg.lstsq(lib.tensor(A), lib.ones(4, 1, dtype=lib.complex64), driver=driver)
        outs.append((r.residuals.numpy(), str(r.residuals.dtype),
                     str(r.singular_values.dtype)))
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-4)
    assert outs[1][1:] == outs[0][1:]


def test_complex_logdet_and_its_gradient():
    outs = []
    for lib in (torch, fl):
        m = lib.tensor(M, requires_grad=True)
        ld = lib.logdet(m)
        (ld.real + ld.imag).backward()
        outs.append((ld.detach().numpy(), m.grad.numpy(),
                     lib.logdet(lib.tensor([[1 + 1j, 0], [0, 2 - 0.5j]])).numpy()))
    for got, want in zip(outs[1], outs[0]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


ERRORS = {
    "fftfreq int dtype": lambda L: L.fft.fftfreq(4, dtype=L.int64),
    "rfftfreq int dtype": lambda L: L.fft.rfftfreq(4, dtype=L.int32),
    "fftfreq complex dtype": lambda L: L.fft.fftfreq(4, dtype=L.complex64),
    "fftfreq negative": lambda L: L.fft.fftfreq(-1),
    "fft n=-1": lambda L: L.fft.fft(L.ones(4), n=-1),
    "rfft n=0": lambda L: L.fft.rfft(L.ones(4), n=0),
    "float of complex": lambda L: float(L.tensor(1 + 2j)),
    "int of complex": lambda L: int(L.tensor(3 + 1j)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors_as_torch(name):
    check_raises(ERRORS[name])


VALUES = {
    "rfftfreq -1": lambda L: L.fft.rfftfreq(-1).tolist(),
    "rfftfreq 4": lambda L: L.fft.rfftfreq(4).tolist(),
    "fftn s=-1": lambda L: L.fft.fftn(L.ones(4), s=(-1,)).tolist(),
    "float of real-valued complex": lambda L: float(L.tensor(1 + 0j)),
    "int of real-valued complex": lambda L: int(L.tensor(3 + 0j)),
    "complex broadcasts": lambda L: L.complex(L.ones(2, 1), L.zeros(3)).tolist(),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_as_torch(name):
    assert VALUES[name](fl) == VALUES[name](torch)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3), (2, 3, 0)])
@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
def test_matrix_norm_of_empty_matrices(shape, ord):
    """0 for the largest-value norms and amin's IndexError for the smallest, as torch's
    (numpy's reduction error before)."""
    outcomes = []
    for lib in (torch, fl):
        try:
            outcomes.append(("ok", lib.linalg.matrix_norm(lib.ones(*shape), ord=ord).tolist()))
        except IndexError as e:
            outcomes.append(("IndexError", str(e)))
    assert outcomes[1] == outcomes[0]
