"""Torch's Python argument parser for a function with overloads, from their signatures:
which overload a call binds to (`fits`). When it fits none, torch's "received an invalid
combination of arguments" text is `_argparse_invalid.invalid_combination`'s.
"""

from __future__ import annotations

import builtins
from typing import NamedTuple

import numpy as np


_NUMBERS = (builtins.bool, builtins.int, builtins.float, builtins.complex, np.number,
            np.bool_)


class Param(NamedTuple):
    type: str
    name: str
    optional: bool          # has a default
    none_ok: bool           # its default is None
    keyword_only: bool


def parse(signature: str) -> tuple:
    """The parameters of a signature as torch prints it: "(Tensor input, *, bool right =
    False)", "(tuple of ints dim, bool keepdim = False)" (a type may be several words;
    "()" has none)."""
    params, keyword_only = [], False
    for item in signature[1:-1].split(", "):
        if item in ("*", ""):
            keyword_only = keyword_only or item == "*"
            continue
        declared, _, default = item.partition(" = ")
        type_, _, name = declared.rpartition(" ")
        params.append(Param(type_, name, bool(default), default == "None", keyword_only))
    return tuple(params)


def _is(type_: str, value, tensor_cls) -> bool:
    if type_ == "Tensor":
        return isinstance(value, tensor_cls)
    if type_ == "Number":
        return isinstance(value, _NUMBERS)
    if type_ == "bool":
        return isinstance(value, (builtins.bool, np.bool_))
    return type_ == "str" and isinstance(value, str)


def bind(params, args, kwargs):
    """{param index: (key, value)} for the call, or None when it cannot bind (key: a
    positional index or a keyword; `axis` is torch's alias of `dim`)."""
    positional = [i for i, p in enumerate(params) if not p.keyword_only]
    if len(args) > len(positional):
        return None
    bound = {positional[k]: (k, v) for k, v in enumerate(args)}
    names = {p.name: i for i, p in enumerate(params)}
    for key, value in kwargs.items():
        i = names.get("dim" if key == "axis" else key)
        if i is None or i in bound:
            return None
        bound[i] = (key, value)
    if any(i not in bound and not p.optional for i, p in enumerate(params)):
        return None
    return bound


def fits(params: list, args, kwargs, tensor_cls) -> bool:
    """Whether the call binds to the parameters, each value of its declared type (None
    only where the default is None)."""
    bound = bind(params, args, kwargs)
    return bound is not None and all(
        _is(params[i].type, value, tensor_cls) or value is None and params[i].none_ok
        for i, (_, value) in bound.items())
