"""torch.multiprocessing: Python's multiprocessing, plus torch's sharing-strategy and
`spawn` helpers.

PyTorch parity: tensors travel between processes by pickling (their values are copied;
torch moves CPU storages to shared memory instead, so in-place changes made by a child
are not seen by the parent here). JAX is not fork-safe once it has started: use the
"spawn" start method (`set_start_method("spawn")` or `get_context("spawn")`), as
torch recommends for CUDA.
"""

from __future__ import annotations

import multiprocessing as _mp

# torch re-exports the whole API (`from multiprocessing import *`): Process, Queue,
# get_context, set_start_method, cpu_count, ...
globals().update({name: getattr(_mp, name) for name in _mp.__all__})

_STRATEGIES = {"file_descriptor", "file_system"}
_strategy = ["file_descriptor"]


def get_all_sharing_strategies() -> set:
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    return _strategy[0]


def set_sharing_strategy(new_strategy: str) -> None:
    """Recorded only: values are pickled (see the module note)."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}")
    _strategy[0] = new_strategy


class ProcessExitedException(Exception):
    """A spawned process ended with a non-zero exit code (torch's name)."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int):
        super().__init__(msg)
        self.error_index, self.pid, self.exit_code = error_index, error_pid, exit_code


class ProcessContext:
    """The processes `spawn(..., join=False)` started; `join()` waits for them all."""

    def __init__(self, processes: list):
        self.processes = processes

    def pids(self) -> list:
        return [p.pid for p in self.processes]

    def join(self, timeout=None) -> bool:
        for p in self.processes:
            p.join(timeout)
        for i, p in enumerate(self.processes):
            if p.exitcode not in (0, None):
                for other in self.processes:
                    if other.is_alive():
                        other.terminate()
                raise ProcessExitedException(
                    f"process {i} terminated with exit code {p.exitcode}", i, p.pid,
                    p.exitcode)
        return all(p.exitcode == 0 for p in self.processes)


def start_processes(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
                    start_method: str = "spawn"):
    """Runs `fn(i, *args)` in `nprocs` new processes (i = 0 .. nprocs-1)."""
    ctx = _mp.get_context(start_method)
    processes = [ctx.Process(target=fn, args=(i, *args), daemon=daemon)
                 for i in range(nprocs)]
    for p in processes:
        p.start()
    context = ProcessContext(processes)
    if not join:
        return context
    context.join()
    return None


def spawn(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn"):
    """torch.multiprocessing.spawn: start_processes with the "spawn" method."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)


__all__ = list(_mp.__all__) + [
    "ProcessContext", "ProcessExitedException", "get_all_sharing_strategies",
    "get_sharing_strategy", "set_sharing_strategy", "spawn", "start_processes"]
