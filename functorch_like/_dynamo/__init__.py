"""torch._dynamo's names that training scripts use: `config.recompile_limit` (alias
`cache_size_limit`), `reset()`, `disable`, `allow_in_graph`, `is_compiling` (those of
torch.compiler), and the shape hints `mark_dynamic`/`maybe_mark_dynamic`/`mark_static`."""

from __future__ import annotations

from ..compiler import allow_in_graph as allow_in_graph
from ..compiler import disable as disable
from ..compiler import is_compiling as is_compiling
from ..compiler import reset as reset
from .config import config as config


def mark_dynamic(t, index, *, hint_override=None, min=None, max=None,
                 specialize_on=None) -> None:
    """Marks dimension(s) `index` of tensor `t` as varying between calls, as a hint.

    PyTorch-parity note: torch.compile then traces one program for all sizes of those
    dims; functorch_like.compile traces one program per shape (each new size compiles
    once), so the hint changes no result, only how many programs are compiled. The marks
    are kept on the tensor as torch keeps them (`_dynamo_dynamic_indices`)."""
    del hint_override, min, max, specialize_on
    _mark(t, "_dynamo_dynamic_indices", index)


def maybe_mark_dynamic(t, index) -> None:
    """As mark_dynamic, a hint (see its parity note)."""
    _mark(t, "_dynamo_weak_dynamic_indices", index)


def mark_static(t, index=None) -> None:
    """Marks dimension(s) `index` of `t` (all where None) as fixed; every dim is here."""
    if index is not None:
        _mark(t, "_dynamo_static_indices", index)


def _mark(t, name: str, index) -> None:
    indices = index if isinstance(index, (list, tuple)) else [index]
    marks = getattr(t, name, None)      # (a non-tensor raises AttributeError, as torch)
    if marks is None:
        marks = set()
        setattr(t, name, marks)
    marks.update(indices)


__all__ = ["config", "reset", "disable", "allow_in_graph", "is_compiling", "mark_dynamic",
           "maybe_mark_dynamic", "mark_static"]
