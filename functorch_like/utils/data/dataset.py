"""Datasets: map-style (`Dataset`) and iterable-style (`IterableDataset`), with PyTorch's
TensorDataset, Subset, ConcatDataset, ChainDataset and random_split."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Generic, Iterable, Sequence, TypeVar

from ..._random import Generator, default_generator, randperm
from ..._tensor import Tensor

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map from keys (usually ints in `range(len(dataset))`) to samples.

    Subclasses implement `__getitem__` and usually `__len__` (the default samplers need
    it). `dataset_a + dataset_b` is a ConcatDataset.
    """

    def __getitem__(self, index) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A stream of samples: subclasses implement `__iter__`. `a + b` chains two streams.

    `__iter__` stays abstract (inherited from `collections.abc.Iterable`), so, as in torch,
    instantiating a class that lacks it raises TypeError ("Can't instantiate abstract class").
    """

    def __add__(self, other: Dataset[T_co]) -> "ChainDataset":
        return ChainDataset([self, other])


class TensorDataset(Dataset[tuple]):
    """Samples are `tuple(t[index] for t in tensors)`.

    Args:
        *tensors: tensors with the same size of dim 0.

    A DataLoader with the default collate gathers a whole batch of a TensorDataset with
    one indexing op per tensor (same result as stacking the samples).
    """

    def __init__(self, *tensors: Tensor) -> None:
        if any(tensors[0].size(0) != t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class ConcatDataset(Dataset[T_co]):
    """The concatenation of map-style datasets.

    Args:
        datasets: the datasets, in order (not empty, no IterableDataset).
    """

    @staticmethod
    def cumsum(sequence) -> list:
        """Running totals of the lengths of `sequence`'s datasets."""
        return list(itertools.accumulate(len(e) for e in sequence))

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]

    @property
    def cummulative_sizes(self) -> list:
        """The old, misspelt name of `cumulative_sizes` (torch still answers to it, with a
        FutureWarning)."""
        warnings.warn("`cummulative_sizes` attribute is renamed to `cumulative_sizes`",
                      FutureWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterable datasets chained one after another (lazily)."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset[T_co]):
    """The samples of `dataset` at `indices`, in that order.

    Args:
        dataset: the whole dataset.
        indices: the indices in `dataset` that make up the subset.
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        """The samples at several indices (delegates to the dataset's own __getitems__)."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


class StackDataset(Dataset):
    """Several datasets of one length side by side: sample i is the tuple (positional
    datasets) or the dict (keyword datasets) of their samples i.

    Example:
        >>> StackDataset(images, labels)[0] == (images[0], labels[0])
        >>> StackDataset(image=images, label=labels)[0] == {"image": images[0], ...}
    """

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            # torch's text, missing space included
            raise ValueError("Supported either ``tuple``- (via ``args``) or"
                             "``dict``- (via ``kwargs``) like input/output, but both types "
                             "are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(dataset) for dataset in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices: list) -> list:
        """A batch of samples; each part uses its dataset's own __getitems__ if it has one."""
        named = self.datasets if isinstance(self.datasets, dict) else dict(
            enumerate(self.datasets))
        columns = {}
        for k, dataset in named.items():
            if callable(getattr(dataset, "__getitems__", None)):
                items = dataset.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError("Nested dataset's output size mismatch. Expected "
                                     f"{len(indices)}, got {len(items)}")
                columns[k] = items
            else:
                columns[k] = [dataset[i] for i in indices]
        if isinstance(self.datasets, dict):
            return [{k: columns[k][j] for k in named} for j in range(len(indices))]
        return [tuple(columns[k][j] for k in named) for j in range(len(indices))]

    def __len__(self) -> int:
        return self._length


def _fraction_lengths(n: int, fractions: Sequence[float]) -> list:
    lengths = []
    for i, frac in enumerate(fractions):
        if frac < 0 or frac > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):   # the remainder, one each, round-robin
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"Length of split at index {i} is 0. "
                          f"This might result in an empty dataset.", stacklevel=3)
    return lengths


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: Generator | None = default_generator) -> list:
    """Splits `dataset` at random into non-overlapping Subsets of the given lengths.

    Args:
        dataset: the dataset to split.
        lengths: the subsets' lengths, or fractions summing to 1 (each then gets
            floor(frac * len(dataset)), and the remainder is dealt one by one,
            round-robin, from the first).
        generator: draws the permutation (default: the global generator, so
            `functorch_like.manual_seed` makes the split reproducible).

    Returns:
        A list of Subsets.

    PyTorch parity: the same rules and errors; the permutation is JAX's, so a seed gives
    another split than in PyTorch.
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _fraction_lengths(len(dataset), lengths)
    if sum(lengths) != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
