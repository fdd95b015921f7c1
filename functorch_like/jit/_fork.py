"""torch.jit.fork / wait, run eagerly: fork calls the function at once."""

from __future__ import annotations

import warnings
from typing import Any, Callable


class Future:
    """The already-finished result of `fork` (PyTorch: `torch.Future`).

    PyTorch parity: TorchScript's fork may run the call asynchronously; here it has run
    before `fork` returns, so any exception is raised by `fork` itself.
    """

    def __init__(self, value: Any):
        self._value = value

    def done(self) -> bool:
        return True

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def then(self, callback: Callable[["Future"], Any]) -> "Future":
        return Future(callback(self))


def fork(func: Callable, *args, **kwargs) -> Future:
    """Calls `func(*args, **kwargs)` now and returns its finished Future."""
    warnings.warn("`torch.jit.fork` is deprecated. Please use `torch.compile` instead.",
                  DeprecationWarning, stacklevel=2)
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    """The value of a Future returned by `fork`."""
    warnings.warn("`torch.jit.wait` is deprecated. Please use `torch.compile` instead.",
                  DeprecationWarning, stacklevel=2)
    return future.wait()
