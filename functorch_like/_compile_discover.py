"""State a compiled step's trace meets that the search by name did not find: a module
called, an optimizer or scheduler stepped, a parameter used (reached through a path the
search does not follow). The trace stops, the object becomes state, and the step is
traced again (CompiledFunction._lookup)."""

from __future__ import annotations

from typing import Callable

from . import _trace_state
from ._compile_state import StepState
from ._tensor import Tensor


class Unreached(Exception):
    """Raised inside a trace for a module, optimizer, scheduler or parameter the step uses
    that is not among its state (reached some way the search by name does not follow)."""

    def __init__(self, obj):
        super().__init__(obj)
        self.obj = obj

    def what(self) -> str:
        if isinstance(self.obj, Tensor):
            return f"a parameter of shape {list(self.obj.shape)}"
        return f"a {type(self.obj).__name__}"


class GradsOutsideParams(Exception):
    """Raised after a trace where the step gave a gradient to state tensors that did not
    require grad when the call began (it turned their requires_grad on: a GAN's
    discriminator unfrozen for its own step): from then on their .grad is an input and an
    output of the program (StepState.made_params), and the step is traced again."""

    def __init__(self, tensors: list):
        super().__init__(tensors)
        self.tensors = tensors


def discoverer(state: StepState) -> Callable:
    """`_trace_state.state.discover` for a trace of `state`'s step: raises Unreached for
    an object that is not state and was made before the trace."""
    known = {id(x) for x in (*state.modules, *state.optimizers, *state.schedulers,
                             *state.tensors)}
    start = next(_trace_state.serials)

    def discover(obj) -> None:
        if id(obj) in known:
            return
        serial = obj.__dict__.get("_serial") if hasattr(obj, "__dict__") else None
        if serial is not None and serial > start:
            return      # made inside the step (a module built in forward): eager's too
        raise Unreached(obj)
    return discover
