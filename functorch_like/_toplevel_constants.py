"""torch's top-level constants (pi, e, inf, nan, newaxis) and the memory-format and layout
objects (torch.channels_last, torch.strided, ...).

JAX arrays have no strides: every tensor is dense and row-major. The memory-format and
layout objects exist so that code passing them (`x.contiguous(memory_format=
torch.channels_last)`, `model.to(memory_format=...)`) runs unchanged; they never change a
value or a shape.
"""

from __future__ import annotations

import math

pi: float = math.pi
e: float = math.e
inf: float = math.inf
nan: float = math.nan
newaxis = None      # as numpy's: x[:, torch.newaxis] adds a dim


class _Tag:
    """A named singleton that prints as torch's (`torch.channels_last`) and unpickles to
    the same object."""

    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_tag_by_name, (type(self).__name__, self._name))


class memory_format(_Tag):
    """`torch.memory_format`: a named tag (`torch.channels_last`).

    PyTorch parity: a hint only. JAX keeps no strides, so every tensor behaves as
    contiguous in every format and the tag never changes values, shapes or dtypes.
    """

    __slots__ = ()


memory_format.__module__ = "torch"      # repr(type) reads <class 'torch.memory_format'>

contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")



class layout(_Tag):
    """`torch.layout`: how a tensor's elements are stored. Only `torch.strided` (dense)
    exists here: JAX arrays are dense, and sparse layouts are not supported."""

    __slots__ = ()


layout.__module__ = "torch"

strided = layout("strided")

_TAGS = {(type(t).__name__, t._name): t for t in (contiguous_format, channels_last,
                                                  channels_last_3d, preserve_format, strided)}


def _tag_by_name(kind: str, name: str) -> _Tag:
    return _TAGS[kind, name]
