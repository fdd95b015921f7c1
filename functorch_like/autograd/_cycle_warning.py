"""torch's one-time warning for `backward(create_graph=True)`."""

from __future__ import annotations

import warnings

from ..pure._errors import user_stacklevel

_warned = False


def warn_create_graph_cycle() -> None:
    """Warns the first time in a process that backward() accumulates a gradient that has a
    graph into `.grad` (torch's engine: TORCH_WARN_ONCE; autograd.grad does not warn)."""
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient which can cause a memory leak. We recommend using "
        "autograd.grad when creating the graph to avoid this. If you have to use this "
        "function, make sure to reset the .grad fields of your parameters to None after use "
        "to break the cycle and avoid the leak.", UserWarning, stacklevel=user_stacklevel())
