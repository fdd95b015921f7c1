"""torch.func on our Modules, and the bridge to pure JAX.

Every function here is pure in the JAX sense: `functional_call` swaps the given arrays into
the module for the duration of one call and restores the module afterwards, so it goes
under `jax.jit`, `jax.grad` and `jax.vmap`. Inside the transforms below, ops run without
recording an autograd graph: JAX differentiates them directly.

The bridge the other way, `to_pure(module)`, gives `(apply_fn, params, buffers)` with
`apply_fn(params, buffers, *args, key=None) -> (output, new_buffers)`, ready for
`jax.grad` and optax.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Sequence

import jax
import jax.numpy as jnp

from . import _random
from ._tensor import Tensor
from .autograd._grad_mode import no_grad

__all__ = ["functional_call", "stack_module_state", "to_pure", "grad", "grad_and_value",
           "vjp", "jvp", "vmap", "jacrev", "jacfwd", "hessian"]


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _arrays(tree):
    """Tensors -> their arrays (plain pytree of arrays)."""
    return jax.tree.map(lambda x: x._value if _is_tensor(x) else x, tree, is_leaf=_is_tensor)


def _tensors(tree):
    """Arrays -> plain Tensors (no graph, no requires_grad)."""
    return jax.tree.map(lambda x: Tensor._make(x) if isinstance(x, (jax.Array, jax.core.Tracer))
                        else x, tree, is_leaf=_is_tensor)


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
        yield gen
    finally:
        gen._key = saved


@contextlib.contextmanager
def _swapped(module, values: dict, strict: bool):
    """Temporarily gives the named parameters/buffers of `module` the given values."""
    tensors = dict(module.named_parameters(remove_duplicate=False))
    tensors.update(module.named_buffers(remove_duplicate=False))
    unknown = [k for k in values if k not in tensors]
    if unknown and strict:
        raise RuntimeError(f"Unexpected key(s): {', '.join(repr(k) for k in unknown)}.")
    if strict:
        missing = [k for k in tensors if k not in values]
        if missing:
            raise RuntimeError(f"Missing key(s): {', '.join(repr(k) for k in missing)}.")
    saved = {k: (t, t._value, t._node, t._out, t._requires_grad) for k, t in tensors.items()}
    try:
        for k, v in values.items():
            if k in tensors:
                t = tensors[k]
                if _is_tensor(v):
                    t._value, t._node, t._out = v._value, v._node, v._out
                    t._requires_grad = v._requires_grad
                else:
                    t._value = jnp.asarray(v)
                    t._node, t._requires_grad = None, False
        yield tensors
    finally:
        for t, value, node, out, rg in saved.values():
            t._value, t._node, t._out, t._requires_grad = value, node, out, rg


def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """Calls `module(*args, **kwargs)` with its parameters/buffers replaced by the given
    values (Tensors or jax arrays, keyed by state_dict names), leaving the module as it was.

    With jax-array inputs the output is jax arrays (so the call composes with jax.grad and
    jax.jit); with Tensor inputs the output is Tensors, as torch.func.functional_call.
    """
    if isinstance(parameter_and_buffer_dicts, Sequence):
        merged = {}
        for d in parameter_and_buffer_dicts:
            merged.update(d)
        parameter_and_buffer_dicts = merged
    if not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}
    raw = _has_raw_arrays((parameter_and_buffer_dicts, args, kwargs))
    with _swapped(module, parameter_and_buffer_dicts, strict):
        out = module(*_tensors(args), **_tensors(kwargs))
    return _arrays(out) if raw else out


def stack_module_state(models) -> tuple[dict, dict]:
    """Stacks the parameters and buffers of identically-built models along a new dim 0,
    for running an ensemble with vmap(functional_call)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    names = [n for n, _ in models[0].named_parameters()]
    bnames = [n for n, _ in models[0].named_buffers()]
    params, buffers = {}, {}
    for n in names:
        stacked = jnp.stack([dict(m.named_parameters())[n]._value for m in models])
        params[n] = Tensor._make(stacked).requires_grad_(True)
    for n in bnames:
        buffers[n] = Tensor._make(jnp.stack([dict(m.named_buffers())[n]._value
                                             for m in models]))
    return params, buffers


def to_pure(module) -> tuple[Callable, dict, dict]:
    """The module as a pure function over parameter pytrees.

    Returns:
      (apply_fn, params, buffers): `params` and `buffers` are dicts of jax arrays keyed by
      state_dict names; `apply_fn(params, buffers, *args, key=None, **kwargs)` returns
      `(output, new_buffers)` with jax arrays (BatchNorm's updated running statistics in
      train mode), drawing Dropout masks from `key`. The module's train/eval mode at call
      time decides the behaviour; the module itself is left unchanged.
    """
    params = {n: p._value for n, p in module.named_parameters()}
    buffers = {n: b._value for n, b in module.named_buffers()}

    def apply_fn(params, buffers, *args, key=None, **kwargs):
        with use_key(key), no_grad(), _swapped(module, {**params, **buffers}, False) as live:
            out = module(*_tensors(args), **_tensors(kwargs))
            new_buffers = {n: live[n]._value for n in buffers}
        return _arrays(out), new_buffers

    return apply_fn, params, buffers


# ---- transforms ---------------------------------------------------------------------

def _wrap(func: Callable, has_aux: bool = False) -> Callable:
    """func over Tensors -> function over arrays (for jax transforms)."""
    def inner(*args, **kwargs):
        with no_grad():
            out = func(*_tensors(args), **_tensors(kwargs))
        return _arrays(out)
    return inner


def _result(tree, like_tensors: bool):
    return _tensors(tree) if like_tensors else tree


def _tensor_inputs(args) -> bool:
    return any(_is_tensor(x) for x in jax.tree.leaves(args, is_leaf=_is_tensor))


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """d func / d args[argnums] for a func returning a scalar (torch.func.grad)."""
    def g(*args, **kwargs):
        out = jax.grad(_wrap(func), argnums=argnums, has_aux=has_aux)(*_arrays(args),
                                                                       **_arrays(kwargs))
        return _result(out, _tensor_inputs(args))
    return g


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """(gradient, value) of a scalar func; with has_aux, (gradient, (value, aux))."""
    def g(*args, **kwargs):
        value, grads = jax.value_and_grad(_wrap(func), argnums=argnums, has_aux=has_aux)(
            *_arrays(args), **_arrays(kwargs))
        like = _tensor_inputs(args)
        return _result(grads, like), _result(value, like)
    return g


def vjp(func: Callable, *primals, has_aux: bool = False):
    """(output, vjp_fn) where vjp_fn(cotangents) gives one cotangent per primal."""
    like = _tensor_inputs(primals)
    res = jax.vjp(_wrap(func), *_arrays(primals), has_aux=has_aux)
    out, pullback = res[0], res[1]

    def vjp_fn(cotangents):
        return _result(pullback(_arrays(cotangents)), like)
    if has_aux:
        return _result(out, like), vjp_fn, _result(res[2], like)
    return _result(out, like), vjp_fn


def jvp(func: Callable, primals, tangents, *, has_aux: bool = False):
    """(output, jvp_out): the forward-mode derivative along `tangents`."""
    like = _tensor_inputs(primals)
    out = jax.jvp(_wrap(func), tuple(_arrays(primals)), tuple(_arrays(tangents)),
                  has_aux=has_aux)
    return tuple(_result(o, like) for o in out)


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False) -> Callable:
    def j(*args):
        return _result(jax.jacrev(_wrap(func), argnums=argnums, has_aux=has_aux)(
            *_arrays(args)), _tensor_inputs(args))
    return j


def jacfwd(func: Callable, argnums=0, has_aux: bool = False,
           randomness: str = "error") -> Callable:
    def j(*args):
        return _result(jax.jacfwd(_wrap(func), argnums=argnums, has_aux=has_aux)(
            *_arrays(args)), _tensor_inputs(args))
    return j


def hessian(func: Callable, argnums=0) -> Callable:
    def h(*args):
        return _result(jax.hessian(_wrap(func), argnums=argnums)(*_arrays(args)),
                       _tensor_inputs(args))
    return h


class _RandomnessError:
    """Stands in for the generator's key under vmap(randomness='error')."""


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size=None) -> Callable:
    """Vectorizes func over the given dims (torch.func.vmap).

    randomness: 'error' raises on a random op inside, 'same' uses one draw for the whole
    batch, 'different' gives each batch element its own key.
    """
    if randomness not in ("error", "same", "different"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    def v(*args, **kwargs):
        like = _tensor_inputs(args)
        arrays = _arrays(args)
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if randomness == "different":
            size = _batch_size(arrays, dims)
            keys = jax.random.split(_random.next_key(), size)

            def keyed(k, *a):
                with use_key(k):
                    return _wrap(func)(*a, **kwargs)
            out = jax.vmap(keyed, in_axes=(0, *dims), out_axes=out_dims)(keys, *arrays)
        elif randomness == "same":
            key = _random.next_key()

            def same(*a):
                with use_key(key):
                    return _wrap(func)(*a, **kwargs)
            out = jax.vmap(same, in_axes=tuple(dims), out_axes=out_dims)(*arrays)
        else:
            def strict(*a):
                with _no_random():
                    return _wrap(func)(*a, **kwargs)
            out = jax.vmap(strict, in_axes=tuple(dims), out_axes=out_dims)(*arrays)
        return _result(out, like)
    return v


def _batch_size(arrays, dims) -> int:
    for a, d in zip(arrays, dims):
        if d is not None:
            leaf = jax.tree.leaves(a)[0]
            return leaf.shape[d]
    raise ValueError("vmap: at least one input must be batched (in_dims not all None)")


@contextlib.contextmanager
def _no_random():
    gen = _random.default_generator
    original = type(gen).next_key

    def refuse(self):
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")
    type(gen).next_key = refuse
    try:
        yield
    finally:
        type(gen).next_key = original
