"""torch.optim.ASGD over functorch_like.pure.optim.asgd."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class ASGD(Optimizer):
    """Averaged SGD, PyTorch's rule; the average is `optimizer.state[p]["ax"]`. See
    pure.optim.asgd.

    PyTorch parity: `eta` and `mu` are float32 0-d tensors, as torch's."""

    _state_keys = ("step", "eta", "mu", "ax")
    _scalar_state_keys = ("eta", "mu")

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach=None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _param_outgrown(self, new, both):
        del new, both    # torch's parameter update does not read ASGD's state (ax)

    def _transform(self, group):
        return pure_optim.asgd(group["lr"], group["lambd"], group["alpha"], group["t0"],
                               group["weight_decay"], maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        return {k: group[k] for k in ("lr", "lambd", "alpha", "t0", "weight_decay")}
