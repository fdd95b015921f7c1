"""torch.autograd anomaly mode: detect_anomaly, set_detect_anomaly, is_anomaly_enabled.

In anomaly mode backward runs node by node (each node's vjp evaluated eagerly, see
_engine._anomaly_vjp) instead of as one compiled program, so that a gradient with NaN
values is caught at the node that produced it, with PyTorch's message: "Function
'DivBackward0' returned nan values in its 1th output."
"""

from __future__ import annotations

import functools
import threading
import warnings

__all__ = ["detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
           "set_detect_anomaly"]


class _State(threading.local):
    enabled = False
    check_nan = True


_state = _State()


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _state.check_nan


class detect_anomaly:
    """Context manager / decorator that turns anomaly detection on (PyTorch warns that it
    slows things down; here backward runs uncompiled, node by node)."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = True, self.check_nan

    def __exit__(self, *exc) -> bool:
        _state.enabled, _state.check_nan = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off; as a context manager, restores it afterwards."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self._prev = (_state.enabled, _state.check_nan)
        _state.enabled, _state.check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> bool:
        _state.enabled, _state.check_nan = self._prev
        return False


def nan_message(name: str, index: int) -> str:
    return f"Function '{name}' returned nan values in its {index}th output."
