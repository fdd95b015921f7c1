"""ParameterList and ParameterDict: a list and a dict whose Tensors are registered as
Parameters (torch.nn.modules.container's, with torch 2.13's API, errors and repr).

Any value may be stored: a Tensor that is not a Parameter is wrapped into one (so it
requires grad), a Parameter is stored as it is, and anything else (an int, None, a
Module) is set as a plain attribute, exactly as `setattr(container, key, value)` would.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Iterator

from ..._tensor import Tensor
from ..parameter import Parameter
from .module import Module, _typename


def _param_line(k, p, type_name) -> str:
    """One line of the containers' extra_repr (torch's text: the tensor's kind, its type
    or dtype, its size joined by 'x', and the device only when it is an accelerator)."""
    if isinstance(p, Tensor):
        size = "x".join(str(s) for s in p.shape)
        kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
        device = f" ({p.device})" if p.device.type == "cuda" else ""
        return f"  ({k}): {kind} containing: [{type_name(p)} of size {size}{device}]"
    return f"  ({k}): Object of type: {type(p).__name__}"


def _as_parameter(value: Any) -> Any:
    # Only the list/dict part wraps: torch converts a plain Tensor on insertion, but a
    # value set with setattr() bypasses this (and is then not part of the container).
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """Holds values in a list; Tensors among them are registered as parameters '0', '1', ...

    Args:
        values: an iterable of values to add (a Tensor is not unpacked: TypeError).

    Supports `len`, iteration, `reversed`, integer indexing (negative too), slicing (a new
    ParameterList holding the same objects), item assignment, `append`, `extend` and `+=`.
    Like torch's, it has no `insert`, `pop`, `del` or `+`.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _get_abs_string_index(self, idx) -> str:
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        if idx < 0:
            idx += len(self)
        return str(idx)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            out = self.__class__()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._get_abs_string_index(idx))

    def __setitem__(self, idx: int, param: Any) -> None:
        # Every way of adding to the list part ends here, so only here do Tensors wrap.
        setattr(self, self._get_abs_string_index(idx), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable[Any]) -> "ParameterList":
        return self.extend(parameters)

    def __dir__(self) -> list:
        return [key for key in super().__dir__() if not key.isdigit()]

    def append(self, value: Any) -> "ParameterList":
        """Appends `value` (a Tensor is wrapped into a Parameter); returns self."""
        new_idx = len(self)
        self._size += 1
        self[new_idx] = value
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Appends each of `values`; returns self.

        Raises:
            TypeError: `values` is not iterable, or is a Tensor (never unpacked).
        """
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but "
                            "got " + type(values).__name__)
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        # torch prints the dtype here ('torch.float32'), the tensor type in ParameterDict.
        return "\n".join(_param_line(k, p, lambda t: t.dtype) for k, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """Holds values in an ordered dict; Tensors among them are registered as parameters
    under their keys (which must be strings).

    Args:
        parameters: a mapping or an iterable of (key, value) pairs; a plain dict is added
            in sorted key order, an OrderedDict, a ParameterDict or a sequence of pairs in
            its own order (torch's rule, see `update`).

    Supports the dict API: `keys/values/items/get/pop/popitem/setdefault/update/clear/
    copy/fromkeys`, `in`, `len`, iteration in insertion order, `reversed`, `|` and `|=`;
    a key is also readable as an attribute (`pd.weight`).

    PyTorch parity: torch records a key before checking it, so a failed assignment (a
    non-string key, a key with a '.') leaves the key listed; this does the same.
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def _key_to_attr(self, key: str) -> str:
        if not isinstance(key, str):
            raise TypeError(
                "Index given to ParameterDict cannot be used as a key as it is not a string "
                f"(type is '{type(key).__name__}'). Open an issue on github if you need "
                "non-string keys.")
        return key    # as-is, so named_parameters() reports the key itself

    def __getitem__(self, key: str) -> Any:
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key: str, value: Any) -> None:
        # Every way of adding to the dict part ends here, so only here do Tensors wrap.
        self._keys[key] = None
        setattr(self, self._key_to_attr(key), _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same objects under the same keys, in order."""
        # An OrderedDict, because a plain dict would be added in sorted key order.
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default: Any | None = None) -> Any:
        """`self[key]`, after setting it to `default` if `key` is absent."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Removes every item."""
        for k in self._keys.copy():
            del self[k]

    def pop(self, key: str) -> Any:
        """Removes `key` and returns its value (AttributeError if absent, as torch)."""
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, Any]:
        """Removes and returns the last inserted (key, value) pair."""
        k, _ = self._keys.popitem()
        self._keys[k] = None      # back for a moment: __getitem__/__delitem__ need it
        val = self[k]
        del self[k]
        return k, val

    def get(self, key: str, default: Any | None = None) -> Any:
        """`self[key]` if `key` is present, else `default`."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default: Any | None = None) -> "ParameterDict":
        """A new ParameterDict with each of `keys` set to `default` (an instance method,
        as torch's)."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self._keys)

    def update(self, parameters: Any) -> None:
        """Sets each (key, value) of `parameters`, overwriting existing keys.

        An OrderedDict, a ParameterDict or an iterable of pairs keeps its order; any other
        Mapping (a plain dict) is added in sorted key order (torch's rule).

        Raises:
            TypeError: `parameters` is not iterable, or an element of a sequence is not.
            ValueError: an element of a sequence does not have length 2.
        """
        if not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of "
                            "key/value pairs, but got " + type(parameters).__name__)
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            for key, parameter in parameters.items():
                self[key] = parameter
        elif isinstance(parameters, Mapping):
            for key, parameter in sorted(parameters.items()):
                self[key] = parameter
        else:
            for j, p in enumerate(parameters):
                # torch's texts, including the missing space in "; isint".
                if not isinstance(p, Iterable):
                    raise TypeError(f"ParameterDict update sequence element #{j} should be "
                                    f"Iterable; is{type(p).__name__}")
                if not len(p) == 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} has "
                                     f"length {len(p)}; 2 is required")
                self[p[0]] = p[1]

    def extra_repr(self) -> str:
        return "\n".join(_param_line(k, p, _typename) for k, p in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        copy = self.copy()
        copy.update(other)
        return copy

    def __ror__(self, other: "ParameterDict") -> "ParameterDict":
        # torch's: `other.copy()` keeps other's type (an OrderedDict | pd is an OrderedDict).
        copy = other.copy()
        copy.update(self)
        return copy

    def __ior__(self, other: "ParameterDict") -> "ParameterDict":
        self.update(other)
        return self
