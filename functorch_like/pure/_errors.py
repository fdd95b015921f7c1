"""Exception types of the pure core.

Each one subclasses both the builtin a JAX/Python user expects (ValueError, TypeError)
and the one PyTorch raises for the same mistake (RuntimeError, IndexError), so
`except RuntimeError` written for PyTorch and `except ValueError` written for JAX both
catch it.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from typing import Callable


class ShapeError(ValueError, RuntimeError):
    """Incompatible shapes; the message names both shapes."""


class DTypeError(TypeError, RuntimeError):
    """An argument has a dtype the operation does not accept."""


class KernelDTypeError(TypeError, NotImplementedError):
    """PyTorch's NotImplementedError of a kernel that has no version for the input's dtype
    (`"log_softmax_lastdim_kernel_impl" not implemented for 'Long'`)."""


class OutOfBoundsError(IndexError, ValueError):
    """An index (class label, embedding row) lies outside its valid range."""


class ValueDependentError(TypeError):
    """An op whose output shape (or Python control flow) depends on its input's values met
    traced ones (inside functorch_like.compile, jax.jit, or a backward replayed under
    jit). The autograd engine catches it and reruns that backward on concrete values."""


class ConcreteValuesNeeded(Exception):
    """Raised by `is_concrete` during a speculative trace: the function checks values."""


class _Speculation(threading.local):
    active = False
    checks: list | None = None      # value checks deferred by `check_values`


_speculation = _Speculation()


@contextlib.contextmanager
def speculative_trace():
    """For a caller that jits a function only to run it faster (not because the user asked
    for tracing). While active, `is_concrete` of a tracer raises ConcreteValuesNeeded (the
    function reads values: run it unjitted), and `check_values` defers its check: the
    context yields a list that collects (flag, detail, make_error) per check, whose traced
    `flag` and `detail` the caller returns from its jitted function and tests after the
    call, raising `make_error(detail)` where a flag is set."""
    before = _speculation.active, _speculation.checks
    _speculation.active, _speculation.checks = True, []
    try:
        yield _speculation.checks
    finally:
        _speculation.active, _speculation.checks = before


def check_values(inputs: tuple, compute: Callable, make_error: Callable) -> None:
    """A check of input values: `compute()` -> (bad, detail), `bad` a boolean array that
    is True where a value is invalid and `detail` an array for the message; raises
    `make_error(numpy detail)` when any is True.

    Runs now when the inputs are concrete; is deferred to the caller inside a
    `speculative_trace`; and is skipped under other tracing (jit/grad/vmap of the user's),
    where values are unknown until the program runs.
    """
    import jax
    import jax.numpy as jnp
    import numpy as np

    if any(isinstance(x, jax.core.Tracer) for x in inputs):
        if _speculation.active:
            bad, detail = compute()
            _speculation.checks.append((jnp.any(bad), detail, make_error))
        return
    # Evaluated now even inside a jit trace that closed over concrete inputs: there, ops
    # on them would be staged too, and bool() of their result would raise.
    with jax.ensure_compile_time_eval():
        bad, detail = compute()
        if bool(jnp.any(bad)):
            raise make_error(np.asarray(detail))


def first_where(bad, values):
    """The first element of `values` (in flat order) where `bad` is True: the value an
    error message names. A check_values `detail`; any element if none is bad."""
    import jax.numpy as jnp

    if not values.size:
        return jnp.zeros((), values.dtype)
    return values.reshape(-1)[jnp.argmax(bad.reshape(-1))]


def is_concrete(x) -> bool:
    """True when `x`'s values can be read now (not a tracer inside jit/grad/vmap); value
    checks run only then. See `speculative_trace`."""
    import jax

    if isinstance(x, jax.core.Tracer):
        if _speculation.active:
            raise ConcreteValuesNeeded()
        return False
    return True


def shape_str(shape) -> str:
    """PyTorch's `torch.Size([2, 3])` spelling of a shape, used in error messages."""
    return f"[{', '.join(str(int(d)) for d in shape)}]"


# Modules whose frames a warning skips to reach the user's line (the library itself, and
# jax's tracing machinery when the warning comes from inside a traced op).
_INTERNAL = ("functorch_like", "jax", "jaxlib", "contextlib")


def user_stacklevel() -> int:
    """The `stacklevel` for a `warnings.warn` in the calling function that points at the
    first frame outside the library and jax (the user's line, as torch's warnings do,
    however deep the op's implementation is)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] in _INTERNAL:
        frame, level = frame.f_back, level + 1
    return level
