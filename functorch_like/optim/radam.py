"""torch.optim.RAdam over functorch_like.pure.optim.radam."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class RAdam(Optimizer):
    """RAdam with PyTorch's rule (rectified once rho_t > 5, eps before the bias
    correction; weight_decay is L2 unless decoupled_weight_decay=True). See
    pure.optim.radam."""

    _state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _lerps_state(self, group):
        return True      # (torch updates exp_avg with lerp_: one dtype only)

    def _transform(self, group):
        return pure_optim.radam(group["lr"], tuple(group["betas"]), group["eps"],
                                group["weight_decay"], group["decoupled_weight_decay"],
                                maximize=group["maximize"])

    def _static_key(self, group):
        return (group["decoupled_weight_decay"], group["maximize"])

    def _hyperparams(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}
