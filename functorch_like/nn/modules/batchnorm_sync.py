"""nn.SyncBatchNorm on one process: BatchNorm over (N, C, +) inputs.

Synchronising statistics across processes is the identity with a single process, which
is also what PyTorch computes when torch.distributed is not initialised.
"""

from __future__ import annotations

from typing import Any

from ...autograd._grad_mode import no_grad
from .batchnorm import _BatchNorm, _InstanceNorm
from .module import Module


class SyncBatchNorm(_BatchNorm):
    """Batch norm over dim 1 of any (N, C, +) input, statistics over all other dims.

    Args:
        num_features, eps, momentum, affine, track_running_stats, bias: as BatchNorm.
        process_group: accepted and stored (statistics are never synchronised).

    PyTorch parity: PyTorch takes the same single-process path (`F.batch_norm`) when
    torch.distributed is not initialised or the world size is 1; it then requires
    CUDA/XPU input only when synchronising, which never happens here.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replaces every BatchNorm1d/2d/3d in `module` (recursively) by a SyncBatchNorm
        sharing its parameters and running buffers (the same objects) and training flag.

        Returns `module` itself with children replaced, or a new SyncBatchNorm when
        `module` is a BatchNorm layer. Instance norms are left alone, as in PyTorch.
        """
        output = module
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            output = cls(module.num_features, module.eps, module.momentum, module.affine,
                         module.track_running_stats, process_group,
                         bias=module.bias is not None)
            if module.affine:
                with no_grad():
                    output.weight = module.weight
                    output.bias = module.bias
            output.running_mean = module.running_mean
            output.running_var = module.running_var
            output.num_batches_tracked = module.num_batches_tracked
            output.training = module.training
            if hasattr(module, "qconfig"):
                output.qconfig = module.qconfig
        for name, child in module.named_children():
            output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return output
