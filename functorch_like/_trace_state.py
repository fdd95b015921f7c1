"""Whether functorch_like.compile is tracing a step now (read by Tensor's value accessors)."""

import itertools
import threading


class _State(threading.local):
    compiling = False
    # While compile traces a step: what records its schedulers' step() calls (to replay
    # them after every call) and marks the lrs their get_last_lr() gives
    # (`record_step(scheduler, replay, args, kwargs) -> bool`, `last_lr(scheduler, lrs)`).
    scheduler_recorder = None
    # While compile traces a step: `discover(obj)` for each Module called, Optimizer
    # stepped, scheduler stepped and Parameter used, which raises when it is state that
    # compile did not find (reached some way its search does not follow: a module's
    # attribute, a function in a dict, another compiled function's closure).
    discover = None
    # Modules and Parameters made from now on carry higher serials: made inside a trace,
    # they are not state compile should have found.
    serials = None
    # While compile traces a step: the ids of the tensors whose .grad it set to None
    # (zero_grad(), `p.grad = None`).
    cleared = None
    # While compile traces a step: {(id(param group), name): tracer} for the numeric
    # hyperparameters it made inputs of the program (an optimizer tells them from a value
    # the step itself set on its group).
    hp_inputs = None


state = _State()
serials = itertools.count()       # (see _State.serials)


class UntraceableError(RuntimeError):
    """Python inside a compiled step asked for a concrete tensor value."""


def untraceable(what: str) -> UntraceableError:
    return UntraceableError(
        f"{what} needs a concrete value, but it was called inside a function compiled with "
        "functorch_like.compile, where tensors are traced (abstract) while the step is "
        f"recorded once. Move {what} outside the compiled function (return the tensor and "
        "use it on the result), or use tensor ops such as torch.where instead of Python "
        "control flow on tensor values.")
