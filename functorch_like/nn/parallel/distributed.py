"""nn.parallel.DistributedDataParallel as a single-process wrapper (world size 1).

With one process, all-reducing gradients is the identity: training through this wrapper
is training the bare module. It exists so DDP scripts run unchanged on one device, and
its state_dict carries PyTorch's "module." prefix.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Runs `module`; gradients are left as computed (the all-reduce of one process).

    Args:
        module: the module to wrap; its parameters and buffers are this wrapper's own
            (same objects), under the "module." prefix.
        device_ids, output_device, dim, broadcast_buffers, process_group,
        find_unused_parameters, gradient_as_bucket_view, static_graph, ...: accepted
            and stored; they only matter with several processes.

    PyTorch parity: PyTorch requires `torch.distributed.init_process_group` first and
    raises `ValueError: Default process group has not been initialized...` without it;
    here no process group is needed or used (there is no torch.distributed). Communication
    hooks, bucketing and `join` across ranks do nothing.
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0, broadcast_buffers: bool | None = None,
                 init_sync: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, **kwargs: Any) -> None:
        super().__init__()
        del init_sync, bucket_cap_mb, check_reduction, kwargs   # multi-process tuning only
        self.module = module
        self.device_ids = None if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = True if broadcast_buffers is None else broadcast_buffers
        self.process_group = process_group
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        # PyTorch's flag that `no_sync` clears: whether backward all-reduces gradients.
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Skips gradient synchronisation inside the block (gradient accumulation).

        With one process there is nothing to skip: gradients accumulate in `.grad`
        exactly as outside; only `require_backward_grad_sync` is cleared meanwhile.
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @contextlib.contextmanager
    def join(self, divide_by_initial_world_size: bool = True, enable: bool = True,
             throw_on_early_termination: bool = False) -> Iterator[None]:
        """Uneven-input join context: with one process no rank can run out early."""
        del divide_by_initial_world_size, enable, throw_on_early_termination
        yield

    def will_sync_module_buffers(self) -> bool:
        """Whether forward broadcasts buffers: never, with one process."""
        return False
