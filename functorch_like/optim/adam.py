"""torch.optim.Adam and AdamW over functorch_like.pure.optim.adam/adamw."""

from __future__ import annotations

from .._tensor import Tensor
from ..pure import optim as pure_optim
from ..pure.optim._base import check_adam_args
from .optimizer import Optimizer

_TENSOR_WITH_FOREACH = "{} as a Tensor is not supported for capturable=False and foreach=True"


def _check_adam_types(lr, betas, eps, weight_decay, foreach, capturable) -> None:
    """torch's Adam constructor checks, in its order: a tensor lr (1 element; not with
    foreach unless capturable), the value ranges, then betas as two floats or two 1-element
    tensors (not with foreach unless capturable)."""
    if isinstance(lr, Tensor):
        if foreach and not capturable:
            raise ValueError(_TENSOR_WITH_FOREACH.format("lr"))
        if lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
    check_adam_args(lr, betas, eps, weight_decay)
    if not (all(isinstance(b, float) for b in betas[:2])
            or all(isinstance(b, Tensor) for b in betas[:2])):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, beta in enumerate(betas[:2]):
        if isinstance(beta, Tensor):
            if foreach and not capturable:
                raise ValueError(_TENSOR_WITH_FOREACH.format(f"betas[{i}]"))
            if beta.numel() != 1:
                raise ValueError(f"Tensor betas[{i}] must be 1-element")


class Adam(Optimizer):
    """Adam with PyTorch's rule (both moments bias-corrected; weight_decay is L2 unless
    decoupled_weight_decay=True, which is AdamW). See pure.optim.adam."""

    _state_keys = ("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused=None, decoupled_weight_decay: bool = False):
        _check_adam_types(lr, betas, eps, weight_decay, foreach, capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _lerps_state(self, group):
        return True      # (torch updates exp_avg with lerp_: one dtype only)

    def _transform(self, group):
        if group["foreach"] and isinstance(group["lr"], Tensor) and not group["capturable"]:
            # torch's step refuses it too (a tensor lr set on the group after construction)
            raise RuntimeError(_TENSOR_WITH_FOREACH.format("lr"))
        factory = pure_optim.adamw if group["decoupled_weight_decay"] else pure_optim.adam
        return factory(group["lr"], tuple(group["betas"]), group["eps"], group["weight_decay"],
                       group["amsgrad"], maximize=group["maximize"])

    def _static_key(self, group):
        return (group["amsgrad"], group["maximize"], group["decoupled_weight_decay"])

    def _hyperparams(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}


class AdamW(Adam):
    """Adam with decoupled weight decay (p *= 1 - lr * weight_decay first); default
    weight_decay 1e-2. See pure.optim.adamw."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _load_state_dict(self, state_dict: dict) -> None:
        super()._load_state_dict(state_dict)
        # As torch's AdamW.__setstate__: an AdamW stays decoupled whatever it loads (an
        # Adam's state_dict carries decoupled_weight_decay=False).
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
