"""Comparisons (eq, lt, ..., isclose), logical and bitwise ops, with PyTorch's dtype
rules and errors. Re-exported by _ops_math, whose operand helpers they use."""

from __future__ import annotations

import builtins

import jax.numpy as jnp

from . import _dtypes
from ._dtype_refusals import check
from ._ops_math import _binary, _cast, _promo_args, as_operand, broadcast_shape
from ._tensor import Tensor, apply


def _compare(jfn):
    def f(a, b, *, dtype):
        return jfn(_cast(a, dtype), _cast(b, dtype))
    f.__name__ = jfn.__name__
    return f


_f_eq, _f_ne = _compare(jnp.equal), _compare(jnp.not_equal)
_f_lt, _f_le = _compare(jnp.less), _compare(jnp.less_equal)
_f_gt, _f_ge = _compare(jnp.greater), _compare(jnp.greater_equal)


def eq(input, other):
    return _binary(_f_eq, "EqBackward0", input, other)


def ne(input, other):
    return _binary(_f_ne, "NeBackward0", input, other)


def _ordered(fn, name, kernel, input, other):
    """An order comparison: torch has none for complex (its NotImplementedError)."""
    dtype = _dtypes.result_type(*_promo_args(as_operand(input), as_operand(other)))
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise _dtypes.kernel_error(f"{kernel}_cpu", dtype)
    return _binary(fn, name, input, other)


def lt(input, other):
    return _ordered(_f_lt, "LtBackward0", "lt", input, other)


def le(input, other):
    return _ordered(_f_le, "LeBackward0", "le", input, other)


def gt(input, other):
    return _ordered(_f_gt, "GtBackward0", "gt", input, other)


def ge(input, other):
    return _ordered(_f_ge, "GeBackward0", "ge", input, other)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def equal(input, other) -> bool:
    """True when both have the same shape and elements."""
    return input.shape == other.shape and builtins.bool(jnp.all(input._value == other._value))


def _same_dtype(input, other) -> None:
    """isclose's and allclose's check: torch compares tensors of one dtype only."""
    if isinstance(other, Tensor) and input.dtype != other.dtype:
        raise RuntimeError(f"{_dtypes.scalar_type_name(input.dtype)} did not match "
                           f"{_dtypes.scalar_type_name(other.dtype)}")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    _same_dtype(input, other)
    broadcast_shape(input, other)       # (torch's error for shapes that do not broadcast)
    return builtins.bool(jnp.allclose(input._value, other._value, rtol, atol, equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _same_dtype(input, other)
    broadcast_shape(input, other)
    return Tensor._make(jnp.isclose(input._value, as_operand(other)._value
                                    if isinstance(other, Tensor) else other, rtol, atol,
                                    equal_nan))


def _logical(jfn):
    def f(a, b):
        return jfn(a, b)
    return f


_f_land, _f_lor, _f_lxor = (_logical(jnp.logical_and), _logical(jnp.logical_or),
                            _logical(jnp.logical_xor))


def _logical_op(fn, name, input, other):
    input, other = as_operand(input), as_operand(other)
    broadcast_shape(input, other)
    return apply(fn, name, input, other)


def logical_and(input, other):
    return _logical_op(_f_land, "LogicalAndBackward0", input, other)


def logical_or(input, other):
    return _logical_op(_f_lor, "LogicalOrBackward0", input, other)


def logical_xor(input, other):
    return _logical_op(_f_lxor, "LogicalXorBackward0", input, other)


def _f_lnot(a):
    return jnp.logical_not(a)


def logical_not(input):
    return apply(_f_lnot, "LogicalNotBackward0", input)


def _bitwise(jfn, name, bool_ok=True):
    """An integer-only binary op; on float (and, unless `bool_ok`, on bool) operands torch's
    NotImplementedError."""
    def op(input, other):
        input, other = as_operand(input), as_operand(other)
        dtype = _dtypes.result_type(*_promo_args(input, other))
        broadcast_shape(input, other)
        if jnp.issubdtype(dtype, jnp.inexact) or not bool_ok and dtype == jnp.bool_:
            raise _dtypes.kernel_error(f"{name}_cpu", dtype)
        return apply(_bitwise_fns[name], name, input, other, dtype=dtype)
    _bitwise_fns[name] = _compare(jfn)
    return op


_bitwise_fns: dict = {}
bitwise_and = _bitwise(jnp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(jnp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(jnp.bitwise_xor, "bitwise_xor")


def _f_invert(a):
    return jnp.logical_not(a) if a.dtype == jnp.bool_ else jnp.invert(a)


def bitwise_not(input):
    """~input for integer and bool tensors (torch's kernel error for the others)."""
    check("bitwise_not", input)
    return apply(_f_invert, "BitwiseNotBackward0", input)


def invert(input):
    """The `~` operator: torch's Tensor.__invert__ refuses floating tensors itself."""
    if input.is_floating_point() or input.is_complex():
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)
