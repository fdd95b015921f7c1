"""Second derivatives where a component is exactly 0, as torch's double backward gives
them: the 2-norm (norm, vector_norm, normalize, dist, cosine_similarity) and smooth_l1
(their |x| * |x| had a zero second derivative there: a Hessian of ||x|| or a Laplacian on
a grid holding 0 came out wrong)."""

import numpy as np
import pytest
import torch

import functorch_like as fl


def _hessian_rows(lib, f, x):
    p = lib.tensor(x, requires_grad=True)
    g, = lib.autograd.grad(f(lib, p), p, create_graph=True)
    return [lib.autograd.grad(g.reshape(-1)[i], p, retain_graph=True)[0].numpy()
            for i in range(g.numel())]


CASES = {
    "norm dim": (lambda lib, p: p.norm(dim=1).sum(), [[1.0, 0.0], [0.0, -2.0]]),
    "vector_norm": (lambda lib, p: lib.linalg.vector_norm(p), [3.0, 0.0, 4.0]),
    "normalize": (lambda lib, p: lib.nn.functional.normalize(p, dim=0)[0], [1.0, 0.0]),
    "dist": (lambda lib, p: lib.dist(p, lib.zeros(2)), [2.0, 0.0]),
    "cosine_similarity": (lambda lib, p: lib.nn.functional.cosine_similarity(
        p, lib.tensor([1.0, 1.0]), dim=0), [1.0, 0.0]),
    "frobenius": (lambda lib, p: lib.linalg.matrix_norm(p), [[1.0, 0.0], [2.0, 0.0]]),
    "smooth_l1": (lambda lib, p: lib.nn.functional.smooth_l1_loss(
        p, lib.zeros(3), reduction="sum", beta=0.5), [0.0, 0.3, 2.0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivative_with_a_zero_component_is_torchs(name):
    f, x = CASES[name]
    for got, want in zip(_hessian_rows(fl, f, x), _hessian_rows(torch, f, x)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
