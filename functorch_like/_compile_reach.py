"""What a compiled step reaches by name: the objects its closure, the globals it names and
a bound method's instance hold, and what those hold in turn (dicts, lists, tuples and plain
objects, a few levels deep)."""

from __future__ import annotations

import collections
import dataclasses
import dis
import functools
import inspect
import random
import sys
import types
from typing import Callable, NamedTuple

import jax
import numpy as np

from . import _random
from ._tensor import Tensor
from ._writes import CountedDict
from .nn.modules.module import Module
from .optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from .optim.optimizer import Optimizer

# How far the objects a step reaches by name are looked into (a dict of models, a config
# object holding a tensor, a tuple of tensors in a dict), and up to how many entries each:
# bounded, so that a global dataset list does not become state tensor by tensor.
_CONTAINER_DEPTH = 3
_CONTAINER_LIMIT = 64
_REACH_LIMIT = 4096         # entries looked at in all (a trainer holding a large history)


class AttrHome(NamedTuple):
    """Where a guarded value lives when it is an attribute read through its object
    (getattr(obj, name): the instance's or its class's)."""

    obj: object
    name: str


class _Length:
    """A list's length as an attribute (`n`), for a guard through an AttrHome."""

    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items

    @property
    def n(self) -> int:
        return len(self.items)


def is_state_object(x) -> bool:
    return isinstance(x, (Module, Optimizer, LRScheduler, ReduceLROnPlateau))


def is_plain(v) -> bool:
    """A number, string, flag, None or a tuple of them: a value a guard can hold."""
    if type(v) is tuple:
        return all(map(is_plain, v))
    return v is None or type(v) in (bool, int, float, str)


def typed(v):
    """A plain value with its type, for a guard: 1, 1.0 and True are equal in Python but
    trace differently (an int fill makes an int64 tensor); a float by its bits."""
    if type(v) is tuple:
        return tuple(map(typed, v))
    if type(v) is float:
        # (by its bits: -0.0 == 0.0 in Python, but 1 / w tells them apart; and a NaN
        # equals itself this way, where nan != nan made each call a new program)
        return float, v.hex()
    return type(v), v


class _InOrder(dict):
    """A dict as a pytree node that keeps its insertion order (JAX sorts a dict's keys:
    a step's `batch.values()` or returned metrics would come back reordered)."""


jax.tree_util.register_pytree_node(
    _InOrder, lambda d: (list(d.values()), tuple(d.keys())),
    lambda keys, values: _InOrder(zip(keys, values)))


class _DataObject:
    """A data object (a dataclass, a UserDict, a batch object holding tensors) as a pytree
    node: its attributes are its children, so its tensors are program inputs and a new
    object of the same layout each call (a batch) finds the same program. `as_dicts`
    makes a new object of its class from them (without calling __init__)."""

    __slots__ = ("cls", "keys", "values")

    def __init__(self, cls: type, keys: tuple, values: list):
        self.cls, self.keys, self.values = cls, keys, values


jax.tree_util.register_pytree_node(
    _DataObject, lambda o: (o.values, (o.cls, o.keys)),
    lambda aux, values: _DataObject(aux[0], aux[1], list(values)))

_DATA_VALUES = (bool, int, float, complex, str, bytes, type(None))


def _is_data(v, depth: int = 3) -> bool:
    """A tensor, number, string or None, or a list, tuple or dict of them (a few levels)."""
    if isinstance(v, (Tensor, *_DATA_VALUES)):
        return True
    if depth and isinstance(v, (list, tuple)):
        return all(_is_data(x, depth - 1) for x in v)
    if depth and type(v) is dict:
        return all(_is_data(x, depth - 1) for x in v.values())
    return False


def is_data_object(x) -> bool:
    """Whether `x` is passed to a step as a data object (_DataObject): a dataclass
    instance, a UserDict, or an object holding tensors, with nothing but tensors, numbers,
    strings and containers of them as attributes."""
    cls = type(x)
    if cls.__module__ == "builtins" or isinstance(
            x, (Tensor, jax.Array, np.ndarray, type)) or is_state_object(x):
        return False
    try:
        attrs = object.__getattribute__(x, "__dict__")
    except AttributeError:
        return False
    if type(attrs) is not dict or not attrs:
        return False
    if not (dataclasses.is_dataclass(x) or isinstance(x, collections.UserDict) or any(
            isinstance(v, Tensor) or isinstance(v, (list, tuple, dict)) and any(
                isinstance(e, Tensor) for e in (v.values() if isinstance(v, dict) else v))
            for v in attrs.values())):
        return False
    return all(map(_is_data, attrs.values()))


def in_order(tree):
    """`tree` with its plain dicts (in lists, tuples and dicts) as insertion-ordered
    pytree nodes, and its data objects as _DataObject nodes; `as_dicts` turns them
    back."""
    if type(tree) is dict or type(tree) is CountedDict:
        return _InOrder((k, in_order(v)) for k, v in tree.items())
    if type(tree) in (list, tuple):
        return type(tree)(in_order(x) for x in tree)
    if is_data_object(tree):
        attrs = object.__getattribute__(tree, "__dict__")
        return _DataObject(type(tree), tuple(attrs), [in_order(v) for v in attrs.values()])
    return tree


def as_dicts(tree):
    """The inverse of `in_order`: its nodes as plain dicts and data objects again."""
    if type(tree) is _InOrder:
        return {k: as_dicts(v) for k, v in tree.items()}
    if type(tree) in (list, tuple):
        return type(tree)(as_dicts(x) for x in tree)
    if type(tree) is _DataObject:
        obj = tree.cls.__new__(tree.cls)
        object.__getattribute__(obj, "__dict__").update(
            zip(tree.keys, map(as_dicts, tree.values)))
        return obj
    return tree


def is_argument_leaf(x) -> bool:
    """Where a step's arguments are not flattened further: tensors and state objects."""
    return isinstance(x, Tensor) or is_state_object(x)


def container_entries(obj, name: str) -> list[tuple]:
    """(entry, home, name) for what a dict, list, tuple or plain object holds, one level
    down; [] for anything else (state objects, tensors, functions, classes, modules, and
    containers over the limit). home: (dict or list, key) where the entry can be rebound,
    None in a tuple."""
    if isinstance(obj, (Tensor, type, types.ModuleType, types.FunctionType,
                        types.MethodType)) or is_state_object(obj):
        return []
    if isinstance(obj, (dict, list, tuple)):
        if len(obj) > _CONTAINER_LIMIT:
            return []
        if isinstance(obj, dict):
            return [(v, (obj, k), f"{name}[{k!r}]") for k, v in list(obj.items())]
        if isinstance(obj, list):
            return [(v, (obj, i), f"{name}[{i}]") for i, v in enumerate(obj)]
        return [(v, None, f"{name}[{i}]") for i, v in enumerate(obj)]
    attrs = _plain_attributes(obj)
    if attrs is None:
        return []
    return [(v, (attrs, k), f"{name}.{k}") for k, v in list(attrs.items())]


def _plain_attributes(obj) -> dict | None:
    """A plain object's attribute dict (within the limit), else None."""
    attrs = getattr(obj, "__dict__", None)
    return attrs if type(attrs) is dict and len(attrs) <= _CONTAINER_LIMIT else None


class Reach:
    """What a function reaches by name.

    refs: (object, home) for the state objects and tensors, and for the containers they
    were found in (their homes are watched too: a config dict rebound as a whole). home
    says where the object lives, to notice it rebound: (dict, name) for a global, an
    attribute or a dict entry, (list, index) for a list entry, (cell, None) for a closure
    cell, None for the bound instance itself and for tuple entries.
    containers: (dict or list, name, kind) for every dict, list and plain object's attribute
    dict reached (kind "dict", "list" or "object"; "generator" for a torch.Generator other
    than the default one), which a traced step might change.
    plain: (home, value) for the numbers, strings, flags and tuples of them that the step
    reads as globals or closure variables, and those in the dicts and plain objects reached
    (a bound method's instance too) under a key or attribute name its code uses: a trace
    bakes them in, so they are part of the guard (torch.compile guards on them too).

    PyTorch-parity note: torch.compile guards exactly the entries a trace reads; here every
    entry of a container up to `_CONTAINER_LIMIT` entries is watched, `_CONTAINER_DEPTH`
    levels down (`_REACH_LIMIT` entries in all), and the tensors of a larger or deeper
    container are constants of the program; a plain value in a container is guarded when
    the step's code names it (a dict entry by a string constant or by a string the step
    reaches, an attribute by a name: so also when that string or name is used for
    something else, and not when the key is computed otherwise) and for every list entry.
    """

    def __init__(self, fn: Callable | None, depth: int = 2, skip=frozenset(), hooks=()):
        """depth: how many levels of referenced Python functions are followed; skip: ids
        of containers not looked into (lists a compiled step appends its results to);
        hooks: functions the step runs without naming them (its modules' and tensors'
        hooks), looked into as the step is."""
        found, self.plain, globs = [], [], set()
        attr_names, keys = set(), set()
        # (dict or cell, name) for the globals and closure variables the code rebinds
        # (`global n; n += 1`, `nonlocal`): a trace must not leave its values there.
        self.rebound = []
        for root in ([] if fn is None else [fn]) + list(hooks):
            more, plain, (names, strings), namespaces, rebound = _by_name(root, depth)
            self.rebound += rebound
            found += more
            self.plain += plain
            attr_names |= names
            keys |= strings
            globs |= namespaces
        parents = [-1] * len(found)
        expanded, start = set(), 0
        for _ in range(_CONTAINER_DEPTH):
            end = len(found)
            for i in range(start, end):
                obj = found[i][0]
                if id(obj) not in expanded and id(obj) not in skip and \
                        len(found) < _REACH_LIMIT:
                    expanded.add(id(obj))
                    inner = container_entries(obj, found[i][2])
                    found.extend(inner)
                    parents.extend([i] * len(inner))
            start = end
        # Plain values in the dicts and plain objects reached (`cfg["kl_weight"]`,
        # `self.epoch` in a compiled method) are guarded where the code names them: a
        # dict's entry where its key is a string constant of the code, an object's
        # attribute where its name is one the code uses (so `stats["step"]`, kept by the
        # loop, is not guarded for `optimizer.step()`). A trace bakes them in. Names bound
        # in a module's globals keep their own rule (loaded as globals, _by_name); a
        # model's, optimizer's or scheduler's own attributes are not guarded here (compile
        # guards or replays those itself).
        globs |= {id(vars(obj)) for obj, _, _ in found if is_state_object(obj)}
        attr_dicts = {id(attrs) for obj, _, _ in found
                      if type(attrs := getattr(obj, "__dict__", None)) is dict}
        guarded = {(id(home[0]), home[1]) for home, _ in self.plain}
        # A key may also be computed from the strings the step reaches (`cfg[KEY]` with a
        # global KEY, `cfg[name]` over a list of names); a list's entries are read by
        # index, which the code does not name: every plain one is guarded.
        keys |= {v for _, v in self.plain if type(v) is str}
        keys |= {obj for obj, _, _ in found if type(obj) is str}
        lists = {}
        for obj, home, _ in found:
            if home is None or not is_plain(obj) or (id(home[0]), home[1]) in guarded:
                continue
            if type(home[0]) is list or (
                    type(home[1]) is str and isinstance(home[0], dict)
                    and home[1] in (attr_names if id(home[0]) in attr_dicts else keys)
                    and id(home[0]) not in globs):
                guarded.add((id(home[0]), home[1]))
                self.plain.append((home, obj))
                if type(home[0]) is list:
                    lists[id(home[0])] = home[0]
        # Such a list's length too: `weights[-1]` is another entry once the loop appends.
        self.plain += [(AttrHome(_Length(items), "n"), len(items)) for items in lists.values()]
        # A scheduler's numbers that the code names (`sched.last_epoch` in a warm-up
        # formula) are read by the trace too; its step() is replayed, not traced.
        for obj, _, _ in found:
            if isinstance(obj, (LRScheduler, ReduceLROnPlateau)):
                attrs = vars(obj)
                for k in attr_names & attrs.keys():
                    if is_plain(attrs[k]) and (id(attrs), k) not in guarded:
                        guarded.add((id(attrs), k))
                        self.plain.append(((attrs, k), attrs[k]))
        # A plain object's number that its user class defines (`cfg.aux_weight`, a
        # default in `class Config`) is guarded as getattr(obj, name): set on the instance
        # or on the class later, it is seen either way.
        for obj, _, _ in found:
            attrs = _plain_attributes(obj)
            if attrs is None or isinstance(obj, (dict, list, tuple, Tensor, type)) or \
                    is_state_object(obj) or not users(type(obj)):
                continue
            defaults = {}
            for c in reversed(type(obj).__mro__):
                if users(c):
                    defaults.update(vars(c))
            for k in (attr_names & defaults.keys()) - attrs.keys():
                value = defaults[k]
                if not k.startswith("__") and is_plain(value) and value is not None and \
                        (id(obj), k) not in guarded:
                    guarded.add((id(obj), k))
                    self.plain.append((AttrHome(obj, k), value))
        keep = [is_state_object(obj) or isinstance(obj, Tensor) for obj, _, _ in found]
        for i in reversed(range(len(found))):
            if keep[i] and parents[i] >= 0:
                keep[parents[i]] = True
        self.refs = [(obj, home) for (obj, home, _), k in zip(found, keep) if k]
        # Python and numpy random generators (a draw from one would be baked in: Watch)
        self.randoms = list({id(obj): (obj, f"`{name}`") for obj, _, name in found
                             if isinstance(obj, _RANDOM_TYPES)}.values())
        self.containers, seen = [], set()
        for obj, _, name in found:
            if id(obj) in seen or is_state_object(obj):
                continue
            seen.add(id(obj))
            # (watched whatever their size: a trace copies them once)
            if isinstance(obj, (dict, list)):
                self.containers.append((obj, name, "list" if isinstance(obj, list) else "dict"))
            elif isinstance(obj, _random.Generator):
                # (the default generator's key is state; another one is watched, so that
                # a draw from it is refused with a clear error)
                if obj is not _random.default_generator:
                    self.containers.append((vars(obj), name, "generator"))
            elif not isinstance(obj, (Tensor, tuple, type, types.ModuleType,
                                      types.FunctionType, types.MethodType)):
                attrs = getattr(obj, "__dict__", None)
                if type(attrs) is dict:
                    self.containers.append((attrs, name, "object"))


_RANDOM_TYPES = (random.Random, np.random.Generator, np.random.RandomState)

# What `_by_name` follows into: the functions a step calls by name or holds.
_CALLABLES = (types.FunctionType, types.MethodType, functools.partial)

# Packages whose modules and classes are libraries, not the user's code: their attributes
# are not looked into for the step's state.
_LIBRARIES = frozenset({"functorch_like", "jax", "jaxlib", "numpy", "torch", "optax",
                        "flax", "scipy", "sklearn", "builtins"}) | frozenset(
    sys.stdlib_module_names)


def _followable(obj) -> bool:
    """A function, bound method or partial, or a wrapper of one (another compiled
    function, a functools.wraps decorator's result)."""
    return isinstance(obj, _CALLABLES) or (
        callable(obj) and not is_state_object(obj)
        and "__wrapped__" in getattr(obj, "__dict__", ()))


def users(obj) -> bool:
    """Whether a module or class is the user's (its attributes may hold their state)."""
    name = obj.__name__ if isinstance(obj, types.ModuleType) else obj.__module__
    return isinstance(name, str) and name.split(".")[0] not in _LIBRARIES


def _by_name(fn: Callable, depth: int) -> tuple:
    """(object, home, name) for the objects a function names: closure cells, named globals
    (following referenced Python functions `depth` levels), a bound method's instance and
    its attributes, and what a functools.partial binds; (home, value) for the plain
    values among the closure cells and the globals it loads as globals (a name used only as
    an attribute, as `step` in `optimizer.step()`, is not one); (the names, the string
    constants) its code (and the code followed) uses; and the ids of the globals dicts."""
    found, plain, seen_fns, namespaces, rebound = [], [], set(), set(), []
    names, strings = set(), set()

    def visit(f, d):
        if id(f) in seen_fns:
            return
        seen_fns.add(id(f))
        if is_state_object(f):          # compile(model): the module itself
            found.append((f, None, type(f).__name__))
            return
        if isinstance(f, functools.partial):     # the objects it binds, then its function
            found.extend((v, None, f"partial.args[{i}]") for i, v in enumerate(f.args))
            found.extend((v, (f.keywords, k), f"partial.keywords[{k!r}]")
                         for k, v in f.keywords.items())
            # (its keywords can be changed later, its args cannot)
            plain.extend(((f.keywords, k), v) for k, v in f.keywords.items() if is_plain(v))
            visit(f.func, d)
            return
        # (the code of a model's, optimizer's or scheduler's own method is theirs: its
        # names say nothing about the user's containers)
        own = not (isinstance(f, types.MethodType) and is_state_object(f.__self__))
        if isinstance(f, types.MethodType):
            found.append((f.__self__, None, "self"))
            attrs = getattr(f.__self__, "__dict__", None)
            if isinstance(attrs, dict):
                found.extend((v, (attrs, k), f"self.{k}") for k, v in attrs.items())
            f = f.__func__
        f = inspect.unwrap(f) if callable(f) else f
        code = getattr(f, "__code__", None)
        if code is None:
            return
        instructions = list(dis.get_instructions(code))
        used, constants = code_names(code)
        stored = {i.argval for i in instructions
                  if i.opname in ("STORE_DEREF", "DELETE_DEREF", "STORE_GLOBAL",
                                  "DELETE_GLOBAL")}
        for name, cell in zip(code.co_freevars, f.__closure__ or ()):
            if name in stored:
                rebound.append((cell, name))
            try:
                found.append((cell.cell_contents, (cell, None), name))
            except ValueError:      # an empty cell
                continue
            if is_plain(cell.cell_contents):
                plain.append(((cell, None), cell.cell_contents))
            elif d > 0 and not _followable(cell.cell_contents):
                members(cell.cell_contents, name, d, used)
        if own:
            names.update(used)
            strings.update(constants)
        globs = getattr(f, "__globals__", {})
        namespaces.add(id(globs))
        loaded = {i.argval for i in instructions if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
        rebound.extend((globs, name) for name in stored if name not in code.co_freevars
                       and name not in code.co_cellvars)
        # (names loaded as globals, by this code or code nested in it: an attribute name,
        # `batch.x`, says nothing about a global `x`)
        for name in global_names(code):
            if name in globs:
                obj = globs[name]
                found.append((obj, (globs, name), name))
                if name in loaded and is_plain(obj):
                    plain.append(((globs, name), obj))
                if d > 0 and _followable(obj):
                    visit(obj, d - 1)
                elif d > 0:
                    members(obj, name, d, used)
        for obj, _, _ in list(found):
            if d > 0 and _followable(obj):
                visit(obj, d - 1)

    def members(obj, name: str, d: int, used: set) -> None:
        """What a global module or class of the user's (`helpers.model`, `Cfg.scale`,
        `Cfg.f(x)`) holds under the names the code uses, and the functions a global dict
        or list holds (`losses["mse"](x)`)."""
        if isinstance(obj, (types.ModuleType, type)) and users(obj) and \
                not is_state_object(obj):
            attrs = vars(obj)
            for a in used & attrs.keys():
                v = attrs[a]
                v = v.__func__ if isinstance(v, (staticmethod, classmethod)) else v
                found.append((v, (attrs, a), f"{name}.{a}"))
                if is_plain(v):
                    plain.append(((attrs, a), v))
                if _followable(v):
                    visit(v, d - 1)
        elif isinstance(obj, (dict, list, tuple)) and len(obj) <= _CONTAINER_LIMIT:
            for v in (obj.values() if isinstance(obj, dict) else obj):
                if _followable(v):
                    visit(v, d - 1)
    visit(fn, depth)
    return found, plain, (names, strings), namespaces, rebound


_GLOBAL_OPS = frozenset({"LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL"})


def global_names(code) -> list:
    """The global names a code object (and the code nested in it) loads, stores or
    deletes, in first-use order."""
    names = {}
    for instruction in dis.get_instructions(code):
        if instruction.opname in _GLOBAL_OPS:
            names.setdefault(instruction.argval, None)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names.update(dict.fromkeys(global_names(const)))
    return list(names)


def code_names(code) -> tuple[set, set]:
    """(the attribute and global names, the string constants) of a code object and of
    those nested in it (comprehensions, lambdas)."""
    names, strings = set(code.co_names), set()
    for const in code.co_consts:
        if type(const) is str:
            strings.add(const)
        elif isinstance(const, types.CodeType):
            inner = code_names(const)
            names |= inner[0]
            strings |= inner[1]
    return names, strings


def names_used(code) -> set:
    """Both of code_names: every name and string constant the code uses."""
    return set.union(*code_names(code))
