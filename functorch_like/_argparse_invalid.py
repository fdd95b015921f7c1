"""torch's "received an invalid combination of arguments" text, for ops with overloads.

PyTorch parity: when no overload of a native function takes the arguments and more than
one is plausible by argument count, torch 2.13 (torch/csrc/utils/invalid_arguments.cpp)
prints every visible signature, and under each one whose argument count matches the call
a line saying why it didn't match:

    max() received an invalid combination of arguments - got (tuple), but expected one of:
     * ()
          didn't match because some of the arguments have invalid types: (!tuple of (int,)!)
     * (Tensor other)
          didn't match because some of the arguments have invalid types: (!tuple of (int,)!)
     * (int dim, bool keepdim = False)

torch's own quirks are kept: a signature is split on ", " into pieces, so "*" and the
empty "()" count as arguments, and a piece with a default ("int dim = -1") has a type
("int dim =") that nothing matches. Keywords are kept in a C++ unordered_map; with the
few keywords of a call they come out in reverse order, which is the order used here.
"""

from __future__ import annotations

from ._argparse_names import argparse_typename
from ._tensor import typename

_RED = "!"      # torch marks a mismatch with "!" when stdout/stderr are not terminals


def _pieces(signature: str) -> list:
    """(type, name) of each ", "-separated piece of a printed signature."""
    out = []
    for piece in signature[1:-1].split(", "):
        cut = piece.rfind(" ")
        out.append((piece[:cut] if cut >= 0 else piece, piece[cut + 1:]))
    return out


def _params(signature: str) -> list:
    """The real parameters of a printed signature: (name, has_default), "*" left out."""
    return [(p.split(" = ")[0].rsplit(" ", 1)[-1], " = " in p)
            for p in signature[1:-1].split(", ") if p not in ("*", "")]


def plausible(signature: str, nargs: int) -> bool:
    """Whether torch's parser counts the signature as a candidate for `nargs` arguments
    (between its required and its total number of parameters)."""
    params = _params(signature)
    return sum(not d for _, d in params) <= nargs <= len(params)


def position_of(signature: str, param: str) -> int:
    """1-based position of `param` among the signature's parameters."""
    return [name for name, _ in _params(signature)].index(param) + 1


def _matches(type_name: str, value, tensor_cls) -> bool:
    """invalid_arguments.cpp's type test: on the printed type name and `tp_name`."""
    name = argparse_typename(value)
    if type_name == "int":
        return name in ("int", "long")
    if type_name == "float":
        return name in ("float", "int", "long")
    return name == type_name


def _describe(value) -> str:
    """A value's type as the "didn't match" line writes it: `tuple of (int,)`."""
    if isinstance(value, (tuple, list)):
        inner = ", ".join(argparse_typename(v) for v in value)
        if isinstance(value, tuple):
            inner = "(" + inner + ("," if len(value) == 1 else "") + ")"
        else:
            inner = "[" + inner + "]"
        return f"{argparse_typename(value)} of {inner}"
    return argparse_typename(value)


def _marked(pieces, args, kwargs, tensor_cls) -> str:
    """The call's arguments with the mismatching ones between "!"s."""
    parts = []
    for i in range(len(args) + len(kwargs)):
        type_name, name = pieces[i]
        value = args[i] if i < len(args) else kwargs[name]
        text = ("" if i < len(args) else name + "=") + _describe(value)
        parts.append(text if _matches(type_name, value, tensor_cls) else _RED + text + _RED)
    # (the trailing ", " stays when only keywords were given, as in torch)
    return "(" + ", ".join(parts) + (", )" if kwargs and not args else ")")


def _why(signature: str, args, kwargs, tensor_cls) -> str:
    """The "didn't match" line under a signature, or "" when its count differs."""
    pieces = _pieces(signature)
    if len(pieces) != len(args) + len(kwargs):
        return ""
    names = [name for _, name in pieces[len(args):]]
    unknown = [k for k in kwargs if k not in names]
    if unknown:
        return ("      didn't match because some of the keywords were incorrect: "
                + ", ".join(unknown) + "\n")
    return ("      didn't match because some of the arguments have invalid types: "
            + _marked(pieces, args, kwargs, tensor_cls) + "\n")


def got(args, kwargs, tensor_cls) -> str:
    """torch's "got (int, Tensor, out=Tensor)" list of the argument types."""
    def name(v):
        return "Tensor" if isinstance(v, tensor_cls) else typename(v)
    # (torch keeps keywords in a C++ unordered_map, which lists a few in reverse order)
    parts = [name(v) for v in args] + [f"{k}={name(v)}" for k, v in
                                       reversed(kwargs.items())]
    # (torch ends a keyword-only list with ", ": "got (dim=tuple, )")
    return "(" + ", ".join(parts) + (", )" if kwargs and not args else ")")


def invalid_combination(name: str, signatures, args, kwargs, tensor_cls) -> str:
    """torch's message for `name(*args, **kwargs)` matching none of `signatures` (args as
    torch's parser sees them: a method's self left out)."""
    lines = [f"{name}() received an invalid combination of arguments - got "
             f"{got(args, kwargs, tensor_cls)}, but expected one of:\n"]
    # (got lists the keywords in torch's order itself; the "didn't match" lines want it too)
    kwargs = dict(reversed(list(kwargs.items())))
    for signature in signatures:
        lines.append(f" * {signature}\n" + _why(signature, args, kwargs, tensor_cls))
    return "".join(lines)
