"""PyTorch's rule for loss arguments it does not differentiate (class `weight`,
`pos_weight`): its autograd refuses them requiring grad while grad mode is on, instead of
returning a gradient for them."""

from __future__ import annotations

from .._tensor import Tensor
from ..autograd._grad_mode import is_grad_enabled


def check_not_differentiable(op: str, **args) -> None:
    """Raises PyTorch's RuntimeError for the first of `args` (in order) that requires grad.

    Args:
      op: the ATen function PyTorch names (`nll_loss_forward`, `binary_cross_entropy`, ...).
      args: argument name -> value (None and non-tensors pass).
    """
    if not is_grad_enabled():
        return
    for name, value in args.items():
        if isinstance(value, Tensor) and value.requires_grad:
            raise RuntimeError(f"The function '{op}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad "
                               "True.")


def nll_op_name(input) -> str:
    """The ATen op nll_loss runs for this input: inputs of 3 or more dims go through
    nll_loss2d."""
    return "nll_loss2d_forward" if getattr(input, "ndim", 0) >= 3 else "nll_loss_forward"


def class_indices(target) -> bool:
    """cross_entropy's target holds class indices (not probabilities): only then does it
    run nll_loss, whose weight is not differentiable."""
    return isinstance(target, Tensor) and not target.dtype.is_floating_point
