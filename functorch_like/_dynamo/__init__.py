"""torch._dynamo's knobs that training scripts set: `config.recompile_limit` (alias
`cache_size_limit`) and `reset()`, for functorch_like.compile."""

from __future__ import annotations

from .._compile import reset_compiled
from .config import config as config


def reset() -> None:
    """Forgets every compiled function's programs and state (they compile again on their
    next call) and their recompile-limit fallbacks, as torch._dynamo.reset()."""
    reset_compiled()


__all__ = ["config", "reset"]
