"""Losses with PyTorch's `reduction` ('none' | 'mean' | 'sum') and options.

Inputs follow PyTorch's layouts: class scores (N, C) or (N, C, d1, ...) or unbatched (C,),
class-index targets without the class dim. Concrete out-of-range class indices raise
IndexError as PyTorch does on CPU; inside a traced program (where the values cannot be read)
their loss is NaN, so a bad label is never a silently wrong number.
"""

from __future__ import annotations

import math
import warnings

import jax
import jax.numpy as jnp

from . import _class_targets as _checks
from ._errors import OutOfBoundsError, check_values, first_where
from ._loss_base import DomainError as _DomainError
from ._loss_base import broadcast_shapes as _broadcast_shapes
from ._loss_base import check_inplace as _check_inplace
from ._loss_base import check_reduction as _check_reduction
from ._loss_base import infer_size as _infer_size
from ._loss_base import pointwise_pair as _pointwise_pair
from ._loss_base import reduce as _reduce
from ._loss_base import size_str as _size
from ._ctc import ctc_loss as ctc_loss
from ._losses_likelihood import gaussian_nll_loss as gaussian_nll_loss
from ._losses_likelihood import poisson_nll_loss as poisson_nll_loss
from ._losses_margin import cosine_embedding_loss as cosine_embedding_loss
from ._losses_margin import hinge_embedding_loss as hinge_embedding_loss
from ._losses_margin import margin_ranking_loss as margin_ranking_loss
from ._losses_margin import multi_margin_loss as multi_margin_loss
from ._losses_margin import multilabel_margin_loss as multilabel_margin_loss
from ._losses_margin import multilabel_soft_margin_loss as multilabel_soft_margin_loss
from ._losses_margin import soft_margin_loss as soft_margin_loss
from ._losses_margin import triplet_margin_loss as triplet_margin_loss
from ._losses_margin import triplet_margin_with_distance_loss as triplet_margin_with_distance_loss
from ._types import Array

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
           "multi_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "ctc_loss"]


@jax.custom_jvp
def _real_abs(x: Array) -> Array:
    return jnp.abs(x)


@_real_abs.defjvp
def _real_abs_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    # torch's sign: 0 at 0 and at NaN (inf - inf)
    sign = jnp.where(jnp.isnan(x), 0, jnp.sign(x)).astype(t.dtype)
    return jnp.abs(x), t * sign


def _abs(x: Array) -> Array:
    """|x| whose derivative is torch's sign(x): 0 at x == 0 (jnp.abs's is 1 there, so a
    prediction that equals its target would still be pushed) and at NaN (x * sign(x)
    gave NaN there)."""
    return x * jnp.sign(x) if jnp.iscomplexobj(x) else _real_abs(x)


def mse_loss(input: Array, target: Array, reduction: str = "mean") -> Array:
    """(input - target)^2, reduced. Shapes (*) and (*)."""
    input, target = _pointwise_pair(input, target)
    return _reduce(jnp.square(input - target), reduction)


def l1_loss(input: Array, target: Array, reduction: str = "mean") -> Array:
    """|input - target|, reduced."""
    input, target = _pointwise_pair(input, target)
    return _reduce(_abs(input - target), reduction)


def smooth_l1_loss(input: Array, target: Array, reduction: str = "mean",
                   beta: float = 1.0) -> Array:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; beta == 0 is l1_loss."""
    input, target = _pointwise_pair(input, target)      # (before beta's check, as torch)
    if beta < 0:
        raise _DomainError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    d = _abs(diff)
    if beta == 0:
        return _reduce(d, reduction)
    # (diff * diff: d * d has a zero second derivative where input == target, torch's 1/beta;
    # the quadratic branch reads a diff zeroed where it is not taken: an infinite diff's
    # gradient is then +-1, not 0 * inf = NaN through the branch not taken)
    near = ~(d >= beta)         # (a NaN diff takes the quadratic branch, as torch's)
    inner = jnp.where(near, diff, 0)
    return _reduce(jnp.where(near, 0.5 * inner * inner / beta, d - 0.5 * beta), reduction)


def huber_loss(input: Array, target: Array, reduction: str = "mean",
               delta: float = 1.0) -> Array:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (= beta * smooth_l1)."""
    input, target = _pointwise_pair(input, target)      # (before delta's check, as torch)
    if delta <= 0:
        raise _DomainError("huber_loss does not support non-positive values for delta.")
    d = jnp.abs(input - target)
    near = ~(d >= delta)        # (as smooth_l1_loss: NaN quadratic, no NaN gradient at inf)
    inner = jnp.where(near, input - target, 0)
    return _reduce(jnp.where(near, 0.5 * inner * inner, delta * (d - 0.5 * delta)), reduction)


def _index_target(input: Array, target: Array) -> Array:
    """The class-index target as the loss reads it: a (C,) input takes a () or (1,) target
    (checked by `check_nll_args`)."""
    return target.reshape(()) if input.ndim == 1 and target.ndim == 1 else target


def _wide_index(target: Array) -> Array:
    """A class-index target of fewer than 32 bits (uint8, which torch takes) as int32, so
    that comparing it with ignore_index (-100) or the class count does not wrap."""
    return target.astype(jnp.int32) if target.dtype.itemsize < 4 else target


def _class_index_loss(scores: Array, target: Array, weight: Array | None, ignore_index: int,
                      reduction: str, loss_of) -> Array:
    """The loss of class-index targets: loss_of(scores[target]) per sample, weighted.

    Shared by nll_loss (loss_of = negation) and cross_entropy (loss_of = log normalizer
    minus the picked score). Ignored targets contribute 0 and leave the 'mean' denominator;
    in-program out-of-range targets give NaN.
    """
    _checks.check_nll_args(scores, target, weight)
    target = _wide_index(_index_target(scores, target))
    class_dim = _checks.class_dim(scores)
    classes = scores.shape[class_dim]

    def bad_targets():
        bad = (target != ignore_index) & ((target < 0) | (target >= classes))
        return bad, first_where(bad, target)
    check_values((target,), bad_targets,
                 lambda first: OutOfBoundsError(f"Target {int(first)} is out of bounds."))
    valid = target != ignore_index
    in_range = (target >= 0) & (target < classes)
    safe = jnp.where(valid & in_range, target, 0)
    # (a gather, whose gradient scatters: picking by a compare-select over the class dim
    # saves XLA four small kernels, but its CPU schedule of the benchmark's compiled MLP
    # step at batch 1024 then keeps one more activation alive, 5.82 -> 6.80 MB)
    picked = jnp.take_along_axis(scores, jnp.expand_dims(safe, class_dim), axis=class_dim)
    picked = jnp.squeeze(picked, class_dim)
    w = jnp.ones_like(picked) if weight is None else weight[safe].astype(picked.dtype)
    w = jnp.where(valid, w, 0)
    # (an ignored target's loss is 0 by selection, not by its weight: no gradient reaches
    # its scores even where the mean's divisor is 0, as in torch's kernel, which skips it)
    loss = jnp.where(valid, jnp.where(in_range, loss_of(picked) * w, jnp.nan), 0)
    if reduction == "mean":
        return _weighted_mean(jnp.sum(loss), jnp.sum(w),
                              None if weight is None else jnp.any(valid))
    return _reduce(loss, reduction)


# The NaN of 0/0 on x86 (sign bit set): the bits PyTorch's CPU loss has when every target
# is ignored.
_EMPTY_MEAN = -math.nan


def _weighted_mean(total: Array, denom: Array, counted: Array | None = None) -> Array:
    """total / denom, whose gradient is 0 where every target is ignored: the loss is NaN
    then, as PyTorch's, but its gradient leaves the parameters as they are, as PyTorch's
    does, instead of making them NaN. (The NaN is a constant: a second, stop-gradient
    division made XLA compile one more kernel for every mean loss.)

    counted (with class weights): whether any target is not ignored. Where some are but
    their weights sum to 0, the loss is 0/0 and so is torch's gradient (-w / total): NaN
    for those targets' scores. Without it, denom == 0 means every target is ignored."""
    empty = denom == 0 if counted is None else ~counted
    return jnp.where(empty, _EMPTY_MEAN, total / jnp.where(empty, 1, denom))


def nll_loss(input: Array, target: Array, weight: Array | None = None,
             ignore_index: int = -100, reduction: str = "mean") -> Array:
    """Negative log likelihood of class-index targets.

    Args:
      input: log-probabilities (N, C), (N, C, d1, ...) or (C,).
      target: integer class indices (N,), (N, d1, ...) or ().
      weight: per-class weights (C,); 'mean' then divides by the sum of the targets' weights.
      ignore_index: targets equal to it contribute 0 and leave the denominator.
    """
    _check_reduction(reduction)
    return _class_index_loss(input, target, weight, ignore_index, reduction, jnp.negative)


def cross_entropy(input: Array, target: Array, weight: Array | None = None,
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Array:
    """Cross entropy of unnormalized scores; applies log_softmax over the class dim itself.

    Args:
      input: scores (N, C), (N, C, d1, ...) or (C,).
      target: integer class indices of the input's shape without the class dim, or
        class probabilities of the input's shape (floating).
      weight: per-class weights (C,).
      ignore_index: class-index targets equal to it are excluded (incl. from the mean).
      label_smoothing: eps in [0, 1]; mixes the target with the uniform distribution (a
        negative eps means none, as in PyTorch).

    PyTorch parity: with class indices and 'mean', the smoothing term is divided by the
    same denominator as the NLL term (the summed weights of non-ignored targets); with
    probabilities, 'mean' divides by the number of samples, not by the weights.
    """
    _check_reduction(reduction)
    probabilities = target.shape == input.shape     # PyTorch's rule, whatever the dtypes
    if probabilities:
        _checks.check_probability_args(input, target, weight, ignore_index)
        _checks.check_label_smoothing(label_smoothing)
    else:       # (nll_loss's checks follow, in _class_index_loss)
        _checks.check_label_smoothing(label_smoothing)
        _checks.check_log_softmax(input)
    label_smoothing = max(label_smoothing, 0.0)     # (a negative one is ignored, as there)
    class_dim = _checks.class_dim(input)
    classes = input.shape[class_dim]
    # log_softmax's own steps, kept apart: class-index targets pick the shifted score and
    # subtract it from the log normalizer (the same floats as picking from log_softmax), as
    # optax does. The backward then scatters into the softmax instead of into zeros, and
    # XLA's CPU schedule of a hand-written jitted MLP step keeps one activation fewer alive
    # (scripts/xla_memory.py: batch 1024, 6.80 -> 5.82 MB).
    shifted = input - jax.lax.stop_gradient(
        jnp.max(input, axis=class_dim, keepdims=True, initial=-jnp.inf))
    log_norm = jnp.log(jnp.sum(jnp.exp(shifted), axis=class_dim, keepdims=True))
    logp = shifted - log_norm        # log_softmax, for probability targets and smoothing
    wshape = [1] * input.ndim
    wshape[class_dim] = classes
    if probabilities:
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(wshape)
        return _reduce(-jnp.sum(terms, axis=class_dim), reduction)
    per_target_norm = jnp.squeeze(log_norm, class_dim)
    nll = _class_index_loss(shifted, target, weight, ignore_index, reduction,
                            lambda picked: per_target_norm - picked)
    if label_smoothing == 0:
        return nll
    target = _wide_index(_index_target(input, target))
    valid = target != ignore_index
    terms = logp if weight is None else logp * weight.reshape(wshape)
    smooth = jnp.where(valid, -jnp.sum(terms, axis=class_dim), 0)
    if reduction == "mean":
        if weight is None:
            denom = jnp.sum(valid)
        else:
            denom = jnp.sum(jnp.where(valid, weight[jnp.where(valid, target, 0)], 0))
        smooth = _weighted_mean(jnp.sum(smooth), denom,
                                None if weight is None else jnp.any(valid))
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / classes)


# PyTorch's EPSILON in the BCE backward is a C float: float32(1e-12), not 1e-12 (measured:
# its gradient at x = 0, t = 1 is -1.00000000400e12 in float64).
_BCE_EPSILON = 9.999999960041972e-13


def _clamped_logs(x: Array) -> tuple[Array, Array]:
    """log x and log(1 - x), each clamped at -100 as PyTorch does."""
    return jnp.maximum(jnp.log(x), -100.0), jnp.maximum(jnp.log1p(-x), -100.0)


@jax.custom_jvp
def _bce(x: Array, t: Array) -> Array:
    log_x, log_1mx = _clamped_logs(x)
    return -(t * log_x + (1 - t) * log_1mx)


@_bce.defjvp
def _bce_jvp(primals, tangents):
    # Autodiff through the clamped logs gives 0 * inf = NaN at x = 0 and x = 1; PyTorch's
    # backward is (x - t) / max(x (1 - x), EPSILON), finite there (0 where x == t).
    # The target's derivative is PyTorch's -logit(x), unclamped: +-inf at x = 0 and 1.
    x, t = primals
    dx, dt = tangents
    d_x = (x - t) / jnp.maximum(x * (1 - x), _BCE_EPSILON)
    return _bce(x, t), d_x * dx - jnp.log(x / (1 - x)) * dt


def binary_cross_entropy(input: Array, target: Array, weight: Array | None = None,
                         reduction: str = "mean") -> Array:
    """-(t log x + (1 - t) log(1 - x)) for probabilities x of the target's shape.

    PyTorch parity: each log is clamped at -100, so x = 0 or 1 gives a finite loss, and the
    gradient is PyTorch's (x - t) / max(x (1 - x), eps=1e-12). Concrete inputs or targets
    outside [0, 1] (NaN included) raise, the first such element's.
    """
    if input.shape != target.shape:
        raise ValueError(f"Using a target size ({_size(target.shape)}) that is different to "
                         f"the input size ({_size(input.shape)}) is deprecated. Please ensure "
                         "they have the same size.")
    if weight is not None:
        _check_inplace(target.shape, _infer_size(target.shape, weight.shape))
    # Written as "not inside" so that NaN fails the check too, as in PyTorch, whose kernel
    # checks each element's input, then its target.
    # (one of them traced: the other, concrete one is still checked on its own)
    traced = [isinstance(a, jax.core.Tracer) for a in (input, target)]
    checked = (input, target) if traced[0] == traced[1] else \
        (target,) if traced[0] else (input,)

    def outside():
        bad_each = [~((a >= 0) & (a <= 1)) for a in checked]
        bad = bad_each[0] if len(checked) == 1 else bad_each[0] | bad_each[1]
        return bad, first_where(bad, bad_each[0])

    check_values(checked, outside, lambda first_of_first: _DomainError(
        "all elements of {} should be between 0 and 1".format(
            "input" if first_of_first and checked[0] is input else "target")))
    # One floating dtype for both, since the custom derivative needs float tangents
    # (integer 0/1 labels would otherwise come in with float0 ones).
    dtype = jnp.result_type(input, target)
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = jnp.result_type(float)
    loss = _bce(input.astype(dtype), target.astype(dtype))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Array, target: Array, weight: Array | None = None,
                                     reduction: str = "mean",
                                     pos_weight: Array | None = None) -> Array:
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits.

    `pos_weight` (broadcast along the last dim, e.g. (C,)) multiplies the positive term.
    """
    if input.shape != target.shape:
        raise ValueError(f"Target size ({_size(target.shape)}) must be the same as input size "
                         f"({_size(input.shape)})")
    if pos_weight is not None:
        _check_inplace(input.shape, _broadcast_shapes(pos_weight.shape, target.shape))
    if weight is not None:
        _check_inplace(input.shape, _broadcast_shapes(input.shape, weight.shape))
    # log(1 + exp(-x)) = softplus(-x), which never overflows. Not the hand-written
    # log1p(exp(-|x|)) + max(-x, 0): autodiff of |x| and max at x = 0 gives -1 instead of
    # -sigmoid(0) = -1/2, a wrong gradient for every logit of 0 (a zero-initialized layer).
    softplus_neg = jax.nn.softplus(-input)
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: Array, target: Array, reduction: str = "mean",
           log_target: bool = False) -> Array:
    """KL divergence with `input` as log-probabilities: target * (log target - input).

    reduction 'batchmean' divides the sum by the batch size (the mathematically correct KL);
    'mean' divides by the number of elements, as PyTorch does (with its warning).
    """
    if log_target:
        loss = jnp.exp(target) * (target - input)
    else:
        loss = jax.scipy.special.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return jnp.sum(loss) / (input.shape[0] if input.ndim else 1)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns "
                      "with the KL div math definition.'mean' will be changed to behave the "
                      "same as 'batchmean' in the next major release.", UserWarning,
                      stacklevel=2)
    return _reduce(loss, reduction)
