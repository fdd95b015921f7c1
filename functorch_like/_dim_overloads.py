"""Overload resolution for ops whose dim is one of several visible signatures.

PyTorch parity (torch 2.13): `x.squeeze(0.5)`, `torch.sum(x, 0.5)`, `x.index_fill(0.5, i,
1.)`, `torch.movedim(x, 0.5, 1)`, `x.std(dim=0.5)` and the like raise torch's
"received an invalid combination of arguments" TypeError (text from `_argparse_invalid`);
here the dim reached Python (`'float' object is not iterable`). A call is matched against
the signatures as torch's parser does: positionals in order, keywords by name (`axis` for
`dim`), each value of its declared type; when one signature fits, its int dims are passed
on as Python ints and its int lists are read element by element (torch's "failed to
unpack" error, see `_dim_lists`).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from . import _dtypes
from ._argparse_invalid import invalid_combination, plausible
from ._argparse_names import argparse_typename
from ._dim_args import check_int_arg
from ._dim_lists import check_int_list_arg, head_ok, _int_like
from ._overload_args import bind, parse

_INTS = "tuple of ints"


def _fits_type(type_: str, value, sized: bool, tensor_cls) -> bool:
    """Whether torch's parser takes `value` for a parameter of the printed type (`sized`:
    the op's int lists are `int[1]?`, which take an int and None too)."""
    if type_ == "Tensor":
        return isinstance(value, tensor_cls)
    if type_ == "int":
        return _int_like(value, tensor_cls)
    if type_ == _INTS:
        return head_ok(value, tensor_cls) or sized and (
            value is None or _int_like(value, tensor_cls))
    if type_ == "bool":
        return isinstance(value, (bool, np.bool_))
    if type_ == "Number":
        return isinstance(value, (int, float, complex, np.number, np.bool_)) or (
            isinstance(value, tensor_cls) and value.ndim == 0)
    if type_ == "torch.dtype" and _dtypes.as_dtype(value) is not value:
        return True         # (torch's parser takes the Python scalar types as dtypes)
    return argparse_typename(value) == type_


def _fit(params, args, kwargs, sized, tensor_cls):
    """The binding when every bound value has its parameter's type (a None default
    takes None), else None."""
    bound = bind(params, args, kwargs)
    if bound is None:
        return None
    for i, (_, value) in bound.items():
        if not (_fits_type(params[i].type, value, sized, tensor_cls)
                or value is None and params[i].optional and params[i].type != _INTS):
            return None
    return bound


class _Op(NamedTuple):
    name: str
    signatures: tuple       # as torch prints them
    parsed: tuple
    sized: bool


def _convert(op, params, bound, args, kwargs, tensor_cls):
    """The call's arguments with its int dims as Python ints and int lists unpacked."""
    args, kwargs = list(args), dict(kwargs)
    for i, (key, value) in bound.items():
        if params[i].type not in ("int", _INTS) or value is None:
            continue
        if params[i].type == "int":
            new = check_int_arg(op.name, params[i].name, value, None, tensor_cls)
        else:
            new = check_int_list_arg(op.name, params[i].name, value, None, tensor_cls,
                                     sized=op.sized)
        if isinstance(key, int):
            args[key] = new
        else:
            kwargs[key] = new
    return args, kwargs


def _refuse(op, args, kwargs, tensor_cls):
    """torch's TypeError for a call no signature takes; with a single plausible one, it
    names that signature's first wrong argument instead."""
    n = len(args) + len(kwargs)
    candidates = [i for i, s in enumerate(op.signatures) if plausible(s, n)]
    if len(candidates) == 1:
        params = op.parsed[candidates[0]]
        bound = bind(params, args, kwargs) or {}
        for i, (key, value) in sorted(bound.items()):
            pos = key + 1 if isinstance(key, int) else None
            if params[i].type == "int":
                check_int_arg(op.name, params[i].name, value, pos, tensor_cls,
                              params[i].optional)
            elif params[i].type == _INTS:
                check_int_list_arg(op.name, params[i].name, value, pos, tensor_cls,
                                   op.sized, op.sized)
            elif params[i].type == "Tensor" and not isinstance(value, tensor_cls):
                # (`torch.sum(t, 1, out=[1.0])`: only the dim signature takes three)
                where = f" (position {pos})" if pos else ""
                raise TypeError(f"{op.name}(): argument '{params[i].name}'{where} must be "
                                f"Tensor, not {argparse_typename(value)}")
    raise TypeError(invalid_combination(op.name, op.signatures, args, kwargs, tensor_cls))


def _known(op, kwargs) -> bool:
    """Whether every keyword is a parameter of some signature (an unknown one is left to
    the implementation, which may be an extension used inside the package)."""
    names = {p.name for params in op.parsed for p in params} | {"axis"}
    return all(k in names for k in kwargs)


def _bind_without(op, args, kwargs, key) -> bool:
    """Whether some signature binds the call once keyword `key` is left out and takes a
    dim from its positionals (so `key`, an alias of dim, names it twice)."""
    rest = {k: v for k, v in kwargs.items() if k != key}
    for params in op.parsed:
        bound = bind(params, args, rest)
        if bound and any(params[i].name == "dim" and isinstance(k, int)
                         for i, (k, _) in bound.items()):
            return True
    return False


def wrap(fn, op: _Op, method: bool, tensor_cls):
    """`fn` resolving its call against `op`'s signatures first (a method's self is not
    part of them)."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if len(args) <= 1 and not kwargs:
            return fn(*args)                # (the common no-argument call)
        seen = args[1:] if method else args
        for params in op.parsed:
            bound = _fit(params, seen, kwargs, op.sized, tensor_cls)
            if bound is not None:
                seen, kwargs = _convert(op, params, bound, seen, kwargs, tensor_cls)
                return fn(*args[:1], *seen, **kwargs) if method else fn(*seen, **kwargs)
        if not _known(op, kwargs) or "axis" in kwargs and (
                "dim" in kwargs or _bind_without(op, seen, kwargs, "axis")):
            # (an unknown keyword, or `axis` with dim given too: the implementation
            # raises torch's "unexpected keyword argument" for it)
            return fn(*args, **kwargs)
        _refuse(op, seen, kwargs, tensor_cls)
    return checked


def op(name: str, signatures, sized: bool = False) -> _Op:
    """An entry of the table below."""
    return _Op(name, tuple(signatures), tuple(parse(s) for s in signatures), sized)


_DT = "torch.dtype dtype = None"
_IF = ("(Tensor input, int dim, Tensor index, Tensor value)",
       "(Tensor input, int dim, Tensor index, Number value)")
_SC = ("(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
       "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)",
       "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
       "(Tensor input, int dim, Tensor index, Number value, *, str reduce, "
       "Tensor out = None)")
_TS = ("(Tensor input, tuple of ints indices, int dim = 0)",
       "(Tensor input, Tensor tensor_indices_or_sections, int dim = 0)",
       "(Tensor input, int sections, int dim = 0)")
_MD = ("(Tensor input, int source, int destination)",
       "(Tensor input, tuple of ints source, tuple of ints destination)")
_RI = ("(Tensor input, Tensor repeats, int dim = None, *, int output_size = None)",
       "(Tensor repeats, *, int output_size = None)",
       "(Tensor input, int repeats, int dim = None, *, int output_size = None)")
_RI_M = ("(Tensor repeats, int dim = None, *, int output_size = None)",
         "(int repeats, int dim = None, *, int output_size = None)")
_SQ = ("(Tensor input)", "(Tensor input, int dim)", "(Tensor input, tuple of ints dim)")
_SUM = (f"(Tensor input, *, {_DT})",
        f"(Tensor input, tuple of ints dim, bool keepdim = False, *, {_DT}, "
        "Tensor out = None)")
_MEAN = (f"(Tensor input, *, {_DT}, Tensor out = None)", _SUM[1])
_ANY = ("(Tensor input, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, "
        "Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)")
_STD = ("(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, "
        "Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, "
        "bool keepdim = False, Tensor out = None)",
        "(Tensor input, bool unbiased = True)")


def _method_form(signatures) -> tuple:
    """The method signatures torch prints: no input, no out."""
    out = []
    for s in signatures:
        s = s.replace("Tensor input, ", "").replace("Tensor input", "")
        s = s.replace("(*, Tensor out = None)", "()").replace(", *, Tensor out = None", "")
        s = s.replace(", Tensor out = None", "")
        out.append(s)
    return tuple(out)


# name -> (function signatures or None, method signatures or None, sized int lists)
_TABLE = {
    "index_fill": (_IF, _method_form(_IF), False),
    "index_fill_": (None, _method_form(_IF), False),
    "scatter": (_SC, _method_form(_SC), False),
    "scatter_": (None, _method_form(_SC), False),
    "tensor_split": (_TS, _method_form(_TS), False),
    "movedim": (_MD, _method_form(_MD), False),
    "moveaxis": (_MD, _method_form(_MD), False),
    "repeat_interleave": (_RI, _RI_M, False),
    "squeeze": (_SQ, _method_form(_SQ), False),
    "squeeze_": (None, _method_form(_SQ), False),
    "sum": (_SUM, _method_form(_SUM), True),
    "mean": (_MEAN, _method_form(_SUM), True),
    "any": (_ANY, _method_form(_ANY), True),
    "all": (_ANY, _method_form(_ANY), True),
    "std": (_STD, _method_form(_STD), True),
    "var": (_STD, _method_form(_STD), True),
}


def install(namespace: dict, tensor_cls: type) -> None:
    """Rebinds, in place, the torch functions (in `namespace`) and Tensor methods of the
    table to ones that resolve their dims first."""
    for name, (fn_sigs, method_sigs, sized) in _TABLE.items():
        if fn_sigs and name in namespace:
            namespace[name] = wrap(namespace[name], op(name, fn_sigs, sized), False,
                                   tensor_cls)
        if method_sigs and hasattr(tensor_cls, name):
            setattr(tensor_cls, name, wrap(getattr(tensor_cls, name),
                                           op(name, method_sigs, sized), True, tensor_cls))
