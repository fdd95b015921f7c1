"""torch.nn.attention: the choice of scaled_dot_product_attention's kernel.

XLA compiles one attention program here, whatever the choice, so sdpa_kernel only checks
its argument and records the choice while its block runs (`current_backends()`).
"""

from __future__ import annotations

import contextlib
import enum

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """PyTorch's attention backends, with its values."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_ALL = [SDPBackend.MATH, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
        SDPBackend.CUDNN_ATTENTION, SDPBackend.OVERRIDEABLE]
_enabled = list(_ALL)


def current_backends() -> list:
    """The backends the innermost sdpa_kernel block enabled (all of them outside one)."""
    return list(_enabled)


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Within the block, scaled_dot_product_attention may use only `backends` (one
    SDPBackend or a list); torch's argument check.

    PyTorch parity: every choice computes the same attention here (the XLA program's);
    set_priority is accepted and has no effect."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of "
                             f"SDPBackend instances, got {type(backends).__name__}")
    global _enabled
    before = _enabled
    _enabled = list(dict.fromkeys([backends] if isinstance(backends, SDPBackend)
                                  else backends))
    try:
        yield {}
    finally:
        _enabled = before
