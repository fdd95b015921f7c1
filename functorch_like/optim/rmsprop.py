"""torch.optim.RMSprop over functorch_like.pure.optim.rmsprop."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop with PyTorch's rule (eps outside the root, alpha=0.99). See
    pure.optim.rmsprop."""

    _state_keys = ("step", "square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach=None, maximize: bool = False,
                 differentiable: bool = False):
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _lerps_state(self, group):
        return bool(group["centered"])     # (torch: grad_avg.lerp_ when centered)

    def _transform(self, group):
        return pure_optim.rmsprop(group["lr"], group["alpha"], group["eps"],
                                  group["weight_decay"], group["momentum"], group["centered"],
                                  maximize=group["maximize"])

    def _static_key(self, group):
        return (group["momentum"] > 0, group["centered"], group["maximize"])

    def _hyperparams(self, group):
        return {k: group[k] for k in ("lr", "alpha", "eps", "weight_decay", "momentum")}
