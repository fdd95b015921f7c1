"""torch.nn.utils gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm,
clip_grads_with_norm_ (and the deprecated clip_grad_norm).

The norms are functorch_like.pure.optim's (`global_norm`, `clip_coefficient`), run through
the dispatch point, so clipping also works inside a functorch_like.compile'd step. Every
function runs without recording gradients, as torch's (`@_no_grad`).
"""

from __future__ import annotations

import types
import warnings
from typing import Iterable, Union

import jax
import jax.numpy as jnp

from ... import _trace_state
from ..._ops_linalg import check_float
from ..._tensor import Tensor, apply
from ...autograd._grad_mode import no_grad
from ...pure.optim._clip import clip_coefficient, global_norm

_tensor_or_tensors = Union[Tensor, Iterable[Tensor]]


def _f_total_norm(*tensors, norm_type):
    return global_norm(list(tensors), norm_type)


def _f_clip_coef(total_norm, max_norm):
    return clip_coefficient(total_norm, max_norm)


def _f_scale(g, coef):
    # torch's mul of a half gradient by the 0-d float32 coefficient computes in float32
    # and rounds once (a half coefficient rounded twice: 1 ulp off)
    if jnp.issubdtype(g.dtype, jnp.floating) and jnp.finfo(g.dtype).bits < 32:
        return (g.astype(jnp.float32) * coef.astype(jnp.float32)).astype(g.dtype)
    return g * coef.astype(g.dtype)


def _f_clamp(g, clip_value):
    return jnp.clip(g, -clip_value, clip_value)


def _f_nonfinite(x):
    return ~jnp.isfinite(x)


def get_total_norm(tensors: _tensor_or_tensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the tensors' norms (as if all were concatenated into one vector).

    Args:
      tensors: a Tensor or an iterable of Tensors (any shapes).
      norm_type: p of the p-norm; `inf` for the max norm.
      error_if_nonfinite: raise RuntimeError if the result is nan or inf (reads the value:
        inside traced code an UntraceableError says so).
      foreach: accepted for torch compatibility; XLA fuses the per-tensor norms anyway.
    Returns:
      A 0-d Tensor (float32 0. when there are no tensors).
    """
    del foreach
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(jnp.zeros((), jnp.float32))
    for t in tensors:       # (torch takes each tensor's linalg.vector_norm first)
        check_float(t, "linalg.vector_norm")
    with no_grad():
        total_norm = apply(_f_total_norm, "LinalgVectorNormBackward0", *tensors,
                           norm_type=norm_type)
        if error_if_nonfinite and isinstance(total_norm._value, jax.core.Tracer):
            raise _trace_state.untraceable("error_if_nonfinite=True (the check reads the norm)")
        if error_if_nonfinite and bool(apply(_f_nonfinite, "IsfiniteBackward0", total_norm)):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total_norm


def clip_grads_with_norm_(parameters: _tensor_or_tensors, max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scales the parameters' gradients in place by min(max_norm / (total_norm + 1e-6), 1)
    (total_norm e.g. from get_total_norm). Parameters whose .grad is None are skipped."""
    del foreach
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    if not isinstance(total_norm, Tensor):
        # (torch clamps max_norm / (total_norm + 1e-6): its clamp refuses the number)
        from ... import clamp
        clamp(max_norm / (total_norm + 1e-6), max=1.0)
    with no_grad():
        coef = apply(_f_clip_coef, "ClampBackward1", total_norm, max_norm)
        for g in grads:
            g._set(apply(_f_scale, "MulBackward0", g, coef))


def clip_grad_norm_(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Clips the gradients of `parameters` (a Tensor or an iterable; those without .grad
    are ignored) so that their total `norm_type`-norm is at most about `max_norm`: each is
    multiplied by min(max_norm / (total_norm + 1e-6), 1).

    Returns:
      The total norm of the gradients before clipping (a 0-d Tensor).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)      # a generator is read once, used twice
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will "
                          "occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of clip_grad_norm_ (a FutureWarning, as in torch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: _tensor_or_tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamps every gradient of `parameters` in place to [-clip_value, clip_value]
    (parameters without .grad are ignored)."""
    del foreach
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                p.grad._set(apply(_f_clamp, "ClampBackward1", p.grad, clip_value=clip_value))
