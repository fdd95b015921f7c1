"""The regularized incomplete gamma functions for a large shape, as torch's (Cephes)
values: JAX's float32 kernel lost its prefactor there (P(1e5, 1e5) was 0.4585 for 0.5004,
P + Q was 0.916), and so did Gamma(a).cdf and Chi2(df).cdf (pure/_gammainc.py)."""

import numpy as np
import pytest
import torch

import functorch_like as fl

A = np.array([50.0, 99.0, 100.0, 1e3, 5e3, 1e4, 1e5, 1e5, 1e5, 150.0, 500.0, 1e6, 1e6, 20.0,
              3.0, 0.5], "f4")
X = np.array([50.0, 99.0, 130.5, 1e3, 5e3, 1e4, 1e5, 0.99e5, 1.02e5, 105.0, 400.0, 1.0001e6,
              0.999e6, 20.0, 2.0, 0.1], "f4")


def _reference(fn):
    # (torch in float64: Cephes' values to double precision)
    return getattr(torch.special, fn)(torch.tensor(A, dtype=torch.float64),
                                      torch.tensor(X, dtype=torch.float64)).numpy()


@pytest.mark.parametrize("fn", ["gammainc", "gammaincc"])
def test_incomplete_gamma_values_for_large_shapes(fn):
    got = getattr(fl.special, fn)(fl.tensor(A), fl.tensor(X)).numpy()
    np.testing.assert_allclose(got, _reference(fn), atol=2e-6, rtol=0)


def test_the_gradient_in_x_for_large_shapes():
    a = torch.tensor(A, dtype=torch.float64)
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    torch.special.gammainc(a, x).sum().backward()
    xf = fl.tensor(X, requires_grad=True)
    fl.special.gammainc(fl.tensor(A), xf).sum().backward()
    np.testing.assert_allclose(xf.grad.numpy(), x.grad.numpy(), rtol=2e-4, atol=1e-9)


def test_gamma_and_chi2_cdf_for_large_shapes():
    # Chi2(2a) is Gamma(a, 1/2): its cdf at 2x is P(a, x)
    cases = [(fl.distributions.Gamma(fl.tensor(A), fl.tensor(1.0)),
              torch.distributions.Gamma(torch.tensor(A, dtype=torch.float64), 1.0), X),
             (fl.distributions.Chi2(fl.tensor(2 * A)),
              torch.distributions.Chi2(torch.tensor(2 * A, dtype=torch.float64)), 2 * X)]
    for dist, ref, value in cases:
        np.testing.assert_allclose(
            dist.cdf(fl.tensor(value)).numpy(),
            ref.cdf(torch.tensor(value, dtype=torch.float64)).numpy(), atol=2e-6, rtol=0)
