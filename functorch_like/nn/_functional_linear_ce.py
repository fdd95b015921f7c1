"""F.linear_cross_entropy: cross entropy of a linear layer's logits, optionally chunked so
that the (N, C) logits never exist whole; nn.functional re-exports it."""

from __future__ import annotations

import math
import warnings

from .. import _dtypes
from .._tensor import Tensor, apply
from ..pure._linear_cross_entropy import linear_cross_entropy_chunked
from . import functional as _F

# PyTorch's grad_fn names of its chunked custom ops.
_CHUNKED = "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_defaultBackward"
_CHUNKED_NONE = ("GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_"
                 "no_reduction_defaultBackward")


def _f_chunked(x, w, t, b, cw, *, ignore_index, reduction, chunk, acc_dtype):
    return linear_cross_entropy_chunked(x, w, t, b, cw, ignore_index=ignore_index,
                                        reduction=reduction, chunk=chunk,
                                        acc_dtype=acc_dtype)


def linear_cross_entropy(input: Tensor, linear_weight: Tensor, target: Tensor, *,
                         linear_bias: Tensor | None = None, weight: Tensor | None = None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None) -> Tensor:
    """cross_entropy(linear(input, linear_weight, linear_bias), target, ...).

    Shapes: input (D,) or (N, D); linear_weight (C, D), or (C, d1, ..., dK, D) for a
    K-dimensional loss (batched input only); linear_bias (C, d1, ..., dK); target class
    indices (), (N,) or (N, d1, ..., dK), or class probabilities of the logits' shape
    (*N, C, d1, ..., dK); weight (C,). ignore_index None means -100 for class indices and
    may not be given with probabilities.

    With `options` (nn.LinearCrossEntropyOptions) the loss of int64 class indices with
    reduction 'mean', 'sum' or 'none', no smoothing and no K dims is computed a chunk of
    rows at a time; other cases warn and take the reference path, as PyTorch's.

    PyTorch parity: see LinearCrossEntropyOptions for the chunked backward.
    """
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError("expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.dim()}")
    batch, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), got "
            f"{in_features} and {linear_weight.shape[-1]}, respectively")
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape "
            f"{tuple(linear_weight.shape)} requires batched input, (N, {in_features}), got "
            f"unbatched input with shape {tuple(input.shape)}")
    logits_shape = (*batch, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains "
                           "probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if options is not None:
        chunkable = (not out_features and reduction in ("mean", "sum", "none")
                     and label_smoothing == 0.0 and target.dtype == _dtypes.int64)
        if chunkable:
            return _chunked(input, linear_weight, target, linear_bias, weight, reduction,
                            ignore_index, options)
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, "
            f"out_features == (). Got reduction={reduction!r}, "
            f"label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
            f"out_features={out_features}, tracing=False, linear_bias.shape="
            f"{tuple(linear_bias.shape) if linear_bias is not None else None}.",
            stacklevel=2)
    if out_features:
        flat = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape((flat, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(flat)
    logits = _F.linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return _F.cross_entropy(logits, target, weight=weight, reduction=reduction,
                            ignore_index=ignore_index, label_smoothing=label_smoothing)


def _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
             options):
    batched = input.dim() == 2
    if not batched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    options = options._adjust(input.shape[0], input.shape[1], linear_weight.shape[0],
                              input.dtype, input.device)
    out = apply(_f_chunked, _CHUNKED_NONE if reduction == "none" else _CHUNKED, input,
                linear_weight, target, linear_bias, weight, ignore_index=int(ignore_index),
                reduction=reduction, chunk=options.batch_chunk_size,
                acc_dtype=_dtypes.to_jax(options.acc_dtype))
    return out if batched else out.squeeze(0)
