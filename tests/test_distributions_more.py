"""Differential tests of the added torch.distributions families against torch 2.13:
closed forms (log_prob, entropy, cdf, icdf, moments) with their gradients, the KL pairs,
validation errors, reprs/expand, and sampling (torch's stream cannot be matched: shapes,
support, moments within a tolerance, reproducibility under manual_seed).

Shapes are (3,) throughout where the family allows it, so the per-op programs compiled for
one family are reused by the next (that keeps this file fast).
"""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand
from test_distributions import check_family


def _pos(*shape, low=0.5, high=2.0):
    return rand(*shape, low=low, high=high)


U3 = rand(3, low=0.1, high=0.9)
M = ("mean", "variance", "mode")
CONT = ("log_prob", "entropy", "cdf", "icdf") + M

# name: (make(D, *params), params, value, methods)
FAMILIES = {
    "HalfNormal": (lambda D, s: D.HalfNormal(s), [_pos(3)], _pos(3), CONT),
    "HalfCauchy": (lambda D, s: D.HalfCauchy(s), [_pos(3)], _pos(3),
                   ("log_prob", "entropy", "cdf", "icdf", "mode", "mean")),
    "Gumbel": (lambda D, a, s: D.Gumbel(a, s), [rand(3), _pos(3)], rand(3), CONT + ("stddev",)),
    "Pareto": (lambda D, s, a: D.Pareto(s, a), [_pos(3, high=1.0), _pos(3, low=2.5, high=4)],
               _pos(3, low=1.0, high=3), CONT),
    "Weibull": (lambda D, s, c: D.Weibull(s, c), [_pos(3), _pos(3, low=1.2)], _pos(3), CONT),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b),
                    [_pos(3, low=1.1, high=3), _pos(3, low=1.1, high=3)], U3, CONT),
    "InverseGamma": (lambda D, a, b: D.InverseGamma(a, b), [_pos(3, low=2.5, high=4), _pos(3)],
                     _pos(3), ("log_prob", "entropy") + M),
    "Chi2": (lambda D, df: D.Chi2(df), [_pos(3, high=4)], _pos(3),
             ("log_prob", "entropy", "mean", "variance", "df")),
    "FisherSnedecor": (lambda D, a, b: D.FisherSnedecor(a, b),
                       [_pos(3, low=3, high=6), _pos(3, low=5, high=8)], _pos(3), ("log_prob",) + M),
    "GeneralizedPareto": (lambda D, a, s, c: D.GeneralizedPareto(a, s, c),
                          [rand(3, low=-1, high=-0.5), _pos(3), np.float32([-0.2, 0.0, 0.3])],
                          _pos(3, low=0.0, high=1.0), CONT),
    "LogisticNormal": (lambda D, a, s: D.LogisticNormal(a, s), [rand(2), _pos(2)],
                       np.float32([0.2, 0.3, 0.5]), ("log_prob",)),
    "Geometric": (lambda D, p: D.Geometric(p), [U3], np.float32([0, 1, 4]),
                  ("log_prob", "entropy", "logits") + M),
    "NegativeBinomial": (lambda D, n, lg: D.NegativeBinomial(n, logits=lg),
                         [_pos(3, high=4), rand(3)], np.float32([0, 1, 4]), ("log_prob", "probs") + M),
    "Multinomial": (lambda D, p: D.Multinomial(4, p), [_pos(2, 3)], np.float32([1, 0, 3]),
                    ("log_prob", "mean", "variance")),
    "VonMises": (lambda D, a, k: D.VonMises(a, k), [rand(3), np.float32([0.5, 3.0, 6.0])], rand(3),
                 ("log_prob", "mean", "variance")),
    "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(p), [np.float32([0.2, 0.5, 0.8])],
                            U3, ("log_prob", "entropy", "cdf", "icdf", "mean", "variance")),
    "MixtureSameFamily": (lambda D, lg, a, s: D.MixtureSameFamily(D.Categorical(logits=lg),
                                                                    D.Normal(a, s)),
                          [rand(2, 3), rand(2, 3), _pos(2, 3)], rand(4, 1),
                          ("log_prob", "cdf", "mean", "variance")),
    "LowRankMVN": (lambda D, a, w, d: D.LowRankMultivariateNormal(a, w, d),
                   [rand(2, 3), rand(3, 2), _pos(3)], rand(3),
                   ("log_prob", "entropy", "variance", "covariance_matrix")),
    "RelaxedBernoulli": (lambda D, t, lg: D.RelaxedBernoulli(t, logits=lg),
                         [np.array(0.7, np.float32), rand(3)], U3, ("log_prob", "probs")),
    "RelaxedOneHotCategorical": (lambda D, t, p: D.RelaxedOneHotCategorical(t, probs=p),
                                 [np.array(0.7, np.float32), _pos(2, 3)],
                                 np.float32([0.2, 0.3, 0.5]), ("log_prob",)),
}


@pytest.mark.parametrize("name", FAMILIES)
def test_family_matches_torch(name):
    check_family(*FAMILIES[name])


# Each pair reads its parameters from the same named (3,)-shaped inputs: one check.
KL_PAIRS = {
    "ContinuousBernoulli": lambda D, x: (D.ContinuousBernoulli(x["u"]),
                                         D.ContinuousBernoulli(logits=x["a"])),
    "Gumbel": lambda D, x: (D.Gumbel(x["a"], x["s"]), D.Gumbel(x["b"], x["r"])),
    "Geometric": lambda D, x: (D.Geometric(x["u"]), D.Geometric(logits=x["a"])),
    "HalfNormal": lambda D, x: (D.HalfNormal(x["s"]), D.HalfNormal(x["r"])),
    "Pareto": lambda D, x: (D.Pareto(x["s"], x["r"] + 1), D.Pareto(x["r"], x["s"] + 1)),
    "LowRank": lambda D, x: (D.LowRankMultivariateNormal(x["a"], x["m"].mT, x["s"]),
                             D.LowRankMultivariateNormal(x["b"], x["m"][:1].mT, x["r"])),
    "Gumbel-Normal": lambda D, x: (D.Gumbel(x["a"], x["s"]), D.Normal(x["b"], x["r"])),
    "Normal-Gumbel": lambda D, x: (D.Normal(x["a"], x["s"]), D.Gumbel(x["b"], x["r"])),
    "Gumbel-Gamma (inf)": lambda D, x: (D.Gumbel(x["a"], x["s"]), D.Gamma(x["s"], x["r"])),
    "Normal-Pareto (inf)": lambda D, x: (D.Normal(x["a"], x["s"]), D.Pareto(x["s"], x["r"])),
}


def test_kl_pairs_match_torch():
    inputs = {"a": rand(3), "b": rand(3), "s": _pos(3), "r": _pos(3),
              "u": rand(3, low=0.1, high=0.9), "m": rand(2, 3)}
    names = list(inputs)

    def fn(t, *arrays):
        x = dict(zip(names, arrays))
        return {name: t.distributions.kl_divergence(*make(t.distributions, x))
                for name, make in KL_PAIRS.items()}

    check(fn, *inputs.values(), atol=2e-5, rtol=2e-4)


def test_kl_lowrank_with_full_rank_values():
    """Values only (their gradients are covered by the pieces above): the mixed low-rank /
    full-rank normal KLs, the low-rank precision and scale factors, Multinomial entropy,
    and a low-rank draw's moments."""
    def fn(t, a, b, s, m):
        D = t.distributions
        lr = D.LowRankMultivariateNormal(b, m.mT, s)
        mvn = D.MultivariateNormal(a, scale_tril=s.diag())
        return (D.kl_divergence(mvn, lr), D.kl_divergence(lr, mvn), lr.precision_matrix,
                lr.scale_tril, D.Multinomial(4, s).entropy())
    check(fn, rand(3), rand(3), _pos(3), rand(2, 3), grad=False, atol=2e-5, rtol=2e-4)
    fl.manual_seed(0)
    lr = fl.distributions.LowRankMultivariateNormal(fl.tensor([1.0, -1.0]),
                                                    fl.tensor([[1.0], [0.5]]), fl.tensor([0.5, 1.0]))
    x = lr.rsample((4000,)).numpy()
    np.testing.assert_allclose(np.cov(x.T), lr.covariance_matrix.numpy(), atol=0.15)
    np.testing.assert_allclose(x.mean(0), [1.0, -1.0], atol=0.1)


@pytest.mark.parametrize("case", [
    lambda D, t: D.Geometric(probs=t.tensor([0.0, 0.5])),
    lambda D, t: D.HalfNormal(t.tensor([-1.0])),
    lambda D, t: D.Pareto(t.tensor([1.0]), t.tensor([2.0])).log_prob(t.tensor([0.5])),
    lambda D, t: D.Multinomial(2.5, t.ones(3)),
    lambda D, t: D.MixtureSameFamily(D.Categorical(t.ones(2)), D.Normal(t.zeros(3), 1.0)),
    lambda D, t: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(t.zeros(3), 1.0)),
    lambda D, t: D.LowRankMultivariateNormal(t.zeros(3), t.ones(2, 1), t.ones(3)),
    lambda D, t: D.kl_divergence(
        D.LowRankMultivariateNormal(t.zeros(2), t.ones(2, 1), t.ones(2)),
        D.LowRankMultivariateNormal(t.zeros(3), t.ones(3, 1), t.ones(3))),
    lambda D, t: D.ContinuousBernoulli(t.tensor([1.5]), validate_args=True),
    lambda D, t: D.kl_divergence(D.Gumbel(0.0, 1.0), D.Laplace(0.0, 1.0)),
])
def test_errors_match_torch(case):
    check_raises(lambda lib: case(lib.distributions, lib))


def test_reprs_expand_and_support_match_torch():
    got = []
    for t in (torch, fl):
        D = t.distributions
        dists = [D.HalfNormal(t.ones(2)), D.Gumbel(0.0, 1.0), D.Chi2(t.ones(2)),
                 D.Geometric(t.tensor([0.3])), D.VonMises(t.zeros(2), t.ones(2)),
                 D.MixtureSameFamily(D.Categorical(t.ones(2)), D.Normal(t.zeros(2), 1.0)),
                 D.LowRankMultivariateNormal(t.zeros(2), t.ones(2, 1), t.ones(2))]
        expanded = [D.Pareto(t.ones(1), 2.0).expand((3,)), D.Weibull(1.0, t.ones(1)).expand((2, 1)),
                    D.Kumaraswamy(t.ones(2), 2.0).expand((4, 2)),
                    D.RelaxedOneHotCategorical(t.tensor(0.5), t.ones(3)).expand((2,)),
                    D.Multinomial(3, t.ones(2)).expand((5,)), D.InverseGamma(1.0, 2.0).expand((2,)),
                    D.GeneralizedPareto(0.0, 1.0, t.tensor([0.5])).expand((2,))]
        got.append(([repr(d) for d in dists],
                    [(tuple(d.batch_shape), tuple(d.event_shape), type(d).__name__,
                      d.has_rsample) for d in expanded],
                    [repr(d.support) for d in dists[:5] + [expanded[0], expanded[5]]]))
    assert got[1] == got[0]


SAMPLED = {
    # name: make(D, t) -- the families with samplers of their own (the transformed ones'
    # draws are their bases', covered by test_rsample_gradients_follow_the_mean); batch
    # shape (2,) each, so the programs are shared.
    "Geometric": lambda D, t: D.Geometric(t.tensor([0.3, 0.7])),
    "NegativeBinomial": lambda D, t: D.NegativeBinomial(t.tensor([2.0, 5.0]), t.tensor([0.3, 0.5])),
    "Multinomial": lambda D, t: D.Multinomial(5, t.tensor([0.2, 0.8])),
    "VonMises": lambda D, t: D.VonMises(t.tensor([0.5, -2.0]), t.tensor([2.0, 8.0])),
    "ContinuousBernoulli": lambda D, t: D.ContinuousBernoulli(t.tensor([0.2, 0.9])),
    "Mixture": lambda D, t: D.MixtureSameFamily(D.Categorical(t.tensor([0.3, 0.7])),
                                                D.Normal(t.tensor([-1.0, 2.0]), t.tensor([0.5, 1.0]))),
}


@pytest.mark.parametrize("name", SAMPLED)
def test_samples_shape_support_moments_seed(name):
    ref, d = SAMPLED[name](torch.distributions, torch), SAMPLED[name](fl.distributions, fl)
    assert d.has_rsample == ref.has_rsample
    want = ref.sample((5,))
    fl.manual_seed(3)
    x = d.sample((4000,))
    fl.manual_seed(3)
    np.testing.assert_array_equal(d.sample((4000,)).numpy(), x.numpy())    # reproducible
    assert tuple(x.shape) == (4000,) + tuple(want.shape[1:])
    assert bool(d.support.check(x).all())
    xs = x.numpy().astype(np.float64)
    if name == "VonMises":               # circular: compare the mean resultant vector
        loc, var = ref.mean.numpy(), ref.variance.numpy()
        np.testing.assert_allclose(np.cos(xs - loc).mean(0), 1 - var, atol=0.03)
        np.testing.assert_allclose(np.sin(xs - loc).mean(0), 0.0, atol=0.03)
        return
    mean, var = ref.mean.numpy(), ref.variance.numpy()
    np.testing.assert_array_less(np.abs(xs.mean(0) - mean), 5 * np.sqrt(var / len(xs)) + 1e-3)
    np.testing.assert_allclose(xs.var(0), var, rtol=0.2, atol=1e-3)


def test_rsample_gradients_follow_the_mean():
    """d mean(rsample) / d params matches d (analytic mean) / d params for the
    reparameterized families built by transforms (HalfNormal, Weibull)."""
    s, c = np.array([0.5, 1.5], np.float32), np.array([1.5, 3.0], np.float32)
    grads = []
    fl.manual_seed(0)           # a fixed draw: otherwise it depends on the tests run before
    for t, draw in ((fl, True), (torch, False)):
        ps = [t.tensor(v, requires_grad=True) for v in (s, c)]
        D = t.distributions
        dists = (D.HalfNormal(ps[0]), D.Weibull(ps[0], ps[1]))
        means = [d.rsample((4000,)).mean(0) if draw else d.mean for d in dists]
        sum(m.sum() for m in means).backward()
        grads.append(np.concatenate([p.grad.numpy() for p in ps]))
    np.testing.assert_allclose(grads[0], grads[1], atol=0.1, rtol=0.1)


def test_categorical_repr_after_sampling_names_probs_as_torch():
    """torch's sample() reads (and caches) probs, so the repr names both after it."""
    def reprs(lib):
        lib.manual_seed(0)
        out = []
        for kind in ("logits", "probs"):
            c = lib.distributions.Categorical(**{kind: lib.tensor([0.1, 0.2, 0.7])})
            out.append(repr(c))
            c.sample((2,))
            out.append(repr(c))
        oh = lib.distributions.OneHotCategorical(logits=lib.tensor([0.1, 0.2, 0.7]))
        oh.sample()
        return out + [repr(oh)]
    assert reprs(fl) == reprs(torch)


def test_per_family_module_paths_as_torch():
    """`from torch.distributions.beta import Beta` and the like (a ModuleNotFoundError for
    the families defined in shared files): each of torch's family modules exists and
    holds its distributions under the same names."""
    import importlib
    import pkgutil

    import torch.distributions as td

    checked = 0
    for info in pkgutil.iter_modules(td.__path__):
        if info.name in ("lkj_cholesky", "wishart"):        # (families not here)
            continue
        ref = importlib.import_module(f"torch.distributions.{info.name}")
        families = [m for m in getattr(ref, "__all__", [])
                    if isinstance(getattr(ref, m), type)
                    and issubclass(getattr(ref, m), td.Distribution)]
        if families:
            ours = importlib.import_module(f"functorch_like.distributions.{info.name}")
            for member in families:
                assert getattr(ours, member).__name__ == member, (info.name, member)
                checked += 1
    assert checked >= 40


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
@pytest.mark.parametrize("family", ["Categorical", "OneHotCategorical"])
def test_categorical_sample_of_no_samples_raises_as_torch(family, shape):
    """torch's multinomial draws sample_shape.numel() per row and refuses none."""
    check_raises(lambda lib: getattr(lib.distributions, family)(
        probs=lib.tensor([[0.3, 0.7], [0.5, 0.5]])).sample(shape))


def test_categorical_sample_of_an_empty_batch_as_torch():
    """An empty batch with samples asked for is no error: an empty result."""
    shapes = [lib.distributions.Categorical(probs=lib.zeros(0, 2)).sample((3,)).shape
              for lib in (torch, fl)]
    assert shapes[0] == shapes[1] == (3, 0)
