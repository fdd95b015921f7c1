"""More math: inverse hyperbolics, gcd/lcm, bit shifts, ldexp/frexp, nextafter,
isposinf/isneginf/isreal, nanmean, inner, dist, renorm, addr, addbmm, msort.

Built on _ops_math's helpers (`_unary`, `_binary`, `_bitwise`), so dtypes promote and
broadcast as PyTorch's and integer inputs of float-valued ops go to the default float.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp

from . import _autocast_state, _dtypes
from . import _ops_contract as K
from . import _ops_math as M
from . import _ops_reduce as R
from . import _ops_shape as S
from ._dtype_refusals import check
from ._ops_compare import _bitwise
from ._ops_reduce import named_result
from ._tensor import _wrap_dim, apply
from .pure._distance import vector_norm

# ---- elementwise ----------------------------------------------------------------------

asinh = arcsinh = M._unary(jnp.arcsinh, "AsinhBackward0")
acosh = arccosh = M._unary(jnp.arccosh, "AcoshBackward0")
atanh = arctanh = M._unary(jnp.arctanh, "AtanhBackward0")

# Integer-only binary ops: torch's `"<kernel>_cpu" not implemented for 'Float'` otherwise.
gcd = _bitwise(jnp.gcd, "gcd", bool_ok=False)
lcm = _bitwise(jnp.lcm, "lcm", bool_ok=False)
bitwise_left_shift = _bitwise(jnp.left_shift, "lshift", bool_ok=False)
bitwise_right_shift = _bitwise(jnp.right_shift, "rshift", bool_ok=False)  # arithmetic


def _f_ldexp(a, b, *, dtype):
    return M._cast(a, dtype) * jnp.power(jnp.asarray(2, dtype), M._cast(b, dtype))


def ldexp(input, other):
    """input * 2 ** other, a floating result.

    PyTorch parity: for a negative integer `other`, torch's gradient for input is 0 (its
    backward takes the power in integers); here it is 2 ** other.
    """
    M.broadcast_shape(input, other)
    if input.is_floating_point() and other.dtype == _dtypes.bool:
        # torch's ldexp computes 2 ** other in the exponent's dtype for a floating input,
        # and that kernel has no bool version
        raise _dtypes.kernel_error("ldexp_cpu_exp", other.dtype)
    return M._binary(_f_ldexp, "MulBackward0", input, other, float_result=True)


def _f_frexp(x):
    exponent = jnp.frexp(jax.lax.stop_gradient(x))[1]
    # Division by a power of two is exact, and differentiable (jnp.frexp is not).
    mantissa = x / jnp.power(jnp.asarray(2, x.dtype), exponent.astype(x.dtype))
    return mantissa, exponent.astype(jnp.int32)


_frexp_result = named_result("frexp", ("mantissa", "exponent"))


def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1);
    exponent is int32. The gradient flows to input through the mantissa."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return _frexp_result(*apply(_f_frexp, "FrexpBackward0", input))


def nextafter(input, other):
    """The next floating-point value after input towards other; its gradient is 1 for
    input and 0 for other, as torch's."""
    a, b = M.as_operand(input), M.as_operand(other)
    dtype = _dtypes.result_type(*M._promo_args(a, b))
    if not jnp.issubdtype(dtype, jnp.floating):
        raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(dtype)}'")
    return M._binary(_f_nextafter, "NextafterBackward0", a, b)


@jax.custom_jvp
def _nextafter(a, b):
    return jnp.nextafter(a, b)


@_nextafter.defjvp
def _nextafter_jvp(primals, tangents):
    # (torch's derivative: the step is treated as constant; JAX has none)
    return jnp.nextafter(*primals), tangents[0]


def _f_nextafter(a, b, *, dtype):
    return _nextafter(M._cast(a, dtype), M._cast(b, dtype))


def _f_isposinf(x):
    return jnp.isposinf(x) if jnp.issubdtype(x.dtype, jnp.floating) else \
        jnp.zeros(x.shape, bool)


def _f_isneginf(x):
    return jnp.isneginf(x) if jnp.issubdtype(x.dtype, jnp.floating) else \
        jnp.zeros(x.shape, bool)


def _f_isreal(x):
    return jnp.imag(x) == 0 if jnp.iscomplexobj(x) else jnp.ones(x.shape, bool)


def isposinf(input):
    check("isposinf", input)
    return apply(_f_isposinf, "IsposinfBackward0", input)


def isneginf(input):
    check("isneginf", input)
    return apply(_f_isneginf, "IsneginfBackward0", input)


def isreal(input):
    """True where the element has no imaginary part (everywhere for real dtypes)."""
    return apply(_f_isreal, "IsrealBackward0", input)


def float_power_(self, exponent):
    """In-place float_power: only a float64 (complex128) tensor can hold the result.

    PyTorch parity: with JAX's x64 mode off, float32 passes as float64 (same storage).
    """
    from ._ops_elementwise import float_power
    result = float_power(self, exponent)
    if result.dtype != self.dtype:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_dtypes.scalar_type_name(self.dtype)} but the operation's "
                           f"result requires dtype {_dtypes.scalar_type_name(result.dtype)}")
    return self._set(result)


# ---- reductions and products ------------------------------------------------------------

def _f_nanmean(x, *, axis, keepdims):
    return jnp.nanmean(x, axis=axis, keepdims=keepdims)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """The mean of the non-NaN elements over `dim` (all by default); NaN where all are."""
    # torch checks the input's own dtype (an int input is refused even with a float dtype=)
    if not input.is_floating_point() and not input.is_complex():
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtypes.scalar_type_name(input.dtype)}")
    if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be "
                           "either a floating point or complex dtype. Got: "
                           f"{_dtypes.scalar_type_name(dtype)}")
    x = input if dtype is None else input.to(dtype)
    if x.is_complex():      # (torch's nanmean is nansum / count: nansum's refusal)
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return apply(_f_nanmean, "DivBackward0", x, axis=R._dims(dim, x.ndim),
                 keepdims=builtins.bool(keepdim))


def _f_inner(a, b):
    # (operands of one dtype: inner's, or autocast's lower one, which the lists' mm gets)
    return jnp.inner(a, b)


def inner(input, other):
    """Sum over the last dims of input and other: shape input.shape[:-1] + other.shape[:-1];
    a 0-d operand multiplies."""
    if input.ndim and other.ndim and input.dtype != other.dtype:
        raise RuntimeError("both inputs should have same dtype")    # (a 0-d one scales)
    if input.ndim and other.ndim and input.shape[-1] != other.shape[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    if input.ndim == 0 or other.ndim == 0:
        return M.mul(input, other)          # (as torch's: a 0-d operand scales)
    return apply(_f_inner, "InnerBackward0", input, other)


def _f_dist(a, b, *, p, dtype):
    return vector_norm(M._cast(a, dtype) - M._cast(b, dtype), p)


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), a 0-d tensor."""
    dtype = _dtypes.result_type(input._value, other._value)
    if not jnp.issubdtype(dtype, jnp.inexact):
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_dtypes.scalar_type_name(dtype)} instead.")
    M.broadcast_shape(input, other)
    return apply(_f_dist, "DistBackward0", input, other, p=builtins.float(p), dtype=dtype)


def _f_renorm(x, *, p, axis, maxnorm):
    others = tuple(k for k in range(x.ndim) if k != axis)
    norms = vector_norm(x, p, others, keepdims=True)
    # torch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, else 1.
    factor = jnp.where(norms > maxnorm, maxnorm / (norms + 1e-7), jnp.ones((), x.dtype))
    return x * factor.astype(x.dtype)


def renorm(input, p, dim: int, maxnorm):
    """Each slice along `dim` whose p-norm exceeds `maxnorm` rescaled to norm `maxnorm`."""
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if not (input.is_floating_point() or input.is_complex()):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_dtypes.scalar_type_name(input.dtype)}")
    return apply(_f_renorm, "RenormBackward0", input, p=builtins.float(p),
                 axis=_wrap_dim(dim, input.ndim), maxnorm=builtins.float(maxnorm))


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2); input broadcasts to (n, m)."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    S.expanded_shape(tuple(input.shape), (vec1.shape[0], vec2.shape[0]), input.type())
    return K._scaled_sum(input, M.outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]; input broadcasts to (n, p)."""
    if _autocast_state.cast is not None:    # all three in autocast's dtype, as PyTorch
        input, batch1, batch2 = _autocast_state.cast(addbmm, "AddbmmBackward0",
                                                     (input, batch1, batch2))
    prod = R.sum(M.bmm(batch1, batch2), 0)
    S.expanded_shape(tuple(input.shape), tuple(prod.shape), input.type())
    return K._scaled_sum(input, prod, beta, alpha)


def msort(input):
    """The input sorted along dim 0 (values only)."""
    return R.sort(input, 0).values


# ---- in-place comparisons ---------------------------------------------------------------

def _f_in_place_result(x, r):
    # x is an input only so that the result stays in x's graph with a zero gradient, as
    # after torch's `x.eq_(y)` (requires_grad stays True, grad_fn EqBackward1).
    return r.astype(x.dtype)


def _in_graph(fn):
    name = fn.__name__.title().replace("_", "") + "Backward1"

    def op(self, *args):
        return apply(_f_in_place_result, name, self, fn(self, *args))
    op.__name__ = fn.__name__
    return op


# Bound as `eq_`, `logical_and_`, ... by _methods.py: the result is written back in self's
# dtype (1/0 in a float tensor).
INPLACE_COMPARISONS = {
    n + "_": _in_graph(fn) for n, fn in (
        ("eq", M.eq), ("ne", M.ne), ("lt", M.lt), ("le", M.le), ("gt", M.gt), ("ge", M.ge),
        ("greater", M.gt), ("less", M.lt), ("greater_equal", M.ge), ("less_equal", M.le),
        ("not_equal", M.ne), ("logical_and", M.logical_and), ("logical_or", M.logical_or),
        ("logical_xor", M.logical_xor))}
