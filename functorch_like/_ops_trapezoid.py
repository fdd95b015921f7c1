"""The trapezoidal rule: torch.trapezoid (trapz) and torch.cumulative_trapezoid."""

from __future__ import annotations

import jax.numpy as jnp

from . import _dtypes
from ._tensor import Tensor, _wrap_dim, apply


def _segments(y, x, *, axis, dx):
    """The areas of the trapezoids between neighbouring samples along `axis`."""
    y = jnp.moveaxis(y, axis, -1)
    mid = (y[..., 1:] + y[..., :-1]) / 2
    if x is None:
        return mid * dx
    x = jnp.moveaxis(x, axis, -1) if x.ndim == y.ndim else x
    return mid * (x[..., 1:] - x[..., :-1])


def _f_trapezoid(y, x, *, axis, dx):
    if x is None and y.shape[axis]:
        # torch's form for even spacing: (sum - (first + last) / 2) * dx; an inf sample
        # then gives NaN (inf - inf) and a lone NaN sample NaN, as there
        y = jnp.moveaxis(y, axis, -1)
        return (jnp.sum(y, -1) - (y[..., 0] + y[..., -1]) * 0.5) * dx
    return jnp.sum(_segments(y, x, axis=axis, dx=dx), -1)


def _f_cumulative_trapezoid(y, x, *, axis, dx):
    return jnp.moveaxis(jnp.cumsum(_segments(y, x, axis=axis, dx=dx), -1), -1, axis)


def _prepare(name, y, x, dx, dim):
    if x is not None and dx is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"(Tensor, Tensor, dx={type(dx).__name__}), but expected one of:\n"
                        " * (Tensor y, Tensor x, *, int dim = -1)\n"
                        " * (Tensor y, *, Number dx = 1, int dim = -1)\n")
    axis = _wrap_dim(dim, y.ndim)
    if x is not None:
        x = x if isinstance(x, Tensor) else Tensor._make(jnp.asarray(x))
        size = x.shape[0] if x.ndim == 1 else x.shape[axis]
        if size != y.shape[axis]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
    # Integer samples integrate to the default float type, as PyTorch.
    if not (y.is_floating_point() or y.is_complex()):
        y = y.to(_dtypes.get_default_dtype())
    return y, x, axis, 1 if dx is None else dx


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The integral of samples `y` along `dim` by the trapezoidal rule, at points `x` (1-D
    of y.shape[dim], or y's shape) or evenly spaced by `dx` (default 1)."""
    y, x, axis, dx = _prepare("trapezoid", y, x, dx, dim)
    return apply(_f_trapezoid, "MulBackward1" if x is None else "SumBackward1", y, x,
                 axis=axis, dx=dx)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """torch.trapz: an alias of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral along `dim`: y.shape[dim] - 1 values."""
    y, x, axis, dx = _prepare("cumulative_trapezoid", y, x, dx, dim)
    return apply(_f_cumulative_trapezoid, "CumsumBackward0", y, x, axis=axis, dx=dx)
