"""embedding_bag: sums, means or maxima of bags of embedding rows, without building the
(bags, bag size, dim) intermediate; bags are segments of a flat index list."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import _linear
from ._types import Array

__all__ = ["embedding_bag"]


def embedding_bag(indices: Array, weight: Array, offsets: Array | None = None,
                  mode: str = "mean", per_sample_weights: Array | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None,
                  scale_grad_by_freq: bool = False) -> Array:
    """torch.nn.functional.embedding_bag's reduction.

    Args:
      indices: (B, n) int, B bags of n indices; or (N,) int with offsets.
      weight: (num_embeddings, dim).
      offsets: (B,) int, where each bag starts in `indices` (B + 1 entries with
        include_last_offset, the last one ending the last bag); None for 2-D indices.
      mode: "sum", "mean" or "max".
      per_sample_weights: indices' shape, a weight per index (mode "sum" only).
      padding_idx: entries equal to it are left out of their bag (and of its count).
    Returns:
      (B, dim); an empty bag gives zeros.

    PyTorch parity: with include_last_offset, PyTorch documents offsets[-1] == N. Where the
    last offset falls short, the entries after it belong to no bag here: they add nothing
    and get a zero gradient. PyTorch 2.13's "sum" forward agrees, but its "mean" divides
    the last bag by a count that runs to N, and its backward reads uninitialised memory
    for those entries.
    """
    if indices.ndim == 2:
        bags, size = indices.shape
        seg = jnp.repeat(jnp.arange(bags), size)
    else:
        bags = offsets.shape[0] - (1 if include_last_offset else 0)
        pos = jnp.arange(indices.shape[0])
        seg = jnp.searchsorted(offsets, pos, side="right") - 1
        if include_last_offset:               # entries from the last offset on: no bag
            seg = jnp.where(pos >= offsets[-1], bags, seg)
    flat = indices.reshape(-1)
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    rows = _linear.embedding(flat, weight, padding_idx)
    if scale_grad_by_freq and flat.size:
        frozen = jax.lax.stop_gradient(rows)      # the same rows, gradients scaled
        rows = frozen + (rows - frozen) * _torch_freq_scale(flat, weight.shape[0])[:, None]
    if padding_idx is not None:               # segment id `bags` is out of range: dropped
        seg = jnp.where(flat == padding_idx, bags, seg)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1).astype(rows.dtype)
    if mode == "max":
        out = jax.ops.segment_max(rows, seg, bags)
        count = jax.ops.segment_sum(jnp.ones_like(seg), seg, bags)
        return jnp.where(count[:, None] > 0, out, 0).astype(weight.dtype)
    out = jax.ops.segment_sum(rows, seg, bags)
    if mode == "mean":
        count = jax.ops.segment_sum(jnp.ones_like(seg), seg, bags)
        out = out / jnp.maximum(count, 1)[:, None].astype(out.dtype)
    return out


def _torch_freq_scale(flat: Array, n: int) -> Array:
    """Per entry, the factor PyTorch's CPU embedding_bag backward scales its row's gradient
    by with scale_grad_by_freq. It divides the k-th smallest distinct index's row by the
    count of sorted_indices[k] (the k-th entry of the sorted list, not of the distinct
    ones), which is the row's own count only while every smaller index occurs once."""
    safe = jnp.clip(flat, 0, n - 1)
    counts = jnp.zeros(n, jnp.int32).at[safe].add(1)
    rank = jnp.cumsum(counts > 0) - 1               # row -> k among the distinct indices
    ordered = jnp.sort(safe)
    scale = 1 / counts[ordered[jnp.clip(rank, 0, flat.shape[0] - 1)]]
    return scale[safe]
