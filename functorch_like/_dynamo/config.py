"""torch._dynamo.config, for what functorch_like.compile reads."""

from __future__ import annotations


class _Config:
    """`recompile_limit` (8, as torch's): how many programs a compiled function keeps
    before it warns and runs eagerly; `cache_size_limit` is its older name, as in torch.

    PyTorch-parity note: the other options of torch._dynamo.config have no meaning here
    and are not provided."""

    def __init__(self) -> None:
        self.recompile_limit = 8

    @property
    def cache_size_limit(self) -> int:
        return self.recompile_limit

    @cache_size_limit.setter
    def cache_size_limit(self, value: int) -> None:
        self.recompile_limit = value


config = _Config()
