"""A compiled call's arguments: which are inputs of the program (tensors, arrays), which
select it (everything else, with its type), and how the trace sees them again (a tensor
passed twice, or also state, is one tensor there); what goes back to the caller's tensors
after the call."""

from __future__ import annotations

import operator

import jax

from ._compile_numbers import NUMBER, as_input
from ._compile_reach import (in_order, is_argument_leaf, is_data_object, is_state_object,
                             typed)
from ._compile_state import set_grads
from ._tensor import Tensor
from ._trace_state import UntraceableError
from .autograd import _grad_mode


def split_args(leaves: list, state_index: dict, numbers=()) -> tuple:
    """(dynamic inputs, static part, sources) of a call's argument leaves: tensors become
    dynamic inputs, and so do the float arguments at the leaf positions `numbers` (see
    _compile_numbers); state objects and other values are static.

    A tensor that is also state (a parameter passed in) is that state tensor in the
    trace, and one passed twice is the same tensor there, as eagerly (in-place changes
    through either name show through the other). `sources` gives, per dynamic input, the
    argument tensor it is the value of (None for a .grad's value and a raw array)."""
    dynamic, static, sources, first = [], [], [], {}
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, Tensor):
            if id(leaf) in state_index:
                static.append(("state tensor", state_index[id(leaf)]))
                continue
            if id(leaf) in first:
                static.append(("same", first[id(leaf)]))
                continue
            first[id(leaf)] = i
            dynamic.append(leaf._value)
            sources.append(leaf)
            # One that requires grad (a leaf, with or without a .grad, which enters too)
            # or is part of a graph ("graph") is differentiated through, as eagerly.
            if leaf._node is not None:
                static.append("graph")
            elif leaf._requires_grad:
                static.append(("grad", leaf._grad is not None))
                if leaf._grad is not None:
                    dynamic.append(leaf._grad._value)
                    sources.append(None)
            else:
                static.append(None)
        elif isinstance(leaf, (jax.Array,)):
            dynamic.append(leaf)
            sources.append(None)
            static.append("array")
        elif type(leaf) is float and i in numbers:
            dynamic.append(as_input(leaf))
            sources.append(None)
            static.append(NUMBER)
        else:
            # (with its type: 1, 1.0 and True are equal but trace differently)
            static.append(("state", id(leaf)) if is_state_object(leaf) else typed(leaf))
    return dynamic, tuple(static), sources


def data_objects(tree) -> list:
    """(object, its attributes now) for the data objects in a step's arguments."""
    out, stack = [], [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif type(x) is dict:
            stack.extend(x.values())
        elif is_data_object(x):
            attrs = object.__getattribute__(x, "__dict__")
            out.append((x, dict(attrs)))
            stack.extend(attrs.values())
    return out


def check_objects_unchanged(objects: list) -> None:
    """Refuses a step that set or deleted an attribute of a data object it was passed:
    the trace saw a copy, so the change would be lost."""
    for obj, before in objects:
        now = object.__getattribute__(obj, "__dict__")
        if now.keys() != before.keys() or any(now[k] is not v for k, v in before.items()):
            raise UntraceableError(
                f"functorch_like.compile: the step set or deleted an attribute of the "
                f"{type(obj).__name__} object it was passed. A compiled step runs its "
                "Python once, while it is traced, on a copy of such an argument, so the "
                "change would not reach yours; return the values and set them after the "
                "call, or call the function without compile.")


def check_containers_unchanged(args, kwargs, treedef, leaves: list) -> None:
    """Refuses a step that changed a list or dict it was passed: the trace saw copies
    (the arguments are rebuilt from their leaves), so the change would be lost."""
    now, now_treedef = jax.tree.flatten(in_order((args, kwargs)), is_leaf=is_argument_leaf)
    if now_treedef != treedef or any(map(operator.is_not, now, leaves)):
        raise UntraceableError(
            "functorch_like.compile: the step changed a list, tuple or dict it was passed "
            "(appended to it, or set or deleted an entry). A compiled step runs its Python "
            "once, while it is traced, on copies of such arguments, so the change would "
            "not reach yours; return the values and change the container after the call, "
            "or call the function without compile.")


def distinct_inputs(args: tuple, state) -> bool:
    """Whether tensor arguments are all the program's own inputs: none passed twice, none
    state (either would be one tensor in the trace, as eagerly)."""
    return state.tensor_index.keys().isdisjoint(map(id, args)) and (
        len(args) < 2 or len(set(map(id, args))) == len(args))


def shared_storage(tensors, state_index: dict) -> tuple:
    """(among, with_state) for a call's own tensor arguments (none state, none twice):
    whether two of them, and whether one and a state tensor, share storage through views
    (`d` and `d[:2]`, `m.weight.detach()[0]`) or `.data`/`detach()` aliases. The program
    takes each argument as an input of its own, so a write through one would not show in
    the other, as it does eagerly: a call that writes there runs eagerly instead
    (_Program.aliasing_breaks). Views of one dataset tensor per argument (`X[i:j]`,
    `Y[i:j]`) share nothing."""
    among = with_state = False
    seen = set()
    for t in tensors:
        root = t
        while (view := root.__dict__.get("_view_of")) is not None:
            root = view[0]
        group = root._aliases
        if group is None:
            with_state = with_state or (root is not t and id(root) in state_index)
            key = id(root)
        else:
            with_state = with_state or any(
                (m := ref()) is not None and m is not t and id(m) in state_index
                for ref in group._members)
            key = id(group)
        among = among or key in seen
        seen.add(key)
    return among, with_state


def is_grad_leaf(s) -> bool:
    """Whether a static entry is a tensor argument that requires grad (a leaf)."""
    return type(s) is tuple and s[0] == "grad"


def is_own(s) -> bool:
    """Whether a static entry is a tensor argument that is one of the program's own
    inputs (not state, not a repeat)."""
    return s is None or s == "graph" or is_grad_leaf(s)


def own_tensors(leaves: list, static: tuple) -> list:
    """The argument tensors that are the program's own inputs (not state, not repeats), in
    the order it takes them."""
    return [x for x, s in zip(leaves, static) if isinstance(x, Tensor) and is_own(s)]


def rebuild_arguments(static: tuple, leaves: list, dynamic: list, state) -> list:
    """The argument leaves as the trace sees them: fresh tensors of the dynamic inputs
    (with their .grad where one entered), the state tensors themselves where a state
    tensor was passed, the first one again where a tensor was passed twice."""
    it, rebuilt = iter(dynamic), []
    for s, leaf in zip(static, leaves):
        if is_own(s):
            t = Tensor._make(next(it), requires_grad=s is not None)
            if is_grad_leaf(s) and s[1]:
                t._grad = Tensor._make(next(it))
            rebuilt.append(t)
        elif s == "array":
            rebuilt.append(next(it))
        elif s == NUMBER:       # (a dynamic float argument: a 0-d float32 tensor)
            rebuilt.append(Tensor._make(next(it)))
        elif type(s) is tuple and s[0] == "state tensor":
            rebuilt.append(state.tensors[s[1]])
        elif type(s) is tuple and s[0] == "same":
            rebuilt.append(rebuilt[s[1]])
        else:
            rebuilt.append(leaf)
    return rebuilt


def number_inputs(static: tuple) -> list:
    """The positions, among a call's dynamic inputs, of its dynamic float arguments (in
    the order split_args makes the inputs)."""
    out, n = [], 0
    for s in static:
        if s == NUMBER:
            out.append(n)
        if is_own(s) or s == "array" or s == NUMBER:
            n += 1 + (is_grad_leaf(s) and s[1])
    return out


def write_arguments(tensors: list, positions: tuple, values: list) -> None:
    """The new values of the tensor arguments a step changed in place (positions among
    `tensors`, the program's own), into the caller's tensors and their views and bases."""
    with _grad_mode.no_grad():      # (where it requires grad, the step changed it so)
        for i, v in zip(positions, values):
            tensors[i]._set(Tensor._make(v))    # as an in-place op: version, views, base


def set_argument_grads(tensors: list, grads: list) -> None:
    """Eager semantics for the step's tensor arguments that require grad: each one's
    .grad is what the step left there (its .grad before the call entered the program)."""
    set_grads([x for x in tensors if x._requires_grad and x._node is None], grads)
