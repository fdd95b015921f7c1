"""Elementwise transforms beyond transforms.py: AbsTransform, PowerTransform and
CumulativeDistributionTransform (torch.distributions.transforms)."""

from __future__ import annotations

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from . import constraints
from .transforms import Transform
from .utils import broadcast_all, lazy_property

__all__ = ["AbsTransform", "PowerTransform", "CumulativeDistributionTransform"]


class AbsTransform(Transform):
    """y = |x|. Not bijective: the inverse returns y itself (the positive branch), and
    there is no log_abs_det_jacobian, as PyTorch's (HalfNormal/HalfCauchy fold their base
    distribution's density by hand instead)."""

    domain = constraints.real
    codomain = constraints.positive

    def __eq__(self, other):
        return isinstance(other, AbsTransform)

    __hash__ = Transform.__hash__

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """y = x ** exponent on the positive reals.

    Args:
      exponent: float or Tensor (broadcast against x).
    """

    domain = constraints.positive
    codomain = constraints.positive
    bijective = True

    def __init__(self, exponent, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @lazy_property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        if not isinstance(other, PowerTransform):
            return False
        return self.exponent.eq(other.exponent).all().item()

    __hash__ = Transform.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return torch.broadcast_shapes(shape, getattr(self.exponent, "shape", ()))

    inverse_shape = forward_shape


class CumulativeDistributionTransform(Transform):
    """y = distribution.cdf(x), onto the unit interval; log|dy/dx| = log_prob(x).

    Args:
      distribution: a Distribution with `cdf`, `icdf` and `log_prob` (e.g. Normal(0, 1),
        to build a Gaussian copula).
    """

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)
