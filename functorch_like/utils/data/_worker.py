"""Background loading for `num_workers > 0`: one thread fetches batches ahead.

The consumer draws the indices from the sampler (so the random streams advance in the
consumer's thread, at the same points whatever `num_workers` is) and keeps
`prefetch_factor * num_workers` index batches queued for the thread; results come back in
order. An exception in the thread is re-raised in the consumer as PyTorch does it:
the same type, "Caught <type> in DataLoader worker process <id>." and the original
traceback (and chained as `__cause__`).
"""

from __future__ import annotations

import atexit
import queue
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from ._fetch import EXHAUSTED
from ._reported_len import ReportedLength

_STOP = object()
_local = threading.local()
# The loading threads still running (_Running records).
_running: set = set()
_EXIT_JOIN_SECONDS = 10.0


def _stop_running_threads() -> None:
    """At exit, stops every loading thread and waits for it: a daemon thread the
    interpreter kills at finalization while it is inside XLA's C++ code (collating a batch)
    aborts the process ("FATAL: exception not rethrown"), which `next(iter(loader))` with
    num_workers > 0, leaving the prefetching thread at work, used to do."""
    records = list(_running)
    for r in records:
        r.stop.set()
        r.index_queue.put(_STOP)
    for r in records:
        r.thread.join(_EXIT_JOIN_SECONDS)


atexit.register(_stop_running_threads)


class _Running:
    """A loading thread with what stops it; in `_running` while the thread runs."""

    def __init__(self, make_fetcher: Callable, index_queue: queue.Queue,
                 result_queue: queue.Queue, stop: threading.Event, worker_init_fn,
                 info: "WorkerInfo") -> None:
        self.stop, self.index_queue = stop, index_queue
        self.thread = threading.Thread(
            target=self._run, daemon=True, name="DataLoader worker",
            args=(make_fetcher, index_queue, result_queue, stop, worker_init_fn, info))

    def _run(self, *worker_loop_args) -> None:
        try:
            worker_loop(*worker_loop_args)
        finally:
            _running.discard(self)

    def start(self) -> threading.Thread:
        _running.add(self)
        self.thread.start()
        return self.thread


@dataclass(frozen=True)
class WorkerInfo:
    """What `get_worker_info()` returns inside the loading thread.

    The single thread does the work of every worker, so `num_workers` is 1 here: an
    IterableDataset that shards itself by worker reads its whole stream once.
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """Info about the loading thread when called inside it, else None."""
    return getattr(_local, "info", None)


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints its traceback readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in the loading thread, to re-raise in the consumer."""

    def __init__(self, exc: BaseException, where: str):
        self.exc = exc
        self.exc_type = type(exc)
        self.exc_msg = "".join(traceback.format_exception(self.exc_type, exc,
                                                          exc.__traceback__))
        self.where = where

    def reraise(self):
        """Raises `exc_type("Caught ... Original Traceback ...")`, as PyTorch."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from self.exc
        raise exception from self.exc


def worker_loop(make_fetcher: Callable, index_queue: queue.Queue, result_queue: queue.Queue,
                stop: threading.Event, worker_init_fn, info: WorkerInfo) -> None:
    """Fetches `(seq, index)` requests until `_STOP`, answering `(seq, batch)`."""
    _local.info = info
    fetcher, init_error = None, None
    try:
        if worker_init_fn is not None:
            worker_init_fn(info.id)
        fetcher = make_fetcher()
    except BaseException as exc:   # reported with the first batch asked for
        init_error = ExceptionWrapper(exc, f"in DataLoader worker process {info.id}")
    while True:
        item = index_queue.get()
        if item is _STOP or stop.is_set():
            return
        seq, index = item
        if init_error is not None:
            result_queue.put((seq, init_error))
            continue
        try:
            data = fetcher.fetch(index)
        except BaseException as exc:
            data = ExceptionWrapper(exc, f"in DataLoader worker process {info.id}")
        result_queue.put((seq, data))


class ThreadedIter:
    """The DataLoader iterator for `num_workers > 0`."""

    def __init__(self, loader, make_fetcher: Callable):
        if loader.prefetch_factor <= 0:
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter")
        self._loader_len = loader.__len__
        self._timeout = loader.timeout
        self._index_iter = iter(loader._index_sampler)
        self._index_queue, self._result_queue = queue.Queue(), queue.Queue()
        self._stop = threading.Event()
        info = WorkerInfo(id=0, num_workers=1, seed=0, dataset=loader.dataset)
        self._thread = _Running(make_fetcher, self._index_queue, self._result_queue,
                                self._stop, loader.worker_init_fn, info).start()
        self._sent = self._received = 0
        self._reported_len = ReportedLength(loader)
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._put_index()

    def _put_index(self) -> None:
        if self._stop.is_set():
            return
        try:
            index = next(self._index_iter)
        except StopIteration:
            return
        self._index_queue.put((self._sent, index))
        self._sent += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self._received == self._sent:
            self._shutdown()
            raise StopIteration
        try:
            _, data = self._result_queue.get(timeout=self._timeout or None)
        except queue.Empty:
            self._shutdown()
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        self._received += 1
        if data is EXHAUSTED:
            self._shutdown()
            raise StopIteration
        self._put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        self._reported_len.count()
        return data

    def __len__(self) -> int:
        return self._loader_len()

    def _shutdown(self) -> None:
        stop = getattr(self, "_stop", None)    # None when __init__ failed early
        if stop is not None and not stop.is_set():
            self._stop.set()
            self._index_queue.put(_STOP)

    def __del__(self):
        self._shutdown()
