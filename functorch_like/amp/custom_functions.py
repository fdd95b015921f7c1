"""torch.amp.custom_fwd / custom_bwd: decorators for a custom autograd.Function's forward
and backward under autocast (PyTorch's AMP recipe for custom Functions).

custom_fwd records the autocast state forward ran under on the ctx (and, given
`cast_inputs`, casts the floating tensors it is given and runs forward with autocast off);
custom_bwd runs backward under the autocast state forward recorded.
"""

from __future__ import annotations

import collections.abc
import functools

import numpy as np

from .._tensor import Tensor
from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled


def _check_device_type(device_type) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def _cast(value, device_type: str, dtype):
    """`value` with its floating tensors on `device_type` (not float64) cast to `dtype`,
    looking into mappings, lists and tuples as torch's AMP does."""
    if isinstance(value, Tensor):
        # (the array's own dtype: without x64, torch.float64 names float32)
        eligible = (value.is_floating_point() and value.device.type == device_type
                    and value._value.dtype != np.float64)
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        items = (_cast(v, device_type, dtype) for v in value)
        return type(value)(items) if isinstance(value, (list, tuple)) else items
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorates a custom Function's `forward(ctx, *args)`: records on `ctx` whether autocast
    for `device_type` was on (and its dtype), for custom_bwd. With `cast_inputs` (a dtype),
    inside an autocast region the floating tensors among the arguments are cast to it and
    forward runs with autocast off; outside one, the decorator does nothing else."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs),
                       **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorates a custom Function's `backward(ctx, *grads)`: runs it under the autocast
    state (enabled, dtype) that its custom_fwd-decorated forward recorded on `ctx`."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast,
                      dtype=ctx._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
