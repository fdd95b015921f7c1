"""float(t), int(t), complex(t) of a Tensor: torch's checks before `item()`."""

from __future__ import annotations

from ._warn_once import warn_once
from .autograd._grad_mode import is_grad_enabled

# torch warns once per process (TORCH_WARN_ONCE) when float()/complex() drop a graph.
_REQUIRES_GRAD_WARNING = ("Converting a tensor with requires_grad=True to a scalar may lead "
                          "to unexpected behavior.\nConsider using tensor.detach() first.")


def check_python_scalar(t, warn_requires_grad: bool) -> None:
    """Raises torch's ValueError unless `t` has one element, and (for float/complex, as
    torch's Python bindings) warns the first time a tensor that requires grad is converted.
    `t.item()` itself raises a RuntimeError instead and never warns, as torch's."""
    if t._value.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    if warn_requires_grad and t.requires_grad and is_grad_enabled():   # (none under
        warn_once(_REQUIRES_GRAD_WARNING)                               # no_grad, as torch)
