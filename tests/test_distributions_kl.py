"""kl_divergence / register_kl against torch.distributions.kl: values and gradients with
respect to both distributions' parameters, dispatch and errors."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, rand


def _pos(*shape, low=0.5, high=2.0):
    return rand(*shape, low=low, high=high)


# Every pair reads its parameters from the same named inputs, all of shape (3,) or (2, 3):
# one check (one backward program) covers them.
PAIRS = {
    "Normal": lambda D, x: (D.Normal(x["a"], x["s"]), D.Normal(x["b"], x["r"])),
    "Bernoulli": lambda D, x: (D.Bernoulli(x["u"]), D.Bernoulli(logits=x["a"])),
    "Categorical": lambda D, x: (D.Categorical(logits=x["m"]), D.Categorical(x["p"])),
    "OneHotCategorical": lambda D, x: (D.OneHotCategorical(x["p"]),
                                       D.OneHotCategorical(logits=x["m"])),
    "Uniform": lambda D, x: (D.Uniform(x["a"] - 2, x["a"] + x["s"]),
                             D.Uniform(x["a"] - 2.5, x["a"] + 2 * x["s"])),
    "Beta": lambda D, x: (D.Beta(x["s"], x["r"]), D.Beta(x["r"], x["s"] + 1)),
    "Gamma": lambda D, x: (D.Gamma(x["s"], x["r"]), D.Gamma(x["r"], x["s"])),
    "Dirichlet": lambda D, x: (D.Dirichlet(x["p"] + 0.5), D.Dirichlet(x["p"].flip(-1) + 1)),
    "Exponential": lambda D, x: (D.Exponential(x["s"]), D.Exponential(x["r"])),
    "Laplace": lambda D, x: (D.Laplace(x["a"], x["s"]), D.Laplace(x["b"], x["r"])),
    "Poisson": lambda D, x: (D.Poisson(x["s"]), D.Poisson(x["r"])),
    "Cauchy": lambda D, x: (D.Cauchy(x["a"], x["s"]), D.Cauchy(x["b"], x["r"])),
    "Binomial": lambda D, x: (D.Binomial(5, x["u"]), D.Binomial(5, logits=x["a"])),
    "Independent": lambda D, x: (D.Independent(D.Normal(x["m"], x["p"] + 0.5), 1),
                                 D.Independent(D.Normal(x["p"], x["m"].exp()), 1)),
    "LogNormal": lambda D, x: (D.LogNormal(x["a"], x["s"]), D.LogNormal(x["b"], x["r"])),
    "MVN": lambda D, x: (
        D.MultivariateNormal(x["a"], x["m"].mT @ x["m"] + x["a"].new_ones(3).diag()),
        D.MultivariateNormal(x["b"], scale_tril=x["m"].new_ones(3).diag() * x["r"]
                             + x["p"][:1].tril(-1).expand(3, 3).tril(-1))),
    "Exponential-Gamma": lambda D, x: (D.Exponential(x["s"]), D.Gamma(x["r"], x["s"])),
    "Gamma-Normal": lambda D, x: (D.Gamma(x["s"], x["r"]), D.Normal(x["a"], x["s"])),
    "Laplace-Normal": lambda D, x: (D.Laplace(x["a"], x["s"]), D.Normal(x["b"], x["r"])),
    "Uniform-Normal": lambda D, x: (D.Uniform(x["a"], x["a"] + x["s"]),
                                    D.Normal(x["b"], x["r"])),
    "Normal-Gamma (inf)": lambda D, x: (D.Normal(x["a"], x["s"]), D.Gamma(x["s"], x["r"])),
    "Bernoulli-Poisson": lambda D, x: (D.Bernoulli(x["u"]), D.Poisson(x["r"])),
}


def test_kl_pairs_match_torch():
    inputs = {"a": rand(3), "b": rand(3), "s": _pos(3), "r": _pos(3),
              "u": rand(3, low=0.1, high=0.9), "m": rand(2, 3), "p": _pos(2, 3)}
    names = list(inputs)

    def fn(t, *arrays):
        x = dict(zip(names, arrays))
        return {name: t.distributions.kl_divergence(*make(t.distributions, x))
                for name, make in PAIRS.items()}

    check(fn, *inputs.values(), atol=2e-5, rtol=2e-4)


def test_kl_infinite_and_zero_entries():
    """Where PyTorch writes inf / 0 in place, the values and (zero) gradients match."""
    def fn(t, p, q):
        D = t.distributions
        return (D.kl_divergence(D.Bernoulli(p), D.Bernoulli(q)),
                D.kl_divergence(D.Categorical(p), D.Categorical(q)),
                D.kl_divergence(D.Uniform(p - 1, p), D.Uniform(q - 1, q + 0.5)))
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.3, 0.5]], np.float32)
    q = np.array([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]], np.float32)
    check(lambda t, p, q: fn(t, p, q.detach()), p, q, grad=True)


def test_register_kl_dispatch_and_errors():
    D = fl.distributions

    class MyNormal(D.Normal):
        pass

    # A subclass uses its base class's formula; a registration for it takes precedence.
    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    want = torch.distributions.kl_divergence(torch.distributions.Normal(0.0, 1.0),
                                             torch.distributions.Normal(1.0, 2.0))
    np.testing.assert_allclose(D.kl_divergence(p, q).item(), want.item(), rtol=1e-6)

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return fl.tensor(7.0)

    assert D.kl_divergence(p, q).item() == 7.0
    with pytest.raises(TypeError):
        D.register_kl(int, D.Normal)
    msgs = []
    for lib in (torch, fl):
        with pytest.raises(NotImplementedError) as err:
            lib.distributions.kl_divergence(lib.distributions.Cauchy(0.0, 1.0),
                                            lib.distributions.Normal(0.0, 1.0))
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]
