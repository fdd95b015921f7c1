"""torch.cuda.Stream / Event: XLA orders a device's work itself, so a stream is a
handle with nothing to schedule, and an event records the host time once the device
is idle (enough for the `start.record(); ...; end.record(); end.synchronize();
start.elapsed_time(end)` timing idiom).

PyTorch parity: without a GPU both raise torch's RuntimeErrors.
"""

from __future__ import annotations

import contextlib
import time

from .._device import cuda_is_available
from . import _state


class Stream:
    """A CUDA stream handle (ordering is XLA's: waits and syncs are device syncs)."""

    def __init__(self, device=None, priority: int = 0, **kwargs):
        if not cuda_is_available():
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        self.device_index, self.priority = _state.index(device), priority

    def synchronize(self) -> None:
        from . import synchronize
        synchronize(self.device_index)

    def wait_stream(self, stream) -> None:
        """No-op: XLA already orders the work of one device."""

    def wait_event(self, event) -> None:
        """No-op, as wait_stream."""

    def query(self) -> bool:
        self.synchronize()
        return True

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event


class Event:
    """A CUDA event: `record()` marks the host time once the device's work is done."""

    def __init__(self, enable_timing: bool = False, blocking: bool = False,
                 interprocess: bool = False, external: bool = False):
        if not cuda_is_available():
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self.enable_timing, self._time = enable_timing, None

    def record(self, stream=None) -> None:
        from . import synchronize
        synchronize()
        self._time = time.perf_counter()

    def synchronize(self) -> None:
        """No-op: record() already waited."""

    def query(self) -> bool:
        return True

    def wait(self, stream=None) -> None:
        """No-op: one ordered queue per device."""

    def elapsed_time(self, end_event) -> float:
        """Milliseconds between this event's record() and `end_event`'s."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self._time is None or end_event._time is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end_event._time - self._time) * 1000.0


def current_stream(device=None) -> Stream:
    _state.require()
    return Stream(device)


default_stream = current_stream


@contextlib.contextmanager
def stream(stream):
    """`with torch.cuda.stream(s):`: runs the block (XLA schedules it)."""
    yield
