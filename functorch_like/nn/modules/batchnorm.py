"""BatchNorm1d/2d: batch statistics in training, running statistics in eval."""

from __future__ import annotations

from .. import functional as F
from ...pure import _norm
from ._init_helpers import assign_params, buffer
from .module import Module


class _BatchNorm(Module):
    _expected_dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        state = _norm.batch_norm_init(num_features, affine, track_running_stats)
        params = {k: v for k, v in state.items() if k in ("weight", "bias")}
        if affine and not bias:
            params.pop("bias")
        if affine:
            assign_params(self, params, dtype, device)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if affine and not bias:
            self.register_parameter("bias", None)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            if track_running_stats:
                self.register_buffer(name, buffer(state[name], dtype, device))
            else:
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data.fill_(1)
            if self.bias is not None:
                self.bias.data.zero_()

    def _check_input_dim(self, input) -> None:
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"expected {dims} input (got {input.ndim}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        use_batch_stats = self.training or self.running_mean is None
        # With track_running_stats=False the running buffers are None: batch statistics
        # in both modes, as PyTorch.
        return F.batch_norm(
            input,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight, self.bias, use_batch_stats, self.momentum, self.eps,
            num_batches_tracked=self.num_batches_tracked if self.training else None)

    def extra_repr(self) -> str:
        # PyTorch prints whether a bias Parameter exists (False whenever not affine).
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L)."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W)."""

    _expected_dims = (4,)

    def _check_input_dim(self, input) -> None:
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")
