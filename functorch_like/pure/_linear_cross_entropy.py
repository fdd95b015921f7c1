"""Cross entropy of a linear layer's logits, computed a chunk of rows at a time.

For a classifier head whose class count dwarfs its input width (a language model's
vocabulary), the (N, C) logits are the step's largest buffer. Here they exist one chunk
of rows at a time, in the forward and again in the backward (recomputed under
jax.checkpoint), so peak memory holds (chunk, C) logits instead of (N, C).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ._errors import OutOfBoundsError, check_values, first_where
from .losses import _weighted_mean
from ._types import Array

__all__ = ["linear_cross_entropy_chunked"]


class TargetOutOfBoundsError(OutOfBoundsError, RuntimeError):
    """A class index outside [0, C): PyTorch's chunked op raises it as a RuntimeError."""


def linear_cross_entropy_chunked(input: Array, weight: Array, target: Array,
                                 bias: Array | None = None,
                                 class_weight: Array | None = None, *,
                                 ignore_index: int = -100, reduction: str = "mean",
                                 chunk: int, acc_dtype=None) -> Array:
    """cross_entropy(input @ weight.T + bias, target), `chunk` rows at a time.

    Args:
      input: (N, D) samples.
      weight: (C, D) the linear layer's weight; bias: (C,) or None.
      target: (N,) integer class indices; those equal to ignore_index contribute 0 and
        leave the 'mean' denominator.
      class_weight: (C,) per-class rescaling, or None.
      reduction: 'mean' (weighted, as cross_entropy's), 'sum' or 'none' ((N,) losses).
      chunk: rows per chunk, >= 1.
      acc_dtype: dtype the logits and their softmax are computed in (default: input's).
    Returns:
      The loss in input's dtype: a scalar, or (N,) for 'none'.

    Equal to the unchunked formula up to float rounding; the result's gradient comes from
    JAX's autodiff of the chunk loop (the logits recomputed per chunk).
    """
    n, classes = input.shape[0], weight.shape[0]
    acc = jnp.dtype(acc_dtype or input.dtype)

    def bad_targets():
        bad = (target != ignore_index) & ((target < 0) | (target >= classes))
        return bad, first_where(bad, target)
    check_values((target,), bad_targets, lambda first: TargetOutOfBoundsError(
        f"index {int(first)} is out of bounds for dimension 1 with size {classes}"))

    pad = -n % chunk
    # Padding rows get the ignored class: they add 0 to the sum and to the weight total.
    xs = jnp.pad(input, ((0, pad), (0, 0))).reshape(-1, chunk, input.shape[1])
    ts = jnp.pad(target, (0, pad), constant_values=ignore_index).reshape(-1, chunk)

    @jax.checkpoint
    def rows(args):
        x, t = args
        if jnp.promote_types(x.dtype, acc) == acc:     # e.g. bfloat16 rows, float32 sums
            logits = jnp.matmul(x, weight.T, preferred_element_type=acc)
        else:
            logits = jnp.matmul(x, weight.T).astype(acc)
        if bias is not None:
            logits = logits + bias.astype(acc)
        valid = t != ignore_index
        in_range = (t >= 0) & (t < classes)
        safe = jnp.where(valid & in_range, t, 0)
        picked = jnp.take_along_axis(logits, safe[:, None], axis=1)[:, 0]
        counts = valid.astype(acc) if class_weight is None else jnp.where(
            valid, class_weight.astype(acc)[safe], 0)
        # (An out-of-range class, unchecked in traced code, gives NaN as cross_entropy's.)
        losses = jnp.where(valid & ~in_range, jnp.nan,
                           (jax.nn.logsumexp(logits, axis=1) - picked) * counts)
        return losses, counts

    losses, counts = jax.lax.map(rows, (xs, ts))
    losses = losses.reshape(-1)[:n]
    if reduction == "none":
        return losses.astype(input.dtype)
    total = jnp.sum(losses)
    if reduction == "mean":
        total = _weighted_mean(total, jnp.sum(counts))     # (all ignored: NaN, grad 0)
    return total.astype(input.dtype)
