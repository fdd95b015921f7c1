"""torch.optim.Muon over functorch_like.pure.optim.muon."""

from __future__ import annotations

import jax.numpy as jnp

from ..pure import optim as pure_optim
from ..pure.optim._muon import DEFAULT_A, DEFAULT_B, DEFAULT_C, DEFAULT_NS_STEPS, EPS
from .optimizer import Optimizer


class Muon(Optimizer):
    """Muon (momentum + Newton-Schulz orthogonalized update) for 2-D parameters, with
    PyTorch's rule, defaults and errors. See pure.optim.muon for the update rule.

    PyTorch parity: the orthogonalization runs in bfloat16 as torch's does; the two agree
    to about one bfloat16 rounding of the update (see pure.optim.muon). Other parameters
    (biases, embeddings) belong in another optimizer, e.g. AdamW.
    """

    _complex_error = "Muon does not support complex parameters"

    _state_keys = ("momentum_buffer",)

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps: float = EPS,
                 ns_steps: int = DEFAULT_NS_STEPS, adjust_lr_fn: str | None = None):
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                        nesterov=nesterov, ns_coefficients=ns_coefficients, eps=eps,
                        ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    def _transform(self, group):
        return pure_optim.muon(group["lr"], group["weight_decay"], group["momentum"],
                               group["nesterov"], tuple(group["ns_coefficients"]),
                               group["eps"], group["ns_steps"], group["adjust_lr_fn"])

    def _static_key(self, group):
        return (group["nesterov"], group["ns_steps"], group["adjust_lr_fn"])

    def _hyperparams(self, group):
        a, b, c = group["ns_coefficients"]
        return {"lr": group["lr"], "weight_decay": group["weight_decay"],
                "momentum": group["momentum"], "eps": group["eps"], "ns_a": a, "ns_b": b,
                "ns_c": c}

    def _complete_state(self, state, p):
        # torch keeps no step for Muon; the pure state counts steps (unused by the rule).
        state.setdefault("step", jnp.asarray(1 if "momentum_buffer" in state else 0,
                                             jnp.int32))
        return state
