"""scheduler.step() inside a compiled step: recorded while the step is traced and replayed
in Python after every call, so learning rates follow the schedule while entering the
program as values; and the numbers get_last_lr() gives inside the trace."""

from __future__ import annotations

from typing import Callable

import jax

from ._compile_python import is_tensor
from ._tensor import Tensor
from ._trace_state import UntraceableError


def last_lr_of(x: "LastLr") -> float:
    return x.sched.get_last_lr()[x.index]


class Action:
    """A scheduler.step(...) call recorded while tracing, replayed after every call. Its
    tensor arguments (the loss given to ReduceLROnPlateau) are outputs of the program, so
    that each replay sees that call's values."""

    __slots__ = ("fn", "leaves", "treedef", "traced")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict):
        leaves, self.treedef = jax.tree.flatten((args, kwargs), is_leaf=is_tensor)
        self.fn = fn
        self.traced = [x._value for x in leaves if isinstance(x, Tensor)]
        self.leaves = [_TENSOR if isinstance(x, Tensor) else x for x in leaves]

    def take_traced(self) -> list:
        """The traced values of the tensor arguments (once: the action keeps no tracer)."""
        traced, self.traced = self.traced, []
        return traced

    def __call__(self, values) -> None:
        leaves = [Tensor._make(next(values)) if x is _TENSOR else x for x in self.leaves]
        args, kwargs = jax.tree.unflatten(self.treedef, leaves)
        self.fn(*args, **kwargs)


_TENSOR = object()      # where a recorded call's tensor argument goes


class SchedulerRecorder:
    """Inside the trace, step() of the step's schedulers is recorded (to replay after each
    call: LRScheduler's `_recordable`), and their get_last_lr() gives numbers that a result
    returns as they are after the call."""

    def __init__(self, schedulers, actions: list):
        self.ids, self.actions = {id(s) for s in schedulers}, actions
        self.scheduled = set()      # ids of the optimizers of the schedulers recorded

    def record_step(self, sched, replay: Callable, args: tuple, kwargs: dict) -> bool:
        if id(sched) not in self.ids:
            return False
        self.actions.append(Action(replay, args, kwargs))
        self.scheduled.add(id(getattr(sched, "optimizer", None)))
        return True

    def after_each_call(self, fn: Callable) -> None:
        """Replays `fn()` after every call: a Python-side change the program cannot make
        (zeroing a .grad that is no input of it)."""
        self.actions.append(Action(fn, (), {}))

    def optimizer_steps(self, optimizer) -> None:
        """Refuses an optimizer step after a recorded step of its scheduler: the recorded
        step changes the lr only after the call, so this update would use the old one."""
        if id(optimizer) in self.scheduled:
            raise UntraceableError(
                "functorch_like.compile: the step calls scheduler.step() before "
                "optimizer.step() of the same optimizer. Inside a compiled step a "
                "scheduler's step is replayed after the call, so this update would use the "
                "lr from before it, where eager code uses the new one. Call scheduler.step() "
                "after optimizer.step() (PyTorch's order), or outside the compiled "
                "function.")

    def last_lr(self, sched, lrs: list) -> list:
        if id(sched) not in self.ids:
            return lrs
        return [LastLr(v, sched, i) for i, v in enumerate(lrs)]


class LastLr(float):
    """A number of scheduler.get_last_lr() inside a trace; returned from the step, it is
    the scheduler's number after the call (its recorded step replayed), as eagerly."""

    def __new__(cls, value, sched, index: int):
        self = super().__new__(cls, value)
        self.sched, self.index = sched, index
        return self
