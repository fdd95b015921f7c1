"""The cross-family kl_divergence pairs of kl_pairs_more.py against torch.distributions.kl:
values and gradients for well-inside-the-support parameters (unbatched and batched against
broadcast q parameters), values where supports mismatch per element (inf where torch
writes inf), the pairs that are +inf everywhere, and registry parity with torch."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check


def _uniform(shape, low, high, seed):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(np.float32)


def _inputs(p_shape, seed):
    """Named parameters: p's of shape p_shape, q's of shape (3,) (broadcast against p's).

    ContinuousBernoulli probs stay away from 1/2 (but outside its Taylor window): there
    both libraries' float32 closed-form variance cancels catastrophically and their
    gradients differ by ~1e-4 relative, whichever KL formula uses it.
    """
    u = _uniform(p_shape, 0.1, 0.35, seed)
    return {
        "a": _uniform(p_shape, -2.0, 2.0, seed + 1),       # real, p
        "s": _uniform(p_shape, 0.5, 2.0, seed + 2),        # positive, p
        "t": _uniform(p_shape, 2.5, 4.0, seed + 3),        # Pareto alpha > 2, p
        "u": np.where(_uniform(p_shape, 0, 1, seed + 4) < 0.5, u, 1 - u),   # CB probs, p
        "v": _uniform(p_shape, 0.05, 0.4, seed + 5),       # Uniform low inside (0, 1), p
        "b": _uniform(3, -2.0, 2.0, seed + 6),             # real, q
        "r": _uniform(3, 0.5, 2.0, seed + 7),              # positive, q
        "w": _uniform(3, 0.6, 0.9, seed + 8),              # CB probs, q
    }


# Every finite pair, parameters inside the supports (so KL is finite everywhere).
FINITE_PAIRS = {
    "Normal-Laplace": lambda D, x: (D.Normal(x["a"], x["s"]), D.Laplace(x["b"], x["r"])),
    "Beta-Normal": lambda D, x: (D.Beta(x["s"], x["t"]), D.Normal(x["b"], x["r"])),
    "Beta-Gamma": lambda D, x: (D.Beta(x["s"], x["t"]), D.Gamma(x["r"], x["r"] + 0.3)),
    "Beta-Exponential": lambda D, x: (D.Beta(x["s"], x["t"]), D.Exponential(x["r"])),
    # q's low is p-shaped: torch's in-place mask (q's bounds only) needs the result's shape.
    "Beta-Uniform": lambda D, x: (D.Beta(x["s"], x["t"]),
                                  D.Uniform(-x["s"], 1 + x["r"])),
    "Beta-ContinuousBernoulli": lambda D, x: (D.Beta(x["s"], x["t"]),
                                              D.ContinuousBernoulli(x["w"])),
    "Gamma-Gumbel": lambda D, x: (D.Gamma(x["s"], x["t"]), D.Gumbel(x["b"], x["r"])),
    "Uniform-Beta": lambda D, x: (D.Uniform(x["v"], x["v"] + 0.55),
                                  D.Beta(x["r"], x["w"] + 1)),
    "Uniform-Gamma": lambda D, x: (D.Uniform(x["v"], x["v"] + x["s"]),
                                   D.Gamma(x["r"], x["r"] + 0.3)),
    "Uniform-Exponential": lambda D, x: (D.Uniform(x["v"], x["v"] + x["s"]),
                                         D.Exponential(x["r"])),
    "Uniform-Pareto": lambda D, x: (D.Uniform(x["t"], x["t"] + x["s"]),
                                    D.Pareto(x["r"], x["r"] + 0.5)),
    "Uniform-ContinuousBernoulli": lambda D, x: (D.Uniform(x["v"], x["v"] + 0.55),
                                                 D.ContinuousBernoulli(x["w"])),
    "Pareto-Normal": lambda D, x: (D.Pareto(x["s"], x["t"]), D.Normal(x["b"], x["r"])),
    "Pareto-Gamma": lambda D, x: (D.Pareto(x["s"], x["t"]), D.Gamma(x["r"], x["r"] + 0.3)),
    "Pareto-Exponential": lambda D, x: (D.Pareto(x["s"], x["t"]), D.Exponential(x["r"])),
    "ContinuousBernoulli-Normal": lambda D, x: (D.ContinuousBernoulli(x["u"]),
                                                D.Normal(x["b"], x["r"])),
    "ContinuousBernoulli-Exponential": lambda D, x: (D.ContinuousBernoulli(x["u"]),
                                                     D.Exponential(x["r"])),
    "ContinuousBernoulli-Uniform": lambda D, x: (D.ContinuousBernoulli(x["u"]),
                                                 D.Uniform(-x["r"], 1 + x["r"])),
}


@pytest.mark.parametrize("p_shape", [(3,), (2, 3)], ids=["unbatched", "batched"])
@pytest.mark.parametrize("name", list(FINITE_PAIRS))
def test_finite_pair_values_and_grads(name, p_shape):
    inputs = _inputs(p_shape, seed=len(name) + len(p_shape))
    names = list(inputs)
    make = FINITE_PAIRS[name]

    def fn(t, *arrays):
        x = dict(zip(names, arrays))
        return t.distributions.kl_divergence(*make(t.distributions, x))

    _, got = check(fn, *inputs.values(), atol=1e-6, rtol=1e-5,
                   grad_atol=1e-5, grad_rtol=1e-4)
    assert np.isfinite(got.detach().numpy()).all()


def _f32(*values):
    return np.array(values, np.float32)


# Per-element support mismatches: torch writes inf at some entries (values compared, inf
# for inf). Includes the ends torch treats specially: a Uniform ending at 0 or 1 (0 log 0)
# and the non-strict comparisons of the ContinuousBernoulli pairs.
MISMATCH_PAIRS = {
    "Beta-Uniform": lambda D, t: (
        D.Beta(t(2.0, 3.0, 1.5, 2.0), t(1.0, 0.5, 2.0, 3.0)),
        D.Uniform(t(0.0, -0.2, 0.1, -1.0), t(1.0, 0.9, 1.0, 2.0))),
    "ContinuousBernoulli-Uniform": lambda D, t: (
        D.ContinuousBernoulli(t(0.2, 0.3, 0.7, 0.8)),
        D.Uniform(t(0.0, -0.2, -0.1, 0.1), t(2.0, 1.7, 1.0, 1.9))),
    "Uniform-Beta": lambda D, t: (
        D.Uniform(t(0.0, 0.2, -0.1, 0.3), t(1.0, 0.7, 0.5, 1.2)),
        D.Beta(t(2.0, 3.0, 1.5, 2.0), t(1.0, 0.5, 2.0, 3.0))),
    "Uniform-Gamma": lambda D, t: (
        D.Uniform(t(0.0, 0.2, -0.1, 1.0), t(1.0, 0.7, 0.5, 3.0)),
        D.Gamma(t(2.0, 3.0, 1.5, 0.7), t(1.0, 0.5, 2.0, 1.3))),
    "Uniform-Exponential": lambda D, t: (
        D.Uniform(t(0.0, 0.2, -0.1, 1.0), t(1.0, 0.7, 0.5, 3.0)),
        D.Exponential(t(2.0, 3.0, 1.5, 0.7))),
    "Uniform-Pareto": lambda D, t: (
        D.Uniform(t(0.5, 1.2, 0.9, 1.0), t(1.0, 2.7, 3.5, 2.0)),
        D.Pareto(t(0.5, 1.0, 1.0, 1.0), t(1.0, 0.5, 2.0, 3.0))),
    "Uniform-ContinuousBernoulli": lambda D, t: (
        D.Uniform(t(0.0, 0.2, 0.1, 0.3), t(1.0, 0.7, 1.0, 0.9)),
        D.ContinuousBernoulli(t(0.2, 0.3, 0.7, 0.8))),
    "Pareto-Normal": lambda D, t: (
        D.Pareto(t(1.0, 2.0, 0.5, 1.5), t(0.5, 2.0, 2.5, 4.0)),
        D.Normal(t(0.0, 1.0, 2.0, 3.0), t(1.0, 2.0, 1.0, 0.5))),
    "Pareto-Gamma": lambda D, t: (
        D.Pareto(t(1.0, 2.0, 0.5, 1.5), t(0.5, 1.0, 2.5, 4.0)),
        D.Gamma(t(1.0, 1.0, 2.0, 3.0), t(1.0, 2.0, 1.0, 0.5))),
    "Pareto-Exponential": lambda D, t: (
        D.Pareto(t(1.0, 2.0, 0.5, 1.5), t(0.5, 1.0, 2.5, 4.0)),
        D.Exponential(t(1.0, 2.0, 1.0, 0.5))),
}


@pytest.mark.parametrize("name", list(MISMATCH_PAIRS))
def test_support_mismatch_values(name):
    make = MISMATCH_PAIRS[name]
    want = torch.distributions.kl_divergence(
        *make(torch.distributions, lambda *v: torch.tensor(_f32(*v))))
    got = fl.distributions.kl_divergence(
        *make(fl.distributions, lambda *v: fl.tensor(_f32(*v))))
    want, got = want.numpy(), got.numpy()
    assert np.isinf(want).any() and np.isfinite(want).any()      # the case covers both
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_support_mismatch_grads_of_finite_entries():
    """Gradients where some entries are inf: the finite entries' gradients match torch's,
    and the inf entries contribute nothing (torch's in-place inf cuts them off)."""
    def fn(t, alpha, scale):
        D = t.distributions
        return (D.kl_divergence(D.Pareto(scale, alpha), D.Exponential(scale + 0.5)),
                D.kl_divergence(D.Pareto(scale, alpha), D.Gamma(scale, scale + 0.5)),
                D.kl_divergence(D.Pareto(scale, alpha + 1), D.Normal(scale, scale + 0.5)),
                D.kl_divergence(D.Uniform(scale - 1.2, scale), D.Exponential(alpha)),
                D.kl_divergence(D.ContinuousBernoulli(scale / 3), D.Uniform(-alpha, scale)))
    check(fn, _f32(0.5, 1.5, 3.0), _f32(0.5, 1.5, 2.0), atol=1e-6, rtol=1e-5,
          grad_atol=1e-5, grad_rtol=1e-4)


# Pairs whose KL is +inf everywhere: q's support misses part of p's.
INFINITE_PAIRS = {
    "Beta-Pareto": lambda D, t: (D.Beta(t(2.0, 3.0), t(1.0, 1.0)), D.Pareto(1.0, 2.0)),
    "ContinuousBernoulli-Pareto": lambda D, t: (D.ContinuousBernoulli(t(0.2, 0.3)),
                                                D.Pareto(1.0, 2.0)),
    "Exponential-Pareto": lambda D, t: (D.Exponential(t(2.0, 3.0)), D.Pareto(1.0, 2.0)),
    "Exponential-ContinuousBernoulli": lambda D, t: (D.Exponential(t(2.0, 3.0)),
                                                     D.ContinuousBernoulli(0.3)),
    "Gamma-Pareto": lambda D, t: (D.Gamma(t(2.0, 3.0), 1.0), D.Pareto(1.0, 2.0)),
    "Gamma-ContinuousBernoulli": lambda D, t: (D.Gamma(t(2.0, 3.0), 1.0),
                                               D.ContinuousBernoulli(0.3)),
    "Pareto-Beta": lambda D, t: (D.Pareto(t(2.0, 3.0), 2.0), D.Beta(1.0, 2.0)),
    "Pareto-ContinuousBernoulli": lambda D, t: (D.Pareto(t(2.0, 3.0), 2.0),
                                                D.ContinuousBernoulli(0.3)),
    "Pareto-Uniform": lambda D, t: (D.Pareto(t(2.0, 3.0), 2.0), D.Uniform(0.0, 10.0)),
    "Poisson-Bernoulli": lambda D, t: (D.Poisson(t(2.0, 3.0)), D.Bernoulli(t(0.3, 0.4))),
    "Poisson-Binomial": lambda D, t: (D.Poisson(t(2.0, 3.0)), D.Binomial(5, t(0.3, 0.4))),
}


@pytest.mark.parametrize("name", list(INFINITE_PAIRS))
def test_infinite_pairs(name):
    make = INFINITE_PAIRS[name]

    def fn(t, x):
        return t.distributions.kl_divergence(
            *make(t.distributions, lambda *v: x.new_tensor(_f32(*v))))

    want, got = check(fn, np.zeros(1, np.float32), grad=False)
    assert np.isposinf(got.numpy()).all() and tuple(got.shape) == (2,)


def test_scalar_parameters():
    """Python-number parameters: 0-d results, as torch's."""
    def fn(t):
        D = t.distributions
        return (D.kl_divergence(D.Normal(0.0, 1.0), D.Laplace(1.0, 2.0)),
                D.kl_divergence(D.Beta(2.0, 3.0), D.Gamma(1.0, 2.0)),
                D.kl_divergence(D.Gamma(2.0, 3.0), D.Gumbel(1.0, 2.0)),
                D.kl_divergence(D.Pareto(1.0, 3.0), D.Normal(0.5, 2.0)),
                D.kl_divergence(D.Uniform(1.5, 2.5), D.Pareto(1.0, 2.0)))
    check(fn, grad=False, atol=1e-6, rtol=1e-5)


def test_every_torch_pair_is_registered():
    from functorch_like.distributions import kl as fl_kl
    ours = {(p.__name__, q.__name__) for p, q in fl_kl._KL_REGISTRY}
    theirs = {(p.__name__, q.__name__) for p, q in torch.distributions.kl._KL_REGISTRY}
    assert sorted(theirs - ours) == []
