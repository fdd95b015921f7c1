"""What the loss files share: PyTorch's reductions, its broadcast and domain errors, and
the names its error texts give dtypes."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp

from ._errors import OutOfBoundsError, ShapeError, shape_str, user_stacklevel
from ._types import Array


class DomainError(ValueError, RuntimeError):
    """A value outside its domain: PyTorch raises RuntimeError, a JAX user expects ValueError."""


class TargetRangeError(OutOfBoundsError, RuntimeError):
    """A class label out of range where PyTorch raises RuntimeError (the margin losses)."""


# PyTorch's names of dtypes, as its error texts spell them.
TORCH_DTYPE_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half",
                     "bfloat16": "BFloat16", "bool": "Bool", "complex64": "ComplexFloat",
                     "complex128": "ComplexDouble", "int64": "Long", "int32": "Int",
                     "int16": "Short", "int8": "Char", "uint8": "Byte"}


def torch_dtype_name(dtype) -> str:
    """PyTorch's name of a dtype; without JAX's x64 mode int32 is the default integer type,
    so it takes int64's name, Long."""
    if str(dtype) == "int32" and not jax.config.jax_enable_x64:
        return "Long"
    return TORCH_DTYPE_NAMES.get(str(dtype), str(dtype))


def size_str(shape) -> str:
    return f"torch.Size({shape_str(shape)})"


def reduce(loss: Array, reduction: str) -> Array:
    """PyTorch's 'none' | 'mean' | 'sum'."""
    if reduction == "none":
        return loss
    if reduction == "mean":
        return jnp.mean(loss)
    if reduction == "sum":
        return jnp.sum(loss)
    raise ValueError(f"{reduction} is not a valid value for reduction")


def check_reduction(reduction: str, message: str = "{} is not a valid value for reduction"):
    """Raises PyTorch's ValueError for an unknown reduction before any work is done (the
    losses written in Python in torch say '{} is not valid')."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(message.format(reduction))


def broadcast_error(a: tuple, b: tuple) -> ShapeError:
    """PyTorch's broadcast error: it names the rightmost clashing dim, indexed in the result."""
    ndim = max(len(a), len(b))
    a, b = (1,) * (ndim - len(a)) + tuple(a), (1,) * (ndim - len(b)) + tuple(b)
    i = max(i for i in range(ndim) if a[i] != b[i] and a[i] != 1 and b[i] != 1)
    return ShapeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                      f"at non-singleton dimension {i}")


def broadcast_shapes(*shapes) -> tuple:
    """jnp.broadcast_shapes with PyTorch's error (for the first pair that clashes)."""
    out = ()
    for shape in shapes:
        try:
            out = jnp.broadcast_shapes(out, tuple(shape))
        except ValueError:
            raise broadcast_error(out, shape) from None
    return out


def infer_size(*shapes) -> list:
    """torch._C._infer_size's broadcast (binary_cross_entropy's weight against its target),
    with its own text: the rightmost clashing dim, counted from the end, and the shape
    merged so far."""
    out = [1] * max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        for k in range(-1, -1 - len(shape), -1):
            if out[k] == 1:
                out[k] = shape[k]
            elif shape[k] not in (1, out[k]):
                raise ShapeError(
                    f"Attempting to broadcast a dimension of length {shape[k]} at {k}! "
                    f"Mismatching argument at index {i} had {size_str(shape)}; but expected "
                    f"shape should be broadcastable to {out}")
    return out


def check_inplace(shape: tuple, broadcast: tuple) -> None:
    """PyTorch scales a loss of `shape` in place: an operand that broadcasts it to a larger
    `broadcast` shape raises instead of growing the loss."""
    if tuple(broadcast) != tuple(shape):
        raise ShapeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                         f"{list(broadcast)}")


def pointwise_pair(input: Array, target: Array) -> tuple[Array, Array]:
    """PyTorch's regression losses broadcast with a warning when the shapes differ; the
    warning comes first, also when the shapes then fail to broadcast."""
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({size_str(target.shape)}) that is different to the input "
            f"size ({size_str(input.shape)}). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.", UserWarning,
            stacklevel=user_stacklevel())
        broadcast_shapes(input.shape, target.shape)
    return input, target


def clamp_min0(x: Array) -> Array:
    """max(x, 0) with PyTorch's clamp_min gradient: 1 where x >= 0 (jnp.maximum gives 1/2
    at the tie), and its NaN passed through (a margin loss of NaN is NaN, not 0)."""
    return jnp.where(x < 0, jnp.zeros((), x.dtype), x)


def hinge(x: Array) -> Array:
    """max(x, 0) with gradient 0 at x == 0: the margin losses' kernels count a term only
    where it is strictly positive."""
    return jnp.where(x > 0, x, jnp.zeros((), x.dtype))
