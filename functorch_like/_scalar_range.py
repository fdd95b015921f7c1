"""torch's check that a Python number fits the integer dtype it is written into.

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
          "int64": "int64_t"}


def check_fits(value, dtype) -> None:
    """Raises torch's RuntimeError where the Python int or float `value` does not fit the
    integer dtype `dtype` (a torch dtype or the array dtype it is stored as); anything
    else passes."""
    if type(value) not in (builtins.int, builtins.float):
        return                      # (bools fit every dtype; tensors are not converted)
    stored = np.dtype(jax.dtypes.canonicalize_dtype(getattr(dtype, "jax", dtype)))
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
    if stored == np.int32 and not jax.config.jax_enable_x64:    # (an int64 kept in 32 bits)
        raise x64_overflow(value, stored)
    raise RuntimeError(f"value cannot be converted to type {_NAMES[stored.name]} without "
                       "overflow")
