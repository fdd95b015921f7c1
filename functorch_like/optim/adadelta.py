"""torch.optim.Adadelta over functorch_like.pure.optim.adadelta."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta with PyTorch's rule (eps inside both roots, lr=1.0 by default). See
    pure.optim.adadelta."""

    _state_keys = ("step", "square_avg", "acc_delta")

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach=None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False):
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _transform(self, group):
        return pure_optim.adadelta(group["lr"], group["rho"], group["eps"],
                                   group["weight_decay"], maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        return {k: group[k] for k in ("lr", "rho", "eps", "weight_decay")}
