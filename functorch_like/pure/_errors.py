"""Exception types of the pure core.

Each one subclasses both the builtin a JAX/Python user expects (ValueError, TypeError)
and the one PyTorch raises for the same mistake (RuntimeError, IndexError), so
`except RuntimeError` written for PyTorch and `except ValueError` written for JAX both
catch it.
"""

from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """Incompatible shapes; the message names both shapes."""


class DTypeError(TypeError, RuntimeError):
    """An argument has a dtype the operation does not accept."""


class OutOfBoundsError(IndexError, ValueError):
    """An index (class label, embedding row) lies outside its valid range."""


def is_concrete(x) -> bool:
    """True when `x`'s values can be read now (not a tracer inside jit/grad/vmap)."""
    import jax

    return not isinstance(x, jax.core.Tracer)


def shape_str(shape) -> str:
    """PyTorch's `torch.Size([2, 3])` spelling of a shape, used in error messages."""
    return f"[{', '.join(str(int(d)) for d in shape)}]"
