"""torch.autograd.profiler: the older spelling of torch.profiler (see there).

PyTorch parity: `profile(enabled=False)` records nothing; `use_cuda` and the other
options are accepted and ignored (only record_function blocks are timed).
"""

from __future__ import annotations

from .. import profiler as _profiler
from ..profiler import EventList as EventList
from ..profiler import record_function as record_function


class profile(_profiler.profile):
    """`with torch.autograd.profiler.profile() as prof:`; `prof.key_averages().table()`."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device=None,
                 record_shapes: bool = False, with_flops: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, **kwargs):
        super().__init__()
        self.enabled = enabled

    def start(self) -> None:
        if self.enabled:
            super().start()

    def table(self, sort_by=None, row_limit: int = 100, **kwargs) -> str:
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit)


__all__ = ["EventList", "profile", "record_function"]
