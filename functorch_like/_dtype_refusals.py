"""torch's errors for elementwise ops on dtypes its CPU kernels have no version for.

JAX computes the abs, ceil or frac of a bool or integer array (or casts it and goes on),
so without these checks such ops would return values where PyTorch raises. Each rule
names the error torch 2.13's CPU kernel raises for one kind of input dtype: a dispatch
`NotImplementedError: "<kernel>" not implemented for '<ScalarType>'`, or the op's own
text. (With JAX's 64-bit mode off, int32 stands for int64: its ScalarType is 'Long'.)
The complex refusals of the ordering ops (sort, max, clamp) live in _complex_refusals.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp

from . import _dtypes
from ._tensor import Tensor

BOOL, INT, FLOAT, COMPLEX = "bool", "int", "float", "complex"


def dtype_kind(dtype) -> str:
    """'bool', 'int', 'float' or 'complex' for a torch dtype or a stored JAX dtype."""
    d = jnp.dtype(dtype.jax if isinstance(dtype, _dtypes.dtype) else dtype)
    if d == jnp.bool_:
        return BOOL
    if jnp.issubdtype(d, jnp.integer):
        return INT
    return COMPLEX if jnp.issubdtype(d, jnp.complexfloating) else FLOAT


def _kernel(name):
    return lambda dtype: _dtypes.kernel_error(name, dtype)


def _text(error, message):
    return lambda dtype: error(message)


def _vml(op):
    """The rounding ops: the vectorised kernel has no bool version; complex numbers are
    refused by the op itself."""
    return {BOOL: _kernel(f"{op}_vml_cpu"),
            COMPLEX: _text(NotImplementedError, f"{op} is not supported for complex inputs")}


def _complex_kernel(name):
    return {COMPLEX: _kernel(name)}


# op -> {input dtype kind: error(dtype)}; verified one by one against torch 2.13 (CPU).
_RULES = {
    "abs": {BOOL: _kernel("abs_cpu")},
    "ceil": _vml("ceil"), "floor": _vml("floor"), "trunc": _vml("trunc"),
    # round(x) passes integers through; round(x, decimals=0) sends them to the vectorised
    # kernel, which has no integer version; another decimals goes to yet another kernel
    "round": {BOOL: _kernel("round_vml_cpu"), COMPLEX: _kernel("round_vml_cpu")},
    "round_decimals0": {BOOL: _kernel("round_vml_cpu"), INT: _kernel("round_vml_cpu"),
                        COMPLEX: _kernel("round_vml_cpu")},
    "round_decimals": {BOOL: _kernel("round_cpu"), INT: _kernel("round_cpu"),
                       COMPLEX: _kernel("round_cpu")},
    "frac": {BOOL: _kernel("frac_cpu"), INT: _kernel("frac_cpu"),
             COMPLEX: _kernel("frac_cpu")},
    "relu": {BOOL: _text(RuntimeError, "Boolean inputs not supported for relu"),
             COMPLEX: _text(NotImplementedError, "clamp is not supported for complex types")},
    "sign": {COMPLEX: _text(NotImplementedError,
                            "Unlike NumPy, torch.sign is not intended to support complex "
                            "numbers. Please use torch.sgn instead.")},
    "signbit": {COMPLEX: _text(NotImplementedError,
                               "signbit is not implemented for complex tensors.")},
    "bitwise_not": {FLOAT: _kernel("bitwise_not_cpu"), COMPLEX: _kernel("bitwise_not_cpu")},
    "erf": _complex_kernel("erf_vml_cpu"), "erfinv": _complex_kernel("erfinv_vml_cpu"),
    "i0": _complex_kernel("i0_vml_cpu"), "lgamma": _complex_kernel("lgamma_vml_cpu"),
    "erfc": _complex_kernel("erfc_vml_cpu"), "digamma": _complex_kernel("digamma"),
    "trigamma": _complex_kernel("trigamma"), "polygamma": _complex_kernel("polygamma"),
    "logit": _complex_kernel("logit_cpu"),
    "deg2rad": {COMPLEX: _text(RuntimeError, "deg2rad is not supported for complex tensors.")},
    "rad2deg": {COMPLEX: _text(RuntimeError, "rad2deg is not supported for complex tensors.")},
    "isposinf": {COMPLEX: _text(RuntimeError, "isposinf does not support complex inputs.")},
    "isneginf": {COMPLEX: _text(RuntimeError, "isneginf does not support complex inputs.")},
    "heaviside": {COMPLEX: _text(RuntimeError,
                                 "heaviside is not yet implemented for complex tensors.")},
    # clamp of a bool tensor: the kernel chosen by the bounds (Scalar or Tensor) refuses it
    "clamp_scalar": {BOOL: _kernel("clamp_scalar_cpu")},
    "clamp_tensor": {BOOL: _kernel("clamp_cpu")},
    "clamp_min_scalar": {BOOL: _kernel("clamp_min_scalar_cpu")},
    "clamp_max_scalar": {BOOL: _kernel("clamp_max_scalar_cpu")},
    "lerp_scalar": {BOOL: _kernel("lerp_kernel_scalar"), INT: _kernel("lerp_kernel_scalar")},
    "lerp_tensor": {BOOL: _kernel("lerp_kernel_tensor"), INT: _kernel("lerp_kernel_tensor")},
}


def _all_kernel(name):
    return {BOOL: _kernel(name), INT: _kernel(name), COMPLEX: _kernel(name)}


# nn.functional's activations (the kernels are named as torch's CPU dispatch names them)
_RULES.update(
    hardtanh={BOOL: _text(RuntimeError, "Bool inputs not supported for hardtanh"),
              COMPLEX: _RULES["relu"][COMPLEX]},
    leaky_relu=_all_kernel("leaky_relu_cpu"), elu=_all_kernel("elu_cpu"),
    silu={BOOL: _kernel("silu_cpu"), INT: _kernel("silu_cpu")},
    gelu=_all_kernel("GeluKernelImpl"), mish=_all_kernel("mish_cpu"),
    softplus=_all_kernel("softplus_cpu"), logsigmoid=_all_kernel("log_sigmoid_cpu"),
    hardsigmoid=_all_kernel("hardsigmoid_cpu"), hardswish=_all_kernel("hardswish_cpu"),
    softshrink=_all_kernel("softshrink_check"), hardshrink=_all_kernel("hardshrink_cpu"),
    threshold={BOOL: _kernel("threshold_cpu"), COMPLEX: _kernel("threshold_cpu")},
    # (the losses with a kernel of their own: floating inputs only, after promotion)
    mse_loss=_all_kernel("mse_cpu"), smooth_l1_loss=_all_kernel("smooth_l1_cpu"),
    huber_loss=_all_kernel("huber_cpu"),
)
# The normalizations and adaptive pools: floating kernels only (integers gave zeros or
# truncated integers; complex inputs ran or failed in JAX's words).
_RULES.update({name: _all_kernel(kernel) for name, kernel in (
    ("adaptive_avg_pool2d", "adaptive_avg_pool2d"),
    ("adaptive_max_pool2d", "adaptive_max_pool2d"),
    ("adaptive_max_pool3d", "adaptive_max_pool3d"), ("batch_norm", "batch_norm"),
    ("layer_norm", "LayerNormKernelImpl"), ("group_norm", "GroupNormKernelImpl"))})


def check(op: str, input) -> None:
    """Raises torch's error when `op` has no kernel for `input`'s dtype."""
    if isinstance(input, Tensor):
        check_dtype(op, input.dtype)


def check_dtype(op: str, dtype) -> None:
    """Raises torch's error when `op` has no kernel for `dtype` (the operands' common
    dtype, for ops that compute in it)."""
    error = _RULES[op].get(dtype_kind(dtype))
    if error is not None:
        raise error(dtype)


def checked(op: str):
    """Decorates a unary op `fn(input, ...)` with `check(op, input)` first."""
    def wrap(fn):
        @functools.wraps(fn)
        def op_fn(input, *args, **kwargs):
            check(op, input)
            return fn(input, *args, **kwargs)
        return op_fn
    return wrap


def check_inplace_abs(self) -> None:
    """abs_ of a complex tensor: the real result cannot be written back (torch's text)."""
    if self.is_complex():
        raise RuntimeError("In-place abs is not supported for complex tensors.")
