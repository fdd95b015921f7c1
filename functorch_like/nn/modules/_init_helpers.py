"""Module parameters from the pure core's initializers and the global generator."""

from __future__ import annotations

from ... import _dtypes, _random
from ..._tensor import Tensor
from ..parameter import Parameter


def fresh_key():
    return _random.next_key()


def _default_floating(t: Tensor, dtype):
    """The dtype to give `t`: `dtype`, or for a floating array made by the pure core's
    initializers (float32), torch's default dtype (float64 after
    `set_default_dtype(torch.float64)`), as torch's modules are made in it."""
    if dtype is None and t.is_floating_point():
        return _dtypes.get_default_dtype()
    return dtype


def param(array, dtype=None, device=None) -> Parameter:
    t = Tensor._make(array)
    dtype = _default_floating(t, dtype)
    if dtype is not None and dtype != t.dtype:
        t = t.to(dtype)
    if device is not None:
        t = t.to(device)
    return Parameter(t)


def buffer(array, dtype=None, device=None) -> Tensor:
    t = Tensor._make(array)
    dtype = _default_floating(t, dtype)
    if dtype is not None and t.is_floating_point() and dtype != t.dtype:
        t = t.to(dtype)
    if device is not None:
        t = t.to(device)
    return t


def jax_dtype(dtype):
    return None if dtype is None else _dtypes.to_jax(dtype)


def assign_params(module, arrays: dict, dtype=None, device=None) -> None:
    """Sets each name to a Parameter, or copies into the existing one (reset_parameters
    keeps Parameter identity so optimizers holding them stay valid)."""
    for name, array in arrays.items():
        current = module._parameters.get(name)
        if current is None:
            setattr(module, name, param(array, dtype, device))
        else:
            current._value = array.astype(current._value.dtype)
            current._version += 1
