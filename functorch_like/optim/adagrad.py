"""torch.optim.Adagrad over functorch_like.pure.optim.adagrad."""

from __future__ import annotations

import jax.numpy as jnp

from .._tensor import Tensor
from ..pure import optim as pure_optim
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad with PyTorch's rule (lr decay, eps outside the root). See
    pure.optim.adagrad."""

    _state_keys = ("step", "sum")
    _state_before_first_step = True

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch creates every parameter's state in the constructor (so state_dict() lists
        # all of them before the first step), `sum` filled with the constructor's value.
        for group in self.param_groups:
            step = jnp.zeros((), jnp.int32)      # one count the group shares (_SHARED_KEYS)
            for p in group["params"]:
                self.state[p].update(
                    step=Tensor._make(step),
                    sum=Tensor._make(jnp.full_like(p._value, initial_accumulator_value)))

    def _transform(self, group):
        # The state of a parameter added later starts from the constructor's
        # initial_accumulator_value too: torch never reads a group's own value.
        return pure_optim.adagrad(group["lr"], group["lr_decay"], group["weight_decay"],
                                  self.defaults["initial_accumulator_value"], group["eps"],
                                  maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        return {k: group[k] for k in ("lr", "lr_decay", "weight_decay", "eps")}
