"""More of torch.special: Bessel and Airy functions, erfcx, the incomplete gamma functions,
the Hurwitz zeta function, the multivariate log-gamma and the orthogonal polynomials.

Differentiability follows PyTorch: its Bessel, Airy and polynomial kernels have no
derivative at all (their results never require grad), so those run on detached inputs
here too. erfcx, multigammaln, gammainc/gammaincc (in `other`) and zeta (in `other`) have
PyTorch's gradients.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import jax.scipy.special as jss

from . import _dtypes
from . import _ops_math as M
from ._complex_refusals import refuse_complex_kernel
from ._dim_args import check_int_arg
from ._tensor import Tensor, apply
from .pure import _bessel, _gammainc, _orthopoly, _pole_grads

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "airy_ai", "erfcx", "gammainc", "gammaincc", "igamma", "igammac", "zeta",
           "multigammaln", "mvlgamma", *_orthopoly.__all__]


def _detached(x):
    return x.detach() if isinstance(x, Tensor) else x


def _no_grad_unary(jfn, name):
    """An elementwise op PyTorch does not differentiate: its result never requires grad.
    Its kernel is real only (a complex input raises torch's error, where JAX's functions
    gave a wrong number or a complex one)."""
    op = M._unary(jfn, name)

    def fn(input: Tensor) -> Tensor:
        refuse_complex_kernel(f"{name}_cpu", input)
        return op(_detached(input))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise {name} (shape and float dtype of input; integers go to the "
                  "default float dtype).\n\nPyTorch parity: not differentiable, as in torch "
                  "(the result does not require grad).")
    return fn


bessel_j0 = _no_grad_unary(_bessel.bessel_j0, "bessel_j0")
bessel_j1 = _no_grad_unary(_bessel.bessel_j1, "bessel_j1")
bessel_y0 = _no_grad_unary(_bessel.bessel_y0, "bessel_y0")
bessel_y1 = _no_grad_unary(_bessel.bessel_y1, "bessel_y1")
modified_bessel_i0 = _no_grad_unary(jss.i0, "modified_bessel_i0")
modified_bessel_i1 = _no_grad_unary(jss.i1, "modified_bessel_i1")
modified_bessel_k0 = _no_grad_unary(_bessel.modified_bessel_k0, "modified_bessel_k0")
modified_bessel_k1 = _no_grad_unary(_bessel.modified_bessel_k1, "modified_bessel_k1")
scaled_modified_bessel_k0 = _no_grad_unary(_bessel.scaled_modified_bessel_k0,
                                           "scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _no_grad_unary(_bessel.scaled_modified_bessel_k1,
                                           "scaled_modified_bessel_k1")
spherical_bessel_j0 = _no_grad_unary(_bessel.spherical_bessel_j0, "spherical_bessel_j0")
airy_ai = _no_grad_unary(_bessel.airy_ai, "airy_ai")


def no_complex(op, kernel: str):
    """op, refusing complex inputs with torch's error for its real-only `kernel`."""
    def checked(input):
        refuse_complex_kernel(kernel, input)
        return op(input)
    checked.__doc__ = op.__doc__
    return checked


def no_half(op, kernel: str):
    """op, refusing float16/bfloat16 inputs with torch's error (its CPU kernel has no
    half version; JAX's refuses them too, with a TypeError)."""
    def checked(input):
        if input.dtype in (_dtypes.float16, _dtypes.bfloat16):
            raise _dtypes.kernel_error(kernel, input.dtype)
        return op(input)
    checked.__doc__ = op.__doc__
    return checked


erfcx = no_complex(no_half(M._unary(jss.erfcx, "SpecialErfcxBackward0"), "erfcx_cpu"),
                   "erfcx_cpu")
erfcx.__doc__ = "exp(x^2) * erfc(x), elementwise (the scaled complementary error function)."


# ---- two-argument functions -----------------------------------------------------------------

def _f_gammainc(a, x, *, dtype):
    return _gammainc.gammainc(M._cast(a, dtype), M._cast(x, dtype))


def _f_gammaincc(a, x, *, dtype):
    return _gammainc.gammaincc(M._cast(a, dtype), M._cast(x, dtype))


def _floating_only(kernel, input, other):
    dtype = _dtypes.result_type(*M._promo_args(M.as_operand(input), M.as_operand(other)))
    if not jnp.issubdtype(dtype, jnp.floating):
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(dtype)}'")


def gammainc(input, other):
    """The regularized lower incomplete gamma function P(input, other), broadcast.

    PyTorch parity: torch has no derivative for `input` (it raises NotImplementedError);
    here the gradient for `input` is JAX's. The gradient for `other` is torch's.
    """
    _floating_only("igamma", input, other)
    return M._binary(_f_gammainc, "IgammaBackward0", input, other)


def gammaincc(input, other):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P, broadcast.

    PyTorch parity: as gammainc, the gradient for `input` is JAX's (torch raises).
    """
    _floating_only("igammac", input, other)
    return M._binary(_f_gammaincc, "IgammacBackward0", input, other)


igamma, igammac = gammainc, gammaincc


def _f_zeta(x, q, *, dtype):
    return _pole_grads.zeta(M._cast(x, dtype), M._cast(q, dtype))


def zeta(input, other):
    """The Hurwitz zeta function sum_k (k + other)^-input, broadcast; integers go to the
    default float dtype.

    PyTorch parity: torch has no derivative for `input` (it raises NotImplementedError);
    here it is JAX's. The gradient for `other` is -input * zeta(input + 1, other), as torch.
    """
    return M._binary(_f_zeta, "SpecialZetaBackward0", input, other, float_result=True)


def _f_multigammaln(x, *, p, dtype):
    x = x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(dtype)
    # log Gamma_p(x) = p (p - 1) / 4 log(pi) + sum_{j < p} lgamma(x - j / 2)
    shifts = jnp.arange(p, dtype=x.dtype) / 2
    terms = _pole_grads.lgamma(x[..., None] - shifts)     # (torch's -inf slope at poles)
    return jnp.sum(terms, axis=-1) + p * (p - 1) / 4 * math.log(math.pi)


def _multigammaln(name: str, input: Tensor, p: int, position: int = 2) -> Tensor:
    p = check_int_arg(name, "p", p, position, Tensor)       # (1.5 would be truncated)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return apply(_f_multigammaln, "MvlgammaBackward0", input, p=p,
                 dtype=M._float_dtype(input._value.dtype))


def multigammaln(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p, elementwise (shape of input).

    PyTorch parity: as torch 2.13, only p >= 1 is checked (elements <= (p - 1) / 2 give
    NaN or inf, not an error).
    """
    return _multigammaln("special_multigammaln", input, p)


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """torch.mvlgamma: special.multigammaln under torch's other name."""
    return _multigammaln("mvlgamma", input, p)


def mvlgamma_method(name: str):
    """Tensor.mvlgamma / mvlgamma_ (`name`): torch counts p's position without self."""
    def method(self: Tensor, p: int) -> Tensor:
        return _multigammaln(name, self, p, position=1)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Tensor.{name}(p): see torch.mvlgamma."
    return method


# ---- orthogonal polynomials ----------------------------------------------------------------

def _polynomial(pure_fn):
    def f(x, n, *, dtype):
        n = jnp.asarray(n)
        return pure_fn(M._cast(x, dtype), n)
    f.__name__ = "_f_" + pure_fn.__name__

    def op(input, n):
        return M._binary(f, pure_fn.__name__, _detached(input), _detached(n),
                         float_result=True)
    op.__name__ = op.__qualname__ = pure_fn.__name__
    op.__doc__ = (f"{pure_fn.__doc__}\n\nArgs:\n  input: x, a tensor or number.\n  n: the "
                  "degree, a tensor (integers; floats are truncated) or a number; broadcast "
                  "with x.\nReturns:\n  A float tensor of the broadcast shape.\n\nPyTorch "
                  "parity: not differentiable, as torch; for x = NaN the result is NaN (torch "
                  "returns an unspecified value there).")
    return op


chebyshev_polynomial_t = _polynomial(_orthopoly.chebyshev_polynomial_t)
chebyshev_polynomial_u = _polynomial(_orthopoly.chebyshev_polynomial_u)
chebyshev_polynomial_v = _polynomial(_orthopoly.chebyshev_polynomial_v)
chebyshev_polynomial_w = _polynomial(_orthopoly.chebyshev_polynomial_w)
shifted_chebyshev_polynomial_t = _polynomial(_orthopoly.shifted_chebyshev_polynomial_t)
shifted_chebyshev_polynomial_u = _polynomial(_orthopoly.shifted_chebyshev_polynomial_u)
shifted_chebyshev_polynomial_v = _polynomial(_orthopoly.shifted_chebyshev_polynomial_v)
shifted_chebyshev_polynomial_w = _polynomial(_orthopoly.shifted_chebyshev_polynomial_w)
hermite_polynomial_h = _polynomial(_orthopoly.hermite_polynomial_h)
hermite_polynomial_he = _polynomial(_orthopoly.hermite_polynomial_he)
laguerre_polynomial_l = _polynomial(_orthopoly.laguerre_polynomial_l)
legendre_polynomial_p = _polynomial(_orthopoly.legendre_polynomial_p)
