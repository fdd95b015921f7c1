"""torch.compiler: the public face of functorch_like.compile (compile, reset, disable,
is_compiling)."""

from __future__ import annotations

import functools
from typing import Callable

from . import _trace_state
from ._compile import compile as compile
from ._compile import reset_compiled

__all__ = ["compile", "reset", "disable", "allow_in_graph", "is_compiling",
           "is_dynamo_compiling"]


def reset() -> None:
    """Forgets every compiled function's programs and state (they compile again on their
    next call) and their recompile-limit fallbacks, as torch.compiler.reset() (also
    torch._dynamo.reset())."""
    reset_compiled()


def is_compiling() -> bool:
    """True while functorch_like.compile traces a function (its Python runs then, once
    per program), False when it runs eagerly: code can skip what needs values there
    (`if not torch.compiler.is_compiling(): print(loss.item())`)."""
    return _trace_state.state.compiling


is_dynamo_compiling = is_compiling


def disable(fn: Callable | None = None, recursive: bool = True, *, reason=None):
    """Marks `fn` to run eagerly: compile(fn) returns it as it is (also as a decorator).

    PyTorch-parity note: torch.compile breaks its graph around a disabled function called
    from a compiled one; a compiled step here is one program, so such a call is traced
    with the rest (or raises, as any untraceable Python there)."""
    del recursive, reason
    if fn is None:
        return lambda f: disable(f)

    @functools.wraps(fn)
    def disabled(*args, **kwargs):
        return fn(*args, **kwargs)
    disabled._torchdynamo_disable = True
    return disabled


def allow_in_graph(fn: Callable) -> Callable:
    """`fn` itself: everything a compiled step calls is traced into its program."""
    return fn
