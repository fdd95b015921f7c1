"""Torch's Python argument parser for a function with overloads, from their signatures.

PyTorch parity: torch prints each overload's signature when a call fits none of them,
`TypeError: rsub() received an invalid combination of arguments - got (int, Tensor), but
expected one of:\\n * (Tensor input, Tensor other, *, Number alpha = 1)\\n * ...`. Its
C++ (torch/csrc/utils/invalid_arguments.cpp) adds a "didn't match because ..." line
under an overload whose argument count equals its number of comma-separated items (`*`
counts as one), naming the wrong keywords or marking the arguments of the wrong type
`!int!`; it reads an item's name as its last word, so a parameter with a default
(`Number alpha = 1`) never takes a keyword and matches no type there. That reading is
copied here: it is what torch prints, verified call by call against torch 2.13.
"""

from __future__ import annotations

import builtins
from typing import NamedTuple

import numpy as np

from ._tensor import typename

_NUMBERS = (builtins.bool, builtins.int, builtins.float, builtins.complex, np.number,
            np.bool_)


class Param(NamedTuple):
    type: str
    name: str
    optional: bool          # has a default
    none_ok: bool           # its default is None
    keyword_only: bool


def parse(signature: str) -> list:
    """The parameters of a signature as torch prints it: "(Tensor input, *, bool right =
    False)"."""
    params, keyword_only = [], False
    for item in signature.strip("()").split(", "):
        if item == "*":
            keyword_only = True
            continue
        declared, _, default = item.partition(" = ")
        type_, name = declared.split(" ")
        params.append(Param(type_, name, bool(default), default == "None", keyword_only))
    return params


def _is(type_: str, value, tensor_cls) -> bool:
    if type_ == "Tensor":
        return isinstance(value, tensor_cls)
    if type_ == "Number":
        return isinstance(value, _NUMBERS)
    if type_ == "bool":
        return isinstance(value, (builtins.bool, np.bool_))
    return type_ == "str" and isinstance(value, str)


def fits(params: list, args, kwargs, tensor_cls) -> bool:
    """Whether the call binds to the parameters, each value of its declared type."""
    positional = [p for p in params if not p.keyword_only]
    if len(args) > len(positional):
        return False
    bound = dict(zip((p.name for p in positional), args))
    for key, value in kwargs.items():
        if key in bound or key not in {p.name for p in params}:
            return False
        bound[key] = value
    for p in params:
        if p.name not in bound:
            if not p.optional:
                return False
            continue
        value = bound[p.name]
        if not (_is(p.type, value, tensor_cls) or value is None and p.none_ok):
            return False
    return True


def got(args, kwargs, tensor_cls) -> str:
    """torch's "got (int, Tensor, out=Tensor)" list of the argument types."""
    def name(v):
        return "Tensor" if isinstance(v, tensor_cls) else typename(v)
    # (torch keeps keywords in a C++ unordered_map, which lists a few in reverse order)
    parts = [name(v) for v in args] + [f"{k}={name(v)}" for k, v in
                                       reversed(kwargs.items())]
    # (torch ends a keyword-only list with ", ": "got (dim=tuple, )")
    return "(" + ", ".join(parts) + (", )" if kwargs and not args else ")")


def _why_not(signature: str, args, kwargs, tensor_cls) -> str:
    """torch's "didn't match because ..." line for one overload ('' when it has none)."""
    items = signature.strip("()").split(", ")
    if len(args) + len(kwargs) != len(items):
        return ""
    # (torch's reading: the type is all but the last word, the name the last word)
    types = {item.rsplit(" ", 1)[-1]: item.rsplit(" ", 1)[0] for item in items}
    wrong = [k for k in kwargs if k not in types]
    if wrong:
        return ("      didn't match because some of the keywords were incorrect: "
                + ", ".join(wrong) + "\n")

    def mark(text, type_, value):
        # (this check of torch's knows no "Number": a number is marked wrong there too)
        ok = type_ != "Number" and _is(type_, value, tensor_cls)
        return text if ok else f"!{text}!"
    names = ["Tensor" if isinstance(v, tensor_cls) else typename(v) for v in args]
    parts = [mark(n, items[i].rsplit(" ", 1)[0], v)
             for i, (n, v) in enumerate(zip(names, args))]
    parts += [mark(f"{k}={'Tensor' if isinstance(v, tensor_cls) else typename(v)}",
                   types[k], v) for k, v in kwargs.items()]
    listing = "(" + ", ".join(parts) + (", )" if kwargs and not args else ")")
    return "      didn't match because some of the arguments have invalid types: " + \
        listing + "\n"


def invalid_combination(name: str, signatures, args, kwargs, tensor_cls) -> str:
    """torch's message for a call that fits none of `signatures`."""
    lines = [f" * {sig}\n" + _why_not(sig, args, kwargs, tensor_cls) for sig in signatures]
    return (f"{name}() received an invalid combination of arguments - got "
            f"{got(args, kwargs, tensor_cls)}, but expected one of:\n" + "".join(lines))
