"""Torch's argument parser on the `int dim` parameter of single-dim ops.

PyTorch parity: `torch.argmax(x, (0,))`, `x.cumsum(dim=0.5)`, `torch.cat(ts, [0])` raise
`TypeError: argmax(): argument 'dim' (position 2) must be int, not tuple` in torch 2.13
(no "(position k)" for a keyword; positions leave `self` out for methods). Here the dim
reached Python comparisons (`'<=' not supported between 'int' and 'tuple'`), and a bool
or a one-element tensor was taken as a dim where torch refuses it. torch's `int` accepts a
Python int (not a bool), a numpy integer and a 0-d integer tensor; the wrappers pass such a
dim on as a Python int.

Ops with several visible overloads (`max`, `sort`, `narrow`, `split`, ...) refuse through
torch's "received an invalid combination of arguments" text (see `_argparse_invalid`),
unless the argument count leaves one overload plausible, as torch's parser does. The
wrappers are installed outermost in the package's `__init__`.
"""

from __future__ import annotations

import functools
import operator

from ._argparse_invalid import invalid_combination, plausible, position_of
from ._argparse_names import argparse_typename
from ._dim_lists import _int_like as _is_int
from ._dim_lists import check_int_list_arg, unpack

# op -> ((index after input/self, torch's parameter name, accepts None), ...), each op
# with one visible signature (its Dimname overloads are hidden from the parser's errors).
_SINGLE = {name: ((0, "dim", False),) for name in """
    cumsum cumprod softmax log_softmax logcumsumexp cummax cummin unbind select
    unsqueeze gather index_select mode median nanmedian cat stack concat concatenate
    scatter_add scatter_add_ scatter_reduce scatter_reduce_
""".split()}
_SINGLE.update(argmax=((0, "dim", True),), argmin=((0, "dim", True),),
               topk=((1, "dim", False),), kthvalue=((1, "dim", False),),
               chunk=((1, "dim", False),), index_add=((0, "dim", False),),
               diff=((1, "dim", False),), cross=((1, "dim", True),),
               take_along_dim=((1, "dim", True),),
               flatten=((0, "start_dim", False), (1, "end_dim", False)),
               diagonal=((0, "offset", False), (1, "dim1", False), (2, "dim2", False)),
               transpose=((0, "dim0", False), (1, "dim1", False)),
               swapdims=((0, "dim0", False), (1, "dim1", False)),
               swapaxes=((0, "axis0", False), (1, "axis1", False)))
# ... and those whose parameter is an int list ("tuple of ints", see `_dim_lists`): kind
# "ints1" for a sized `int[1]` (which takes an int too), "ints" for `int[]`.
_SINGLE.update(amax=((0, "dim", True, "ints1"),), amin=((0, "dim", True, "ints1"),),
               logsumexp=((0, "dim", False, "ints1"),),
               roll=((0, "shifts", False, "ints1"), (1, "dims", True, "ints1")),
               flip=((0, "dims", False, "ints"),))

_MAXMIN = ("(Tensor input, *, Tensor out = None)",
           "(Tensor input, Tensor other, *, Tensor out = None)",
           "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)")
_MAXMIN_M = ("()", "(Tensor other)", "(int dim, bool keepdim = False)")
_SORT_M = ("(*, bool stable, int dim = -1, bool descending = False)",
           "(int dim = -1, bool descending = False)")
# op -> (function signatures, method signatures), as torch prints them.
_OVERLOADED = {
    "max": (_MAXMIN, _MAXMIN_M),
    "min": (_MAXMIN, _MAXMIN_M),
    "sort": (("(Tensor input, *, bool stable, int dim = -1, bool descending = False, "
              "tuple of Tensors out = None)",
              "(Tensor input, int dim = -1, bool descending = False, *, "
              "tuple of Tensors out = None)"), _SORT_M),
    "argsort": (("(Tensor input, *, bool stable, int dim = -1, bool descending = False, "
                 "Tensor out = None)",
                 "(Tensor input, int dim = -1, bool descending = False)"), _SORT_M),
    "narrow": (("(Tensor input, int dim, Tensor start, int length)",
                "(Tensor input, int dim, int start, int length)"),
               ("(int dim, Tensor start, int length)", "(int dim, int start, int length)")),
}
# torch.split/Tensor.split are Python in torch: they call `_VF.split(self, size, dim)`
# (or split_with_sizes for a list of sizes) positionally, so every form reads the same.
_SPLIT = ("(Tensor input, int split_size, int dim = 0)",
          "(Tensor input, tuple of ints split_size, int dim = 0)")


def _as_int(value) -> int:
    """The Python int behind an accepted dim."""
    return value if type(value) is int else operator.index(
        value.item() if hasattr(value, "item") else value)


def check_int_arg(fname: str, param: str, value, position, tensor_cls, nullable=False):
    """`value` as a Python int, or torch's TypeError for `fname`'s `int param`
    (`position`: its 1-based place in the call, None when given by keyword)."""
    if value is None and nullable:
        return None
    if not _is_int(value, tensor_cls):
        where = "" if position is None else f" (position {position})"
        raise TypeError(f"{fname}(): argument '{param}'{where} must be int, not "
                        f"{argparse_typename(value)}")
    return _as_int(value)


def _lookup(rest, kwargs, index, param):
    """(value, key) of the parameter torch has at `index` of the positionals after the
    input: key is an index into `rest` or the keyword (`axis` is torch's alias of `dim`);
    key is None when the call leaves the parameter out."""
    if index < len(rest):
        return rest[index], index
    for key in (param, "axis") if param == "dim" else (param,):
        if key in kwargs:
            return kwargs[key], key
    return None, None


def _replace(rest, kwargs, key, value):
    """`rest` and `kwargs` with the argument at `key` replaced by `value`."""
    if isinstance(key, int):
        return rest[:key] + (value,) + rest[key + 1:], kwargs
    return rest, {**kwargs, key: value}


def _check(kind: str, name, param, value, pos, tensor_cls, nullable):
    """`value` checked as torch's parser reads a parameter of this kind."""
    if kind == "int":
        return check_int_arg(name, param, value, pos, tensor_cls, nullable)
    return check_int_list_arg(name, param, value, pos, tensor_cls, kind == "ints1",
                              nullable)


def _single(fn, name, specs, lead: int, tensor_cls):
    """`fn` checking its int parameters first. The first positional is the input (self
    for a method); `lead` is 1 where torch counts it (a function), 0 for a method."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        rest = args[1:]
        for index, param, nullable, *kind in specs:
            value, key = _lookup(rest, kwargs, index, param)
            if key is None:
                continue
            pos = key + 1 + lead if isinstance(key, int) else None
            new = _check(kind[0] if kind else "int", name, param, value, pos, tensor_cls,
                         nullable)
            if new is not value:
                rest, kwargs = _replace(rest, kwargs, key, new)
        return fn(*args[:1], *rest, **kwargs)
    return checked


def _overloaded(fn, name, signatures, lead: int, tensor_cls):
    """`fn` refusing a bad `dim` with torch's overload-resolution error."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        rest = args[1:]
        value, key = _lookup(rest, kwargs, 0, "dim")
        if key is None or (name in ("max", "min") and key == 0
                           and isinstance(value, tensor_cls)):
            return fn(*args, **kwargs)      # (max(x, other) is the elementwise overload)
        if not _is_int(value, tensor_cls):
            _refuse(name, signatures, args if lead else rest, kwargs, tensor_cls)
        rest, kwargs = _replace(rest, kwargs, key, _as_int(value))
        return fn(*args[:1], *rest, **kwargs)
    return checked


def _refuse(name, signatures, args, kwargs, tensor_cls):
    """torch's error for a call whose `dim` no overload takes (`args` as torch's parser
    sees them: with the input for a function, without self for a method). With a single
    plausible overload torch names the argument instead."""
    n = len(args) + len(kwargs)
    candidates = [s for s in signatures if plausible(s, n)]
    if len(candidates) == 1:
        pos = position_of(candidates[0], "dim")
        if pos <= len(args):
            check_int_arg(name, "dim", args[pos - 1], pos, tensor_cls)
        check_int_arg(name, "dim", kwargs.get("dim", kwargs.get("axis")), None, tensor_cls)
    raise TypeError(invalid_combination(name, signatures, args, kwargs, tensor_cls))


def _split(fn, tensor_cls):
    """torch.split / Tensor.split refusing a bad dim as torch's Python split does: it
    calls `_VF.split(self, size, dim)` for an int size, else `split_with_sizes`."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        dim_key = 2 if len(args) > 2 else "dim"
        dim = args[2] if len(args) > 2 else kwargs.get("dim", 0)
        if _is_int(dim, tensor_cls):
            args, kwargs = _replace(args, kwargs, dim_key, _as_int(dim))
            return fn(*args, **kwargs)
        size = args[1] if len(args) > 1 else kwargs.get(
            "split_size_or_sections", kwargs.get("split_size"))
        if isinstance(size, (int, tensor_cls)):
            _refuse("split", _SPLIT, (args[0], size, dim), {}, tensor_cls)
        check_int_arg("split_with_sizes", "dim", dim, 3, tensor_cls)
    return checked


def _varargs_dims(fn, tensor_cls):
    """Tensor.flip(*dims): torch's method also takes the dims as separate ints
    (`x.flip(0, 1)`, `x.flip(0)`), read as one list; a single non-int stays the list
    argument, checked as such."""
    @functools.wraps(fn)
    def checked(self, *dims, **kwargs):
        if len(dims) > 1 or (len(dims) == 1 and _is_int(dims[0], tensor_cls)):
            dims = (unpack("flip", "dims", dims, tensor_cls),)
        return fn(self, *dims, **kwargs)
    return checked


def install(namespace: dict, tensor_cls: type) -> None:
    """Rebinds, in place, the torch functions (in `namespace`, the package's globals) and
    Tensor methods above to ones that check their dim first."""
    for name, specs in _SINGLE.items():
        if name in namespace:
            namespace[name] = _single(namespace[name], name, specs, 1, tensor_cls)
        if hasattr(tensor_cls, name):
            setattr(tensor_cls, name,
                    _single(getattr(tensor_cls, name), name, specs, 0, tensor_cls))
    for name, (fn_sigs, method_sigs) in _OVERLOADED.items():
        namespace[name] = _overloaded(namespace[name], name, fn_sigs, 1, tensor_cls)
        setattr(tensor_cls, name, _overloaded(getattr(tensor_cls, name), name,
                                              method_sigs, 0, tensor_cls))
    tensor_cls.flip = _varargs_dims(tensor_cls.flip, tensor_cls)
    namespace["split"] = _split(namespace["split"], tensor_cls)
    tensor_cls.split = _split(tensor_cls.split, tensor_cls)
    namespace["permute"] = _permute_function(namespace["permute"], tensor_cls)
    tensor_cls.permute = _permute_method(tensor_cls.permute, tensor_cls)
    from ._dim_overloads import install as install_overloads
    install_overloads(namespace, tensor_cls)
    for name in ("cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
                 "column_stack", "row_stack"):
        namespace[name] = _tensor_sequence(namespace[name], name, tensor_cls)


def _tensor_sequence(fn, name, tensor_cls):
    """`fn` refusing one Tensor where torch's parser wants a sequence of them (`cat(t)`,
    a forgotten list, would otherwise concatenate t's rows), before any other check."""
    @functools.wraps(fn)
    def checked(*args, **kwargs):
        value = args[0] if args else kwargs.get("tensors")
        if isinstance(value, tensor_cls):
            where = " (position 1)" if args else ""
            raise TypeError(f"{name}(): argument 'tensors'{where} must be tuple of Tensors, "
                            "not Tensor")
        return fn(*args, **kwargs)
    return checked


def _permute_function(fn, tensor_cls):
    """torch.permute(input, dims): no varargs, unlike the method; `dims=` is passed on
    positionally (the implementation takes `*dims`)."""
    checked = _single(lambda x, dims: fn(x, dims), "permute", ((0, "dims", False, "ints"),),
                      1, tensor_cls)

    @functools.wraps(fn)
    def counted(*args, **kwargs):
        if len(args) > 2:
            raise TypeError(f"permute() takes 2 positional arguments but {len(args)} were "
                            "given")
        return checked(*args, **kwargs)
    return counted


def _permute_method(fn, tensor_cls):
    """Tensor.permute as torch's parser reads `permute(int[] dims)` with varargs: an int
    first packs all positionals into the list (`x.permute(1, 0)`), else a single
    positional (or `dims=`) is the list."""
    @functools.wraps(fn)
    def checked(self, *dims, **kwargs):
        if dims and _is_int(dims[0], tensor_cls):
            return fn(self, *check_int_list_arg("permute", "dims", dims, 1, tensor_cls,
                                                False))
        if len(dims) > 1:
            raise TypeError(f"permute() takes 1 positional argument but {len(dims)} were "
                            "given")
        if dims:
            return fn(self, *check_int_list_arg("permute", "dims", dims[0], 1, tensor_cls,
                                                False))
        if list(kwargs) == ["dims"]:
            return fn(self, *check_int_list_arg("permute", "dims", kwargs["dims"], None,
                                                tensor_cls, False))
        return fn(self, **kwargs)
    return checked
