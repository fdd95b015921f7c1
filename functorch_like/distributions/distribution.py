"""Distribution: the base class of torch.distributions, and ExponentialFamily."""

from __future__ import annotations

import warnings

import functorch_like as torch   # resolved at call time: this package loads inside torch's

from . import constraints
from .utils import _concrete, lazy_property

__all__ = ["Distribution", "ExponentialFamily"]


def _all_true(valid) -> bool:
    # Traced values (inside functorch_like.compile or jax.jit) cannot be read: skip the check.
    return not _concrete(valid) or bool(valid.all())


class Distribution:
    """Abstract base class for probability distributions.

    Args:
      batch_shape: the shape over which parameters are batched.
      event_shape: the shape of a single sample (without batching).
      validate_args: whether to check parameters and values (default: on, as PyTorch's
        `__debug__`; see `set_default_validate_args`).

    A sample of `sample(sample_shape)` has shape `sample_shape + batch_shape + event_shape`;
    `log_prob(value)` has shape `value.shape[:value.dim() - len(event_shape)]`.

    PyTorch parity: validation needs concrete values, so it is skipped on traced tensors
    (inside functorch_like.compile, jax.jit); samples come from JAX's generator, not
    PyTorch's stream (same distribution, other numbers for the same seed).
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Sets whether validation is enabled by default."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(),
                 validate_args: bool | None = None) -> None:
        self._batch_shape = torch.Size(batch_shape)
        self._event_shape = torch.Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(
                    f"{self.__class__} does not define `arg_constraints`. Please set "
                    "`arg_constraints = {}` or initialize the distribution with "
                    "`validate_args=False` to turn off validation.", stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param),
                                                             lazy_property):
                    continue        # lazily-constructed args are not checked
                value = getattr(self, param)
                if not _all_true(constraint.check(value)):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}")
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution with parameters expanded to `batch_shape` (no new checks)."""
        raise NotImplementedError

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def arg_constraints(self) -> dict:
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A sample of shape `sample_shape + batch_shape + event_shape`, without gradient."""
        with torch.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterized sample: gradients flow to the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int):
        warnings.warn("`sample_n(n)` will be deprecated. Use `sample((n,))` instead.",
                      FutureWarning, stacklevel=2)
        return self.sample(torch.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return torch.exp(self.entropy())

    def _extended_shape(self, sample_shape=()):
        return torch.Size(tuple(sample_shape) + self._batch_shape + self._event_shape)

    def _validate_sample(self, value) -> None:
        """Checks `value`'s type, its shape against batch/event shape, and the support."""
        if not isinstance(value, torch.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.size()) - len(self._event_shape)
        if value.size()[event_dim_start:] != self._event_shape:
            raise ValueError("The right-most size of value must match event_shape: "
                             f"{value.size()} vs {self._event_shape}.")
        actual_shape = value.size()
        expected_shape = self._batch_shape + self._event_shape
        for i, j in zip(reversed(actual_shape), reversed(expected_shape)):
            if i != 1 and j != 1 and i != j:
                raise ValueError("Value is not broadcastable with batch_shape+event_shape: "
                                 f"{actual_shape} vs {expected_shape}.")
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f"{self.__class__} does not define `support` to enable sample "
                          "validation. Please initialize the distribution with "
                          "`validate_args=False` to turn off validation.", stacklevel=2)
            return
        if not _all_true(support.check(value)):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}")

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(
                f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method.")
        return self.__new__(type(self)) if _instance is None else _instance

    def _expand_params(self, cls, batch_shape, names, _instance=None):
        """The common `expand`: a new `cls` instance whose tensors `names` are expanded to
        `batch_shape` (those present, for probs/logits pairs)."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = torch.Size(batch_shape)
        for name in names:
            if name in self.__dict__:
                value = self.__dict__[name]
                extra = tuple(value.shape[value.dim() - self._param_event_dims(name):])
                setattr(new, name, value.expand(batch_shape + extra))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _param_event_dims(self, name: str) -> int:
        # Trailing dims of parameter `name` that are not batch dims (e.g. Categorical probs).
        del name
        return len(self._event_shape)

    def __repr__(self) -> str:
        param_names = [k for k in self.arg_constraints if k in self.__dict__]
        args_string = ", ".join(
            f"{p}: {self.__dict__[p] if self.__dict__[p].numel() == 1 else self.__dict__[p].size()}"
            for p in param_names)
        return self.__class__.__name__ + "(" + args_string + ")"


class ExponentialFamily(Distribution):
    """Base class of the exponential-family distributions (Normal, Bernoulli, Gamma, ...).

    Each family here implements `entropy` and its KLs in closed form; a user's subclass
    that defines `_natural_params`, `_log_normalizer` and `_mean_carrier_measure` gets
    PyTorch's generic ones, through the gradient of the log-normalizer A:
    entropy = A(theta) - theta . grad A(theta) - E[carrier measure], and the KL between two
    members as a Bregman divergence of A (distributions/kl.py). A family that lacks one
    raises NotImplementedError there, as torch's (Poisson's entropy).
    """

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        theta = [t.detach().requires_grad_() for t in self._natural_params]
        a = self._log_normalizer(*theta)
        slopes = torch.autograd.grad(a.sum(), theta, create_graph=True)
        result = a - self._mean_carrier_measure
        for t, slope in zip(theta, slopes):
            result = result - (t * slope).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
