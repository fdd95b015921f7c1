"""nn.DataParallel on one process: the wrapper calls `.module` on the whole batch.

The point is drop-in compatibility: scripts that wrap their model keep working, and
checkpoints keep PyTorch's "module."-prefixed keys (the wrapped module is the child
named `module`), so state_dicts move between this wrapper and PyTorch's.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Runs `module` on the whole input (no scatter, replicate or gather).

    Args:
        module: the module to wrap; its parameters and buffers are this wrapper's own
            (same objects), under the "module." prefix.
        device_ids: accepted and kept as a list (default []).
        output_device: accepted and kept.
        dim: the scatter dimension, accepted and kept (nothing is scattered).

    PyTorch parity: the computation is PyTorch's single-device path (the one it takes on
    a CPU-only machine, where it also sets `device_ids = []`), so values, gradients and
    BatchNorm statistics are those of the bare module. PyTorch on CPU ignores
    `device_ids`/`output_device` and stores neither `output_device` nor `dim`; here they
    are stored as given. Multi-device splitting is not emulated: a 0-d output stays 0-d.
    """

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids=None, output_device=None,
                  dim: int = 0, module_kwargs: Any = None) -> Any:
    """The functional form: `module(*inputs, **module_kwargs)` on one device.

    PyTorch parity: as `DataParallel`, nothing is scattered across devices.
    """
    del device_ids, output_device, dim
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))
