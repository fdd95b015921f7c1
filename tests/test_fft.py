"""functorch_like.fft against torch.fft: values, dtypes, grad_fn names and gradients of a
real loss (through the complex outputs), argument handling and errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4)).astype(np.float32)
Z = (RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))).astype(np.complex64)


def _loss(y):
    return (y.abs().sum() + y.real.sin().sum()) if y.is_complex() else y.sin().sum()


def _both(call, data):
    out = []
    for lib in (fl, torch):
        x = lib.tensor(data, requires_grad=True)
        y = call(lib, x)
        _loss(y).backward()
        out.append((y.detach().resolve_conj().numpy(), x.grad.resolve_conj().numpy(),
                    str(y.dtype), y.grad_fn.name()))
    (ya, ga, da, na), (yb, gb, db, nb) = out
    np.testing.assert_allclose(ya, yb, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ga, gb, rtol=1e-4, atol=1e-5)
    assert (da, na) == (db, nb)


CASES = {
    "fft": lambda L, x: L.fft.fft(x),
    "ifft_n": lambda L, x: L.fft.ifft(x, n=6, dim=0, norm="ortho"),
    "rfft": lambda L, x: L.fft.rfft(x, n=3),
    "irfft": lambda L, x: L.fft.irfft(x, norm="forward"),
    "hfft": lambda L, x: L.fft.hfft(x, n=5),
    "ihfft": lambda L, x: L.fft.ihfft(x, dim=0),
    "fft2": lambda L, x: L.fft.fft2(x, norm="ortho"),
    "irfft2": lambda L, x: L.fft.irfft2(x, s=(3, 5)),
    "rfftn": lambda L, x: L.fft.rfftn(x, dim=(0,)),
    "ifftn_s": lambda L, x: L.fft.ifftn(x, s=(-1, 2)),
    "shift": lambda L, x: L.fft.ifftshift(L.fft.fftshift(x, dim=1) * 2, dim=(0,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_input_matches_torch(name):
    _both(CASES[name], X)


@pytest.mark.parametrize("name", ["fft", "irfft", "fft2"])
def test_complex_input_matches_torch(name):
    # gradients with respect to a complex leaf follow PyTorch's conjugate convention
    _both(CASES[name], Z)


def test_integer_input_is_promoted_and_frequencies():
    assert fl.fft.fft(fl.arange(4)).dtype == fl.complex64
    for args, kwargs in (((5,), {}), ((4, 0.5), {}), ((6,), {"dtype": fl.float32})):
        for name in ("fftfreq", "rfftfreq"):
            a = getattr(fl.fft, name)(*args, **kwargs)
            b = getattr(torch.fft, name)(*args, **{k: getattr(torch, v.name)
                                                   for k, v in kwargs.items()})
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
            assert str(a.dtype) == str(b.dtype)


def test_errors_match_torch():
    calls = [lambda L, x: L.fft.rfft(x.to(L.complex64)),
             lambda L, x: L.fft.fft(x, norm="foo"),
             lambda L, x: L.fft.fft(x, dim=3),
             lambda L, x: L.fft.fft(x, n=0),
             lambda L, x: L.fft.fftn(x[0], s=(2, 3)),
             lambda L, x: L.fft.fftn(x, s=(2, 3), dim=(0,)),
             lambda L, x: L.fft.fft(x.to(L.float16))]
    for call in calls:
        errors = []
        for lib in (fl, torch):
            with pytest.raises(Exception) as info:
                call(lib, lib.tensor(X))
            errors.append((type(info.value), str(info.value)))
        assert errors[0] == errors[1]
