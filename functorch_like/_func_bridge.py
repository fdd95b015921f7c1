"""The bridge between functions over Tensors and functions over jax arrays, for the
torch.func transforms: Tensors in and out of array pytrees (keeping the caller's dict key
order, which jax sorts), and a user's function wrapped for a jax transform."""

from __future__ import annotations

import contextlib
from typing import Callable

import jax

from . import _random
from ._tensor import Tensor
from ._func_frames import frame
from .autograd._grad_mode import _state as _grad_state
from .autograd._grad_mode import func_body, no_grad


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _arrays(tree):
    """Tensors -> their arrays (plain pytree of arrays), dict key order kept."""
    return _reorder(_skeleton(tree), jax.tree.map(
        lambda x: x._value if _is_tensor(x) else x, tree, is_leaf=_is_tensor))


def _tensors(tree):
    """Arrays -> plain Tensors (no graph, no requires_grad), dict key order kept."""
    return _reorder(_skeleton(tree), jax.tree.map(
        lambda x: Tensor._make(x) if isinstance(x, (jax.Array, jax.core.Tracer)) else x,
        tree, is_leaf=_is_tensor))


def _has_raw_arrays(tree) -> bool:
    leaves = jax.tree.leaves(tree, is_leaf=_is_tensor)
    return any(isinstance(x, (jax.Array, jax.core.Tracer)) and not _is_tensor(x)
               for x in leaves)


@contextlib.contextmanager
def use_key(key):
    """Makes the global generator draw from `key` (e.g. a traced key) inside the block."""
    gen = _random.default_generator
    saved = gen._key
    if key is not None:
        gen._key = key
    try:
        with _random.guarded():
            yield gen
    finally:
        gen._key = saved


def _is_tracer(x) -> bool:
    return isinstance(x, jax.core.Tracer)


def _skeleton(tree):
    """The containers of a pytree without its leaves: the key order to give back."""
    if isinstance(tree, dict):
        return {k: _skeleton(v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return [_skeleton(v) for v in tree]
    return None


def _reorder(template, tree):
    """jax rebuilds dicts with sorted keys; torch.func keeps the caller's order (a
    per-sample-gradient dict comes back in named_parameters order), so restore it."""
    if isinstance(template, dict) and isinstance(tree, dict) and set(template) == set(tree):
        return type(tree)((k, _reorder(template[k], tree[k])) for k in template)
    if isinstance(template, (tuple, list)) and isinstance(tree, (tuple, list)) \
            and len(template) == len(tree):
        items = [_reorder(t, x) for t, x in zip(template, tree)]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    return tree


def _wrap(func: Callable, has_aux: bool = False, seen: dict | None = None,
          args_like=None, with_writes: bool = False, reverse: tuple | None = None
          ) -> Callable:
    """func over Tensors -> function over arrays (for jax transforms).

    jax hands dicts to the function with sorted keys: `args_like` (the caller's arguments)
    restores their order, and `seen["out"]` receives the skeleton of the output. With
    `with_writes`, the function returns (output, writes): per tensor leaf of the
    positional arguments (jax's order), its new value where func wrote into it in place,
    else None (see write_back). `reverse`, for a grad-type transform: the positions of the
    arguments it differentiates in reverse mode (() in forward mode); func then runs in a
    transform frame, which refuses in-place writes into those arguments and into tensors
    made outside func (_func_frames).
    """
    template = None if args_like is None else _skeleton(tuple(args_like))

    def inner(*args, **kwargs):
        if template is not None:
            args = _reorder(template, args)
        gen = _random.default_generator
        key = gen._key
        with contextlib.nullcontext() if reverse is None else frame() as run:
            tensors = _tensors(args)
            if run is not None:
                for i in reverse:
                    run.differentiate(tensor_leaves(tensors[i]))
            if with_writes:
                leaves = tensor_leaves(tensors)
                before = [t._value for t in leaves]
            with func_body(), _random.guarded():
                out = func(*tensors, **_tensors(kwargs))
        if _is_tracer(gen._key) and not _is_tracer(key):
            gen._key = key          # a random op staged by an outer jax.jit: no leak
        if seen is not None:
            seen["out"] = _skeleton(out)
        if with_writes:
            return _arrays(out), tuple(None if t._value is b else t._value
                                       for t, b in zip(leaves, before))
        return _arrays(out)
    return inner


def write_back(args: tuple, writes: tuple) -> None:
    """A transform's in-place writes into the caller's tensors (`writes`, as `_wrap`'s
    with_writes gives them), as torch.func makes them; not while the call is replayed for
    a backward."""
    if type(_grad_state.capture).__name__ == "_Replay":
        return
    with no_grad():
        for target, value in zip(array_leaves(args), writes):
            if value is not None and _is_tensor(target):
                target._set(Tensor._make(value))


def tensor_leaves(tree) -> list:
    """The Tensors of a pytree, in jax's leaf order."""
    return [x for x in jax.tree.leaves(tree, is_leaf=_is_tensor) if _is_tensor(x)]


def array_leaves(tree) -> list:
    """The Tensors and arrays of a pytree, in jax's leaf order: those `_tensors(tree)`
    makes Tensors of, so position k here is `tensor_leaves(_tensors(tree))[k]`."""
    return [x for x in jax.tree.leaves(tree, is_leaf=_is_tensor)
            if _is_tensor(x) or isinstance(x, (jax.Array, jax.core.Tracer))]


def _selected(args, argnums):
    return tuple(args[i] for i in argnums) if isinstance(argnums, (tuple, list)) \
        else args[argnums]


def _result(tree, like_tensors: bool):
    return _tensors(tree) if like_tensors else tree


def _tensor_inputs(args) -> bool:
    return any(_is_tensor(x) for x in jax.tree.leaves(args, is_leaf=_is_tensor))
