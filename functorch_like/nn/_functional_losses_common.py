"""torch.nn.functional's common losses: mse_loss, l1_loss, smooth_l1_loss, huber_loss,
cross_entropy, nll_loss, binary_cross_entropy(_with_logits) and kl_div, with the two
helpers every loss function shares (`_legacy_reduction`: PyTorch's deprecated
size_average/reduce arguments; `_loss`: the dispatch that accepts Python numbers as
operands). nn.functional re-exports them; the other losses live in _functional_losses.
"""

from __future__ import annotations

import warnings

import jax.numpy as jnp

from .. import _autocast_state, _dtypes
from .._dtype_refusals import check_dtype
from .._ops_math import as_operand, broadcast_shape
from .._tensor import Tensor, apply
from ..pure import _loss_base
from ..pure import losses as L
from . import _arg_checks as _args
from . import _loss_weights as _lw


def _legacy_reduction(size_average, reduce, reduction):
    """The reduction the legacy `size_average`/`reduce` arguments stand for (with torch's
    deprecation warning), or `reduction` where neither is given."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    out = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{out}' instead.", stacklevel=3)
    return out


def _loss(fn, name, *args, **static):
    return apply(fn, name, *[as_operand(a) if a is not None else None for a in args],
                 **static)


def _check_kernel(op: str, input, target) -> None:
    """torch's NotImplementedError for a loss whose kernel has no version for the
    operands' common dtype (`"mse_cpu" not implemented for 'Long'`)."""
    try:
        check_dtype(op, _dtypes.result_type(*(
            a._value if isinstance(a, Tensor) else a for a in (input, target))))
    except NotImplementedError:
        _broadcast_first(input, target)
        raise


def _broadcast_first(input, target) -> None:
    """torch broadcasts a regression loss's operands (warning when their shapes differ)
    before its kernel looks at their dtype: on the way to a dtype error, the warning and
    a shape error come first, as the pure core gives them."""
    if isinstance(input, Tensor) and isinstance(target, Tensor):
        _loss_base.pointwise_pair(input._value, target._value)


def _weighted(loss, input, weight, reduction: str, mean_over_weights: bool = True):
    """torch 2.13's weighted mse/l1/huber loss: the unreduced loss times `weight` (input's
    shape), summed, or averaged: over the sum of the weights (mse, l1), or over the
    elements (huber, as torch's)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    out = loss(reduction="none") * weight
    if reduction == "none":
        return out
    if reduction == "sum":
        return out.sum()
    if reduction == "mean":
        return out.sum() / weight.sum() if mean_over_weights else out.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error; `weight` (input's shape) weighs each element, 'mean' then
    dividing by the sum of the weights, as torch 2.13's."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(lambda **r: mse_loss(input, target, **r), input, weight, reduction)
    _check_kernel("mse_loss", input, target)
    return _loss(L.mse_loss, "MseLossBackward0", input, target, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error; `weight` as mse_loss's."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(lambda **r: l1_loss(input, target, **r), input, weight, reduction)
    if reduction == "mean":
        _check_mean_dtype(input, target)
    # (torch's grad_fn: the last op of its composite, abs then the reduction)
    name = {"mean": "MeanBackward0", "sum": "SumBackward0"}.get(reduction, "AbsBackward0")
    return _loss(L.l1_loss, name, input, target, reduction=reduction)


def _check_mean_dtype(input, target) -> None:
    """l1_loss is |input - target| then mean() in torch, and mean() refuses integers
    (after the broadcast, whose warning and shape error come first)."""
    dtype = _dtypes.result_type(*(a._value if isinstance(a, Tensor) else a
                                  for a in (input, target)))
    if jnp.issubdtype(dtype, jnp.integer):
        _broadcast_first(input, target)
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either "
                           "a floating point or complex dtype. Got: "
                           f"{_dtypes.scalar_type_name(dtype)}")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean",
                   beta=1.0):
    _check_kernel("smooth_l1_loss", input, target)
    return _loss(L.smooth_l1_loss, "SmoothL1LossBackward0", input, target,
                 reduction=_legacy_reduction(size_average, reduce, reduction), beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss; `weight` (input's shape) weighs each element, 'mean' then averaging over
    the elements (not the weights), as torch 2.13's."""
    if weight is not None:
        return _weighted(lambda **r: huber_loss(input, target, delta=delta, **r), input,
                         weight, reduction, mean_over_weights=False)
    _check_kernel("huber_loss", input, target)
    input, target = _autocast_state.cpu_fp32(input, target)     # (the result is in input's dtype)
    out = _loss(L.huber_loss, "HuberLossBackward0", input, target, reduction=reduction,
                delta=delta)
    # (torch's kernel writes into a tensor like the input: its dtype, not the promoted one)
    return out if out.dtype == input.dtype else out.to(input.dtype)


def _f_cross_entropy(x, t, w, *, ignore_index, reduction, label_smoothing):
    return L.cross_entropy(x, t, w, ignore_index, reduction, label_smoothing)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """log_softmax + nll over dim 1 (class indices or class probabilities as target)."""
    _args.require_loss_tensors("cross_entropy_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if _autocast_state.cast is not None:    # (the weight's dtype check sees the cast ones)
        input, target, weight = _autocast_state.cast(_f_cross_entropy, "",
                                                     (input, target, weight))
    # torch's grad_fn: the last op of its composite (smoothing adds a second term; with
    # probabilities the loss is a negated sum, divided by the batch for "mean")
    indices = _lw.class_indices(input, target)
    if indices:
        _lw.check_nll_weight(input, target, weight, cross_entropy=True,
                             label_smoothing=label_smoothing)
        name = "AddBackward0" if label_smoothing > 0 else "NllLossBackward0"
    else:
        name = "DivBackward1" if reduction == "mean" else "NegBackward0"
    out = _loss(_f_cross_entropy, name, input, target, weight, ignore_index=ignore_index,
                reduction=reduction, label_smoothing=label_smoothing)
    if indices:
        _check_weight_dtype(input, weight)
    return out


def _f_nll(x, t, w, *, ignore_index, reduction):
    return L.nll_loss(x, t, w, ignore_index, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    _args.require_loss_tensors("nll_loss_nd", input, target, weight)
    if _autocast_state.cast is not None:    # (the weight's dtype check sees the cast ones)
        input, target, weight = _autocast_state.cast(_f_nll, "NllLossBackward0",
                                                     (input, target, weight))
    _lw.check_nll_weight(input, target, weight)
    out = _loss(_f_nll, "NllLossBackward0", input, target, weight, ignore_index=ignore_index,
                reduction=_legacy_reduction(size_average, reduce, reduction))
    _check_weight_dtype(input, weight)
    return out


def _check_weight_dtype(input, weight) -> None:
    """torch's nll kernel takes the class weight in the input's dtype only (checked after
    the shapes: the loss is computed first)."""
    if isinstance(input, Tensor) and isinstance(weight, Tensor) \
            and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.scalar_type_name(input.dtype)} "
                           f"but found {_dtypes.scalar_type_name(weight.dtype)}")


def _f_bce(x, t, w, *, reduction):
    return L.binary_cross_entropy(x, t, w, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    if _autocast_state.cast is not None:        # (its dtype check sees the cast operands)
        input, target, weight = _autocast_state.cast(_f_bce, "BinaryCrossEntropyBackward0",
                                                     (input, target, weight))
    out = _loss(_f_bce, "BinaryCrossEntropyBackward0", input, target, weight,
                reduction=_legacy_reduction(size_average, reduce, reduction))
    # After the shape checks, which PyTorch makes in Python before its kernel's.
    if isinstance(input, Tensor) and isinstance(target, Tensor) \
            and target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_dtypes.scalar_type_name(target.dtype)} but "
                           f"expected {_dtypes.scalar_type_name(input.dtype)}")
    if isinstance(input, Tensor) and not input.is_floating_point():
        raise NotImplementedError('"binary_cross_entropy" not implemented for '
                                  f"'{_dtypes.scalar_type_name(input.dtype)}'")
    _lw.check_not_differentiable("binary_cross_entropy", weight=weight)
    return out


def _f_bce_logits(x, t, w, pw, *, reduction):
    out = L.binary_cross_entropy_with_logits(x, t, w, reduction, pw)
    # (torch's kernel computes in place in a tensor of the target's dtype: a float16
    # target gives a float16 loss for float32 logits)
    if jnp.issubdtype(t.dtype, jnp.floating) and out.dtype != t.dtype:
        return out.astype(t.dtype)
    return out


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    _lw.check_not_differentiable("binary_cross_entropy_with_logits", weight=weight,
                                 pos_weight=pos_weight)
    out = _loss(_f_bce_logits, "BinaryCrossEntropyWithLogitsBackward0", input, target,
                weight, pos_weight, reduction=_legacy_reduction(size_average, reduce, reduction))
    # (after the shape check: torch's kernel computes in the target's dtype, in place)
    if isinstance(input, Tensor) and not (input.is_floating_point() or input.is_complex()):
        raise NotImplementedError('"log_sigmoid_cpu" not implemented for '
                                  f"'{_dtypes.scalar_type_name(input.dtype)}'")
    if isinstance(target, Tensor) and target.dtype == _dtypes.bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if isinstance(input, Tensor) and isinstance(target, Tensor) \
            and not target.is_floating_point() and not target.is_complex():
        raise RuntimeError(f"result type {_dtypes.scalar_type_name(input.dtype)} can't be "
                           "cast to the desired output type "
                           f"{_dtypes.scalar_type_name(target.dtype)}")
    return out


def kl_div(input, target, size_average=None, reduce=None, reduction="mean",
           log_target=False):
    reduction = _legacy_reduction(size_average, reduce, reduction)
    broadcast_shape(target, input)      # (torch's RuntimeError, of target * (... - input))
    # (torch's grad_fn: the last op of its composite)
    name = {"mean": "MeanBackward0", "sum": "SumBackward0", "batchmean": "DivBackward0"}.get(
        reduction, "MulBackward0" if log_target else "SubBackward0")
    return _loss(L.kl_div, name, input, target, reduction=reduction, log_target=log_target)
