"""torch.optim.SparseAdam over functorch_like.pure.optim.sparse_adam (dense gradients)."""

from __future__ import annotations

from ..pure import optim as pure_optim
from .optimizer import Optimizer


class SparseAdam(Optimizer):
    """Adam that updates only the rows a gradient touches (see pure.optim.sparse_adam).

    PyTorch parity: torch's SparseAdam needs sparse gradients (nn.Embedding(sparse=True))
    and raises for dense ones; functorch_like has no sparse tensors, so gradients are
    dense and a row (slice along dim 0) whose gradient is all zero is treated as absent.
    `state_dict()["state"][i]["step"]` is a Python int, as torch keeps it.
    """

    _state_keys = ("step", "exp_avg", "exp_avg_sq")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False):
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)
        complex_params = [[i, j] for i, group in enumerate(self.param_groups)
                          for j, p in enumerate(group["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does "
                             "not support complex parameters")

    def _transform(self, group):
        return pure_optim.sparse_adam(group["lr"], tuple(group["betas"]), group["eps"],
                                      maximize=group["maximize"])

    def _static_key(self, group):
        return (group["maximize"],)

    def _hyperparams(self, group):
        b1, b2 = group["betas"]
        return {"lr": group["lr"], "beta1": b1, "beta2": b2, "eps": group["eps"]}

    def _export_state(self, entry):
        out = super()._export_state(entry)
        if "step" in out:
            out["step"] = int(entry["step"])         # torch keeps a Python int here
        return out
