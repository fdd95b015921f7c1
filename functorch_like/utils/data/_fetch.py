"""Fetchers: turn one index (or one list of indices) into one collated batch.

For a TensorDataset (possibly under Subsets) with the default collate, a batch is
gathered with one indexing op per tensor instead of indexing and stacking every sample;
the result is the same list of tensors.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ..._tensor import Tensor
from ._collate import default_collate
from .dataset import Subset, TensorDataset

EXHAUSTED = object()   # an iterable dataset has no more samples


@jax.jit
def _gather_rows(arrays, idx):
    # One compiled program per batch (not one eager op per tensor and sample); it is
    # compiled once per batch size. Indices were bounds-checked and made non-negative.
    return [jnp.take(a, idx, axis=0, mode="clip") for a in arrays]


def _is_plain(dataset, cls) -> bool:
    """`dataset` is a `cls` whose sample access was not overridden by a subclass."""
    kind = type(dataset)
    return (isinstance(dataset, cls) and kind.__getitem__ is cls.__getitem__
            and getattr(kind, "__getitems__", None) is getattr(cls, "__getitems__", None))


def _tensor_batch(dataset, indices):
    """The collated batch as `[t[indices] for t in tensors]`, or None when the fast path
    does not apply (then the samples are fetched one by one, which raises any error)."""
    while _is_plain(dataset, Subset):
        try:
            indices = [dataset.indices[i] for i in indices]
        except (IndexError, TypeError):
            return None
        dataset = dataset.dataset
    if not _is_plain(dataset, TensorDataset) or not indices:
        return None
    tensors = dataset.tensors
    if not all(isinstance(t, Tensor) and t.ndim > 0 for t in tensors):
        return None
    idx = np.asarray(indices)
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        return None
    n = tensors[0].shape[0]
    if idx.min() < -n or idx.max() >= n:
        return None
    idx = np.where(idx < 0, idx + n, idx).astype(np.int32)
    # default_collate gives a list for a tuple sample.
    if any(t.requires_grad for t in tensors):      # record the indexing for autograd
        return [t[Tensor._make(jnp.asarray(idx))] for t in tensors]
    return [Tensor._make(v) for v in _gather_rows([t._value for t in tensors], idx)]


class MapFetcher:
    """Fetches from a map-style dataset: `dataset[i]` per index (or `__getitems__`)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, index):
        """The collated batch for a list of indices (or one sample, without batching)."""
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate:
            batch = _tensor_batch(self.dataset, index)
            if batch is not None:
                return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            data = getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class IterableFetcher:
    """Fetches the next samples of an iterable dataset (the indices only count them)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        """The next batch of `len(index)` samples, or EXHAUSTED."""
        if self.ended:
            return EXHAUSTED
        if not self.auto_collation:
            try:
                return self.collate_fn(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                return EXHAUSTED
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            return EXHAUSTED
        return self.collate_fn(data)
