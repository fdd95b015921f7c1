"""torch.optim.SGD over functorch_like.pure.optim.sgd."""

from __future__ import annotations

import jax.numpy as jnp

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum; PyTorch's rule and
    defaults (the buffer starts at the first gradient). See pure.optim.sgd."""

    _state_keys = ("momentum_buffer",)

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _transform(self, group):
        return pure_optim.sgd(group["lr"], group["momentum"], group["dampening"],
                              group["weight_decay"], group["nesterov"],
                              maximize=group["maximize"])

    def _static_key(self, group):
        return (group["momentum"] != 0, group["nesterov"], group["maximize"])

    def _hyperparams(self, group):
        return {k: group[k] for k in ("lr", "momentum", "dampening", "weight_decay")}

    def _needs_fresh_state(self, static, entry):
        # Momentum switched on after plain steps: the buffer starts at the next gradient,
        # as torch's does (the step count only marks that first step).
        uses_momentum = static[0]
        return not entry or (uses_momentum and "momentum_buffer" not in entry)

    def _complete_state(self, state, p):
        # PyTorch keeps no step for SGD; a saved buffer means the first step is behind us.
        state.setdefault("step", jnp.asarray(1 if "momentum_buffer" in state else 0,
                                             jnp.int32))
        return state
