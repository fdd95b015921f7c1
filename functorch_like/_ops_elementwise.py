"""More elementwise math: hypot, fmax/fmin, nan_to_num, gamma-family and error functions,
xlogy, logit, sinc, copysign, logaddexp, float_power, signbit, heaviside, sgn, positive.

Built on _ops_math's helpers (`_unary`, `_binary`): integer inputs of float-valued ops go
to the default float dtype, binary ops broadcast and promote as PyTorch. Gradients come
from JAX except where JAX's derivative differs from PyTorch's at a point (xlogy at x = 0,
hypot at (0, 0), copysign at 0, fmax/fmin at ties, digamma at 0): those are written to
match PyTorch (pure/_edge_grads.py holds the custom rules).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special as jss

from . import _dtypes
from ._complex_refusals import no_complex
from ._dtype_refusals import check, checked
from ._ops_math import (_binary, _cast, _f_pow, _promo_args, _sign, _unary,
                        abs_with_torch_grad, as_operand, broadcast_shape)
from ._tensor import Tensor, apply
from .pure import _edge_grads, _pole_grads
from .pure._edge_grads import x_times_log


def _float_binary(fn, name, op, a, b, complex_ok: bool = True):
    """A binary op that has no integer kernel in PyTorch (hypot, logaddexp), nor a complex
    one unless complex_ok."""
    a, b = as_operand(a), as_operand(b)
    dtype = _dtypes.result_type(*_promo_args(a, b))
    if not jnp.issubdtype(dtype, jnp.inexact if complex_ok else jnp.floating):
        raise _dtypes.kernel_error(op, dtype)
    return _binary(fn, name, a, b)


def refuse_complex(op: str, a, b) -> None:
    """torch's NotImplementedError for a binary op whose CPU kernel (`op`) has no complex
    version, where the operands' common dtype is complex (JAX computed, or raised its own
    ValueError)."""
    dtype = _dtypes.result_type(*_promo_args(as_operand(a), as_operand(b)))
    if jnp.issubdtype(dtype, jnp.complexfloating):
        raise _dtypes.kernel_error(op, dtype)


# ---- binary -----------------------------------------------------------------------------

def _f_hypot(a, b, *, dtype):
    # torch's gradient, input / result, is NaN at (0, 0) (JAX's: 1/2 each).
    return _edge_grads.hypot(_cast(a, dtype), _cast(b, dtype))


def hypot(input, other):
    """sqrt(input**2 + other**2), floating inputs only."""
    return _float_binary(_f_hypot, "HypotBackward0", "hypot_cpu", input, other,
                         complex_ok=False)


def _f_logaddexp(a, b, *, dtype):
    return _pole_grads.logaddexp(_cast(a, dtype), _cast(b, dtype))


def _f_logaddexp2(a, b, *, dtype):
    return _pole_grads.logaddexp2(_cast(a, dtype), _cast(b, dtype))


def logaddexp(input, other):
    """log(exp(input) + exp(other)), computed without overflow."""
    return _float_binary(_f_logaddexp, "LogaddexpBackward0", "logaddexp_cpu", input, other)


def logaddexp2(input, other):
    """log2(2**input + 2**other)."""
    return _float_binary(_f_logaddexp2, "Logaddexp2Backward0", "logaddexp2_cpu", input,
                         other)


def _f_fmax(a, b, *, dtype):
    # torch's choice (and gradient): input where input >= other or other is NaN; ties go
    # to input, where jnp.fmax gives them to other.
    a, b = _cast(a, dtype), _cast(b, dtype)
    return jnp.where((a >= b) | jnp.isnan(b), a, b)


def _f_fmin(a, b, *, dtype):
    a, b = _cast(a, dtype), _cast(b, dtype)
    return jnp.where((a <= b) | jnp.isnan(b), a, b)


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    no_complex("fmax", input, other)
    return _binary(_f_fmax, "FmaxBackward0", input, other)


def fmin(input, other):
    """Elementwise minimum that ignores NaN."""
    no_complex("fmin", input, other)
    return _binary(_f_fmin, "FminBackward0", input, other)


def _f_xlogy(x, y, *, dtype):
    return x_times_log(_cast(x, dtype), _cast(y, dtype), jnp.log, 0)


def xlogy(input, other):
    """input * log(other), 0 where input == 0 (and other is not NaN)."""
    refuse_complex("xlogy_cpu", input, other)
    return _binary(_f_xlogy, "XlogyBackward0", input, other, float_result=True)


def _f_copysign(a, b, *, dtype):
    magnitude = abs_with_torch_grad(_cast(a, dtype))    # torch: gradient 0 at input == 0
    return jnp.where(jnp.signbit(_cast(b, dtype)), -magnitude, magnitude)


def copysign(input, other):
    """|input| with the sign (bit) of other; the result is floating."""
    refuse_complex("copysign_cpu", input, other)
    return _binary(_f_copysign, "CopysignBackward0", input, other, float_result=True)


def float_power(input, exponent):
    """input ** exponent computed in double precision (complex128 if either is complex).

    PyTorch parity: with JAX's x64 mode off, float64 is stored as float32.
    """
    input, exponent = as_operand(input), as_operand(exponent)
    broadcast_shape(input, exponent)
    complex_ = any(isinstance(v, complex) or (isinstance(v, Tensor) and v.is_complex())
                   for v in (input, exponent))
    dtype = (_dtypes.complex128 if complex_ else _dtypes.float64).jax
    name = ("PowBackward1" if isinstance(exponent, Tensor) and isinstance(input, Tensor)
            else "PowBackward0" if isinstance(input, Tensor) else "PowBackward2")
    return apply(_f_pow, name, input, exponent, dtype=dtype)


def _f_heaviside(x, v):
    return jnp.where(x == 0, v, (x > 0).astype(x.dtype))


def heaviside(input, values):
    """0 where input < 0, `values` where input == 0, 1 where input > 0.

    PyTorch parity: torch has no derivative for heaviside (backward raises); here `values`
    gets the gradient where input == 0 and input gets none.
    """
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    check("heaviside", input)
    check("heaviside", values)      # (either complex operand, before the dtype check)
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    broadcast_shape(input, values)
    return apply(_f_heaviside, "HeavisideBackward0", input, values)


# ---- unary ------------------------------------------------------------------------------

_digamma = _pole_grads.digamma        # (torch's values and derivatives at 0)
_lgamma = _pole_grads.lgamma


erfinv = checked("erfinv")(_unary(jax.lax.erf_inv, "ErfinvBackward0"))
erfc = checked("erfc")(_unary(jax.lax.erfc, "ErfcBackward0"))
lgamma = checked("lgamma")(_unary(_lgamma, "LgammaBackward0"))
digamma = checked("digamma")(_unary(_digamma, "DigammaBackward0"))
@jax.custom_jvp
def _i0(x):
    return jss.i0(x)


@_i0.defjvp
def _i0_jvp(primals, tangents):
    # torch's derivative, i1(x): JAX's i0 is exp(|x|) * i0e(x), whose derivative takes
    # |x|'s 1 at 0 (i0'(0) = 1, where it is 0) and loses digits near 0.
    (x,), (t,) = primals, tangents
    return jss.i0(x), jss.i1(x) * t


i0 = checked("i0")(_unary(_i0, "I0Backward0"))
sinc = _unary(jnp.sinc, "SincBackward0")      # jnp.sinc's derivative at 0 is 0, as torch's
deg2rad = checked("deg2rad")(_unary(jnp.deg2rad, "Deg2RadBackward0"))
rad2deg = checked("rad2deg")(_unary(jnp.rad2deg, "Rad2DegBackward0"))
signbit = checked("signbit")(_unary(jnp.signbit, "SignbitBackward0", to_float=False))


def _f_polygamma(x, *, n):
    return _pole_grads.polygamma(n, x)


def polygamma(n: int, input):
    """The n-th derivative of digamma (n = 0 is digamma)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    # (n = 0 and 1 dispatch to the digamma and trigamma kernels, as torch's)
    check("digamma" if n == 0 else "trigamma" if n == 1 else "polygamma", input)
    x = input if input.is_floating_point() else input.to(_dtypes.get_default_dtype())
    return apply(_f_polygamma, "PolygammaBackward0", x, n=int(n))


def _f_logit(x, *, eps):
    # (torch clamps to [eps, 1 - eps] and passes no gradient where it clamped; without
    # eps its gradient is NaN outside [0, 1])
    return _pole_grads.logit(x, eps)


def logit(input, eps=None):
    """log(p / (1 - p)); with `eps`, p is first clamped to [eps, 1 - eps]."""
    check("logit", input)
    x = input if input.is_floating_point() else input.to(_dtypes.get_default_dtype())
    return apply(_f_logit, "LogitBackward0", x, eps=None if eps is None else float(eps))


def _f_nan_to_num(x, *, nan, posinf, neginf):
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> `nan`, +inf -> `posinf`, -inf -> `neginf`; the infinities default to the
    dtype's largest and lowest finite values. Integer tensors come back unchanged."""
    return apply(_f_nan_to_num, "NanToNumBackward0", input, nan=float(nan),
                 posinf=None if posinf is None else float(posinf),
                 neginf=None if neginf is None else float(neginf))


def _f_sgn(x):
    if jnp.issubdtype(x.dtype, jnp.complexfloating):
        mag = jnp.abs(x)
        return jnp.where(mag == 0, 0, x / jnp.where(mag == 0, 1, mag))
    return _sign(x)


def sgn(input):
    """sign for real tensors, x / |x| (0 at 0) for complex ones."""
    return apply(_f_sgn, "SgnBackward0", input)


def positive(input):
    """The input itself (bool tensors are refused, as torch)."""
    if input.dtype == _dtypes.bool:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
