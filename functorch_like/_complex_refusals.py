"""torch's errors for ordering ops on complex tensors (complex numbers have no order).

JAX orders complex numbers lexicographically, so without these checks sort, max, clamp,
... would return values where PyTorch raises. Each op names the error its CPU kernel
raises: either a dispatch NotImplementedError naming the kernel, or its own text.
"""

from __future__ import annotations

import builtins

from . import _dtypes
from ._tensor import Tensor


def _complex_operand(operands):
    return next((x for x in operands if isinstance(x, Tensor) and x.is_complex()), None)


def refuse_complex_kernel(kernel: str, *operands) -> None:
    """torch's `"<kernel>" not implemented for 'ComplexFloat'` when an operand is complex."""
    x = _complex_operand(operands)
    if x is not None:
        raise _dtypes.kernel_error(kernel, x.dtype)


def refuse_complex(message: str, *operands, error=RuntimeError) -> None:
    """`error(message)` when an operand is complex."""
    if _complex_operand(operands) is not None:
        raise error(message)


def no_complex(name: str, *operands) -> None:
    """maximum/minimum/fmax/fmin's check."""
    refuse_complex(f"{name} not implemented for complex tensors.", *operands)


def check_clamp(input, lo, hi, variant: str = "clamp") -> None:
    """clamp's (or clamp_min's, clamp_max's) refusal of complex operands: complex tensor
    bounds go to maximum/minimum kernels, a complex input is refused by clamp itself."""
    tensor_bounds = [b for b in (lo, hi) if isinstance(b, Tensor)]
    if variant != "clamp" and tensor_bounds:
        refuse_complex_kernel("maximum_cpu" if variant == "clamp_min" else "minimum_cpu",
                              input, *tensor_bounds)
    refuse_complex("clamp is not supported for complex types", input,
                   error=NotImplementedError)
    if builtins.any(isinstance(b, builtins.complex) for b in (lo, hi)):
        raise RuntimeError("value cannot be converted to type double without overflow")
    if len(tensor_bounds) == 1:
        refuse_complex_kernel("maximum_cpu" if lo is tensor_bounds[0] else "minimum_cpu",
                              *tensor_bounds)
    refuse_complex_kernel("clamp_cpu", *tensor_bounds)
