"""torch.profiler: wall-clock timing of `record_function` blocks.

`profile()` collects the named blocks run inside it (with `record_function("name")` or
as its decorator) and `key_averages().table()` prints their calls and times in torch's
column layout. PyTorch parity: torch also records every operator and kernel (through
Kineto); here only the named blocks are recorded (XLA runs fused programs, not torch's
operators: `jax.profiler` is the tool for those), and `schedule` / `step()` gate the
recording windows as torch's do.
"""

from __future__ import annotations

import contextlib
import enum
import json
import time


class ProfilerActivity(enum.Enum):
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5

    def __repr__(self) -> str:
        return f"ProfilerActivity.{self.name}"

    __str__ = __repr__


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities() -> set:
    return {ProfilerActivity.CPU}


def kineto_available() -> bool:
    return False


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0):
    """step number -> ProfilerAction, as torch.profiler.schedule (same arithmetic)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0).")

    def action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:     # start with a recording window instead of a wait
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step / cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if pos < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return action


def tensorboard_trace_handler(dir_name: str, worker_name=None, use_gzip: bool = False,
                              use_python_export: bool = False):
    """An on_trace_ready callback writing a chrome trace into `dir_name`."""
    def handler(prof) -> None:
        import os
        os.makedirs(dir_name, exist_ok=True)
        name = f"{worker_name or os.getpid()}.{time.time_ns()}.pt.trace.json"
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler


_active: list = []     # the profiles recording now (innermost last)


class EventList(list):
    """Events grouped by name: `table()` in torch's layout."""

    def table(self, sort_by=None, row_limit: int = 100, **kwargs) -> str:
        rows = sorted(self, key=lambda e: -e.cpu_time_total) if sort_by else list(self)
        rows = rows[:row_limit] if row_limit and row_limit > 0 else rows
        total = sum(e.cpu_time_total for e in self) or 1.0
        head = (f"{'Name':>24s}  {'CPU total %':>12s}  {'CPU total':>12s}  "
                f"{'CPU time avg':>12s}  {'# of Calls':>12s}")
        rule = "-" * len(head)
        lines = [rule, head, rule]
        for e in rows:
            lines.append(f"{e.key[:24]:>24s}  {100 * e.cpu_time_total / total:>11.2f}%  "
                         f"{_us(e.cpu_time_total):>12s}  {_us(e.cpu_time):>12s}  "
                         f"{e.count:>12d}")
        lines += [rule, f"Self CPU time total: {_us(total if self else 0.0)}", ""]
        return "\n".join(lines)


def _us(t: float) -> str:
    return f"{t / 1000:.3f}ms" if t >= 1000 else f"{t:.3f}us"


class FunctionEventAvg:
    """One name's calls: count, total and average microseconds."""

    def __init__(self, key: str):
        self.key, self.count, self.cpu_time_total = key, 0, 0.0

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0


class profile:
    """`with torch.profiler.profile(...) as prof:` records the record_function blocks."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, **kwargs):
        self.schedule, self.on_trace_ready = schedule, on_trace_ready
        self.step_num, self._events, self._recording = 0, [], False

    def _action(self) -> ProfilerAction:
        return ProfilerAction.RECORD if self.schedule is None else self.schedule(
            self.step_num)

    def start(self) -> None:
        _active.append(self)
        self._recording = self._action() in (ProfilerAction.RECORD,
                                             ProfilerAction.RECORD_AND_SAVE)

    def stop(self) -> None:
        if self in _active:
            _active.remove(self)
        if self.on_trace_ready is not None and (
                self.schedule is None or self._action() is ProfilerAction.RECORD_AND_SAVE):
            self.on_trace_ready(self)

    def step(self) -> None:
        """Ends a step: the schedule decides whether the next one is recorded."""
        action = self._action()
        self.step_num += 1
        if action is ProfilerAction.RECORD_AND_SAVE and self.on_trace_ready is not None:
            self.on_trace_ready(self)
        self._recording = self._action() in (ProfilerAction.RECORD,
                                             ProfilerAction.RECORD_AND_SAVE)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.stop()
        return False

    def _record(self, name: str, start_ns: int, end_ns: int) -> None:
        if self._recording:
            self._events.append((name, start_ns, end_ns))

    def events(self) -> list:
        return list(self._events)

    def key_averages(self, group_by_input_shape: bool = False, **kwargs) -> EventList:
        groups: dict = {}
        for name, start, end in self._events:
            avg = groups.setdefault(name, FunctionEventAvg(name))
            avg.count += 1
            avg.cpu_time_total += (end - start) / 1000.0
        return EventList(groups.values())

    def export_chrome_trace(self, path: str) -> None:
        trace = [{"name": n, "ph": "X", "ts": s / 1000.0, "dur": (e - s) / 1000.0,
                  "pid": 0, "tid": 0, "cat": "user_annotation"} for n, s, e in self._events]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)


class record_function(contextlib.ContextDecorator):
    """Times the block (or the decorated function) under `name` in the active profiles."""

    def __init__(self, name: str, args=None):
        self.name, self.args = name, args

    def __enter__(self):
        self._start = time.perf_counter_ns()
        return self

    def __exit__(self, *exc) -> bool:
        end = time.perf_counter_ns()
        for prof in _active:
            prof._record(self.name, self._start, end)
        return False


__all__ = ["ProfilerAction", "ProfilerActivity", "kineto_available", "profile",
           "record_function", "schedule", "supported_activities",
           "tensorboard_trace_handler"]
