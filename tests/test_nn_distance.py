"""Reference tests of cosine_similarity, pairwise_distance, pdist (F, torch namespace and
modules) against real PyTorch, in float64, with the zero-vector and tiny-norm cases whose
gradients PyTorch defines."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import functorch_like as fl
import functorch_like.nn as nn
from functorch_like.pure import _distance as D

from _tensor_ops_ref import check, check_raises

TIGHT = dict(x64=True, atol=1e-12, rtol=1e-10)
_rng = np.random.default_rng(3)
X1, X2 = _rng.standard_normal((3, 4)), _rng.standard_normal((3, 4))
# Row 1 of X1 is tiny (norm < eps = 1e-8 of cosine_similarity: PyTorch clamps each norm on
# its own); row 2 of PD equals X2's (a zero difference but for eps).
X1[1] *= 1e-10
PD = X1.copy()
PD[2] = X2[2]
ROWS = np.array([[0.0, 1, 2], [0.0, 1, 2], [1, -1, 0.5], [3, 0, 0]])   # two equal rows

CASES = {
    "cosine_similarity": lambda t, a, b: t.nn.functional.cosine_similarity(a, b),
    "cosine_similarity_dim0_eps": lambda t, a, b: t.cosine_similarity(a, b, 0, 0.5),
    "cosine_similarity_broadcast": lambda t, a, b: t.nn.functional.cosine_similarity(
        a[0], b, dim=-1),
    "pairwise_distance": lambda t, a, b: t.nn.functional.pairwise_distance(a, b),
    "pairwise_distance_p1_keepdim": lambda t, a, b: t.pairwise_distance(a, b, 1.0, 1e-6, True),
    "pairwise_distance_inf": lambda t, a, b: t.nn.functional.pairwise_distance(
        a, b, float("inf")),
    "pairwise_distance_p3_zero_eps": lambda t, a, b: t.nn.functional.pairwise_distance(
        a, b, 3.0, 0.0),
}


@pytest.mark.parametrize("name", CASES)
def test_functional_matches_torch(name):
    check(CASES[name], X1 if name.startswith("cosine") else PD, X2, **TIGHT)


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5, float("inf")])
def test_pdist_matches_torch(p):
    """Rows 0 and 1 are equal: a zero distance, whose gradient PyTorch makes 0."""
    check(lambda t, x: t.pdist(x, p), ROWS, **TIGHT)


def test_grad_fn_names_and_modules(x64):
    a, b = fl.tensor(X1, requires_grad=True), fl.tensor(X2)
    assert fl.nn.functional.cosine_similarity(a, b).grad_fn.name() == "SumBackward1"
    assert fl.nn.functional.pairwise_distance(a, b).grad_fn.name() == "NormBackward1"
    assert fl.pdist(a).grad_fn.name() == "PdistBackward0"
    for make in (lambda n: n.CosineSimilarity(), lambda n: n.CosineSimilarity(0, 1e-3),
                 lambda n: n.PairwiseDistance(), lambda n: n.PairwiseDistance(1.0, 0.0, True)):
        tm, m = make(torch.nn), make(nn)
        assert repr(m) == repr(tm)
        want = tm(torch.tensor(X1), torch.tensor(X2)).numpy()
        np.testing.assert_allclose(m(fl.tensor(X1), fl.tensor(X2)).detach().numpy(), want,
                                   rtol=1e-10)
    assert nn.PairwiseDistance(3.0).norm == torch.nn.PairwiseDistance(3.0).norm


def test_scalar_inputs(x64):
    for fn in (lambda t, a, b: t.nn.functional.cosine_similarity(a, b, dim=0),
               lambda t, a, b: t.nn.functional.pairwise_distance(a, b)):
        check(fn, np.array(1.5), np.array(-2.0), **TIGHT)


ERRORS = [
    lambda t, a: t.nn.functional.cosine_similarity(a, a[:, :2]),
    lambda t, a: t.nn.functional.cosine_similarity(a, a, dim=2),
    lambda t, a: t.nn.functional.cosine_similarity(a.long(), a.long()),
    lambda t, a: t.nn.functional.pairwise_distance(a, a[:2, :3]),
    lambda t, a: t.pdist(a[None]),
    lambda t, a: t.pdist(a, -1.0),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_match_torch(fn):
    check_raises(fn, X2.astype(np.float32))


def test_pure_distances_under_jit_and_grad(x64):
    def total(x):
        return (jnp.sum(D.cosine_similarity(x, X2)) + jnp.sum(D.pairwise_distance(x, X2))
                + jnp.sum(D.pdist(x)))
    got = jax.jit(jax.grad(total))(jnp.asarray(PD))
    tx = torch.tensor(PD, requires_grad=True)
    t2 = torch.tensor(X2)
    (torch.cosine_similarity(tx, t2).sum() + torch.pairwise_distance(tx, t2).sum()
     + torch.pdist(tx).sum()).backward()
    np.testing.assert_allclose(got, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
