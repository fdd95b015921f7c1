"""kl_divergence for the remaining cross-family pairs PyTorch registers: Normal || Laplace,
Gamma || Gumbel, Beta / ContinuousBernoulli / Uniform / Pareto against the families on
[0, 1] and [0, inf), and the pairs whose KL is +inf because q's support misses part of p's.
Registered through kl.register_kl on import.

Each finite pair is KL(p || q) = -H(p) + H(p, q), the cross-entropy H(p, q) = -E_p[log q(X)]
written with p's moments. Where PyTorch writes inf in place for entries whose supports do
not nest (`result[mask] = inf`), torch.where gives the same values and the same (zero)
gradient at those entries; the masks are PyTorch's, including its strict and non-strict
comparisons.
"""

from __future__ import annotations

import math

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from .bernoulli import Bernoulli, Binomial
from .continuous_bernoulli import ContinuousBernoulli
from .dirichlet import Beta
from .extreme_value import Gumbel, Pareto
from .gamma import Exponential, Gamma
from .kl import _register_infinite, register_kl
from .location_scale import Laplace
from .normal import Normal
from .poisson import Poisson
from .uniform import Uniform

__all__: list = []


# ---- moments of p ---------------------------------------------------------------------
def _xlogx(x):
    # 0 log 0 = 0, so a Uniform with an end at 0 (or 1) keeps a finite KL, as PyTorch's.
    return torch.special.xlogy(x, x)


def _uniform_mean_log(p):
    """E[log X] for X ~ Uniform(low, high) on [0, inf): [x log x - x] over the width."""
    width = p.high - p.low
    return (_xlogx(p.high) - _xlogx(p.low) - width) / width


def _uniform_mean_log1m(p):
    """E[log(1 - X)] for X ~ Uniform(low, high) inside [0, 1]."""
    width = p.high - p.low
    return (_xlogx(1 - p.low) - _xlogx(1 - p.high) - width) / width


def _pareto_mean(p):
    # Written out rather than Pareto.mean, whose clamp would put inf (and nan gradients)
    # into the alpha <= 1 entries that the caller masks with inf anyway.
    return p.alpha * p.scale / (p.alpha - 1)


def _pareto_variance(p):
    return p.alpha * (p.scale / (p.alpha - 1)).pow(2) / (p.alpha - 2)


def _pareto_mean_log(p):
    """E[log X] for a Pareto: log(scale) + 1 / alpha, as log(X / scale) ~ Exp(alpha)."""
    return p.scale.log() + p.alpha.reciprocal()


def _normal_mean_abs(p, center):
    """E|X - center| for X ~ Normal(loc, scale): the folded normal's mean."""
    diff = p.loc - center
    standardized = diff / p.scale
    density_term = math.sqrt(2 / math.pi) * p.scale * torch.exp(-0.5 * standardized.pow(2))
    return density_term + diff * torch.erf(standardized / math.sqrt(2))


# ---- cross-entropies H(p, q) from p's moments -----------------------------------------
def _normal_cross_entropy(mean, variance, q):
    """-E[log q(X)] for q Normal, given E[X] and Var[X]."""
    return (0.5 * math.log(2 * math.pi) + q.scale.log()
            + (variance + (mean - q.loc).pow(2)) / (2 * q.scale.pow(2)))


def _gamma_cross_entropy(mean, mean_log, q):
    """-E[log q(X)] for q Gamma, given E[X] and E[log X]."""
    return (q.concentration.lgamma() - q.concentration * q.rate.log()
            - (q.concentration - 1) * mean_log + q.rate * mean)


def _exponential_cross_entropy(mean, q):
    """-E[log q(X)] for q Exponential, given E[X]."""
    return q.rate * mean - q.rate.log()


def _continuous_bernoulli_cross_entropy(mean, q):
    """-E[log q(X)] for q ContinuousBernoulli: log q = x logits + log(1 - probs) + log C."""
    return -(mean * q.logits + torch.log1p(-q.probs) + q._cont_bern_log_norm())


def _pareto_cross_entropy(mean_log, q):
    """-E[log q(X)] for q Pareto on p's support, given E[log X]."""
    return (q.alpha + 1) * mean_log - q.alpha.log() - q.alpha * q.scale.log()


# ---- Normal, Gamma --------------------------------------------------------------------
@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    neg_entropy = -0.5 * math.log(2 * math.pi * math.e) - p.scale.log()
    return neg_entropy + math.log(2) + q.scale.log() + _normal_mean_abs(p, q.loc) / q.scale


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    # log q(x) = -log s - z - exp(-z), z = (x - loc) / s; E[exp(-X / s)] is the Gamma's
    # moment generating function at -1 / s: (1 + 1 / (rate s)) ** -concentration.
    rate_scale = p.rate * q.scale
    loc_ratio = q.loc / q.scale
    mean_z = p.concentration / rate_scale - loc_ratio
    mean_exp = torch.exp(loc_ratio - p.concentration * torch.log1p(rate_scale.reciprocal()))
    return -p.entropy() + q.scale.log() + mean_z + mean_exp


# ---- Beta -----------------------------------------------------------------------------
def _beta_mean_log(p):
    return p.concentration1.digamma() - (p.concentration1 + p.concentration0).digamma()


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    return -p.entropy() + _gamma_cross_entropy(p.mean, _beta_mean_log(p), q)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low > p.support.lower_bound) | (q.high < p.support.upper_bound)
    return torch.where(outside, math.inf, result)


# ---- ContinuousBernoulli --------------------------------------------------------------
@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    return -p.entropy() + _normal_cross_entropy(p.mean, p.variance, q)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    """PyTorch parity: inf also where q's interval only touches [0, 1] at an end
    (q.low >= 0 or q.high <= 1, e.g. Uniform(0, 1) itself), not only where it cuts it."""
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low >= p.support.lower_bound) | (q.high <= p.support.upper_bound)
    return torch.where(outside, math.inf, result)


# ---- Uniform --------------------------------------------------------------------------
@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    log_beta_fn = (q.concentration1.lgamma() + q.concentration0.lgamma()
                   - (q.concentration1 + q.concentration0).lgamma())
    cross = (log_beta_fn - (q.concentration1 - 1) * _uniform_mean_log(p)
             - (q.concentration0 - 1) * _uniform_mean_log1m(p))
    outside = (p.high > q.support.upper_bound) | (p.low < q.support.lower_bound)
    return torch.where(outside, math.inf, -p.entropy() + cross)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    result = -p.entropy() + _gamma_cross_entropy(p.mean, _uniform_mean_log(p), q)
    return torch.where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = -p.entropy() + _exponential_cross_entropy(p.mean, q)
    return torch.where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    result = -p.entropy() + _pareto_cross_entropy(_uniform_mean_log(p), q)
    return torch.where(p.low < q.support.lower_bound, math.inf, result)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    """PyTorch parity: inf also where p's interval reaches an end of [0, 1]
    (p.low <= 0 or p.high >= 1, e.g. Uniform(0, 1) itself), not only where it leaves it."""
    result = -p.entropy() + _continuous_bernoulli_cross_entropy(p.mean, q)
    outside = (p.high >= q.support.upper_bound) | (p.low <= q.support.lower_bound)
    return torch.where(outside, math.inf, result)


# ---- Pareto ---------------------------------------------------------------------------
@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    """inf where alpha <= 2: the Pareto's variance is infinite there."""
    result = -p.entropy() + _normal_cross_entropy(_pareto_mean(p), _pareto_variance(p), q)
    return torch.where(p.alpha <= 2, math.inf, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    """inf where alpha <= 1: the Pareto's mean is infinite there."""
    result = -p.entropy() + _gamma_cross_entropy(_pareto_mean(p), _pareto_mean_log(p), q)
    return torch.where(p.alpha <= 1, math.inf, result)


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    """inf where alpha <= 1: the Pareto's mean is infinite there."""
    result = -p.entropy() + _exponential_cross_entropy(_pareto_mean(p), q)
    return torch.where(p.alpha <= 1, math.inf, result)


# ---- q's support misses part of p's: +inf everywhere ----------------------------------
_register_infinite(Beta, "concentration1", Pareto)
_register_infinite(ContinuousBernoulli, "probs", Pareto)
_register_infinite(Exponential, "rate", ContinuousBernoulli, Pareto)
_register_infinite(Gamma, "concentration", ContinuousBernoulli, Pareto)
_register_infinite(Pareto, "scale", Beta, ContinuousBernoulli, Uniform)
_register_infinite(Poisson, "rate", Bernoulli, Binomial)
