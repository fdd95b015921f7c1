"""torch.optim.Rprop over functorch_like.pure.optim.rprop."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class Rprop(Optimizer):
    """Resilient backpropagation, PyTorch's rule. `lr` seeds each parameter's step sizes
    when its state is created (later changes to it, e.g. by a scheduler, do not move
    parameters that have state, as in torch). See pure.optim.rprop."""

    _state_keys = ("step", "prev", "step_size")

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    _grad_meets_state_first = True     # (torch's first op: grad.mul(prev))

    def _param_outgrown(self, new, both):
        # torch's Rprop masks the new gradient with the sign of `grad * prev` first.
        dim = next(i for i, (n, b) in enumerate(zip(new, both)) if n != b)
        raise IndexError(f"The shape of the mask {list(both)} at index {dim} does not match "
                         f"the shape of the indexed tensor {list(new)} at index {dim}")

    def _transform(self, group):
        return pure_optim.rprop(group["lr"], tuple(group["etas"]), tuple(group["step_sizes"]),
                                maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        etaminus, etaplus = group["etas"]
        lo, hi = group["step_sizes"]
        return {"etaminus": etaminus, "etaplus": etaplus, "step_size_min": lo,
                "step_size_max": hi}
