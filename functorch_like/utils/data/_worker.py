"""Background loading for `num_workers > 0`: torch's worker processes, emulated in one
thread that fetches batches ahead.

The consumer draws the indices from the sampler (so the random streams advance in the
consumer's thread, at the same points whatever `num_workers` is) and keeps
`prefetch_factor * num_workers` index batches queued for the thread; results come back in
order. An exception in the thread is re-raised in the consumer as PyTorch does it:
the same type, "Caught <type> in DataLoader worker process <id>." and the original
traceback (and chained as `__cause__`).

PyTorch parity: the thread runs `num_workers` workers as torch's processes would, each
with its own copy of the dataset (a shallow copy: an attribute a worker sets stays in that
worker, as after a fork), its `get_worker_info()` (id, num_workers, seed = base_seed + id,
dataset) and its own global generator seeded with that seed (`torch.initial_seed()` in a
worker is its seed). `worker_init_fn(id)` runs for each. Batches are handed to the workers
round-robin, so an IterableDataset is iterated once per worker (each yields its whole
stream unless it shards itself by `get_worker_info()`), and its batches interleave worker
by worker, a worker that ran out being skipped, as torch's in-order loader yields them.
Not emulated: the seeding of Python's `random` and NumPy's global state per worker (one
process shares them; seeding them in the thread would reseed the user's main streams).
"""

from __future__ import annotations

import atexit
import copy
import queue
import threading
import traceback
import weakref
from dataclasses import dataclass
from typing import Any, Callable

from ..._random import Generator, draw_seed, set_thread_generator
from ._fetch import EXHAUSTED
from ._reported_len import ReportedLength

_STOP = object()
_local = threading.local()
# The loading threads still running (_Running records), and every loading thread started
# (a thread outlives its record: after its loop it still drops its arguments, freeing
# arrays in XLA's C++ code).
_running: set = set()
_threads: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()
_EXIT_JOIN_SECONDS = 10.0


def _stop_running_threads() -> None:
    """At exit, stops every loading thread and waits for it: a daemon thread the
    interpreter kills at finalization while it is inside XLA's C++ code (collating a batch)
    aborts the process ("FATAL: exception not rethrown"), which `next(iter(loader))` with
    num_workers > 0, leaving the prefetching thread at work, used to do."""
    for r in list(_running):
        r.stop.set()
        r.index_queue.put(_STOP)
    # (every thread, also one whose loop has ended: the interpreter would kill it while
    # it frees its arguments' arrays, with the same abort)
    for thread in list(_threads):
        thread.join(_EXIT_JOIN_SECONDS)


atexit.register(_stop_running_threads)


class _Running:
    """A loading thread with what stops it; in `_running` while the thread runs."""

    def __init__(self, make_fetcher: Callable, index_queue: queue.Queue,
                 result_queue: queue.Queue, stop: threading.Event, worker_init_fn,
                 workers: list) -> None:
        self.stop, self.index_queue = stop, index_queue
        self.thread = threading.Thread(
            target=self._run, daemon=True, name="DataLoader worker",
            args=(make_fetcher, index_queue, result_queue, stop, worker_init_fn, workers))

    def _run(self, *worker_loop_args) -> None:
        try:
            worker_loop(*worker_loop_args)
        finally:
            _running.discard(self)

    def start(self) -> threading.Thread:
        _running.add(self)
        _threads.add(self.thread)
        self.thread.start()
        return self.thread


@dataclass(frozen=True)
class WorkerInfo:
    """What `get_worker_info()` returns inside a worker (torch's fields)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """Info about the worker running the caller, else None (the main process)."""
    return getattr(_local, "info", None)


class _Worker:
    """One of torch's worker processes: its WorkerInfo (with its dataset copy), its own
    global generator, and its fetcher once started."""

    def __init__(self, worker_id: int, num_workers: int, base_seed: int, dataset) -> None:
        seed = base_seed + worker_id
        self.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                               dataset=copy.copy(dataset))
        self.generator = Generator().manual_seed(seed)
        self.fetcher = self.init_error = None
        self.ended = False

    def run(self, fn: Callable, *args):
        """`fn(*args)` as inside this worker: its worker info and global generator."""
        _local.info = self.info
        set_thread_generator(self.generator)
        try:
            return fn(*args)
        finally:
            _local.info = None
            set_thread_generator(None)

    def start(self, make_fetcher: Callable, worker_init_fn, first_time: bool) -> None:
        """worker_init_fn (once per worker's life), then a fresh fetcher (per epoch)."""
        self.ended, self.init_error = False, None
        try:
            if first_time and worker_init_fn is not None:
                self.run(worker_init_fn, self.info.id)
            self.fetcher = self.run(make_fetcher, self.info.dataset)
        except BaseException as exc:   # reported with the worker's first batch
            self.init_error = ExceptionWrapper(
                exc, f"in DataLoader worker process {self.info.id}")

    def fetch(self, index):
        if self.init_error is not None:
            return self.init_error
        try:
            data = self.run(self.fetcher.fetch, index)
        except BaseException as exc:
            return ExceptionWrapper(exc, f"in DataLoader worker process {self.info.id}")
        self.ended = data is EXHAUSTED
        return data


def _round_robin(workers: list):
    """The worker of each next batch, torch's order: in turn, skipping ended ones."""
    turn = 0
    while True:
        worker = None
        for _ in workers:
            candidate = workers[turn]
            turn = (turn + 1) % len(workers)
            if not candidate.ended:
                worker = candidate
                break
        yield worker


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
                stop: threading.Event, worker_init_fn, workers: tuple) -> None:
    """Fetches `(seq, index)` requests until `_STOP`, answering `(seq, batch)`: each from
    the next worker in turn; a worker whose dataset ran out passes the request on, and
    EXHAUSTED comes back once every worker's has."""
    workers, first_time = workers
    for worker in workers:
        worker.start(make_fetcher, worker_init_fn, first_time)
    turns = _round_robin(workers)
    while True:
        item = index_queue.get()
        if item is _STOP or stop.is_set():
            return
        seq, index = item
        data = EXHAUSTED
        worker = next(turns)
        while worker is not None:
            data = worker.fetch(index)
            if data is not EXHAUSTED:
                break
            worker = next(turns)
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
        self._base_seed = draw_seed(loader.generator)      # (before the sampler's draw)
        workers = _workers(loader, self._base_seed)
        self._thread = _Running(make_fetcher, self._index_queue, self._result_queue,
                                self._stop, loader.worker_init_fn, workers).start()
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


def _workers(loader, base_seed: int) -> tuple:
    """(the workers of a new iterator, whether they are new): persistent workers live on
    in the loader, keeping their dataset copies, generators and worker_init_fn's effects
    (torch keeps the processes)."""
    kept = loader.__dict__.get("_kept_workers")
    if loader.persistent_workers and kept is not None:
        return kept, False
    workers = [_Worker(i, loader.num_workers, base_seed, loader.dataset)
               for i in range(loader.num_workers)]
    if loader.persistent_workers:
        loader._kept_workers = workers
    return workers, True
