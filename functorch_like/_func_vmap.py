"""torch.func.vmap over our Tensors: jax.vmap of the function over arrays, with torch's
randomness modes."""

from __future__ import annotations

import contextlib
from typing import Callable

import jax

from . import _func_graph, _random
from ._func_bridge import _is_tensor, _reorder, _wrap, array_leaves, use_key, write_back
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
    check_randomness(randomness)
    if chunk_size is not None and (isinstance(chunk_size, bool)
                                   or not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")
    name = getattr(func, "__name__", type(func).__name__)

    def returning_tensors(*a, **kw):
        out = func(*a, **kw)
        _check_outputs(out, out_dims, name)
        return out

    def v(*args, **kwargs):
        _check_inputs(name, in_dims, out_dims, args)
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)

        def core(arrays, kw):
            with _torch_errors():
                return _core(arrays, kw)

        def _core(arrays, kw):
            seen = {}
            # The positional tensors' batch dims, when each argument has one (int or None):
            # func's in-place writes into them come out with them, to be written back.
            axes = _leaf_axes(args, dims)
            wrapped = _wrap(returning_tensors, seen=seen, args_like=args,
                            with_writes=axes is not None)
            out_axes = out_dims if axes is None else (out_dims, axes)
            if randomness == "different":
                size = _batch_size(arrays, dims)
                keys = jax.random.split(_random.next_key(), size)

                def keyed(k, *a):
                    with use_key(k):
                        return wrapped(*a, **kw)
                out = _vmapped(keyed, (0, *dims), out_axes, (keys, *arrays), name,
                               axes is not None)
            elif randomness == "same":
                key = _random.next_key()

                def same(*a):
                    with use_key(key):
                        return wrapped(*a, **kw)
                out = _vmapped(same, tuple(dims), out_axes, arrays, name, axes is not None)
            else:
                def strict(*a):
                    with _no_random():
                        return wrapped(*a, **kw)
                out = _vmapped(strict, tuple(dims), out_axes, arrays, name,
                               axes is not None)
            if axes is not None:
                out, writes = out
                write_back(args, writes)
            return _reorder(seen.get("out"), out)
        return _func_graph.call("Vmap", (_freeze(in_dims), _freeze(out_dims), randomness),
                                func, core, args, kwargs)
    return v


def check_randomness(randomness) -> None:
    if randomness not in ("error", "same", "different"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _leaf_axes(args: tuple, dims) -> tuple | None:
    """Per tensor leaf of the positional arguments (jax's order): its batch dim; None when
    an in_dims entry's structure is one this does not follow (then no write-back)."""
    axes = []
    for arg, dim in zip(args, dims):
        leaf_dims = _leaf_dims(arg, dim)
        if leaf_dims is None:
            return None
        axes += leaf_dims
    return tuple(axes)


def _leaf_dims(arg, dim) -> list | None:
    """The batch dim of each tensor leaf of `arg` (jax's leaf order) for its in_dims entry
    `dim`: an int or None for the whole argument, or a prefix of its structure (tuples,
    lists and dicts of dims); None for another structure."""
    pairs = _leaf_pairs(arg, dim, sorted)           # (jax's order of dict keys)
    if pairs is None:
        return None
    return [d for x, d in pairs
            if _is_tensor(x) or isinstance(x, (jax.Array, jax.core.Tracer))]


def _leaf_pairs(arg, dim, keys=list) -> list | None:
    """(leaf, its in_dim) for every leaf of `arg` (Tensors and plain values), following
    the in_dims entry's structure where it is a prefix of the argument's (dict entries in
    the order `keys` gives); None where it is not."""
    if dim is None or isinstance(dim, int):
        return [(x, dim) for x in jax.tree.leaves(arg, is_leaf=_is_tensor)]
    if isinstance(dim, (tuple, list)) and isinstance(arg, (tuple, list)) \
            and len(dim) == len(arg):
        pairs = zip(dim, arg)
    elif isinstance(dim, dict) and isinstance(arg, dict) and dim.keys() == arg.keys():
        pairs = ((dim[k], arg[k]) for k in keys(arg))
    else:
        return None
    out = []
    for d, a in pairs:
        sub = _leaf_pairs(a, d, keys)
        if sub is None:
            return None
        out += sub
    return out


def _vmapped(fn, in_axes, out_axes, arrays, name: str, writes: bool):
    """jax.vmap(fn)(*arrays). A batched result where out_dims is None raises torch's
    ValueError; an in-place write of batched values into an argument that is not batched
    (`writes`: out_axes is (out_dims, the arguments' axes)) raises, as in torch."""
    try:
        return jax.vmap(fn, in_axes=in_axes, out_axes=out_axes)(*arrays)
    except ValueError as e:
        if "got axis spec None but output was batched" not in str(e):
            raise
        into_argument = writes and str(e).startswith("at vmap out_axes[1]")
    if into_argument:
        raise RuntimeError("vmap: an in-place operation wrote values that vary across the "
                           "batch into an input that is not batched (its in_dims entry is "
                           "None); batch that input or write out of place")
    raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when "
                     "out_dim is None")


def _check_inputs(name: str, in_dims, out_dims, args: tuple) -> None:
    """torch's ValueErrors for vmap's arguments, before JAX's own (worded otherwise, some
    TypeErrors): no inputs, in_dims or out_dims of another type, in_dims not matching the
    arguments, an in_dim on a non-Tensor or out of range, unequal mapped sizes."""
    from ._tensor import Tensor
    call = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no inputs. "
                         "The latter is unsupported.")
    if not (in_dims is None or isinstance(in_dims, tuple) or
            isinstance(in_dims, int) and not isinstance(in_dims, bool)):
        raise ValueError(f"{call}: expected `in_dims` to be int or a (potentially nested) "
                         f"tuple matching the structure of inputs, got: {type(in_dims)}.")
    if not _dims_tree(out_dims):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an "
                         "int, None or a python collection of ints representing where in "
                         "the outputs the vmapped dimension should appear.")
    if isinstance(in_dims, tuple) and len(in_dims) != len(args):
        raise ValueError(f"{call}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has {len(in_dims)} entries but inputs has {len(args)} "
                         "(one per positional argument)")
    dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
    sizes = []
    for arg, dim in zip(args, dims):
        for leaf, d in _leaf_pairs(arg, dim) or ():   # (another structure: JAX's error)
            if d is None:
                continue
            if not isinstance(leaf, (Tensor, jax.Array, jax.core.Tracer)):
                raise ValueError(f"{call}: Got in_dim={d} for an input but the input is of "
                                 f"type {type(leaf)}. We cannot vmap over non-Tensor "
                                 "arguments, please use None as the respective in_dim")
            if not -leaf.ndim <= d < leaf.ndim:
                raise ValueError(f"{call}: Got in_dim={d} for some input, but that input is "
                                 f"a Tensor of dimensionality {leaf.ndim} so expected in_dim "
                                 f"to satisfy -{leaf.ndim} <= in_dim < {leaf.ndim}.")
            sizes.append(leaf.shape[d])
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")


def _dims_tree(dims) -> bool:
    """Whether `dims` is an int, None, or tuples/lists/dicts of those."""
    if dims is None or isinstance(dims, int) and not isinstance(dims, bool):
        return True
    if isinstance(dims, (tuple, list)):
        return all(map(_dims_tree, dims))
    if isinstance(dims, dict):
        return all(map(_dims_tree, dims.values()))
    return False


def _check_outputs(out, out_dims, name: str) -> None:
    """torch's ValueError for a result leaf that is no Tensor where its out_dims entry
    batches it (a Python number, None)."""
    from ._tensor import Tensor

    def check(dim, sub):
        if dim is None:
            return
        if isinstance(dim, (tuple, list)) and isinstance(sub, (tuple, list)) \
                and len(dim) == len(sub):
            for d, x in zip(dim, sub):
                check(d, x)
            return
        if isinstance(dim, dict) and isinstance(sub, dict):
            for k, x in sub.items():
                check(dim.get(k, 0), x)
            return
        for leaf in jax.tree.leaves(sub, is_leaf=lambda x: x is None or isinstance(x, Tensor)):
            if not isinstance(leaf, (Tensor, jax.Array, jax.core.Tracer)):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                                 f"type {type(leaf)}. Did you mean to set out_dims= to None "
                                 "for output?")
    check(out_dims, out)


def _batch_size(arrays, dims) -> int:
    for a, d in zip(arrays, dims):
        leaves = array_leaves(a)
        for leaf, leaf_dim in zip(leaves, _leaf_dims(a, d) or [d] * len(leaves)):
            if isinstance(leaf_dim, int):
                return leaf.shape[leaf_dim]
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


RANDOMNESS_ERROR = ("vmap: called random operation while in randomness error mode. Please "
                    "either use the 'same' or 'different' randomness flags on vmap or "
                    "perform the randomness operation out of vmap")


@contextlib.contextmanager
def _no_random(error: Exception | None = None):
    """A random op inside the block raises `error` (vmap's randomness='error' one)."""
    gen = _random.default_generator
    original = type(gen).next_key

    def refuse(self):
        raise error if error is not None else RuntimeError(RANDOMNESS_ERROR)
    type(gen).next_key = refuse
    try:
        yield
    finally:
        type(gen).next_key = original
