"""torch's check that a Python number fits the dtype it is written into.

torch converts the number of `full`, `fill_`, an index assignment, `masked_fill`,
`index_fill`, `where` and `clamp` to the tensor's dtype with `checked_convert`, which
raises "value cannot be converted to type uint8_t without overflow" where the number does
not fit (300 into uint8); arithmetic (`x + 300`) wraps instead, here as in torch. Where the
dtype is a 64-bit integer kept in 32 bits (JAX's x64 mode off), a number beyond 32 bits
raises too, naming the x64 mode, rather than wrap.
"""

from __future__ import annotations

import builtins
import math

import jax
import numpy as np

from ._host import x64_overflow

# torch's names of the integer types in this message (c10's)
_NAMES = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
          "int64": "int64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
          "float32": "float", "float64": "double"}


_FLOAT32_MAX = builtins.float(np.finfo(np.float32).max)     # (a Python float: exact compares)


def check_fits(value, dtype) -> None:
    """Raises torch's RuntimeError where the Python number `value` does not fit `dtype`
    (a torch dtype or the array dtype it is stored as): an int or float out of an integer
    type's range, or a complex number with an imaginary part written into a real type
    (which a cast would silently drop); anything else passes."""
    if type(value) not in (builtins.int, builtins.float, builtins.complex):
        return                      # (bools fit every dtype; tensors are not converted)
    stored = np.dtype(jax.dtypes.canonicalize_dtype(getattr(dtype, "jax", dtype)))
    # (torch's name is the declared type's: int64 where x64-off keeps it in 32 bits)
    name = _NAMES.get(getattr(dtype, "name", None) or stored.name)
    if type(value) is builtins.complex:
        if stored.kind in "cb":
            return                  # (a bool takes any number: nonzero is True)
        if value.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        value = value.real
    if stored.kind == "f":
        # torch converts through float for float32 and the half types: a finite number
        # beyond float32's range does not fit (1e40 into float32; into float16 a number
        # that fits float32 becomes inf, as torch's)
        finite = isinstance(value, builtins.int) or math.isfinite(value)
        if name in ("float", "c10::Half", "c10::BFloat16") and finite \
                and abs(value) > _FLOAT32_MAX:
            raise RuntimeError(f"value cannot be converted to type {name} without overflow")
        return
    if stored.kind not in "iu":
        return
    info = np.iinfo(stored)
    if isinstance(value, builtins.float) and not math.isfinite(value):
        fits = False
    elif info.min == 0 and isinstance(value, builtins.int):
        # (c10 lets a negative int wrap into an unsigned type down to -max; a float must
        # lie in the type's range: -1.5 into uint8 raises)
        fits = value <= info.max and -value <= info.max
    else:
        fits = info.min <= value <= info.max
    if fits:
        return
    if stored == np.int32 and name == "int64_t" and not jax.config.jax_enable_x64 and (
            math.isfinite(value) and -2**63 <= value < 2**63):
        raise x64_overflow(value, stored)       # (an int64 kept in 32 bits)
    raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def converted(value, dtype):
    """A Python number `value` as torch writes it into `dtype` (after check_fits): a
    complex one's real part into a real type, its truth into bool."""
    if type(value) is not builtins.complex:
        return value
    kind = np.dtype(getattr(dtype, "jax", dtype)).kind
    return value if kind == "c" else builtins.bool(value) if kind == "b" else value.real
