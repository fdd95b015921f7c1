"""torch.autograd.graph: the graph's Node type and the saved-tensor context managers.

PyTorch-parity notes: this library's backward replays each recorded op under `jax.vjp`
from the values it kept; ops do not "save tensors" one by one. So `save_on_cpu` (where to
keep them) and `disable_saved_tensors_hooks` change nothing and are accepted as context
managers, while `saved_tensors_hooks`, whose pack/unpack hooks would never be called,
raises rather than silently not running them.
"""

from __future__ import annotations

import contextlib

from ._node import Node as Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class saved_tensors_hooks:   # noqa: N801  (torch's name)
    """Refused on entry: see the module docstring."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        raise NotImplementedError(
            "functorch_like: torch.autograd.graph.saved_tensors_hooks is not supported: "
            "backward replays the recorded ops from the values they kept, so the pack and "
            "unpack hooks would never run")

    def __exit__(self, *exc):
        return False


class save_on_cpu(contextlib.nullcontext):   # noqa: N801  (torch's name)
    """Accepted: where saved values are kept changes no result here (see the module
    docstring)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__()
        self.pin_memory, self.device_type = pin_memory, device_type


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Accepted: there are no saved-tensor hooks to disable here."""
    yield
