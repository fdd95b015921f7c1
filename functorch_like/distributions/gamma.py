"""Gamma(concentration, rate) and Exponential(rate)."""

from __future__ import annotations

from numbers import Number

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from .._tensor import apply
from ..pure import _gammainc
from . import _sampling, constraints
from .distribution import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma", "Exponential"]


def _f_gammainc(a, x):
    return _gammainc.gammainc(a, x)     # (accurate for a large shape too)


def _scalar_batch(*params, first):
    return torch.Size() if all(isinstance(p, Number) for p in params) else first.size()


class Gamma(ExponentialFamily):
    """Gamma distribution with shape `concentration` and inverse scale `rate`.

    Args:
      concentration: shape alpha > 0 (float or Tensor).
      rate: rate beta > 0 (float or Tensor); the mean is concentration / rate.

    rsample is reparameterized (implicit gradients of the draw w.r.t. concentration).
    PyTorch parity: cdf's gradient w.r.t. concentration is JAX's; PyTorch does not
    implement that derivative.
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(_scalar_batch(concentration, rate, first=self.concentration),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, ("concentration", "rate"), _instance)

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return (_sampling.standard_gamma(self.concentration.expand(shape))
                / self.rate.expand(shape))

    def log_prob(self, value):
        value = torch.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (torch.xlogy(self.concentration, self.rate)
                + torch.xlogy(self.concentration - 1, value)
                - self.rate * value - torch.lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - torch.log(self.rate) + torch.lgamma(self.concentration)
                + (1.0 - self.concentration) * torch.digamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a, x = torch.broadcast_tensors(self.concentration, self.rate * value)
        return apply(_f_gammainc, "IgammaBackward0", a, x)


class Exponential(ExponentialFamily):
    """Exponential distribution with `rate` (mean 1 / rate).

    Args:
      rate: rate lambda > 0 (float or Tensor).
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate, validate_args=None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(_scalar_batch(rate, first=self.rate), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Exponential, batch_shape, ("rate",), _instance)

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        return torch.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return torch.empty(shape, dtype=self.rate.dtype).exponential_() / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - torch.exp(-self.rate * value)

    def icdf(self, value):
        return -torch.log1p(-value) / self.rate

    def entropy(self):
        return 1.0 - torch.log(self.rate)
