"""torch.special's own functions take out= as torch's (a TypeError before): the result is
written into the given tensor and returned, with torch's checks (an out that cannot hold
the result type; arguments that require grad, refused except where torch's function has
no derivative of its own)."""

import numpy as np
import pytest
import torch

import functorch_like as fl

X = np.array([0.1, 0.5, 2.0, 3.0], "f4")
CALLS = {
    "ndtr": lambda lib, x: (x,), "log_ndtr": lambda lib, x: (x,), "entr": lambda lib, x: (x,),
    "erfcx": lambda lib, x: (x,), "ndtri": lambda lib, x: (x / 4,), "i0e": lambda lib, x: (x,),
    "i1": lambda lib, x: (x,), "i1e": lambda lib, x: (x,), "airy_ai": lambda lib, x: (x,),
    "bessel_j0": lambda lib, x: (x,), "spherical_bessel_j0": lambda lib, x: (x,),
    "modified_bessel_k0": lambda lib, x: (x,), "scaled_modified_bessel_k1": lambda lib, x: (x,),
    "xlog1py": lambda lib, x: (x, x), "zeta": lambda lib, x: (x + 2, x),
    "gammainc": lambda lib, x: (x, x), "gammaincc": lambda lib, x: (x, x),
    "polygamma": lambda lib, x: (1, x), "multigammaln": lambda lib, x: (x + 2, 2),
    "chebyshev_polynomial_t": lambda lib, x: (x, 3),
    "hermite_polynomial_h": lambda lib, x: (x, 2),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_a_special_function_writes_into_out(name):
    got = []
    for lib in (torch, fl):
        out = lib.full((4,), -7.0)
        result = getattr(lib.special, name)(*CALLS[name](lib, lib.tensor(X)), out=out)
        assert result is out
        got.append(out.numpy())
    np.testing.assert_allclose(got[1], got[0], rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["entr", "ndtr", "bessel_j0", "log_ndtr"])
def test_special_out_refuses_what_torch_refuses(name):
    outcomes = []
    for lib in (torch, fl):
        x = lib.tensor(X, requires_grad=True)
        try:
            getattr(lib.special, name)(x, out=lib.empty(4))
            grad = "ok"
        except RuntimeError as e:
            grad = str(e)
        try:
            getattr(lib.special, name)(x.detach(), out=lib.empty(4, dtype=lib.long))
            cast = "ok"
        except RuntimeError as e:
            cast = str(e)
        outcomes.append((grad, cast))
    assert outcomes[1] == outcomes[0]
