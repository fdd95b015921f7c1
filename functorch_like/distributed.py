"""torch.distributed: not available here (no process groups; JAX shards with its own
`jax.distributed` and meshes instead).

PyTorch parity: torch's CPU build reports `is_available()` True (gloo); here it is False,
so the common guard `dist.is_available() and dist.is_initialized()` takes the
single-process path. The queries a single-process script makes answer as torch's do
before `init_process_group`; `init_process_group` itself raises.
"""

from __future__ import annotations

import os

_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to "
                    "call init_process_group.")


def is_available() -> bool:
    return False


def is_initialized() -> bool:
    return False


def is_nccl_available() -> bool:
    return False


def is_gloo_available() -> bool:
    return False


def is_mpi_available() -> bool:
    return False


def is_torchelastic_launched() -> bool:
    """Whether torchrun started this process (it sets TORCHELASTIC_RUN_ID), as torch's."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def get_rank(group=None) -> int:
    raise ValueError(_NOT_INITIALIZED)


def get_world_size(group=None) -> int:
    raise ValueError(_NOT_INITIALIZED)


def init_process_group(*args, **kwargs) -> None:
    raise RuntimeError("torch.distributed process groups are not implemented by "
                       "functorch_like (torch.distributed.is_available() is False)")


class ReduceOp:
    """The reduction names torch.distributed's collectives take."""

    SUM, PRODUCT, MIN, MAX, BAND, BOR, BXOR, AVG = (
        "sum", "product", "min", "max", "band", "bor", "bxor", "avg")


__all__ = ["ReduceOp", "get_rank", "get_world_size", "init_process_group",
           "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
           "is_nccl_available", "is_torchelastic_launched"]
