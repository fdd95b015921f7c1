"""PyTorch's rule for loss arguments it does not differentiate (class `weight`,
`pos_weight`): its autograd refuses them requiring grad while grad mode is on, instead of
returning a gradient for them."""

from __future__ import annotations

from .._tensor import Tensor
from ..pure import _class_targets as _checks
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


def class_indices(input, target) -> bool:
    """cross_entropy's target holds class indices (not probabilities): only then does it
    run nll_loss, whose weight is not differentiable. PyTorch decides by shapes alone (a
    target of the input's shape is probabilities, whatever its dtype)."""
    return tuple(getattr(input, "shape", ())) != tuple(getattr(target, "shape", ()))


def check_nll_weight(input, target, weight, cross_entropy: bool = False,
                     label_smoothing: float = 0.0) -> None:
    """PyTorch's refusal of a class weight that requires grad, raised where PyTorch raises
    it: after cross_entropy's log_softmax checks and nll_loss_nd's shape checks (the
    errors of bad operands win)."""
    if not (isinstance(weight, Tensor) and weight.requires_grad and is_grad_enabled()):
        return
    if isinstance(input, Tensor) and isinstance(target, Tensor):
        if cross_entropy:
            _checks.check_label_smoothing(label_smoothing)
            _checks.check_log_softmax(input._value)
        _checks.check_nll_nd(input._value, target._value)
    check_not_differentiable(nll_op_name(input), weight=weight)
