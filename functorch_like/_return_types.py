"""PyTorch's named results (`torch.return_types.*`) with any field names.

`torch.linalg.slogdet` returns `torch.return_types.linalg_slogdet(sign, logabsdet)`,
`torch.aminmax` returns `aminmax(min, max)`: tuples whose fields have names. They are
registered on the `return_types` namespace of `_ops_reduce`, next to max/min/sort.
"""

from __future__ import annotations

from collections import namedtuple

from ._ops_reduce import return_types


def named_result(name: str, fields: tuple[str, ...]) -> type:
    """The `torch.return_types.<name>` tuple type with `fields`, made once per name.

    Its repr is PyTorch's: `torch.return_types.name(\\nfield=...,\\nfield=...)`.
    """
    existing = getattr(return_types, name, None)
    if existing is not None and tuple(existing._fields) == tuple(fields):
        return existing
    base = namedtuple(name, fields)

    class ReturnType(base):
        __slots__ = ()

        def __repr__(self):
            body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
            return f"torch.return_types.{name}(\n{body})"
    ReturnType.__name__ = ReturnType.__qualname__ = name
    setattr(return_types, name, ReturnType)
    return ReturnType
