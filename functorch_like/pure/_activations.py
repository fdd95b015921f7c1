"""Activations with PyTorch's arguments and its gradients at the kinks (relu'(0) = 0)."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import ShapeError
from ._loss_base import DomainError as _DomainError
from ._loss_base import torch_dtype_name
from ._types import Array, PRNGKey, in_opmath

__all__ = ["relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "tanh",
           "softmax", "log_softmax", "silu", "softplus", "hardtanh", "mish", "logsigmoid",
           "celu", "softsign", "hardswish", "hardsigmoid", "softmin", "threshold",
           "tanhshrink", "softshrink", "hardshrink", "glu", "rrelu", "prelu",
           "gumbel_softmax"]


@jax.custom_jvp
def relu(x: Array) -> Array:
    """max(x, 0); the gradient is 0 at 0 and passes through NaN, as PyTorch.

    PyTorch parity: relu(-0.0) is +0.0 here (torch keeps the sign bit)."""
    # A max, not a select: XLA's GPU matmul fusions take a max as their epilogue, so the
    # matmul writes the activation itself. (A select was a kernel of its own after each
    # matmul, and the pre-activation stayed alive for the backward: 23 kernels against
    # the hand-written step's 21, and 1.25 times its memory, on an H200.)
    return jnp.maximum(x, jnp.zeros((), x.dtype))


@relu.defjvp
def _relu_jvp(primals, tangents):
    # torch: threshold_backward(grad, result, 0), i.e. 0 where result <= 0, grad elsewhere
    # (NaN included; jax.nn.relu's rule gives NaN a 0 gradient). Read from the result, the
    # backward keeps only the activation the next matmul reads.
    (x,), (t,) = primals, tangents
    y = relu(x)
    return y, jnp.where(y <= 0, jnp.zeros((), t.dtype), t)


def relu6(x: Array) -> Array:
    """min(max(x, 0), 6)."""
    return hardtanh(x, 0.0, 6.0)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def hardtanh(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    """x clipped to [min_val, max_val]; gradient 0 outside the open interval (PyTorch)."""
    # A clip (max and min), not a select, as relu: a matmul's fusion can take it as its
    # epilogue on a GPU. (an integer x stays integer, as torch's clamp with Scalar bounds
    # of x's dtype)
    return jnp.clip(x, min_val, max_val).astype(x.dtype)


@hardtanh.defjvp
def _hardtanh_jvp(min_val, max_val, primals, tangents):
    # torch (hardtanh_backward): 0 where x <= min_val or x >= max_val, grad elsewhere, so a
    # NaN input gets the gradient. The result is at a bound exactly there (and NaN where x
    # is), so the mask is read from it, as relu's.
    (x,), (t,) = primals, tangents
    y = hardtanh(x, min_val, max_val)
    outside = (y <= min_val) | (y >= max_val)
    return y, jnp.where(outside, jnp.zeros((), t.dtype), t)


@in_opmath
def leaky_relu(x: Array, negative_slope: float = 0.01) -> Array:
    """x for x > 0, else negative_slope * x."""
    return jnp.where(x > 0, x, x * negative_slope)


@in_opmath
def elu(x: Array, alpha: float = 1.0) -> Array:
    """x for x > 0, else alpha * (exp(x) - 1); the gradient at 0 is alpha and at NaN 1, and
    the second derivative at 0 is 0, as PyTorch's."""
    return _exp_linear(x, float(alpha), 1.0)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _exp_linear(x: Array, alpha: float, rate: float) -> Array:
    """x for x > 0, else alpha * (exp(rate x) - 1): elu (rate 1) and celu (rate 1/alpha)."""
    # torch (elu_backward): `x <= 0 ? grad * negcoef * exp(x) : grad * poscoef`, so NaN takes
    # the linear branch. The exponential branch sees x itself up to and including 0
    # (jnp.minimum(x, 0) would halve the gradient at the tie x == 0) and a harmless 0
    # elsewhere (NaN included), where it is discarded.
    neg_side = x <= 0
    neg = jnp.where(neg_side, x, jnp.zeros((), x.dtype))
    return jnp.where(neg_side, alpha * jnp.expm1(neg * rate), x)


@_exp_linear.defjvp
def _exp_linear_jvp(alpha, rate, primals, tangents):
    # The slope as torch's elu_backward, and a slope whose own derivative is torch's
    # elu_double_backward: that one is 0 at x == 0 (its exponential branch is x < 0), so
    # the exponential is held constant at the tie.
    (x,), (t,) = primals, tangents
    out = _exp_linear(x, alpha, rate)
    neg_side = x <= 0
    exp = alpha * rate * jnp.exp(jnp.where(neg_side, x, jnp.zeros((), x.dtype)) * rate)
    exp = jnp.where(x < 0, exp, jax.lax.stop_gradient(exp))
    return out, t * jnp.where(neg_side, exp, jnp.ones((), x.dtype)).astype(out.dtype)


@in_opmath
def selu(x: Array) -> Array:
    """scale * elu(x, alpha) with PyTorch's constants."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


@in_opmath
def gelu(x: Array, approximate: str = "none") -> Array:
    """x * Phi(x); `approximate='tanh'` uses PyTorch's tanh formula.

    PyTorch parity: gelu(+inf) is inf here, as torch's float64 and one-element results;
    torch's vectorized float32 CPU kernel gives NaN there.
    """
    if approximate == "none":
        return 0.5 * x * (1.0 + jax.lax.erf(x / math.sqrt(2.0)))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)
        return 0.5 * x * (1.0 + jnp.tanh(inner))
    raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")


@in_opmath
def sigmoid(x: Array) -> Array:
    return jax.nn.sigmoid(x)


@in_opmath
def logsigmoid(x: Array) -> Array:
    return jax.nn.log_sigmoid(x)


@in_opmath
def tanh(x: Array) -> Array:
    return jnp.tanh(x)


@in_opmath
def silu(x: Array) -> Array:
    """x * sigmoid(x)."""
    return x * jax.nn.sigmoid(x)


@in_opmath
def mish(x: Array) -> Array:
    """x * tanh(softplus(x))."""
    return x * jnp.tanh(softplus(x))


@in_opmath
def softplus(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch)."""
    bx = beta * x
    # The log branch gets bx itself wherever it is used (bx <= threshold): jnp.minimum
    # would halve its gradient at bx == threshold, where PyTorch gives sigmoid(bx).
    soft = jnp.log1p(jnp.exp(jnp.where(bx > threshold, jnp.zeros((), bx.dtype), bx))) / beta
    return jnp.where(bx > threshold, x, soft)


@in_opmath
def softmax(x: Array, dim: int) -> Array:
    """exp(x) / sum(exp(x)) along `dim` (PyTorch's implicit dim is deprecated: pass one);
    a 0-d x (dim 0 or -1) is one element: 1, as torch's."""
    if x.ndim == 0:
        return jax.nn.softmax(x.reshape(1), axis=0).reshape(())
    return jax.nn.softmax(x, axis=dim)


@in_opmath
def log_softmax(x: Array, dim: int) -> Array:
    """x - logsumexp(x) along `dim` (0 for a 0-d x)."""
    if x.ndim == 0:
        return jax.nn.log_softmax(x.reshape(1), axis=0).reshape(())
    return jax.nn.log_softmax(x, axis=dim)


@in_opmath
def celu(x: Array, alpha: float = 1.0) -> Array:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)); the gradient at 0 and NaN is 1 and
    the second derivative at 0 is 0, as PyTorch's."""
    if alpha == 0:
        raise _DomainError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _exp_linear(x, float(alpha), 1.0 / alpha)


@in_opmath
def softsign(x: Array) -> Array:
    """x / (1 + |x|)."""
    return x / (1 + jnp.abs(x))


@jax.custom_jvp
@in_opmath
def hardswish(x: Array) -> Array:
    """x relu6(x + 3) / 6; the gradient is 0 at x = -3 and 1 at x = 3 and NaN, as PyTorch's."""
    return x * hardtanh(x + 3, 0.0, 6.0) / 6


@hardswish.defjvp
def _hardswish_jvp(primals, tangents):
    # torch (hardswish_backward): `x <= -3 ? 0 : x < 3 ? grad * (x / 3 + 0.5) : grad`, so
    # NaN gets grad (the product rule through relu6 gives NaN there). The outer select
    # keeps a NaN gradient at 0 below -3, as torch's; the slope is finite wherever the
    # select drops it (reverse mode multiplies the dropped part, 0, by it). Written with
    # jnp ops, so that double backward differentiates this formula.
    (x,), (t,) = primals, tangents
    out = hardswish(x)
    low = x <= -3
    zero = jnp.zeros((), out.dtype)
    slope = jnp.where(low, zero, jnp.where(x < 3, x / 3 + 0.5, jnp.ones((), out.dtype)))
    return out, jnp.where(low, zero, t * slope).astype(out.dtype)


# PyTorch's hardsigmoid backward multiplies by the float constant 1/6, also for doubles
# (measured: its float64 gradient is 0.1666666716337204).
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


@jax.custom_jvp
@in_opmath
def hardsigmoid(x: Array) -> Array:
    """relu6(x + 3) / 6; gradient 1/6 inside (-3, 3) and 0 elsewhere, NaN included
    (PyTorch's rounding)."""
    return hardtanh(x + 3, 0.0, 6.0) / 6


@hardsigmoid.defjvp
def _hardsigmoid_jvp(primals, tangents):
    # torch (hardsigmoid_backward): `(x > -3 && x < 3) ? grad / 6 : 0`. (A custom rule, not
    # `y + slope * (x - stop_gradient(x))`, which is NaN at x = +-inf.)
    (x,), (t,) = primals, tangents
    out = hardsigmoid(x)
    return out, jnp.where((x > -3) & (x < 3), t * jnp.asarray(_ONE_SIXTH_F32, x.dtype),
                          jnp.zeros((), out.dtype)).astype(out.dtype)


@in_opmath
def softmin(x: Array, dim: int) -> Array:
    """softmax(-x) along `dim`."""
    return jax.nn.softmax(-x, axis=dim)


def threshold(x: Array, threshold: float, value: float) -> Array:
    """value where x <= threshold, else x (kept in x's dtype; NaN passes, as torch's);
    gradient 0 where replaced."""
    return jnp.where(x <= threshold, jnp.asarray(value).astype(x.dtype), x)


@in_opmath
def tanhshrink(x: Array) -> Array:
    """x - tanh(x)."""
    return x - jnp.tanh(x)


def _check_lambd(x: Array, lambd: float) -> None:
    top = float(jnp.finfo(x.dtype).max) if jnp.issubdtype(x.dtype, jnp.floating) else 0.0
    if not 0 <= lambd <= top:
        raise _DomainError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{torch_dtype_name(x.dtype)}, "
                           f"but found {lambd:g}")


# PyTorch parity (softshrink, hardshrink): torch's CPU backward gives NaN the gradient
# (`(x >= -lambd && x <= lambd) ? 0 : grad`) on its scalar path, which a tensor of fewer
# than two SIMD vectors takes; its vectorized path, on the leading chunks of a longer one,
# gives 0 (as it does for elu/hardswish: NaN there). The scalar rule is the one matched.

def softshrink(x: Array, lambd: float = 0.5) -> Array:
    """x - lambd above lambd, x + lambd below -lambd, 0 between (gradient 0 at +-lambd);
    NaN passes with gradient 1 (PyTorch)."""
    _check_lambd(x, lambd)
    # The inner condition is turned so that NaN falls in `x + lambd`.
    return jnp.where(x > lambd, x - lambd, jnp.where(x >= -lambd, jnp.zeros((), x.dtype),
                                                     x + lambd))


def hardshrink(x: Array, lambd: float = 0.5) -> Array:
    """x where |x| > lambd, else 0; NaN passes with gradient 1 (PyTorch)."""
    return jnp.where(jnp.abs(x) <= lambd, jnp.zeros((), x.dtype), x)


def glu(x: Array, dim: int = -1) -> Array:
    """a * sigmoid(b), where a and b are the first and second halves of x along `dim`."""
    if x.ndim == 0:
        raise ShapeError("glu does not support scalars because halving size must be even")
    axis = dim % x.ndim
    if x.shape[axis] % 2:
        raise ShapeError(f"Halving dimension must be even, but dimension {axis} is size "
                         f"{x.shape[axis]}")
    a, b = jnp.split(x, 2, axis=axis)
    return a * jax.nn.sigmoid(b)


def rrelu(x: Array, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          *, key: PRNGKey | None = None) -> Array:
    """Randomized leaky ReLU: in training each x <= 0 is scaled by its own slope drawn from
    U(lower, upper) (the gradient is that slope); otherwise the slope is (lower + upper) / 2.

    PyTorch parity: the slopes come from `key` (JAX's generator), not PyTorch's stream.
    """
    if lower > upper:
        raise _DomainError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(x, (lower + upper) / 2)
    if key is None:
        raise ValueError("rrelu in training mode needs a PRNG key (key=...)")
    slope = jax.random.uniform(key, x.shape, x.dtype, lower, upper)
    return jnp.where(x > 0, x, x * slope)


def prelu(x: Array, weight: Array) -> Array:
    """x where x > 0, else weight * x, with weight (C,) along dim 1 (or one shared slope).

    Args:
      x: (N, C, *), or (*) of fewer than 2 dims (one channel).
      weight: (C,), (1,) or () learned slopes.
    """
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.size != 1 and weight.size != channels:
        raise ShapeError(f"Mismatch of parameter numbers and input channel size. Found "
                         f"parameter numbers = {weight.size} and channel size = {channels}.")
    if weight.ndim > 1:
        raise ShapeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                         f"ndim = {weight.ndim}")
    w = weight.reshape((-1,) + (1,) * (x.ndim - 2)) if weight.size > 1 else weight.reshape(())
    return jnp.where(x > 0, x, w * x)


def gumbel_softmax(logits: Array, tau: float = 1.0, hard: bool = False, dim: int = -1, *,
                   key: PRNGKey) -> Array:
    """softmax((logits + g) / tau) along `dim`, g ~ Gumbel(0, 1) drawn with `key`.

    With `hard`, the one-hot of the sample's argmax (first on ties) whose gradient is the
    soft sample's (straight-through), as PyTorch's y_hard - y_soft.detach() + y_soft.
    """
    gumbels = jax.random.gumbel(key, logits.shape, logits.dtype)
    y_soft = jax.nn.softmax((logits + gumbels) / tau, axis=dim)
    if not hard:
        return y_soft
    axis = dim % logits.ndim
    index = jnp.argmax(y_soft, axis=axis, keepdims=True)
    y_hard = (jax.lax.broadcasted_iota(jnp.int32, y_soft.shape, axis) == index)
    return y_hard.astype(y_soft.dtype) - jax.lax.stop_gradient(y_soft) + y_soft
