"""DataLoader: batches of a dataset, in order or shuffled, as torch.utils.data.DataLoader.

PyTorch parity: the same arguments, defaults, argument-conflict errors and batches.
`num_workers > 0` loads in one background thread (not processes) that prefetches
`prefetch_factor * num_workers` batches and runs torch's workers in turn (_worker.py):
a map-style dataset gives the batches of `num_workers=0`, an IterableDataset one stream
per worker, interleaved, as torch. `pin_memory` is accepted and does nothing (JAX
manages transfers).
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Callable, Iterable

from ..._device import cuda_is_available
from ..._random import Generator, draw_seed
from ._collate import default_collate, default_convert
from ._fetch import EXHAUSTED, IterableFetcher, MapFetcher
from ._reported_len import ReportedLength
from ._worker import ThreadedIter
from ._worker import get_worker_info as get_worker_info
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


class _InfiniteConstantSampler(Sampler):
    """None forever: an IterableDataset's batches are counted, not indexed."""

    def __iter__(self):
        while True:
            yield None


def _make_fetcher(iterable: bool, auto_collation, collate_fn, drop_last, dataset):
    cls = IterableFetcher if iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


class _SingleProcessDataLoaderIter:
    """The DataLoader iterator for `num_workers=0`: fetches each batch when asked."""

    def __init__(self, loader, make_fetcher: Callable):
        self._loader_len = loader.__len__
        self._index_iter = iter(loader._index_sampler)
        # torch draws the workers' base seed here too: the global stream (or the loader's
        # generator) advances as with workers.
        self._base_seed = draw_seed(loader.generator)
        self._fetcher = make_fetcher(loader.dataset)
        self._reported_len = ReportedLength(loader)

    def __iter__(self):
        return self

    def __next__(self):
        data = self._fetcher.fetch(next(self._index_iter))
        if data is EXHAUSTED:
            raise StopIteration
        self._reported_len.count()
        return data

    def __len__(self) -> int:
        return self._loader_len()


def _warn_pin_memory(loader) -> None:
    """torch's warnings as each iterator starts: pin_memory_device is ignored, and without
    an accelerator (here: a GPU JAX can use) there is no pinned memory."""
    if loader.pin_memory and loader.pin_memory_device:
        warnings.warn("pin_memory_device is deprecated, the current accelerator will be used "
                      f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                      stacklevel=3)
    if loader.pin_memory and not cuda_is_available():
        warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                      "device pinned memory won't be used.", stacklevel=3)


def _check_workers(num_workers, timeout, prefetch_factor, persistent_workers):
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; "
                         "use num_workers=0 to disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _check_iterable(shuffle, sampler, batch_sampler):
    # We cannot check `shuffle is not None`: shuffle=False was once the default.
    if shuffle not in {False, None}:
        raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                         f"option, but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                         f"option, but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError("DataLoader with IterableDataset: expected unspecified "
                         f"batch_sampler option, but got batch_sampler={batch_sampler}")


class DataLoader:
    """Iterates over `dataset` in batches.

    Args:
        dataset: a map-style Dataset (anything with `__getitem__`/`__len__`) or an
            IterableDataset.
        batch_size: samples per batch; None turns automatic batching off.
        shuffle: a new random order every epoch (drawn from `generator`, else from the
            global generator: `functorch_like.manual_seed(s)` makes it reproducible).
        sampler: the order of the indices (excludes `shuffle`).
        batch_sampler: yields lists of indices (excludes batch_size, shuffle, sampler
            and drop_last).
        num_workers: > 0 prepares batches in a background thread, ahead of time, as that
            many workers (each with its dataset copy, worker info and seed).
        collate_fn: makes a batch from a list of samples (default: `default_collate`).
        pin_memory: accepted, does nothing (warns as torch when there is no GPU).
        drop_last: drop the last batch when it is smaller than `batch_size`.
        timeout: seconds to wait for a batch from the background thread (0: forever).
        worker_init_fn: called as `worker_init_fn(id)` for each worker, inside it.
        multiprocessing_context: accepted for PyTorch's signature, unused.
        generator: the Generator a shuffling RandomSampler draws from.
        prefetch_factor: batches prefetched per worker (default 2 when num_workers > 0).
        persistent_workers: (needs num_workers > 0) the workers, with their dataset copies
            and generators, live on between epochs (worker_init_fn runs once).
        pin_memory_device, in_order: accepted for PyTorch's signature, unused (batches
            always come in order).

    Example:
        >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
        >>> for xb, yb in loader: ...
    """

    _initialized = False
    # len(dataset) as the last len(loader) of an IterableDataset read it (torch's name):
    # iterators made afterwards warn when the dataset yields more.
    _IterableDataset_len_called = None

    def __init__(self, dataset: Dataset, batch_size: int | None = 1,
                 shuffle: bool | None = None, sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context=None, generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        prefetch_factor = _check_workers(num_workers, timeout, prefetch_factor,
                                         persistent_workers)
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process "
                             f"loading (num_workers > 0), but got num_workers={num_workers}")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable(shuffle, sampler, batch_sampler)
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._initialized = True

    def __setattr__(self, attr, val) -> None:
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler",
                                          "drop_last", "dataset", "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        """A new pass over the dataset (an epoch)."""
        _warn_pin_memory(self)
        make_fetcher = functools.partial(_make_fetcher, self._iterable,
                                         self._auto_collation, self.collate_fn,
                                         self.drop_last)
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self, make_fetcher)
        return ThreadedIter(self, make_fetcher)

    def __len__(self) -> int:
        """Batches per epoch (for an IterableDataset: from `len(dataset)`)."""
        if not self._iterable:
            return len(self._index_sampler)
        length = self._IterableDataset_len_called = len(self.dataset)
        if self.batch_size is not None:
            length = length // self.batch_size if self.drop_last else math.ceil(
                length / self.batch_size)
        return length
