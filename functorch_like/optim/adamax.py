"""torch.optim.Adamax over functorch_like.pure.optim.adamax."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax (Adam with an infinity-norm second moment), PyTorch's rule. See
    pure.optim.adamax."""

    _state_keys = ("step", "exp_avg", "exp_inf")

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _lerps_state(self, group):
        return True      # (torch updates exp_avg with lerp_: one dtype only)

    def _transform(self, group):
        return pure_optim.adamax(group["lr"], tuple(group["betas"]), group["eps"],
                                 group["weight_decay"], maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}
