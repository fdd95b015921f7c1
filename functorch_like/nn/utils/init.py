"""torch.nn.utils.skip_init: build a module without its default initialization."""

from __future__ import annotations

import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """`module_cls(*args, **kwargs)`, meant to be initialised by the caller afterwards.

    Raises RuntimeError, as PyTorch, when `module_cls` is not a Module subclass or takes
    no `device` argument.

    PyTorch parity: PyTorch builds on the meta device and allocates uninitialized memory
    (arbitrary values); there is no meta device here, so the module is built normally and
    its parameters hold their default initialization (the construction cost is not
    skipped). Without `device=`, the default device is used (PyTorch: "cpu").
    """
    if not (inspect.isclass(module_cls) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
