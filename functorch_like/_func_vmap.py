"""torch.func.vmap over our Tensors: jax.vmap of the function over arrays, with torch's
randomness modes."""

from __future__ import annotations

import contextlib
from typing import Callable

import jax

from . import _func_graph, _random
from ._func_bridge import _reorder, _wrap, array_leaves, use_key, write_back
from ._func_graph import _freeze


class _RandomnessError:
    """Stands in for the generator's key under vmap(randomness='error')."""


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size=None) -> Callable:
    """Vectorizes func over the given dims (torch.func.vmap).

    randomness: 'error' raises on a random op inside, 'same' uses one draw for the whole
    batch, 'different' gives each batch element its own key.

    PyTorch parity: with Tensors in, the result is part of the eager graph when what it was
    computed from needs grad (an input that requires grad, the parameters of the Module
    vmapped, stacked ensemble parameters), so `vmap(model)(x).sum().backward()` trains the
    model. Backward replays the call with the forward's random key: the same masks.
    """
    if randomness not in ("error", "same", "different"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    def v(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)

        def core(arrays, kw):
            with _torch_errors():
                return _core(arrays, kw)

        def _core(arrays, kw):
            seen = {}
            # The positional tensors' batch dims, when each argument has one (int or None):
            # func's in-place writes into them come out with them, to be written back.
            axes = _leaf_axes(args, dims)
            wrapped = _wrap(func, seen=seen, args_like=args, with_writes=axes is not None)
            out_axes = out_dims if axes is None else (out_dims, axes)
            if randomness == "different":
                size = _batch_size(arrays, dims)
                keys = jax.random.split(_random.next_key(), size)

                def keyed(k, *a):
                    with use_key(k):
                        return wrapped(*a, **kw)
                out = _vmapped(keyed, (0, *dims), out_axes, (keys, *arrays))
            elif randomness == "same":
                key = _random.next_key()

                def same(*a):
                    with use_key(key):
                        return wrapped(*a, **kw)
                out = _vmapped(same, tuple(dims), out_axes, arrays)
            else:
                def strict(*a):
                    with _no_random():
                        return wrapped(*a, **kw)
                out = _vmapped(strict, tuple(dims), out_axes, arrays)
            if axes is not None:
                out, writes = out
                write_back(args, writes)
            return _reorder(seen.get("out"), out)
        return _func_graph.call("Vmap", (_freeze(in_dims), _freeze(out_dims), randomness),
                                func, core, args, kwargs)
    return v


def _leaf_axes(args: tuple, dims) -> tuple | None:
    """Per tensor leaf of the positional arguments (jax's order): its argument's batch
    dim; None when an argument's in_dims entry is a pytree of dims (no write-back)."""
    axes = []
    for arg, dim in zip(args, dims):
        if dim is not None and not isinstance(dim, int):
            return None
        axes += [dim] * len(array_leaves(arg))
    return tuple(axes)


def _vmapped(fn, in_axes, out_axes, arrays):
    """jax.vmap(fn)(*arrays); an in-place write of batched values into an argument that
    is not batched raises, as in torch."""
    try:
        return jax.vmap(fn, in_axes=in_axes, out_axes=out_axes)(*arrays)
    except ValueError as e:
        if "out_axes" not in str(e) or "None" not in str(e):
            raise
    raise RuntimeError("vmap: an in-place operation wrote values that vary across the batch "
                       "into an input that is not batched (its in_dims entry is None); "
                       "batch that input or write out of place")


def _batch_size(arrays, dims) -> int:
    for a, d in zip(arrays, dims):
        if d is not None:
            leaf = jax.tree.leaves(a)[0]
            return leaf.shape[d]
    raise ValueError("vmap: at least one input must be batched (in_dims not all None)")


@contextlib.contextmanager
def _torch_errors():
    """torch's RuntimeErrors for reading a batched value in Python inside vmap (JAX's are
    TypeErrors that describe tracers)."""
    try:
        yield
    except jax.errors.TracerBoolConversionError:
        raise RuntimeError("vmap: It looks like you're attempting to use a Tensor in some "
                           "data-dependent control flow. We don't support that yet, please "
                           "file an issue at https://github.com/pytorch/pytorch/issues .") \
            from None
    except (jax.errors.ConcretizationTypeError, jax.errors.TracerIntegerConversionError):
        raise RuntimeError("vmap: It looks like you're calling .item() on a Tensor. We don't "
                           "support vmap over calling .item() on a Tensor, please try to "
                           "rewrite what you're doing with other operations. If error is "
                           "occurring somewhere inside PyTorch internals, please file a bug "
                           "report.") from None


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
