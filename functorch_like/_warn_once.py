"""Warnings PyTorch gives once per process (its TORCH_WARN_ONCE)."""

from __future__ import annotations

import warnings

from .pure._errors import user_stacklevel

_given: set = set()


def warn_once(message: str, category: type = UserWarning) -> None:
    """Warns with `message` the first time it is asked for in this process, pointing at the
    user's line; later calls with the same message do nothing."""
    if message in _given:
        return
    _given.add(message)
    warnings.warn(message, category, stacklevel=user_stacklevel())
