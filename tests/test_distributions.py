"""Differential tests of functorch_like.distributions against torch.distributions.

Closed-form results (log_prob, entropy, cdf, icdf, moments) and their gradients with
respect to the parameters (and the value) are compared with torch on the same inputs;
samples cannot match torch's stream, so their shapes, dtypes, support, moments and
reproducibility under manual_seed are tested, and rsample's gradients against those of the
analytic mean.
"""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import assert_same, check, check_raises, rand


def _pos(*shape, low=0.5, high=2.0):
    return rand(*shape, low=low, high=high)


def _outputs(d, value=None, u=None, methods=()):
    """The named results of `methods` on distribution `d` (value for log_prob/cdf, u in
    (0, 1) for icdf)."""
    out = {}
    for m in methods:
        if m in ("log_prob", "cdf"):
            out[m] = getattr(d, m)(value)
        elif m == "icdf":
            out[m] = d.icdf(u)
        elif m == "entropy":
            out[m] = d.entropy()
        else:
            out[m] = getattr(d, m)
    return out


U3 = rand(3, low=0.1, high=0.9)
MOMENTS = ("mean", "variance", "stddev", "mode")
CONT = ("log_prob", "entropy", "cdf", "icdf") + MOMENTS

# name: (make(D, *params), params, value, methods)
FAMILIES = {
    "Normal": (lambda D, a, b: D.Normal(a, b), [rand(3), _pos(3)], rand(3), CONT),
    "Uniform": (lambda D, a, b: D.Uniform(a, b), [rand(3, low=-2, high=-1), _pos(3)],
                rand(3, low=-0.9, high=0.4), ("log_prob", "entropy", "cdf", "icdf", "mean",
                                              "variance", "stddev")),
    "Exponential": (lambda D, r: D.Exponential(r), [_pos(3)], _pos(3), CONT),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), [rand(3), _pos(3)], rand(3), CONT),
    "Cauchy": (lambda D, a, b: D.Cauchy(a, b), [rand(3), _pos(3)], rand(3),
               ("log_prob", "entropy", "cdf", "icdf", "mode")),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), [rand(3), _pos(3)], _pos(3), CONT),
    "Gamma": (lambda D, a, b: D.Gamma(a, b), [_pos(3, high=3), _pos(3)], _pos(3),
              ("log_prob", "entropy") + MOMENTS),
    "Beta": (lambda D, a, b: D.Beta(a, b), [_pos(3, high=3), _pos(3, high=3)], U3,
             ("log_prob", "entropy", "mean", "variance", "mode")),
    "StudentT": (lambda D, df, a, b: D.StudentT(df, a, b),
                 [np.array([0.8, 1.5, 3.0], np.float32), rand(3), _pos(3)], rand(3),
                 ("log_prob", "entropy", "mean", "variance", "mode")),
    "Dirichlet": (lambda D, c: D.Dirichlet(c), [_pos(2, 3, low=0.3, high=3)],
                  np.array([0.2, 0.3, 0.5], np.float32),
                  ("log_prob", "entropy", "mean", "variance", "mode")),
    "Bernoulli_probs": (lambda D, p: D.Bernoulli(probs=p), [U3],
                        np.array([0.0, 1.0, 1.0], np.float32),
                        ("log_prob", "entropy", "mean", "variance", "mode", "logits")),
    "Categorical_probs": (lambda D, p: D.Categorical(probs=p), [_pos(2, 3)],
                          np.array([0, 2]), ("log_prob", "entropy", "mode", "logits",
                                             "probs", "mean")),
    "OneHotCategorical": (lambda D, lg: D.OneHotCategorical(logits=lg), [rand(2, 3)],
                          np.array([0.0, 1.0, 0.0], np.float32),
                          ("log_prob", "entropy", "mean", "variance", "mode")),
    "Poisson": (lambda D, r: D.Poisson(r), [_pos(3, high=4)],
                np.array([0.0, 2.0, 5.0], np.float32), ("log_prob", "mean", "variance",
                                                        "mode")),
    "Binomial": (lambda D, p: D.Binomial(4, probs=p), [U3],
                 np.array([0.0, 2.0, 4.0], np.float32),
                 ("log_prob", "entropy", "mean", "variance", "mode", "logits")),
    "Independent": (lambda D, a, b: D.Independent(D.Normal(a, b), 1), [rand(2, 3), _pos(2, 3)],
                    rand(3), ("log_prob", "entropy", "mean", "variance")),
    "MVN_cov": (lambda D, loc, a: D.MultivariateNormal(
        loc, covariance_matrix=a @ a.mT + a.new_ones(3).diag()),
        [rand(2, 3), rand(3, 3)], rand(4, 1, 3),
        ("log_prob", "entropy", "mean", "variance", "scale_tril", "precision_matrix")),
    "MVN_precision": (lambda D, loc, a: D.MultivariateNormal(
        loc, precision_matrix=a @ a.mT + a.new_ones(3).diag()),
        [rand(3), rand(3, 3)], rand(2, 3), ("log_prob", "covariance_matrix")),
    "Transformed": (lambda D, a, b: D.TransformedDistribution(
        D.Normal(a, b), [D.AffineTransform(0.5, -0.5), D.transforms.TanhTransform(),
                         D.SigmoidTransform()]),
        [rand(3), _pos(3)], rand(3, low=0.3, high=0.7), ("log_prob", "cdf", "icdf")),
}


def check_family(make, params, value, methods):
    """Values, shapes, dtypes and gradients (w.r.t. parameters and value) of one FAMILIES
    entry match torch."""
    def fn(t, value, u, *params):
        d = make(t.distributions, *params)
        return {"shape": (tuple(d.batch_shape), tuple(d.event_shape)),
                **_outputs(d, value, u, methods)}

    check(fn, value, U3, *params, atol=2e-5, rtol=2e-4)


@pytest.mark.parametrize("name", FAMILIES)
def test_family_matches_torch(name):
    check_family(*FAMILIES[name])


def test_gamma_cdf_and_repr_and_expand():
    # cdf w.r.t. rate and value (torch has no derivative w.r.t. concentration).
    check(lambda t, a, b, v: t.distributions.Gamma(a.detach(), b).cdf(v),
          _pos(3, high=3), _pos(3), _pos(3))
    for t in (torch, fl):
        D = t.distributions
        n = D.Normal(t.zeros(2), t.ones(2))
        b = D.Bernoulli(logits=t.zeros(3))
        b.probs       # a lazy property: once computed repr lists it
        reprs = [repr(n), repr(D.Normal(0.0, 1.0)), repr(b), repr(D.Beta(1.0, 2.0)),
                 repr(D.Independent(n, 1)), repr(D.constraints.positive),
                 repr(D.constraints.interval(0.0, 1.0)), repr(D.constraints.real_vector),
                 repr(D.constraints.simplex), repr(D.transforms.ExpTransform().inv),
                 repr(n.expand((3, 2))), repr(D.MultivariateNormal(t.zeros(2), t.eye(2)))]
        e = D.Categorical(logits=t.zeros(3)).expand((4,))
        shapes = (e.batch_shape, e.logits.shape, D.Gamma(1.0, t.ones(2)).expand((3, 2)).rate.shape)
        if t is torch:
            want, want_shapes = reprs, shapes
    assert reprs == want
    assert tuple(map(tuple, shapes)) == tuple(map(tuple, want_shapes))


@pytest.mark.parametrize("case", [
    lambda D, t: D.Normal(t.tensor([0.0]), t.tensor([-1.0])),
    lambda D, t: D.Bernoulli(probs=t.tensor([1.5])),
    lambda D, t: D.Bernoulli(),
    lambda D, t: D.Categorical(probs=t.tensor(0.5)),
    lambda D, t: D.Uniform(t.tensor([1.0]), t.tensor([0.0])),
    lambda D, t: D.MultivariateNormal(t.zeros(2)),
    lambda D, t: D.MultivariateNormal(t.zeros(2), t.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda D, t: D.Normal(t.zeros(3), 1.0).log_prob(t.zeros(2)),
    lambda D, t: D.Exponential(t.ones(2)).log_prob(t.tensor([-1.0, 1.0])),
    lambda D, t: D.Categorical(logits=t.zeros(3)).log_prob(t.tensor([3])),
    lambda D, t: D.Dirichlet(t.ones(3)).log_prob(t.ones(2)),
    lambda D, t: D.kl_divergence(D.Normal(0.0, 1.0), D.Bernoulli(0.5)),
    lambda D, t: D.kl_divergence(D.Normal(0.0, 1.0), D.Cauchy(0.0, 1.0)),
])
def test_errors_match_torch(case):
    check_raises(lambda lib: case(lib.distributions, lib))


def test_validation_can_be_switched_off():
    d = fl.distributions.Normal(fl.tensor([0.0]), fl.tensor([-1.0]), validate_args=False)
    assert np.isnan(d.log_prob(fl.tensor([0.0])).item())
    assert not fl.distributions.Normal(0.0, 1.0, validate_args=False)._validate_args


SAMPLED = {
    # name: (make(D, t), reparameterized)
    "Normal": (lambda D, t: D.Normal(t.tensor([0.5, -1.0]), t.tensor([1.0, 2.0])), True),
    "Laplace": (lambda D, t: D.Laplace(t.tensor([0.5, -1.0]), t.tensor([1.0, 0.5])), True),
    "LogNormal": (lambda D, t: D.LogNormal(t.tensor([0.0, 0.5]), t.tensor([0.3, 0.5])), True),
    "Gamma": (lambda D, t: D.Gamma(t.tensor([0.5, 3.0]), t.tensor([1.0, 2.0])), True),
    # Beta, Dirichlet and StudentT draw Gamma variates of Gamma's (4000, 2) shape: one
    # sampler program for the four.
    "Beta": (lambda D, t: D.Beta(0.5, 2.0), True),
    "Dirichlet": (lambda D, t: D.Dirichlet(t.tensor([0.7, 2.0])), True),
    "StudentT": (lambda D, t: D.StudentT(t.tensor([5.0, 9.0])), True),
    "MVN": (lambda D, t: D.MultivariateNormal(
        t.tensor([1.0, -1.0]), t.tensor([[2.0, 0.5], [0.5, 1.0]])), True),
    "Bernoulli": (lambda D, t: D.Bernoulli(probs=t.tensor([0.2, 0.7])), False),
    "Categorical": (lambda D, t: D.Categorical(probs=t.tensor([[0.2, 0.3, 0.5],
                                                               [0.6, 0.3, 0.1]])), False),
    "Poisson": (lambda D, t: D.Poisson(t.tensor([0.5, 4.0])), False),
    "Binomial": (lambda D, t: D.Binomial(t.tensor([3.0, 10.0]), t.tensor([0.3, 0.6])), False),
}


@pytest.mark.parametrize("name", SAMPLED)
def test_samples_shape_dtype_support_moments_seed(name):
    make, reparam = SAMPLED[name]
    ref, d = make(torch.distributions, torch), make(fl.distributions, fl)
    assert d.has_rsample == ref.has_rsample == reparam
    want = ref.sample((5,))
    fl.manual_seed(3)
    x = d.sample((4000,))
    fl.manual_seed(3)
    np.testing.assert_array_equal(d.sample((4000,)).numpy(), x.numpy())   # reproducible
    assert tuple(x.shape) == (4000,) + tuple(want.shape[1:])
    assert str(x.dtype).split(".")[1] == str(want.dtype).split(".")[1].replace("64", "32") \
        or str(x.dtype) == str(want.dtype)
    assert bool(d.support.check(x).all())
    xs = x.numpy().astype(np.float64)
    mean, var = ref.mean.numpy(), ref.variance.numpy()
    if name == "Categorical":       # mean is NaN: compare the frequencies with probs
        xs = np.eye(3)[x.numpy()]
        mean, var = ref.probs.numpy(), (ref.probs * (1 - ref.probs)).numpy()
    tol = 5 * np.sqrt(var / len(xs)) + 1e-3
    np.testing.assert_array_less(np.abs(xs.mean(0) - mean), tol)
    np.testing.assert_allclose(xs.var(0), var, rtol=0.15, atol=1e-3)


def test_rsample_gradients_follow_the_mean():
    """d mean(rsample) / d params is close to d (analytic mean) / d params, in torch and
    here: Gamma and Dirichlet draws are implicitly reparameterized (the other families'
    draws are affine in their parameters). One backward for both (one compile)."""
    a, b = np.array([1.5, 2.5], np.float32), np.array([0.5, 1.5], np.float32)
    w = np.array([1.0, -2.0], np.float32)
    grads = []
    for t, draw in ((torch, True), (fl, True), (torch, False)):
        params = [t.tensor(x, requires_grad=True) for x in (a, b, a, b)]
        D = t.distributions
        dists = (D.Gamma(params[0], params[1]), D.Dirichlet(params[2] + params[3]))
        means = [d.rsample((4000,)).mean(0) if draw else d.mean for d in dists]
        sum((m * t.tensor(w)).sum() for m in means).backward()
        grads.append(np.concatenate([p.grad.numpy() for p in params]))
    np.testing.assert_allclose(grads[0], grads[2], atol=0.1, rtol=0.1)   # torch agrees
    np.testing.assert_allclose(grads[1], grads[2], atol=0.1, rtol=0.1)


def test_enumerate_support_and_perplexity():
    check(lambda t, p: (t.distributions.Bernoulli(p).enumerate_support(),
                        t.distributions.Categorical(p).enumerate_support(False),
                        t.distributions.Binomial(3, p).enumerate_support(),
                        t.distributions.OneHotCategorical(p).enumerate_support(),
                        t.distributions.Bernoulli(p).perplexity()), U3)


def test_sampling_inside_compile_threads_the_key(eager_and_compiled_losses):
    """A step that draws reparameterized samples runs compiled with the same draws as
    eagerly (the generator's key is threaded as state), and the draws advance per call."""
    def build():
        net = fl.nn.Linear(3, 4)
        opt = fl.optim.SGD(net.parameters(), lr=0.05)
        x = fl.randn(6, 3)

        def loss(x):
            h = net(x)
            q = fl.distributions.Normal(h[:, :2], fl.nn.functional.softplus(h[:, 2:]) + 0.1)
            z = q.rsample()
            prior = fl.distributions.Normal(fl.zeros(2), fl.ones(2))
            return (fl.distributions.kl_divergence(q, prior).sum() - q.log_prob(z).mean()
                    + z.pow(2).mean())
        return loss, opt, (x,)
    eager, compiled = eager_and_compiled_losses(build, 3)
    np.testing.assert_allclose(compiled, eager, rtol=1e-4, atol=1e-5)
    assert len(set(np.round(compiled, 6))) == 3


def test_constraints_check_match_torch():
    x = np.array([[-1.0, 0.0, 0.5], [1.0, 2.0, np.nan]], np.float32)
    for name in ["real", "positive", "nonnegative", "unit_interval", "boolean",
                 "nonnegative_integer", "simplex", "real_vector", "one_hot"]:
        check(lambda t, v: getattr(t.distributions.constraints, name).check(v), x, grad=False)
    check(lambda t, v: (t.distributions.constraints.interval(-1.0, 0.5).check(v),
                        t.distributions.constraints.half_open_interval(-1.0, 0.5).check(v),
                        t.distributions.constraints.integer_interval(0, 1).check(v),
                        t.distributions.constraints.greater_than_eq(0.0).check(v),
                        t.distributions.constraints.less_than(0.5).check(v)), x, grad=False)
    m = np.array([[[2.0, 0.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]], np.float32)
    check(lambda t, v: tuple(getattr(t.distributions.constraints, c).check(v) for c in
                             ("lower_cholesky", "lower_triangular", "positive_definite",
                              "symmetric", "square")), m, grad=False)
    assert fl.distributions.constraints.is_dependent(fl.distributions.Uniform.support)


def test_facade_in_jax_grad():
    """log_prob is a differentiable function of Tensors under jax.grad / jax.jit."""
    import jax

    def nll(loc, scale, x):
        d = fl.distributions.Normal(fl.Tensor._make(loc), fl.Tensor._make(scale))
        return d.log_prob(fl.Tensor._make(x)).sum()._value

    loc, scale, x = np.float32([0.3, -0.2]), np.float32([1.5, 0.7]), np.float32([1.0, 0.0])
    g = jax.jit(jax.grad(nll, argnums=(0, 1)))(loc, scale, x)
    tl, ts = torch.tensor(loc, requires_grad=True), torch.tensor(scale, requires_grad=True)
    torch.distributions.Normal(tl, ts).log_prob(torch.tensor(x)).sum().backward()
    assert_same((tl.grad, ts.grad), tuple(fl.Tensor._make(v) for v in g))


@pytest.mark.parametrize("family, names", [("Normal", ("loc", "scale")),
                                           ("Gamma", ("concentration", "rate")),
                                           ("Laplace", ("loc", "scale")),
                                           ("Uniform", ("low", "high"))])
def test_a_distribution_keeps_its_parameter_tensors_which_an_optimizer_can_take(family, names):
    # broadcast_tensors returns a tensor already of the broadcast shape itself, as
    # torch's: the parameters were expanded copies (non-leaf: "can't optimize a non-leaf")
    out = {}
    for lib in (torch, fl):
        p = lib.tensor([0.25, 0.5], requires_grad=True)
        q = lib.tensor([1.5, 2.5], requires_grad=True)
        d = getattr(lib.distributions, family)(p, q)
        params = [getattr(d, n) for n in names]
        assert params[0] is p and params[1] is q
        opt = lib.optim.SGD(params, lr=0.1)
        d.log_prob(lib.tensor([0.75, 1.25])).sum().backward()
        opt.step()
        out[lib] = (p.detach().numpy().tolist(), q.detach().numpy().tolist())
    np.testing.assert_allclose(out[fl], out[torch], rtol=1e-5)
