"""scheduler.step() inside a compiled step: recorded while the step is traced and replayed
in Python after every call, so learning rates follow the schedule while entering the
program as values.

What the step reads of them: a param group's number read before the recorded step is the
program's input (this call's, in tensor math too). After the recorded step, a group's lr
(and momentum or betas, for a scheduler that cycles them), the scheduler's own numbers
that its step changes (`last_epoch`) and any number of get_last_lr() are HostNumbers:
returned from the step or appended to a list one is read on the host on every call
(HostRead, PreRead), and used in a computation it raises UntraceableError, where a float
would be the trace's number on every call."""

from __future__ import annotations

import functools
from typing import Callable

import jax

from ._tensor import Tensor
from ._trace_state import UntraceableError


def last_lr_of(x: "ScheduledLr") -> float:
    return x.sched.get_last_lr()[x.index]


class HostRead:
    """A number a traced step returns (or appends to a list) that lives on the host: read
    there after each call, as `getter(key)`, where eager code would return that object."""

    __slots__ = ("getter", "key")

    def __init__(self, getter: Callable, key):
        self.getter, self.key = getter, key

    def get(self):
        return self.getter(self.key)


class PreRead(HostRead):
    """A HostRead of the number as it was when the call began (the step read it before its
    scheduler's recorded step, which is replayed after the call): `capture()` at the start
    of each call's write-back, `get()` after."""

    __slots__ = ("value",)

    def capture(self) -> None:
        self.value = self.getter(self.key)

    def get(self):
        return self.value


def _pair_item(key: tuple):
    group, name, i = key
    return group[name][i]


def host_read(x, hp_slots: list, hp_inputs: list):
    """What a plain leaf `x` of a traced step's result is on every call: a PreRead of a
    param group's number as the call began where `x` is that number's input (read before any
    recorded scheduler step), a HostRead of the number after the call where `x` is a
    scheduler's or a group's number after a recorded step, or one the step computed and set
    in its group (`group["lr"] *= 0.99`); `x` itself otherwise."""
    if isinstance(x, HostNumber):
        return x.host_read()
    if isinstance(x, jax.core.Tracer):
        for (group, name), v in zip(hp_slots, hp_inputs):
            if v is x:
                return PreRead(group.__getitem__, name)
            if type(v) is tuple and any(e is x for e in v):
                return PreRead(_pair_item, (group, name, [e is x for e in v].index(True)))
        for group, name in hp_slots:
            if group[name] is x:
                return HostRead(group.__getitem__, name)
    return x


class Action:
    """A scheduler.step(...) call recorded while tracing, replayed after every call. Its
    tensor arguments (the loss given to ReduceLROnPlateau) are outputs of the program, so
    that each replay sees that call's values."""

    __slots__ = ("fn", "leaves", "treedef", "traced")

    def __init__(self, fn: Callable, args: tuple, kwargs: dict):
        leaves, self.treedef = jax.tree.flatten((args, kwargs),
                                                is_leaf=lambda x: isinstance(x, Tensor))
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
    call: LRScheduler's `_recordable`); their get_last_lr() gives ScheduledLr numbers, and
    their optimizers' groups hold SteppedHyperparameter numbers after a recorded step."""

    def __init__(self, schedulers, actions: list):
        self.ids, self.actions = {id(s) for s in schedulers}, actions
        self.scheduled = set()      # ids of the optimizers of the schedulers recorded
        self.stepped = set()        # ids of the schedulers recorded
        self.replaced: list = []    # (group, name, value) put back by restore_groups()

    def record_step(self, sched, replay: Callable, args: tuple, kwargs: dict) -> bool:
        if id(sched) not in self.ids:
            return False
        self.actions.append(Action(replay, args, kwargs))
        optimizer = getattr(sched, "optimizer", None)
        self.scheduled.add(id(optimizer))
        self.stepped.add(id(sched))
        # What the step reads from the groups from here on is the number after this step,
        # which only the replay makes: SteppedHyperparameter until the step returns.
        names = ("lr", "momentum", "betas") if getattr(sched, "cycle_momentum", False) \
            else ("lr",)
        for i, group in enumerate(getattr(optimizer, "param_groups", ())):
            for name in names:
                if name in group and not isinstance(group[name], HostNumber):
                    self.replaced.append((group, name, group[name]))
                    group[name] = SteppedHyperparameter(
                        group, name, f"{type(optimizer).__name__}.param_groups[{i}]")
        # So are the scheduler's own numbers its step() changes (`last_epoch`), which the
        # trace would otherwise read as they were before it.
        attrs = vars(sched)
        for name in getattr(sched, "_step_changes", ()):
            if type(attrs.get(name)) in (int, float):
                self.replaced.append((attrs, name, attrs[name]))
                attrs[name] = SteppedSchedulerNumber(sched, name)
        return True

    def restore_groups(self) -> None:
        """Puts back the groups' and schedulers' numbers that record_step() replaced (where
        the step did not set them itself)."""
        for home, name, value in reversed(self.replaced):
            if isinstance(home.get(name), (SteppedHyperparameter, SteppedSchedulerNumber)):
                home[name] = value
        self.replaced.clear()

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
        return [ScheduledLr(sched, i, id(sched) in self.stepped) for i in range(len(lrs))]


class HostNumber:
    """A number the trace cannot hold, in place of a float while a compiled step is traced:
    it changes from call to call on the host (a scheduler's number, or a param group's
    after its scheduler's recorded step, which only the replay after the call makes).
    Returned from the step, it is read on the host after each call (compile's HostRead);
    any other use raises UntraceableError, where a float would silently be the trace's
    number on every call."""

    __slots__ = ()

    def _what(self) -> str:
        raise NotImplementedError

    def _instead(self) -> str:
        return ("Use optimizer.param_groups[i]['lr'] read before scheduler.step() (an input "
                "of the program on every call), return")

    def _refuse(self, *args, **kwargs):
        raise UntraceableError(
            f"functorch_like.compile: the step uses {self._what()} in a computation. Inside "
            "a compiled step this number is the one of the trace, where eager code has a new "
            f"one on every call. {self._instead()} the number (returned, it is read after "
            "each call), or use it outside the compiled function.")

    def __repr__(self) -> str:
        return f"<{self._what()} inside a compiled step>"


# Every arithmetic, comparison and conversion a float has (and __jax_array__, __array__
# for jnp, numpy and tensor ops) refuses.
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "divmod", "matmul"):
    setattr(HostNumber, f"__{_name}__", HostNumber._refuse)
    setattr(HostNumber, f"__r{_name}__", HostNumber._refuse)
for _name in ("lt", "le", "gt", "ge", "eq", "ne", "neg", "pos", "abs", "float", "int",
              "index", "bool", "complex", "round", "trunc", "floor", "ceil", "str", "format",
              "hash", "jax_array", "array"):
    setattr(HostNumber, f"__{_name}__", HostNumber._refuse)
del _name


class ScheduledLr(HostNumber):
    """A number of scheduler.get_last_lr() inside a trace (`after`: read after the
    scheduler's recorded step)."""

    __slots__ = ("sched", "index", "after")

    def __init__(self, sched, index: int, after: bool):
        self.sched, self.index, self.after = sched, index, after

    def _what(self) -> str:
        return f"{type(self.sched).__name__}.get_last_lr()[{self.index}]"

    def host_read(self) -> HostRead:
        return (HostRead if self.after else PreRead)(last_lr_of, self)


class SteppedHyperparameter(HostNumber):
    """A param group's number (lr; momentum or betas for a cycling scheduler) after a
    recorded step of its scheduler, while the step is traced."""

    __slots__ = ("group", "name", "where")

    def __init__(self, group: dict, name: str, where: str):
        self.group, self.name, self.where = group, name, where

    def _what(self) -> str:
        return f"{self.where}['{self.name}'] read after scheduler.step()"

    def host_read(self) -> HostRead:
        return HostRead(self.group.__getitem__, self.name)


class SteppedSchedulerNumber(HostNumber):
    """A number of a scheduler that its step() changes (`last_epoch`; the class's
    `_step_changes`), after a recorded step of it, while the step is traced."""

    __slots__ = ("sched", "name")

    def __init__(self, sched, name: str):
        self.sched, self.name = sched, name

    def _what(self) -> str:
        return f"{type(self.sched).__name__}.{self.name} read after scheduler.step()"

    def _instead(self) -> str:
        return (f"Read {self.name} before scheduler.step() (a new value then traces the "
                "step again), return")

    def host_read(self) -> HostRead:
        return HostRead(functools.partial(getattr, self.sched), self.name)
