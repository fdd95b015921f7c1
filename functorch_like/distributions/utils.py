"""Helpers shared by the distributions (torch.distributions.utils)."""

from __future__ import annotations

from numbers import Number

import jax

import functorch_like as torch   # resolved at call time: this package loads inside torch's

euler_constant = 0.57721566490153286060    # Euler-Mascheroni constant

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs",
           "lazy_property", "euler_constant"]


def broadcast_all(*values):
    """Broadcasts Tensors and Python numbers to one shape; numbers become tensors of the
    first tensor's dtype (or the default dtype)."""
    if not all(isinstance(v, (torch.Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                         "objects implementing __torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, torch.Tensor)),
                 torch.get_default_dtype())
    values = [v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=dtype)
              for v in values]
    return torch.broadcast_tensors(*values)


def _sum_rightmost(value, dim: int):
    """Sums the `dim` rightmost dimensions of `value`."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary: bool = False):
    """sigmoid (binary) or softmax over the last dim."""
    if is_binary:
        return torch.sigmoid(logits)
    return torch.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamps into [eps, 1 - eps] of the dtype, so logs stay finite."""
    eps = torch.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary: bool = False):
    """log-odds (binary) or log-probabilities, from clamped probabilities."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return torch.log(ps_clamped) - torch.log1p(-ps_clamped)
    return torch.log(ps_clamped)


class lazy_property:
    """Computed on first access (with grad enabled) and then stored in the instance's
    `__dict__`, as PyTorch's: so `repr` lists `logits` only once it was computed."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with torch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _concrete(t) -> bool:
    """Whether a Tensor's values can be read (not traced inside compile/jit)."""
    return not isinstance(t._value, jax.core.Tracer)


def _key():
    """A fresh PRNG key from the global generator (threaded as state under compile)."""
    from .._random import next_key
    return next_key()
