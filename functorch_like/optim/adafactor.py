"""torch.optim.Adafactor over functorch_like.pure.optim.adafactor."""

from __future__ import annotations

import jax.numpy as jnp

from .._host import owned
from .._tensor import Tensor
from ..pure import optim as pure_optim
from .optimizer import Optimizer

# Which second-moment buffers a parameter has: factored ones for rank >= 2, else one.
_FACTORS = ("row_var", "col_var")


class Adafactor(Optimizer):
    """Adafactor with PyTorch's rule (factored second moments for parameters of rank >= 2,
    relative step min(lr, 1/sqrt(t)) scaled by the parameter's RMS, update clipping at d;
    weight decay is decoupled, p *= 1 - lr * weight_decay). See pure.optim.adafactor.

    State per parameter, as torch's: `step`, then `row_var` and `col_var` (shapes
    (..., m, 1) and (..., 1, n)) for rank >= 2, or `variance` (the parameter's shape).

    PyTorch parity: `lr` must be a number (torch also takes a 1-element Tensor).
    """

    _complex_error = "Adafactor does not support complex parameters"

    _state_keys = ("step", "row_var", "col_var", "variance")

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach=None, maximize: bool = False):
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def _param_shaped_state_keys(self):
        return ("variance",)     # (row_var/col_var are factored: not the parameter's shape)

    def _check_changed_param(self, group, p, entry):
        if entry.get("variance") is not None and p.grad.ndim >= 2:
            # torch's check when a vector's state meets a matrix gradient
            raise AssertionError("row_var and col_var should be defined when grad is "
                                 "multidimensional")
        super()._check_changed_param(group, p, entry)

    def _lerps_state(self, group):
        return True      # (torch updates exp_avg with lerp_: one dtype only)

    def _transform(self, group):
        return pure_optim.adafactor(group["lr"], group["beta2_decay"], tuple(group["eps"]),
                                    group["d"], group["weight_decay"],
                                    maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"], group["eps"][0] is None)

    def _hyperparams(self, group):
        eps1, eps2 = group["eps"]
        return {"lr": group["lr"], "beta2_decay": group["beta2_decay"],
                "eps1": 0.0 if eps1 is None else eps1, "eps2": eps2, "d": group["d"],
                "weight_decay": group["weight_decay"]}

    # The buffers a parameter does not use are None in the pure state; torch has no entry.
    def _export_state(self, entry: dict) -> dict:
        return super()._export_state({k: v for k, v in entry.items() if v is not None})

    def _import_state(self, entry: dict, p: Tensor) -> dict:
        factors = {k: v for k, v in entry.items() if k in _FACTORS and v is not None}
        state = super()._import_state({k: v for k, v in entry.items() if k not in factors}, p)
        for name, value in factors.items():
            arr = value._value if isinstance(value, Tensor) else owned(value)
            state[name] = jnp.array(arr, p._value.dtype, copy=True)
        return state

    def _complete_state(self, state: dict, p: Tensor) -> dict:
        for name in self._state_keys[1:]:
            state.setdefault(name, None)
        return state
