"""torch.promote_types, torch.result_type and torch.can_cast: PyTorch's type-promotion
rules as public functions of torch dtypes, tensors and Python numbers."""

from __future__ import annotations

import builtins

import jax.numpy as jnp
import numpy as np

from . import _dtypes
from ._ops_math import numpy_scalar
from ._tensor import Tensor

_NUMBER = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def _check_dtype(fn: str, name: str, pos: builtins.int, d) -> _dtypes.dtype:
    """`d` as a torch dtype (a Python scalar type read as torch's parser does)."""
    d = _dtypes.as_dtype(d)
    if not isinstance(d, _dtypes.dtype):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be torch.dtype, "
                        f"not {type(d).__name__}")
    return d


def promote_types(type1: _dtypes.dtype, type2: _dtypes.dtype) -> _dtypes.dtype:
    """The smallest dtype both `type1` and `type2` convert to without losing their kind.

    Works on the declared types (not the 32-bit storage used while JAX's x64 mode is off),
    so `promote_types(torch.int32, torch.int32)` is `torch.int32`, as PyTorch. JAX's
    promotion lattice agrees with PyTorch's on these types: ints with floats give the
    float (`int64` + `float16` -> `float16`), `float16` + `bfloat16` -> `float32`,
    `uint8` + `int8` -> `int16`.
    """
    type1 = _check_dtype("promote_types", "type1", 1, type1)
    type2 = _check_dtype("promote_types", "type2", 2, type2)
    promoted = np.dtype(jnp.promote_types(type1._np, type2._np))
    for d in _dtypes._ALL:
        if d._np == promoted:
            return d
    raise TypeError(f"Promotion for {type1} and {type2} is not supported")


def _operand(x, pos: builtins.int):
    if isinstance(x, Tensor):
        return x._value
    if isinstance(x, _NUMBER):
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return numpy_scalar(x)          # (as torch's parser reads one: a Python number)
    raise TypeError(f"result_type(): argument '{('tensor', 'other')[pos]}' (position "
                    f"{pos + 1}) must be Tensor or Number, not {type(x).__name__}")


def result_type(tensor, other) -> _dtypes.dtype:
    """The dtype `tensor op other` would have (each a Tensor or a Python number).

    Dimensioned tensors outrank 0-dim tensors, which outrank numbers: a lower-ranked
    operand only counts when its category (bool < int < float < complex) is higher, so
    `result_type(int_tensor, 2.5)` is the default float dtype and
    `result_type(uint8_tensor, 300)` stays `torch.uint8`.
    """
    stored = _dtypes.result_type(_operand(tensor, 0), _operand(other, 1))
    return _dtypes.from_jax(stored)


def can_cast(from_: _dtypes.dtype, to: _dtypes.dtype) -> builtins.bool:
    """Whether PyTorch's casting rules allow `from_` -> `to` in type promotion: any cast
    except complex -> non-complex, floating -> integral or bool, and non-bool -> bool."""
    from_ = _check_dtype("can_cast", "from_", 1, from_)
    to = _check_dtype("can_cast", "to", 2, to)
    if from_.is_complex and not to.is_complex:
        return False
    if from_.is_floating_point and not (to.is_floating_point or to.is_complex):
        return False
    if from_.name != "bool" and to.name == "bool":
        return False
    return True
