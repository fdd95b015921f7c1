"""Margin and embedding losses with PyTorch's reductions, kinks and errors.

Concrete out-of-range class labels raise as in PyTorch; inside a traced program (where the
values cannot be read) they make their sample's loss NaN, never a silently wrong number.

Each hinge follows PyTorch's kernel at its corner: the losses built from `clamp_min(., 0)`
(cosine_embedding, margin_ranking, hinge_embedding, triplet_margin) pass the gradient at
0, the C++ kernels of multilabel_margin and multi_margin count a term only where it is
strictly positive.
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp

from ._distance import pairwise_distance
from ._errors import DTypeError, ShapeError, check_values, shape_str
from ._loss_base import (TargetRangeError, broadcast_shapes, check_inplace, check_reduction,
                         clamp_min0, hinge, reduce, torch_dtype_name)
from ._types import Array

__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss",
           "multi_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss"]

# PyTorch's EPSILON added to each squared magnitude in cosine_embedding_loss.
_COSINE_EPSILON = 1e-12


def cosine_embedding_loss(input1: Array, input2: Array, target: Array, margin: float = 0.0,
                          reduction: str = "mean") -> Array:
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1,
    0 for any other target value.

    Args:
      input1, input2: (N, D) with target (N,), or (D,) with a 0-d target.
    """
    check_reduction(reduction)
    if target.ndim > 1:
        raise ShapeError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if target.ndim == 1 else 1
    if input1.ndim != want or input2.ndim != want:
        raise ShapeError(f"{target.ndim}D target tensor expects {want}D input tensors, but "
                         f"found inputs with sizes {shape_str(input1.shape)} and "
                         f"{shape_str(input2.shape)}.")
    broadcast_shapes(input1.shape, input2.shape)
    dim = target.ndim
    prod_sum = jnp.sum(input1 * input2, axis=dim)
    mag1 = jnp.sum(input1 * input1, axis=dim) + _COSINE_EPSILON
    mag2 = jnp.sum(input2 * input2, axis=dim) + _COSINE_EPSILON
    cos = prod_sum / jnp.sqrt(mag1 * mag2)
    broadcast_shapes(target.shape, cos.shape)
    zero = jnp.zeros((), cos.dtype)
    loss = (jnp.where(target == 1, 1 - cos, zero)
            + jnp.where(target == -1, clamp_min0(cos - margin), zero))
    return reduce(loss, reduction)


def margin_ranking_loss(input1: Array, input2: Array, target: Array, margin: float = 0.0,
                        reduction: str = "mean") -> Array:
    """max(0, -target (x1 - x2) + margin); the three inputs broadcast (same ndim)."""
    check_reduction(reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(f"margin_ranking_loss : All input tensors should have same dimension "
                         f"but got sizes: input1: torch.Size({shape_str(input1.shape)}), "
                         f"input2: torch.Size({shape_str(input2.shape)}), target: "
                         f"torch.Size({shape_str(target.shape)}) ")
    broadcast_shapes(target.shape, input1.shape, input2.shape)
    return reduce(clamp_min0(-target * (input1 - input2) + margin), reduction)


def hinge_embedding_loss(input: Array, target: Array, margin: float = 1.0,
                         reduction: str = "mean") -> Array:
    """x where target == 1, max(0, margin - x) where target == -1 (both for other values)."""
    check_reduction(reduction)
    broadcast_shapes(target.shape, input.shape)
    zero = jnp.zeros((), input.dtype)
    loss = (jnp.where(target != 1, clamp_min0(margin - input), zero)
            + jnp.where(target != -1, input, zero))
    return reduce(loss, reduction)


def soft_margin_loss(input: Array, target: Array, reduction: str = "mean") -> Array:
    """log(1 + exp(-target x)).

    PyTorch parity: the same unguarded formula as PyTorch's, so -target x above ~88
    (float32) overflows to inf there too. The loss has the input's shape: a target that
    broadcasts it larger raises, as PyTorch's in-place kernel does.
    """
    check_reduction(reduction)
    check_inplace(input.shape, broadcast_shapes(input.shape, target.shape))
    return reduce(jnp.log1p(jnp.exp(-input * target)), reduction)


def multilabel_soft_margin_loss(input: Array, target: Array, weight: Array | None = None,
                                reduction: str = "mean") -> Array:
    """Mean over the classes (last dim) of the binary logistic loss of each label.

    Args:
      input: logits (N, C) or (C,); target: 0/1 labels of the same shape; weight: (C,).
    """
    broadcast_shapes(target.shape, input.shape)     # (torch's error: target * ... first)
    loss = -(target * jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = jnp.sum(loss, axis=-1) / input.shape[-1]
    check_reduction(reduction, "{} is not valid")
    return reduce(loss, reduction)


def _check_vector_or_matrix(input: Array) -> None:
    if not (input.ndim == 0 or (input.ndim in (1, 2) and input.shape[-1] != 0)):
        raise ShapeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                         f"but got: {shape_str(input.shape)}")


def _check_long(target: Array) -> None:
    if not jnp.issubdtype(target.dtype, jnp.integer):
        raise DTypeError(f"expected scalar type Long but found {torch_dtype_name(target.dtype)}")


def multilabel_margin_loss(input: Array, target: Array, reduction: str = "mean") -> Array:
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C.

    Args:
      input: (N, C), (C,) or ().
      target: integer class indices of the input's shape, the labels of a sample listed
        first and ended by -1 (later entries are ignored).
    Returns:
      (N,) for 'none' on a batch, else a scalar.
    """
    check_reduction(reduction)
    _check_vector_or_matrix(input)
    classes = input.shape[-1] if input.ndim else 1
    if input.ndim <= 1:
        ok = target.ndim <= 1 and target.size == classes
    else:
        ok = target.shape == input.shape
    if not ok:
        raise ShapeError(f"inconsistent target size: {shape_str(target.shape)} for input of "
                         f"size: {shape_str(input.shape)}")
    _check_long(target)
    check_values((target,), lambda: ((target < -1) | (target >= classes), jnp.zeros(())),
                 lambda _: TargetRangeError("argument #2 'target' is out of range"))
    x = input.reshape(-1, classes)
    t = target.reshape(-1, classes)
    # The labels before the first -1 count (a label listed twice, twice).
    listed = jnp.cumprod(t >= 0, axis=1).astype(bool)
    safe = jnp.where(listed, t, 0)
    is_target = jnp.any(listed[:, :, None] & (safe[:, :, None] == jnp.arange(classes)), axis=1)
    x_target = jnp.take_along_axis(x, safe, axis=1)                       # (N, C) by list
    margins = hinge(1 - x_target[:, :, None] + x[:, None, :])             # (N, list, class)
    mask = listed[:, :, None] & ~is_target[:, None, :]
    loss = jnp.sum(jnp.where(mask, margins, jnp.zeros((), margins.dtype)), axis=(1, 2))
    # (Concrete bad labels raised above; traced ones make their sample's loss NaN.)
    bad = jnp.any((t < -1) | (t >= classes), axis=1)
    loss = jnp.where(bad, jnp.nan, loss / classes)
    return reduce(loss if input.ndim == 2 else loss[0], reduction)


def multi_margin_loss(input: Array, target: Array, p: int = 1, margin: float = 1.0,
                      weight: Array | None = None, reduction: str = "mean") -> Array:
    """sum over i != y of (w[y] max(0, margin - x[y] + x[i]))^p / C (the weight outside the
    power, as PyTorch), with y the target class.

    Args:
      input: (N, C), (C,) or (); target: (N,) (or () / (1,) unbatched) class indices;
      weight: (C,) per-class weights.
    Returns:
      the target's shape for 'none', else a scalar.
    """
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    check_reduction(reduction)
    _check_vector_or_matrix(input)
    batch = input.shape[0] if input.ndim == 2 else 1
    classes = input.shape[-1] if input.ndim else 1
    if target.ndim > 1 or target.size != batch:
        raise ShapeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                         f"the number of input samples (batch size). Expected target size "
                         f"[{batch}], but got {shape_str(target.shape)}. Input has shape "
                         f"{shape_str(input.shape)}.")
    if weight is not None and weight.size != classes:
        raise ShapeError(f"inconsistent weight size, expected {classes} but got "
                         f"{shape_str(weight.shape)}")
    _check_long(target)
    if weight is not None and weight.dtype != input.dtype:
        raise DTypeError(f"expected scalar type {torch_dtype_name(input.dtype)} but found "
                         f"{torch_dtype_name(weight.dtype)}")
    check_values((target,), lambda: ((target < 0) | (target >= classes), jnp.zeros(())),
                 lambda _: TargetRangeError("target out of range"))
    x = input.reshape(batch, classes)
    y = jnp.clip(target.reshape(batch), 0, classes - 1)
    x_y = jnp.take_along_axis(x, y[:, None], axis=1)
    z = hinge(margin - x_y + x)
    terms = z if p == 1 else z * z
    if weight is not None:
        terms = terms * weight[y][:, None]
    others = jnp.arange(classes) != y[:, None]
    loss = jnp.sum(jnp.where(others, terms, jnp.zeros((), terms.dtype)), axis=1) / classes
    bad = (target.reshape(batch) < 0) | (target.reshape(batch) >= classes)
    loss = jnp.where(bad, jnp.nan, loss)
    return reduce(loss.reshape(target.shape), reduction)


def check_triplet_args(anchor: Array, positive: Array, negative: Array, margin: float,
                       reduction: str) -> None:
    """PyTorch's checks of the triplet losses, in its order."""
    check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"The anchor, positive, and negative tensors are expected to have the "
                         f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                         f"{positive.ndim}D, and negative {negative.ndim}D inputs")


def triplet_loss_from_distances(dist_pos: Array, dist_neg: Array, dist_swap: Array | None,
                                margin: float, reduction: str) -> Array:
    """max(0, margin + dist_pos - dist_neg), dist_neg lowered to dist_swap where smaller."""
    if dist_swap is not None:
        dist_neg = jnp.minimum(dist_neg, dist_swap)
    return reduce(clamp_min0(margin + dist_pos - dist_neg), reduction)


def triplet_margin_loss(anchor: Array, positive: Array, negative: Array, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                        reduction: str = "mean") -> Array:
    """max(0, margin + d(a, pos) - d(a, neg)) with d = pairwise_distance(., ., p, eps) over
    the last dim; `swap` uses min(d(a, neg), d(pos, neg)) as the negative distance.

    Args:
      anchor, positive, negative: (N, D) or (D,), all of the same ndim.
    """
    check_triplet_args(anchor, positive, negative, margin, reduction)
    swapped = pairwise_distance(positive, negative, p, eps) if swap else None
    return triplet_loss_from_distances(pairwise_distance(anchor, positive, p, eps),
                                       pairwise_distance(anchor, negative, p, eps), swapped,
                                       margin, reduction)


def triplet_margin_with_distance_loss(anchor: Array, positive: Array, negative: Array, *,
                                      distance_function: Callable | None = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Array:
    """triplet_margin_loss with any distance_function(x1, x2) -> (N,) (default: the
    Euclidean pairwise_distance)."""
    check_triplet_args(anchor, positive, negative, margin, reduction)
    dist = pairwise_distance if distance_function is None else distance_function
    swapped = dist(positive, negative) if swap else None
    return triplet_loss_from_distances(dist(anchor, positive), dist(anchor, negative), swapped,
                                       margin, reduction)
