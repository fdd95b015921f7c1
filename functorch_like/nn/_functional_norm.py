"""torch.nn.functional's batch_norm, layer_norm and group_norm over the pure core's
normalizations; nn.functional re-exports them.

Parity note: `batch_norm` in training updates the running statistics in place, as
PyTorch's does (they are data, written without a grad_fn).
"""

from __future__ import annotations

import math

import jax

from .. import _random, _trace_state
from .._dtype_refusals import check
from .._func_frames import check_write
from .._tensor import Tensor, apply, publish
from ..pure import _norm
from . import _arg_checks as _args


_BN_STATS = ("running_mean", "running_var", "num_batches_tracked")


def _f_batch_norm(x, rm, rv, w, b, nbt, *, training, momentum, eps):
    y, state = _norm.batch_norm(x, rm, rv, w, b, nbt, training=training, momentum=momentum,
                                eps=eps)
    if not training:
        return y          # eval reads the statistics and returns them unchanged
    # Only the statistics that were given come back: every output of `apply` is an array.
    return (y,) + tuple(state[k] for k in _BN_STATS if k in state)


def _write_buffer(buffer: Tensor | None, value) -> None:
    # Running statistics are data, not part of the graph: written in place, no grad_fn.
    if buffer is not None and value is not None:
        check_write(buffer, "add_")     # (inside a torch.func transform; torch's first op)
        _refuse_leak(buffer, value._value)
        buffer._value = jax.lax.stop_gradient(value._value)
        buffer._version += 1
        publish(buffer)     # (its state_dict()/detach() aliases and views see it, as torch's)


def _refuse_leak(buffer: Tensor, value) -> None:
    """A running statistic traced by a jax.jit (or lax.scan, ...) of the user's own would
    stay in the module after the trace, and its next call would fail with JAX's
    UnexpectedTracerError: refused here, saying what to use. functorch_like.compile and
    the torch.func bridges (functional_call, to_pure, the transforms) handle it."""
    if type(value).__name__ == "DynamicJaxprTracer" \
            and not isinstance(buffer._value, jax.core.Tracer) \
            and not _trace_state.state.compiling and not _random._guards.depth:
        raise RuntimeError(
            "functorch_like: a BatchNorm in train mode ran inside a function traced by "
            "jax.jit or another JAX transform of your own, which cannot update its running "
            "statistics in place (they would leak out of the trace). Compile the step with "
            "functorch_like.compile, use functorch_like.func.to_pure (its apply returns the "
            "new buffers), or put the module in eval() mode.")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5, *, num_batches_tracked=None):
    """Batch normalization over dim 1; in training updates running_mean/var in place
    (momentum None needs `num_batches_tracked`, a functorch_like extension that BatchNorm
    modules pass, and increments it)."""
    if not training:    # (in training torch's Python code fails first, on input.size())
        _args.require_tensor("batch_norm", input)
    check("batch_norm", input)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be "
                           "defined in evaluation mode")
    if training and running_mean is not None and num_batches_tracked is None \
            and momentum is None:
        raise ValueError("momentum=None needs num_batches_tracked")
    if training and running_mean is not None and _batched(input) and not _batched(
            running_mean):
        # Under vmap the update would put the batch's tracer into the module's buffer.
        raise RuntimeError(
            "Batch norm got a batched tensor as input while the running_mean or "
            "running_var, which will be updated in place, were not batched.\nIf you are "
            "using a module and do not need eval mode, please set `track_running_stats` to "
            "be False.If you are using a prebuilt module and do not need eval mode, please "
            "see the functorch website for resources on how to patch your module to work "
            "with vmap")
    out = apply(_f_batch_norm, "NativeBatchNormBackward0", input, running_mean, running_var,
                weight, bias, num_batches_tracked, training=training, momentum=momentum,
                eps=eps)
    if not training:
        return out
    y, *new_stats = out
    # The pure core returns the statistics it was given, in _BN_STATS order.
    given = [b for b in (running_mean, running_var, num_batches_tracked) if b is not None]
    for buf, value in zip(given, new_stats):
        _write_buffer(buf, value)
    return y


def _batched(t) -> bool:
    """Whether a tensor's value is batched by a vmap (jax's BatchTracer, which jax does
    not export)."""
    return type(t._value).__name__ == "BatchTracer"


def _f_layer_norm(x, w, b, *, normalized_shape, eps):
    return _norm.layer_norm(x, normalized_shape, w, b, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    _args.require_tensor("layer_norm", input)
    _args.require_optional_tensor("layer_norm", weight, "weight", 3)
    _args.require_optional_tensor("layer_norm", bias, "bias", 4)
    check("layer_norm", input)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        normalized_shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}")
    return apply(_f_layer_norm, "NativeLayerNormBackward0", input, weight, bias,
                 normalized_shape=shape, eps=eps)


def _f_group_norm(x, w, b, *, num_groups, eps):
    return _norm.group_norm(x, num_groups, w, b, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalizes each of num_groups groups of the channels of input (N, C, *); weight and
    bias (C,) scale and shift per channel."""
    _args.require_method(input, "dim")     # (torch's calls input.dim() first)
    if input.ndim < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    # PyTorch's _verify_batch_size, on the input seen as (N*C/G, G, *spatial), before the
    # channel checks (so it raises in eval mode too).
    size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input "
                         f"size {size}")
    channels = input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    check("group_norm", input)
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != channels):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number "
                               f"of channels in input, but got {what} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    return apply(_f_group_norm, "NativeGroupNormBackward0", input, weight, bias,
                 num_groups=num_groups, eps=eps)
