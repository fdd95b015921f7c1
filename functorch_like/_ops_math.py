"""Arithmetic, comparisons, logical and elementwise math with PyTorch's type promotion.

Each op is a module-level pure function of arrays (stable identity for the backward
cache) dispatched through `apply`; Python scalars travel as values, not as part of the
graph's structure, so `x * c` with a changing `c` does not recompile backward.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from . import _autocast_state, _dtypes
from ._complex_refusals import check_clamp, no_complex
from ._dtype_refusals import check, check_dtype, checked
from ._host import from_host
from ._scalar_range import check_fits
from ._warn_once import warn_once
from ._tensor import Tensor, apply, typename
from .pure import _activations, _edge_grads
from .pure._errors import check_values
from .pure._types import in_opmath, opmath_dtype

_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def as_operand(x):
    """A Tensor or a Python scalar; arrays become Tensors."""
    if isinstance(x, (Tensor,) + _SCALARS):
        return x
    if isinstance(x, jax.Array):
        return Tensor._make(x)
    if isinstance(x, np.generic) and x.dtype.kind in "biufc":
        return numpy_scalar(x)
    if isinstance(x, (np.ndarray, np.generic)):
        return Tensor._make(from_host(x))      # (the caller may write to its array)
    from ._ops_index_mask import MaskedSelection, refuse
    if isinstance(x, MaskedSelection):     # x[mask] with a traced mask: a clear error
        refuse("passing it to a torch function")
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def numpy_scalar(x: np.generic):
    """A numpy scalar as the Python number torch's argument parser makes of it: an
    integer one an int, a bool or floating one a float (`bool_tensor & np.bool_(True)`
    then fails as torch's does). PyTorch-parity note: torch turns a complex one into a
    float, dropping its imaginary part with a ComplexWarning; here it stays complex."""
    if x.dtype.kind in "iu":
        return builtins.int(x)
    if x.dtype.kind == "c":
        return builtins.complex(x)
    return builtins.float(x)


def _promo_args(*xs):
    return [x._value if isinstance(x, Tensor) else x for x in xs]


def _cast(x, dtype):
    if isinstance(x, _SCALARS):
        # As a jitted op receives it (a weak 32-bit array, then converted): an int beyond a
        # narrow dtype wraps, as torch's arithmetic does, also where the op runs unjitted
        # (past _tensor's variant limit), where jnp.asarray(x, int16) raised OverflowError.
        return jnp.asarray(x).astype(dtype)
    return x if x.dtype == dtype else x.astype(dtype)


def _float_dtype(dtype):
    """Ops that always return floats (true division, exp of ints) use the default dtype."""
    if jnp.issubdtype(dtype, jnp.inexact):
        return dtype
    return _dtypes.get_default_dtype().jax


# ---- binary arithmetic --------------------------------------------------------------

def _alpha_terms(a, b, dtype, alpha):
    """The operands of add/sub as torch's kernels take them: both in the result dtype (a
    scalar rounded to it), `alpha * b` in float32 with alpha rounded to a half result
    dtype, for one rounding of the sum at the end."""
    a, b = _cast(a, dtype), _cast(b, dtype)
    wide = opmath_dtype(dtype)
    if wide == dtype:
        return a, (b if alpha == 1 else (b * alpha).astype(dtype))
    a, b = a.astype(wide), b.astype(wide)
    return a, (b if alpha == 1 else b * jnp.asarray(alpha, dtype).astype(wide))


def _f_add(a, b, *, dtype, alpha=1):
    a, b = _alpha_terms(a, b, dtype, alpha)
    return (a + b).astype(dtype)


def _f_sub(a, b, *, dtype, alpha=1):
    a, b = _alpha_terms(a, b, dtype, alpha)
    return (a - b).astype(dtype)


def _check_alpha(a, b, alpha) -> None:
    """torch's alpha_check: alpha must fit the operands' common dtype (a bool alpha only a
    bool result, a float alpha no integer one, a complex alpha only a complex one)."""
    if alpha == 1 and type(alpha) is builtins.int:
        return
    dtype = _dtypes.result_type(*_promo_args(as_operand(a), as_operand(b)))
    if isinstance(alpha, builtins.bool) and dtype != jnp.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not jnp.issubdtype(dtype, jnp.inexact) and not isinstance(
            alpha, (builtins.bool, builtins.int)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating"
                           " point number.")
    if isinstance(alpha, builtins.complex) and not jnp.issubdtype(dtype, jnp.complexfloating):
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a "
                           "complex number.")


def _factor(x, dtype):
    """_cast for a factor of a product or quotient. A bool array made floating is kept
    apart from the arithmetic: XLA rewrites `float(mask) * x` as `select(mask, x, 0)` (and
    `float(mask) / x` alike), which gives 0 where torch's 0 * inf and 0 / 0 give nan."""
    if not isinstance(x, _SCALARS) and x.dtype == jnp.bool_ and \
            jnp.issubdtype(dtype, jnp.inexact):
        return jax.lax.optimization_barrier(x.astype(dtype))
    return _cast(x, dtype)


def _f_mul(a, b, *, dtype):
    wide = opmath_dtype(dtype)
    if wide != dtype:       # (torch's half kernels: in float32, a float scalar unrounded)
        return (_factor(a, wide) * _factor(b, wide)).astype(dtype)
    return _factor(a, dtype) * _factor(b, dtype)


def _f_div(a, b, *, dtype, rounding_mode=None):
    wide = opmath_dtype(dtype)
    if wide != dtype:
        return _f_div(a, b, dtype=wide, rounding_mode=rounding_mode).astype(dtype)
    if rounding_mode is None:
        return jnp.true_divide(_factor(a, dtype), _factor(b, dtype))
    if not jnp.issubdtype(dtype, jnp.inexact):
        if rounding_mode == "floor":
            return jnp.floor_divide(_cast(a, dtype), _cast(b, dtype))
        # Integer division toward zero, exact (not through float32: above 2**24 it
        # rounded); operands cast to the result dtype first, as torch's (a negative
        # scalar wraps into uint8).
        wide = jnp.int32 if dtype == jnp.bool_ else dtype
        a, b = jnp.broadcast_arrays(_cast(a, wide), _cast(b, wide))    # (lax: same shapes)
        return jax.lax.div(a, b).astype(dtype)
    a, b = _cast(a, dtype), _exact_divisor(_cast(b, dtype), jnp.shape(a))
    if rounding_mode == "trunc":
        return jnp.trunc(jnp.true_divide(a, b))
    if jnp.issubdtype(dtype, jnp.floating):
        return _floor_divide_float(a, b)
    return jnp.floor(jnp.true_divide(a, b))


def _exact_divisor(b, shape):
    """A divisor at the quotient's full shape, kept from XLA's rewrite of a division by a
    broadcast value into a multiplication by its reciprocal (1 ulp off in about a third of
    the quotients: enough to move a rounded quotient to the next integer, where torch's
    is exact)."""
    full = jnp.broadcast_shapes(shape, jnp.shape(b))
    if jnp.shape(b) == full:
        return b
    return jax.lax.optimization_barrier(jnp.broadcast_to(b, full))


def _floor_divide_float(a, b):
    """PyTorch's `div_floor_floating` (c10/util/generic_math.h), in its opmath dtype.

    Not floor(a / b): the quotient of `a - fmod(a, b)`, stepped down when the remainder's
    sign differs from b's, so `-1 // inf` is -1 (floor(-0.0) would give -0.0), `inf // 2`
    is nan, and `1 // 0.1` is 9 (floor(10.000000000000002) would give 10), as in Python.
    Division by zero keeps IEEE's a / b. Its gradient is zero, as torch's.
    """
    out_dtype = a.dtype
    a, b = a.astype(opmath_dtype(out_dtype)), b.astype(opmath_dtype(out_dtype))
    mod = jnp.fmod(a, b)
    div = (a - mod) / b
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floor = jnp.floor(div)
    floor = jnp.where(div - floor > 0.5, floor + 1, floor)
    out = jnp.where(div != 0, floor, jnp.copysign(jnp.zeros_like(div), a / b))
    out = jnp.where(b == 0, a / b, out)
    return jax.lax.stop_gradient(out.astype(out_dtype))


def _f_remainder(a, b, *, dtype):
    return jnp.remainder(_cast(a, dtype), _cast(b, dtype))


def _f_fmod(a, b, *, dtype):
    return jnp.fmod(_cast(a, dtype), _cast(b, dtype))


def _f_pow(a, b, *, dtype):
    a, b = _cast(a, dtype), _cast(b, dtype)
    if jnp.issubdtype(dtype, jnp.inexact):
        # torch's gradients at x == 0 (see _edge_grads.pow): d/dx of x**0 is 0, d/dp of
        # 0**p is 0 for p >= 0 and -inf for p < 0.
        return _edge_grads.pow(a, b)
    return _int_pow(a, b)


def _int_pow(a, b):
    """Integer a ** b with torch's rule for a negative exponent (JAX gives garbage): 1 ** b
    is 1, (-1) ** b is -1 for odd b and 1 for even b, anything else truncates to 0."""
    if jnp.issubdtype(b.dtype, jnp.unsignedinteger) or b.dtype == jnp.bool_:
        return jnp.power(a, b)
    neg = b < 0
    out = jnp.power(a, jnp.where(neg, 0, b))
    at_neg = jnp.where(a == 1, 1, jnp.where(a == -1, jnp.where(b % 2 == 0, 1, -1), 0))
    return jnp.where(neg, at_neg.astype(out.dtype), out)


def _f_pow_static(a, *, exponent, dtype):
    # An integer exponent known statically: lax.integer_pow, exact and defined for x < 0.
    return jnp.power(_cast(a, dtype), exponent)


def _f_bool_pow(a, *, exponent):
    return a if exponent else jnp.ones_like(a)


def broadcast_shape(*operands) -> tuple:
    """The broadcast shape of Tensors/scalars, with PyTorch's error when there is none.

    PyTorch folds the operands pairwise and, for each pair, compares dims from the last
    one, naming the first mismatch in the result's coordinates (JAX's error names neither
    the sizes nor the dim, and is a ValueError/TypeError, not a RuntimeError).
    """
    return broadcast_of(tuple(x.shape) if isinstance(x, Tensor) else () for x in operands)


def broadcast_of(shapes) -> tuple:
    """The broadcast shape of `shapes`, with PyTorch's error (see broadcast_shape)."""
    shape: tuple = ()
    for other in shapes:
        n = builtins.max(len(shape), len(other))
        a = (1,) * (n - len(shape)) + shape
        b = (1,) * (n - len(other)) + other
        out = [0] * n
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of "
                                   f"tensor b ({b[i]}) at non-singleton dimension {i}")
            out[i] = b[i] if a[i] == 1 else a[i]
        shape = tuple(out)
    return shape


def _binary(fn, name, a, b, *, float_result=False, **static):
    a, b = as_operand(a), as_operand(b)
    broadcast_shape(a, b)
    dtype = _dtypes.result_type(*_promo_args(a, b))
    if float_result:
        dtype = _float_dtype(dtype)
    if type(a) is builtins.int or type(b) is builtins.int:
        a, b = _wide_int(a, dtype), _wide_int(b, dtype)
    return apply(fn, name, a, b, dtype=dtype, **static)


def _wide_int(x, dtype):
    """A Python int operand beyond 32 bits (which JAX cannot take with x64 off), as torch
    takes it: wrapped into a narrower integer dtype (`int8 + 2**40` adds 0), as a float
    for a floating one; an int64 kept in 32 bits cannot hold it (the x64 error)."""
    if type(x) is not builtins.int or -2**31 <= x < 2**31 or jax.config.jax_enable_x64:
        return x
    kind = np.dtype(dtype)
    if kind.kind in "iu":
        if kind.itemsize >= 4:
            from ._host import x64_overflow
            raise x64_overflow(x, kind)
        bits = 8 * kind.itemsize
        x %= 2 ** bits
        return x - 2 ** bits if kind.kind == "i" and x >= 2 ** (bits - 1) else x
    return builtins.float(x) if kind.kind == "f" else builtins.complex(x)


def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting, PyTorch's type promotion."""
    _check_alpha(input, other, alpha)
    static = {} if alpha == 1 else {"alpha": alpha}
    return _binary(_f_add, "AddBackward0", input, other, **static)


def _no_bool_subtraction(a, b) -> None:
    """torch's checks: a Python bool counts as a bool tensor."""
    bools = [x is True or x is False or isinstance(x, Tensor) and x.dtype == _dtypes.bool
             for x in (a, b)]
    if all(bools):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if any(bools):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def sub(input, other, *, alpha=1):
    """input - alpha * other."""
    _no_bool_subtraction(input, other)
    _check_alpha(input, other, alpha)
    static = {} if alpha == 1 else {"alpha": alpha}
    return _binary(_f_sub, "SubBackward0", input, other, **static)


subtract = sub


def rsub(input, other, alpha=1):
    """other - alpha * input (alpha is keyword-only when other is a Tensor, as torch's
    signatures say; the argument parser checks that)."""
    _no_bool_subtraction(input, other)
    _check_alpha(input, other, alpha)
    return _binary(_f_sub, "RsubBackward1", other, input,
                   **({} if alpha == 1 else {"alpha": alpha}))


def mul(input, other):
    return _binary(_f_mul, "MulBackward0", input, other)


multiply = mul


def div(input, other, *, rounding_mode=None):
    """True division (integer inputs give the default float dtype) or, with
    rounding_mode 'trunc'/'floor', rounded division keeping integer dtypes."""
    if rounding_mode not in (None, "trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    if rounding_mode is None:
        return _binary(_f_div, "DivBackward0", input, other, float_result=True)
    _check_integer_divisor(input, other, f"div_{rounding_mode}_cpu")
    return _binary(_f_div, "DivBackward2", input, other, rounding_mode=rounding_mode)


def _check_integer_divisor(input, other, kernel: str) -> None:
    """Integer division or modulus by zero raises, as PyTorch's kernels do (XLA would give
    an arbitrary number); checked where the divisor's values are known. torch's `kernel`
    has no bool version, which it finds (after broadcasting) before any zero divisor."""
    a, b = as_operand(input), as_operand(other)
    shape = broadcast_shape(a, b)
    result = _dtypes.result_type(*_promo_args(a, b))
    if result == jnp.bool_ or jnp.issubdtype(result, jnp.complexfloating):
        raise _dtypes.kernel_error(kernel, result)      # (nor a complex one)
    if 0 in shape:                  # (no element is divided: torch returns the empty result)
        return
    if not all(isinstance(x, (builtins.int, builtins.bool)) or (
            isinstance(x, Tensor) and not jnp.issubdtype(x.dtype.jax, jnp.inexact)
            and not jnp.issubdtype(x.dtype.jax, jnp.complexfloating)) for x in (a, b)):
        return
    if isinstance(b, (builtins.int, builtins.bool)):
        if b == 0:
            raise RuntimeError("ZeroDivisionError")
        return
    check_values((b._value,), lambda: (b._value == 0, b._value),
                 lambda _: RuntimeError("ZeroDivisionError"))


divide = true_divide = div


def floor_divide(input, other):
    """Division rounded toward -inf (`//`), keeping integer dtypes.

    As torch's, it has no derivative: its grad_fn is `NotImplemented`, and a backward
    through it raises "derivative for aten::floor_divide is not implemented" (rounded
    `div(..., rounding_mode='floor')` has the zero gradient)."""
    return _floor_divide(input, other, "floor_divide")


def floor_divide_(input, other):
    """In-place floor_divide (`//=`); a backward through it names aten::floor_divide_."""
    return _floor_divide(input, other, "floor_divide_")


def _floor_divide(input, other, aten: str):
    _check_integer_divisor(input, other, "div_floor_cpu")
    return _binary(_f_floor_divide, "NotImplemented", input, other, aten=aten)


def _f_floor_divide(a, b, *, dtype, aten):
    out = _f_div(a, b, dtype=dtype, rounding_mode="floor")
    if not jnp.issubdtype(out.dtype, jnp.inexact):
        return out
    return no_derivative(aten)(out, tuple(x for x in (a, b) if not isinstance(x, _SCALARS)))


_NO_DERIVATIVE: dict = {}


def no_derivative(aten: str):
    """`fn(out, inputs) -> out`, whose backward raises torch's RuntimeError for an op
    without a derivative ("derivative for aten::<aten> is not implemented"): `inputs`, the
    op's arrays, tie it to what is differentiated (JAX differentiates `out` alone as a
    constant where it is a floor's); made once per name."""
    fn = _NO_DERIVATIVE.get(aten)
    if fn is None:
        def refuse(_, g):
            raise RuntimeError(f"derivative for aten::{aten} is not implemented")
        fn = jax.custom_vjp(lambda out, inputs: out)
        fn.defvjp(lambda out, inputs: (out, None), refuse)
        _NO_DERIVATIVE[aten] = fn
    return fn


def remainder(input, other):
    """Python-style modulus (the sign of the divisor)."""
    _check_integer_divisor(input, other, "remainder_cpu")
    return _binary(_f_remainder, "RemainderBackward0", input, other)


def fmod(input, other):
    """C-style modulus (the sign of the dividend)."""
    _check_integer_divisor(input, other, "fmod_cpu")
    return _binary(_f_fmod, "FmodBackward0", input, other)


def pow(input, exponent):
    """input ** exponent; a Python int exponent uses exact repeated multiplication."""
    if isinstance(input, _SCALARS):
        exponent = as_operand(exponent)
        dtype = _dtypes.result_type(input, exponent._value)
        _no_bool_pow(dtype)
        return apply(_f_pow, "PowBackward2", input, exponent, dtype=dtype)
    input = as_operand(input)
    if isinstance(exponent, builtins.bool) and input.dtype == _dtypes.bool:
        # torch's bool x ** True is x and x ** False is ones (its special cases for the
        # exponents 1 and 0), in bool; there is no bool pow kernel for anything else.
        return apply(_f_bool_pow, "PowBackward0", input, exponent=exponent)
    if isinstance(exponent, builtins.int) and not isinstance(exponent, builtins.bool):
        dtype = _dtypes.result_type(input._value, exponent)
        if exponent < 0 and not jnp.issubdtype(dtype, jnp.inexact):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return apply(_f_pow_static, "PowBackward0", input, exponent=exponent, dtype=dtype)
    if isinstance(exponent, _SCALARS):
        return _binary(_f_pow, "PowBackward0", input, exponent)
    broadcast_shape(input, exponent)
    _no_bool_pow(_dtypes.result_type(*_promo_args(input, exponent)))
    return _binary(_f_pow, "PowBackward1", input, exponent)


def _no_bool_pow(dtype) -> None:
    if dtype == jnp.bool_:
        raise NotImplementedError('"pow" not implemented for \'Bool\'')


def _f_matmul(a, b):
    return jnp.matmul(a, b)


def matmul(input, other):
    """Matrix product with PyTorch's rules for 1-D, 2-D and batched operands."""
    for position, (name, x) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"matmul(): argument '{name}' (position {position}) must be "
                            f"Tensor, not {typename(x)}")
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{input.ndim}D and {other.ndim}D")
    k1 = input.shape[-1]
    k2 = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k1 != k2:
        if input.ndim <= 2 and other.ndim <= 2:
            if input.ndim == 1 and other.ndim == 1:
                raise RuntimeError("inconsistent tensor size, expected tensor [{}] and src "
                                   "[{}] to have the same number of elements, but got {} and "
                                   "{} elements respectively".format(k1, k2, k1, k2))
            r1 = input.shape[0] if input.ndim == 2 else 1
            c2 = other.shape[1] if other.ndim == 2 else 1
            if input.ndim == 1:
                raise RuntimeError(f"size mismatch, got input (1), mat (1x{k1}), vec ({k2})"
                                   if other.ndim == 1 else
                                   f"mat1 and mat2 shapes cannot be multiplied (1x{k1} and "
                                   f"{k2}x{c2})")
            if other.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({r1}), mat ({r1}x{k1}), vec "
                                   f"({k2})")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({r1}x{k1} and "
                               f"{k2}x{c2})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{', '.join(map(str, other.shape[:-2] or (1,)))}, {k1}] but got: "
                           f"[{', '.join(map(str, other.shape[:-2] or (1,)))}, {k2}].")
    if input.ndim > 2 or other.ndim > 2:    # the batch dims broadcast (JAX: a ValueError)
        broadcast_of((input.shape[:-2], other.shape[:-2]))
    if _autocast_state.cast is not None:    # autocast casts both first, as PyTorch's
        input, other = _autocast_state.cast(_f_matmul, "MmBackward0", (input, other))
    _same_dtype(input, other, "expected m1 and m2 to have the same dtype")
    if input.dtype == _dtypes.bool:     # (torch's CPU kernels have no bool version)
        raise _dtypes.kernel_error(
            "dot" if input.ndim == other.ndim == 1 else "addmv_impl_cpu" if other.ndim == 1
            else "addmm_impl_cpu_" if other.ndim == 2 else "bmm", input.dtype)
    if input.ndim == 2 and other.ndim == 2:
        name = "MmBackward0"
    elif input.ndim == 1 and other.ndim == 1:
        name = "DotBackward0"
    elif input.ndim == 1 and other.ndim == 2:
        name = "SqueezeBackward4"       # (torch: mm of the unsqueezed vector, squeezed)
    elif other.ndim == 1 or input.ndim == 1:
        name = "MvBackward0" if input.ndim == 2 else "UnsafeViewBackward0"
    elif input.ndim == 2 and input.requires_grad:
        # (torch expands a matrix against a batch and clones the expansion for its grad)
        name = "CloneBackward0"
    else:
        name = "UnsafeViewBackward0"
    return apply(_f_matmul, name, input, other)


def matmul_operator(input, other, reflected: bool = False):
    """`input @ other` (`other @ input` when reflected). A numpy or JAX array operand is
    converted, in the dtype the two promote to, as the other operators convert it (the
    product is a graph op); other non-Tensors are NotImplemented, so Python raises its
    TypeError.

    PyTorch parity: torch gets a numpy operand's product through numpy (`__array_wrap__`),
    which fails for a tensor that requires grad. A JAX array on the left (`a @ t`) runs
    JAX's own operator, which returns a JAX array outside autograd.
    """
    if isinstance(other, (np.ndarray, jax.Array)):
        other = as_operand(other)
        dtype = _dtypes.result_type(input._value, other._value)
        input, other = input.to(dtype), other.to(dtype)
    elif not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, input) if reflected else matmul(input, other)


def _same_dtype(a, b, prefix):
    if a.dtype != b.dtype:
        raise RuntimeError(f"{prefix}, but got: {_dtypes.cpp_type_name(a.dtype)} != "
                           f"{_dtypes.cpp_type_name(b.dtype)}")


def mm(input, mat2):
    """2-D matrix product; both operands must be matrices."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("self must be a matrix" if input.ndim != 2 else
                           "mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):
    """Batched product of (b, n, m) and (b, m, p)."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if input.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2)


def _f_dot(a, b):
    return jnp.matmul(a, b)


def dot(input, other):
    """Inner product of two vectors (n,) . (n,) -> (). PyTorch-parity: not on autocast's
    lists (matmul is): under autocast it keeps its inputs' dtype."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if _autocast_state.cast is None:
        return matmul(input, other)         # (its checks and messages)
    _same_dtype(input, other, "expected m1 and m2 to have the same dtype")
    return apply(_f_dot, "DotBackward0", input, other)


def outer(input, vec2):
    """Outer product of vectors (n,) and (m,) -> (n, m)."""
    for name, v in (("self", input), ("vec2", vec2)):
        if isinstance(v, Tensor) and v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return mul(input.reshape(-1, 1), vec2.reshape(1, -1))


# ---- elementwise math ---------------------------------------------------------------

def _unary(jfn, name, *, to_float=True):
    """An elementwise op; integer inputs go to the default float dtype when `to_float`."""
    if to_float:
        wide = in_opmath(jfn)

        def f(x, *, dtype):
            # (an integer input becomes the float type first, then computes in its opmath
            # type, as torch's half kernels do)
            return wide(x.astype(dtype) if not jnp.issubdtype(x.dtype, jnp.inexact) else x)
    else:
        def f(x):
            return jfn(x)
    f.__name__ = f"_f_{name}"

    def op(input):
        if not to_float:
            return apply(f, name, input)
        # (the float type is an argument of the program, not read inside it: a program
        # is reused for later calls, which must see the default dtype as it is then)
        dtype = _float_dtype(input._value.dtype) if isinstance(input, Tensor) else None
        return apply(f, name, input, dtype=dtype)
    op.__doc__ = f"Elementwise {jfn.__name__} (grad_fn {name})."
    return op


exp = _unary(jnp.exp, "ExpBackward0")
exp2 = _unary(jnp.exp2, "Exp2Backward0")
expm1 = _unary(jnp.expm1, "Expm1Backward0")
log = _unary(jnp.log, "LogBackward0")
log2 = _unary(jnp.log2, "Log2Backward0")
log10 = _unary(jnp.log10, "Log10Backward0")
log1p = _unary(jnp.log1p, "Log1PBackward0")
sqrt = _unary(jnp.sqrt, "SqrtBackward0")
rsqrt = _unary(jax.lax.rsqrt, "RsqrtBackward0")
sin = _unary(jnp.sin, "SinBackward0")
cos = _unary(jnp.cos, "CosBackward0")
tan = _unary(jnp.tan, "TanBackward0")
asin = arcsin = _unary(jnp.arcsin, "AsinBackward0")
acos = arccos = _unary(jnp.arccos, "AcosBackward0")
atan = arctan = _unary(jnp.arctan, "AtanBackward0")
sinh = _unary(jnp.sinh, "SinhBackward0")
cosh = _unary(jnp.cosh, "CoshBackward0")
tanh = _unary(jnp.tanh, "TanhBackward0")
sigmoid = _unary(jax.nn.sigmoid, "SigmoidBackward0")
erf = checked("erf")(_unary(jax.lax.erf, "ErfBackward0"))
reciprocal = _unary(jnp.reciprocal, "ReciprocalBackward0")
_neg = _unary(jnp.negative, "NegBackward0", to_float=False)


def neg(input):
    """-input (not for bool tensors, as PyTorch)."""
    if isinstance(input, Tensor) and input.dtype == _dtypes.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")
    return _neg(input)


negative = neg


def abs_with_torch_grad(x):
    """|x| with PyTorch's gradient `grad * sgn(x)`: 0 at 0 and NaN (JAX: 1 and -1)."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _edge_grads.abs(x)
    a = jnp.abs(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return a
    return jnp.where(x == 0, jax.lax.stop_gradient(a), a)


abs = absolute = checked("abs")(_unary(abs_with_torch_grad, "AbsBackward0", to_float=False))


def _sign(x):
    # PyTorch's sign is (0 < x) - (x < 0): 0 for NaN, where jnp.sign gives NaN; a bool is
    # its own sign.
    if jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.where(jnp.isnan(x), jnp.zeros((), x.dtype), jnp.sign(x))
    if x.dtype == jnp.bool_:
        return x
    return jnp.sign(x)


sign = checked("sign")(_unary(_sign, "SignBackward0", to_float=False))
floor = checked("floor")(_unary(jnp.floor, "FloorBackward0", to_float=False))
ceil = checked("ceil")(_unary(jnp.ceil, "CeilBackward0", to_float=False))
trunc = fix = checked("trunc")(_unary(jnp.trunc, "TruncBackward0", to_float=False))
frac = checked("frac")(_unary(lambda x: x - jnp.trunc(x), "FracBackward0", to_float=False))
def _square(x):
    # (a bool squares to torch's default integer type, int64: jnp.square gives int32)
    if x.dtype == jnp.bool_:
        return jnp.square(x.astype(jax.dtypes.canonicalize_dtype(jnp.int64)))
    return jnp.square(x)


square = _unary(_square, "PowBackward0", to_float=False)
relu = checked("relu")(_unary(_activations.relu, "ReluBackward0", to_float=False))
isnan = _unary(jnp.isnan, "IsnanBackward0", to_float=False)
isinf = _unary(jnp.isinf, "IsinfBackward0", to_float=False)
isfinite = _unary(jnp.isfinite, "IsfiniteBackward0", to_float=False)


def _f_round(x, *, decimals=0):
    return jnp.round(x, decimals)


def round(input, *, decimals=None):
    """Round half to even, as PyTorch. Passing `decimals` (even 0) is torch's other
    overload, with its own kernels and grad_fn."""
    if decimals is None:
        check("round", input)
        return apply(_f_round, "RoundBackward0", input, decimals=0)
    check("round_decimals0" if decimals == 0 else "round_decimals", input)
    return apply(_f_round, "RoundBackward1", input, decimals=decimals)


def _f_clamp(x, lo, hi, *, dtype):
    x = _cast(x, dtype)
    clipped = x
    inside = jnp.ones(x.shape, bool)
    to_lo = to_hi = jnp.zeros((), bool)
    if lo is not None:
        lo = _cast(lo, dtype)
        clipped = jnp.where(clipped < lo, lo, clipped)
        inside = inside & (x >= lo)
        to_lo = x < lo
    if hi is not None:
        hi = _cast(hi, dtype)
        clipped = jnp.where(clipped > hi, hi, clipped)   # max wins when min > max (PyTorch)
        inside = inside & (x <= hi)
        to_hi = x > hi
    if lo is not None and hi is not None:
        # clamp_backward_min_max: min gets the gradient where x < min < max, max where
        # x > max or max < min (then the output is max everywhere).
        to_lo = to_lo & (lo < hi)
        to_hi = to_hi | ((hi < lo) & ~jnp.isnan(x))     # NaN stays NaN
    if not jnp.issubdtype(dtype, jnp.inexact):
        return clipped
    # The gradient flows to x where min <= x <= max (bounds included), to a tensor bound
    # where it was chosen, and nowhere else (e.g. x < min == max): the selects below pick
    # the same values as `clipped`, each carrying its own gradient.
    out = jax.lax.stop_gradient(clipped)
    if hi is not None:
        out = jnp.where(to_hi, hi, out)
    if lo is not None:
        out = jnp.where(to_lo, lo, out)
    out = jnp.where(inside, x, out)
    # A NaN bound makes the result NaN, as torch's (comparisons with NaN are False), also
    # where the other bound clips (last, so that no select above puts a bound back).
    for bound in (lo, hi):
        if bound is not None:
            out = jnp.where(jnp.isnan(bound), jax.lax.stop_gradient(bound), out)
    return out


def clamp(input, min=None, max=None):
    """Clips to [min, max] (scalars or tensors); the gradient flows where
    min <= input <= max."""
    return _clamp(input, min, max, "clamp")


def _clamp(input, min, max, variant):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    check_clamp(input, min, max, variant)
    lo = as_operand(min) if min is not None else None
    hi = as_operand(max) if max is not None else None
    dtype = _dtypes.result_type(*_promo_args(*(v for v in (input, lo, hi) if v is not None)))
    check_fits(min, dtype)
    check_fits(max, dtype)
    broadcast_shape(*(v for v in (input, lo, hi) if v is not None))
    _check_bool_clamp(dtype, lo, hi)
    name = "ClampBackward1" if not isinstance(lo, Tensor) and not isinstance(hi, Tensor) \
        else "ClampBackward0"
    return apply(_f_clamp, name, input, lo, hi, dtype=dtype)


clip = clamp


def _check_bool_clamp(dtype, lo, hi) -> None:
    """torch's clamp kernels have no bool version: with Scalar bounds the one named after
    the bounds given refuses it, with two Tensor bounds clamp's own; a single Tensor bound
    goes to maximum/minimum, which take bools."""
    tensors = isinstance(lo, Tensor) + isinstance(hi, Tensor)
    if tensors == 0:
        check_dtype("clamp_scalar" if lo is not None and hi is not None else
                    "clamp_min_scalar" if lo is not None else "clamp_max_scalar", dtype)
    elif tensors == 2:
        check_dtype("clamp_tensor", dtype)


def clamp_min(input, min):
    return _clamp(input, min, None, "clamp_min")


def clamp_max(input, max):
    return _clamp(input, None, max, "clamp_max")


def _f_where(cond, a, b, *, dtype):
    return jnp.where(cond, _cast(a, dtype), _cast(b, dtype))


def where(condition, input=None, other=None):
    """Elementwise choice; `where(condition)` alone is `nonzero(as_tuple=True)`."""
    if input is None and other is None:
        from ._ops_index import nonzero
        return nonzero(condition, as_tuple=True)
    if condition.dtype == _dtypes.uint8:
        warn_once("where received a uint8 condition tensor. This behavior is deprecated and "
                  "will be removed in a future version of PyTorch. Use a boolean condition "
                  "instead.")
        condition = condition.bool()
    if condition.dtype != _dtypes.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtypes.scalar_type_name(condition.dtype)}")
    scalars = (input, other)
    input, other = as_operand(input), as_operand(other)
    dtype = _dtypes.result_type(*_promo_args(input, other))
    for value in scalars:
        check_fits(value, dtype)
    broadcast_shape(condition, input, other)
    return apply(_f_where, "WhereBackward0", condition, input, other, dtype=dtype)


def _f_maximum(a, b, *, dtype):
    a, b = _cast(a, dtype), _cast(b, dtype)
    if jnp.issubdtype(dtype, jnp.inexact):
        return _edge_grads.maximum(a, b)     # torch's: ties share, NaN feeds both
    return jnp.maximum(a, b)


def _f_minimum(a, b, *, dtype):
    a, b = _cast(a, dtype), _cast(b, dtype)
    if jnp.issubdtype(dtype, jnp.inexact):
        return _edge_grads.minimum(a, b)
    return jnp.minimum(a, b)


def maximum(input, other):
    no_complex("maximum", input, other)
    return _binary(_f_maximum, "MaximumBackward0", input, other)


def minimum(input, other):
    no_complex("minimum", input, other)
    return _binary(_f_minimum, "MinimumBackward0", input, other)


def _f_lerp(a, b, w, *, dtype):
    # In opmath (float32 for half inputs, a number weight kept a float), rounded once, as
    # torch's kernel: in half, w * (b - a) overflowed to inf (w = 1e5) or lost bits.
    wide = opmath_dtype(dtype)
    a, b = _cast(a, wide), _cast(b, wide)
    if not isinstance(w, _SCALARS):
        w = _cast(w, wide)
    # PyTorch's two-sided formula: exact at both ends (w=1 gives `end` bit for bit).
    out = jnp.where(jnp.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))
    return out.astype(dtype)


def _f_addcmul(s, t1, t2, *, value, dtype):
    """s + value * t1 * t2 as torch's CPU kernel: (value * t1) * t2 + s in opmath (float32
    for half inputs, value a float there), rounded once."""
    wide = opmath_dtype(dtype)
    s, t1, t2 = _cast(s, wide), _cast(t1, wide), _cast(t2, wide)
    return (s + value * t1 * t2).astype(dtype)


def _f_addcdiv(s, t1, t2, *, value, dtype):
    """s + value * t1 / t2 as torch's CPU kernel: (value * t1) / t2 + s in opmath."""
    wide = opmath_dtype(dtype)
    s, t1, t2 = _cast(s, wide), _cast(t1, wide), _cast(t2, wide)
    return (s + value * t1 / t2).astype(dtype)


def lerp(input, end, weight):
    """input + weight * (end - input); weight is a number or a broadcastable tensor.

    As torch's, `end` and a Tensor `weight` (but a 0-d one) must have input's dtype, which
    must be floating or complex.
    """
    weight = as_operand(weight)
    for param, value in (("end", end), ("weight", weight)):
        # (a 0-d weight tensor of any dtype is taken, as torch does)
        if isinstance(value, Tensor) and value.dtype != input.dtype and not (
                param == "weight" and value.ndim == 0):
            raise RuntimeError(f"expected dtype {_dtypes.cpp_type_name(input.dtype)} for "
                               f"`{param}` but got dtype {_dtypes.cpp_type_name(value.dtype)}")
    broadcast_shape(input, end, weight)
    tensor_weight = isinstance(weight, Tensor)
    check("lerp_tensor" if tensor_weight else "lerp_scalar", input)
    if isinstance(weight, builtins.complex) and not input.is_complex():
        # torch converts a Scalar weight to input's opmath type (float for the narrow ones)
        opmath = "double" if input._value.dtype == jnp.float64 else "float"
        raise RuntimeError(f"value cannot be converted to type {opmath} without overflow")
    name = "LerpBackward1" if tensor_weight else "LerpBackward0"
    return apply(_f_lerp, name, input, end, weight, dtype=input._value.dtype)


def _f_atan2(a, b, *, dtype):
    # torch's gradient is 0 at (0, 0), where JAX's is NaN (see _edge_grads.atan2).
    return _edge_grads.atan2(_cast(a, dtype), _cast(b, dtype))


def atan2(input, other):
    """The angle of (other, input), elementwise; real inputs only, as torch's kernel."""
    from ._ops_elementwise import refuse_complex
    refuse_complex("atan2_cpu", input, other)
    return _binary(_f_atan2, "Atan2Backward0", input, other, float_result=True)


arctan2 = atan2


# The comparisons, logical and bitwise ops live in _ops_compare; the modules that take
# every op from here (`_ops_math as M`) find them here too.
from ._ops_compare import allclose as allclose  # noqa: E402
from ._ops_compare import bitwise_and as bitwise_and  # noqa: E402
from ._ops_compare import bitwise_not as bitwise_not  # noqa: E402
from ._ops_compare import bitwise_or as bitwise_or  # noqa: E402
from ._ops_compare import bitwise_xor as bitwise_xor  # noqa: E402
from ._ops_compare import eq as eq  # noqa: E402
from ._ops_compare import equal as equal  # noqa: E402
from ._ops_compare import ge as ge  # noqa: E402
from ._ops_compare import greater as greater  # noqa: E402
from ._ops_compare import greater_equal as greater_equal  # noqa: E402
from ._ops_compare import gt as gt  # noqa: E402
from ._ops_compare import invert as invert  # noqa: E402
from ._ops_compare import isclose as isclose  # noqa: E402
from ._ops_compare import le as le  # noqa: E402
from ._ops_compare import less as less  # noqa: E402
from ._ops_compare import less_equal as less_equal  # noqa: E402
from ._ops_compare import logical_and as logical_and  # noqa: E402
from ._ops_compare import logical_not as logical_not  # noqa: E402
from ._ops_compare import logical_or as logical_or  # noqa: E402
from ._ops_compare import logical_xor as logical_xor  # noqa: E402
from ._ops_compare import lt as lt  # noqa: E402
from ._ops_compare import ne as ne  # noqa: E402
from ._ops_compare import not_equal as not_equal  # noqa: E402
