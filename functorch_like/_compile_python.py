"""The Python objects a compiled step changes while it is traced: put back after the trace,
and the change redone after every call where it can be.

A trace runs the step's Python (twice: jax.eval_shape, then jax.jit); later calls run only
the program. So what the step does to the dicts and lists it reaches (`StepState.
traced_containers`: the modules' attribute, buffer and parameter dicts, and the dicts,
lists and plain objects reached by name) is undone after each trace, so that nothing keeps a
tracer, and:

- a tensor, or a tuple, list or dict of tensors, bound to a module attribute or buffer
  (`self.ema = 0.9 * self.ema + ...`, weight_norm's hook, `self.hidden = (h, c)`), to a dict
  entry or to an object's attribute (`stats["loss"] = loss`): where the tensors that were
  there are state, their slots carry the new values (the objects stay the same from call to
  call); otherwise the values leave the program and are bound after each call, and are
  state from the next call on;
- a plain value set on a module (`model.train()` inside the step, a counter), in an
  optimizer's param group (a warmup that sets lr from a step number), or added to a dict or
  an object (a cache filled; an empty dict or list, as a defaultdict gives a user
  optimizer's `self.state[p]`): set after each call to the value the trace left; a group's
  number computed from its traced value (`group["lr"] *= 0.99`) leaves the program and is
  set after each call (PyTorch-parity note: to the program's float32 precision, unless x64
  is on). The modules' plain
  attributes are part of the guard, so a call that starts from another value is traced
  again (a group's numbers are inputs);
- what the step appends to a list (`history.append(loss.detach())`) is appended after each
  call, its tensors with that call's values (the list is then not looked into for state).
  PyTorch-parity note: a trace sees only that the list grew at its end, so an insert at
  the front of a list empty at the time also appends;
- anything else (a list changed otherwise, a plain value of a dict or object changed, an
  entry deleted, a draw from a torch.Generator other than the default one, or from
  Python's `random`, `numpy.random` or a numpy generator) raises UntraceableError naming
  it: a compiled step could not repeat it.
"""

from __future__ import annotations

import operator
import pickle
import random

import jax
import numpy as np

from ._compile_reach import as_dicts, in_order, is_plain
from ._compile_schedulers import HostRead, PreRead
from ._tensor import Tensor
from ._trace_state import UntraceableError
from ._writes import CountedDict

_MISSING = object()


def is_tensor(x) -> bool:
    """Where a result or a Python value is not flattened further (jax.tree's is_leaf)."""
    return isinstance(x, Tensor)


def _structure(value) -> tuple:
    """(treedef, plain leaves with None where a tensor is, the tensors) of a value."""
    leaves, treedef = jax.tree.flatten(in_order(value), is_leaf=is_tensor)
    return (treedef, tuple(None if isinstance(x, Tensor) else x for x in leaves),
            [x for x in leaves if isinstance(x, Tensor)])


def _same_structure(a: tuple, b: tuple) -> bool:
    try:
        return a[0] == b[0] and a[1] == b[1]
    except Exception:           # plain leaves without a truth value for ==
        return False


class Effects:
    """What a traced step changed that is redone after every call (see the module
    docstring): `rebinds`, (dict, key, treedef, plain leaves) whose tensors' values the
    program outputs; `appends`, (list, [(treedef, plain leaves), ...]) for what the step
    appended, whose tensors' values it outputs too; `numbers`, (param group, key) set to a
    number computed from the traced hyperparameters (`group["lr"] *= 0.99`), output as
    well; and `replays`, (dict, key, plain value). The program outputs the values in that
    order."""

    __slots__ = ("rebinds", "appends", "numbers", "replays")

    def __init__(self, rebinds: list, replays: list, numbers: list = (), appends: list = ()):
        self.rebinds, self.replays = rebinds, replays
        self.numbers, self.appends = list(numbers), list(appends)

    def __bool__(self) -> bool:
        return bool(self.rebinds or self.replays or self.numbers or self.appends)

    def apply(self, values) -> None:
        """After a call: binds the rebound values (into the tensors there, when the entry
        still has that structure; PyTorch-parity note: eager code binds new tensors, with
        their graph, on every call) and sets the replayed plain values."""
        # (values are arrays, or Tensors with their graph after a compiled forward's call)
        values = iter(values)
        for d, k, treedef, plain in self.rebinds:
            new = [_array(next(values)) for x in plain if x is None]
            old = d.get(k, _MISSING)
            there = None if old is _MISSING else _structure(old)
            if there is not None and _same_structure(there, (treedef, plain)):
                for t, v in zip(there[2], new):
                    t._value, t._node = v, None
            else:
                new = iter(new)
                d[k] = as_dicts(jax.tree.unflatten(treedef, [
                    Tensor._make(next(new)) if x is None else x for x in plain]))
        for lst, items in self.appends:
            for treedef, plain in items:
                lst.append(as_dicts(jax.tree.unflatten(treedef, [
                    _tensor(next(values)) if x is None else
                    x.get() if isinstance(x, HostRead) else x for x in plain])))
        for d, k in self.numbers:
            # (a Python number again, as eagerly: it waits for the call's result)
            d[k] = float(next(values))
        for d, k, v in self.replays:
            d[k] = v


class Watch:
    """The traced containers, copied before a trace, and the states of the Python and
    numpy random generators the step might draw from."""

    def __init__(self, containers: list, randoms: list = (), rebound: list = ()):
        """containers: (dict or list, name, kind) with kind "module", "group" (an optimizer's
        param group), "dict", "object", "generator" (its attributes) or "list"; randoms:
        (random.Random, numpy Generator or RandomState, name) reached by the step (the
        global ones of `random` and `numpy.random` are always watched); rebound: (globals
        dict or closure cell, name) for the variables the step's code rebinds."""
        self.containers = containers
        self.rebound = [(c, name, _variable(c, name)) for c, name in rebound]
        self.copies = [list(c) if kind == "list" else dict(c) for c, _, kind in containers]
        self.randoms = [(r, name, _get_state(r)) for r, name in [*_global_randoms(), *randoms]]

    def effects(self, state_tensors: list, host=lambda x: x) -> tuple:
        """After the step ran, inside the trace: (Effects, the traced values the program
        outputs for its rebinds). Writes rebound values that state slots carry into those
        tensors. Raises UntraceableError for a change that cannot be redone. host: what a
        plain leaf is on every call (compile's host_read: a param group's or a scheduler's
        number read on the host)."""
        for r, name, before in self.randoms:
            if pickle.dumps(_get_state(r)) != pickle.dumps(before):
                raise _cannot_repeat(
                    f"drew random numbers from {name}", "draw with torch (torch.rand, "
                    "torch.randint, ...: the default generator's key is threaded through "
                    "the program), or draw outside the step and pass the values in")
        for c, name, before in self.rebound:
            if _variable(c, name) is not before:
                kind = "global" if isinstance(c, dict) else "closure (nonlocal)"
                raise _cannot_repeat(
                    f"rebinds the {kind} variable `{name}`", "keep the value in a tensor "
                    "changed in place (a buffer, `count.add_(1)`), or rebind it outside the "
                    "step and pass it in")
        in_state = set(map(id, state_tensors))
        rebinds, replays, numbers, appends = [], [], [], []
        values, numbers_values, appended_values = [], [], []
        for (c, name, kind), before in zip(self.containers, self.copies):
            if kind == "list":
                same_start = all(map(operator.is_, c, before))
                if same_start and len(c) == len(before):
                    continue
                if not same_start or len(c) < len(before):
                    raise _cannot_repeat(f"changed the list `{name}` (other than by appending "
                                         "to it)", "return the values and change the list "
                                         "after the call")
                items = []                  # appended (`history.append(loss.detach())`)
                for x in c[len(before):]:
                    shape = _structure(x)
                    items.append((shape[0], [_appended(v, host, name) for v in shape[1]]))
                    appended_values += [t._value for t in shape[2]]
                appends.append((c, items))
                continue
            if _unchanged(c, before):
                continue
            if kind == "generator":
                raise _cannot_repeat(
                    f"drew random numbers from the torch.Generator `{name}`; only the default "
                    "generator's key is threaded through a compiled program", "draw from the "
                    "default generator (seeded by torch.manual_seed)")
            for k in [*before, *(k for k in c if k not in before)]:
                new, old = c.get(k, _MISSING), before.get(k, _MISSING)
                if new is old:
                    continue
                where = f"{name}[{_key_text(k)}]" if kind in ("dict", "group") else \
                    f"{name}.{k}"
                if new is _MISSING:
                    raise _cannot_repeat(f"deleted `{where}`", "delete it outside the step")
                shape = _structure(new)
                if shape[2] and kind != "group":
                    there = None if old is _MISSING else _structure(old)
                    # (not one sharing its value with other tensors, a `p.detach()` or a
                    # view: writing the new value into it would write into those)
                    if there is not None and _same_structure(there, shape) and all(
                            id(t) in in_state and t._aliases is None
                            and not t.__dict__.get("_views")
                            and not t.__dict__.get("_view_of") for t in there[2]):
                        for t, v in zip(there[2], shape[2]):
                            t._value = v._value      # the state slot carries it
                    else:
                        rebinds.append((c, k, shape[0], shape[1]))
                        values += [t._value for t in shape[2]]
                elif (is_plain(new) and kind in ("module", "group")) or (
                        old is _MISSING and (is_plain(new) or _empty_container(new))):
                    # (an entry added to a dict or an object: a cache filled, set again;
                    # an empty dict: a defaultdict's entry looked up, as an optimizer's state)
                    replays.append((c, k, new))
                elif kind == "group" and isinstance(new, jax.Array) and new.shape == ():
                    numbers.append((c, k))
                    numbers_values.append(new)
                elif kind == "group":
                    # (a tensor: the group's numbers are the program's inputs as numbers)
                    raise _cannot_repeat(f"set `{where}` to {type(new).__name__}",
                                         "set a number computed from the group's numbers "
                                         "(group['lr'] = group['lr'] * 0.5), or set it "
                                         "outside the step")
                else:
                    raise _cannot_repeat(f"set `{where}`", "keep the value in a tensor, or set "
                                         "it outside the step")
        return (Effects(rebinds, replays, numbers, appends),
                values + appended_values + numbers_values)

    def put_back(self) -> None:
        """Undoes what the trace changed in the containers and the random generators."""
        for r, _, before in self.randoms:
            _set_state(r, before)
        for c, name, before in self.rebound:
            if _variable(c, name) is not before:
                _set_variable(c, name, before)
        for (c, _, kind), before in zip(self.containers, self.copies):
            if kind == "list":
                if len(c) != len(before) or any(map(operator.is_not, c, before)):
                    c[:] = before
            elif not _unchanged(c, before):
                c.clear()
                c.update(before)


def _global_randoms() -> list:
    return [(random._inst, "Python's `random` module"),
            (np.random.mtrand._rand, "`numpy.random`")]


def _get_state(r):
    if isinstance(r, random.Random):
        return r.getstate()
    if isinstance(r, np.random.Generator):
        return r.bit_generator.state
    return r.get_state()


def _set_state(r, state) -> None:
    if isinstance(r, random.Random):
        r.setstate(state)
    elif isinstance(r, np.random.Generator):
        r.bit_generator.state = state
    else:
        r.set_state(state)


def _variable(c, name: str):
    """The object a globals dict binds to `name`, or a cell holds (_MISSING if none)."""
    if isinstance(c, dict):
        return c.get(name, _MISSING)
    try:
        return c.cell_contents
    except ValueError:          # an empty cell
        return _MISSING


def _set_variable(c, name: str, value) -> None:
    if isinstance(c, dict):
        if value is _MISSING:
            c.pop(name, None)
        else:
            c[name] = value
    elif value is _MISSING:
        del c.cell_contents
    else:
        c.cell_contents = value


def _array(v):
    return v._value if isinstance(v, Tensor) else v


def _tensor(v):
    return v if isinstance(v, Tensor) else Tensor._make(v)


def _appended(x, host, name: str):
    """A plain leaf of what the step appended to the list `name`, as appended on every
    call: a number read from a param group or a scheduler is read on the host when it is
    appended (before the call's recorded scheduler steps are replayed)."""
    read = host(x)
    if type(read) is PreRead:
        return HostRead(read.getter, read.key)
    if isinstance(read, HostRead):
        raise _cannot_repeat(
            f"appended to the list `{name}` a number read after scheduler.step() (or set "
            "in the step)", "append it before scheduler.step(), or return it and append it "
            "after the call")
    if isinstance(x, jax.core.Tracer):
        # (a number computed from a param group's traced numbers, `lr * 2`: the trace's
        # value would be appended on every call)
        raise _cannot_repeat(
            f"appended to the list `{name}` a number computed from an optimizer's traced "
            "hyperparameters", "append the number it was computed from, or return it and "
            "append it after the call")
    return x


def _empty_container(x) -> bool:
    return type(x) in (dict, list, CountedDict) and not x


def _key_text(k) -> str:
    """A dict key in a message: its repr, or a tensor's kind and shape (an optimizer's
    state is keyed by parameters, whose values a trace cannot print)."""
    if isinstance(k, Tensor):
        return f"<{type(k).__name__} of shape {list(k.shape)}>"
    return repr(k)


def _unchanged(d: dict, before: dict) -> bool:
    """Whether a dict holds the same keys, in the same order, bound to the same objects
    (compared by identity)."""
    return len(d) == len(before) and all(map(operator.is_, d, before)) and all(
        map(operator.is_, d.values(), before.values()))


def _cannot_repeat(what: str, instead: str) -> UntraceableError:
    return UntraceableError(
        f"functorch_like.compile: the step {what}. A compiled step runs its Python once, "
        "while it is traced, and later calls run only the traced program, so this would "
        f"not happen on every call; {instead}, or call the function without compile.")
