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
from typing import Callable, Sequence

import jax
import jax.numpy as jnp

from . import _func_graph, _random
from ._func_bridge import (_arrays, _has_raw_arrays, _is_tensor, _is_tracer,
                          _reorder, _result, _selected, _skeleton, _tensor_inputs,
                          _tensors, _wrap, use_key, write_back)
from ._func_graph import _freeze
from ._func_swap import slots, swapped
from ._func_extras import debug_unwrap as debug_unwrap
from ._func_extras import functionalize as functionalize
from ._func_extras import linearize as linearize
from ._func_extras import replace_all_batch_norm_modules_ as replace_all_batch_norm_modules_
from ._func_vmap import vmap as vmap
from ._tensor import Size, Tensor
from .autograd._engine import _conj
from .autograd._grad_mode import no_grad

__all__ = ["functional_call", "stack_module_state", "to_pure", "grad", "grad_and_value",
           "vjp", "jvp", "vmap", "jacrev", "jacfwd", "hessian", "linearize", "functionalize",
           "debug_unwrap", "replace_all_batch_norm_modules_"]


@contextlib.contextmanager
def _kept(module, restore_all: bool):
    """Guards the state a call may write: the module's tensors (BatchNorm statistics not
    given in the dict) and the global generator's key (a dropout mask drawn).

    restore_all: put every module tensor back (a call on jax arrays is pure). Either way
    a value left holding a tracer (written while traced by jax.jit or the like) is put
    back, so no tracer escapes into the module or the generator.
    """
    tensors = {id(t): (t, t._value) for _, _, t in slots(module).values()}
    gen = _random.default_generator
    key = gen._key
    try:
        with _random.guarded():
            yield
    finally:
        for t, value in tensors.values():
            if restore_all or _is_tracer(t._value):
                t._value = value
        if _is_tracer(gen._key):
            gen._key = key


def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """Calls `module(*args, **kwargs)` with its parameters/buffers replaced by the given
    values (Tensors or jax arrays, keyed by state_dict names).

    With jax-array inputs the call is pure: the output is jax arrays (so it composes with
    jax.grad, jax.jit and jax.vmap) and the module is left exactly as it was (train-mode
    BatchNorm statistics of buffers not given are discarded: use `to_pure` to get them).
    With Tensor inputs it is torch.func.functional_call: Tensors out, autograd reaches
    the given tensors, in-place buffer updates land in the given buffers (or, for buffers
    not given, in the module's own; traced by jax.jit, those updates are traced values
    and are dropped, leaving the module's buffers as they were: pass the buffers, or use
    `to_pure`, which returns them).

    PyTorch parity: random ops draw from the global generator; traced by jax.jit they are
    drawn once at trace time (the generator is left untouched, no tracer escapes). For a
    fresh mask per call under jit, pass a key to `to_pure`'s apply function.
    """
    if isinstance(parameter_and_buffer_dicts, Sequence):
        merged = {}
        for d in parameter_and_buffer_dicts:
            merged.update(d)
        repeated = [k for k in merged
                    if sum(k in d for d in parameter_and_buffer_dicts) > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        parameter_and_buffer_dicts = merged
    if not isinstance(args, tuple):
        args = (args,)
    kwargs = kwargs or {}
    raw = _has_raw_arrays((parameter_and_buffer_dicts, args, kwargs))
    with _kept(module, restore_all=raw), \
            swapped(module, parameter_and_buffer_dicts, strict, tie_weights):
        out = module(*_tensors(args), **_tensors(kwargs))
    return _arrays(out) if raw else out


def stack_module_state(models) -> tuple[dict, dict]:
    """Stacks the parameters and buffers of identically-built models along a new dim 0,
    for running an ensemble with vmap(functional_call)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    names = [n for n, _ in models[0].named_parameters()]
    bnames = [n for n, _ in models[0].named_buffers()]
    params, buffers = {}, {}
    for n in names:
        tensors = [dict(m.named_parameters())[n] for m in models]
        flags = {t.requires_grad for t in tensors}
        if len(flags) > 1:
            raise RuntimeError(f"Expected {n} from each model to have the same .requires_grad")
        stacked = _stack([t._value for t in tensors])
        # (a frozen parameter stays frozen, as torch's)
        params[n] = Tensor._make(stacked).requires_grad_(flags.pop())
    for n in bnames:
        buffers[n] = Tensor._make(_stack([dict(m.named_buffers())[n]._value
                                          for m in models]))
    return params, buffers


def _stack(values: list):
    """jnp.stack, with torch.stack's error for unequal shapes."""
    for i, v in enumerate(values[1:], 1):
        if v.shape != values[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(values[0].shape)} at entry 0 and {list(v.shape)} at "
                               f"entry {i}")
    return jnp.stack(values)


def to_pure(module) -> tuple[Callable, dict, dict]:
    """The module as a pure function over parameter pytrees.

    Returns:
      (apply_fn, params, buffers): `params` and `buffers` are dicts of jax arrays keyed by
      state_dict names; `apply_fn(params, buffers, *args, key=None, **kwargs)` returns
      `(output, new_buffers)` with jax arrays (BatchNorm's updated running statistics in
      train mode), drawing Dropout masks from `key`. The module's train/eval mode at call
      time decides the behaviour; the module itself is left unchanged.

    Under jax.jit, "call time" is trace time: a jitted apply_fn keeps the mode it was
    traced in (jax.jit does not see `module.train()`/`eval()`); jit one function per
    mode, or trace again after switching. `params` and `buffers` are the module's own
    arrays, not copies: donating them to a jitted step (donate_argnums) deletes the
    module's weights; write results back with `module.load_state_dict`, which copies.
    """
    params = {n: p._value for n, p in module.named_parameters()}
    buffers = {n: b._value for n, b in module.named_buffers()}

    def apply_fn(params, buffers, *args, key=None, **kwargs):
        with use_key(key), no_grad(), swapped(module, {**params, **buffers}, False) as live:
            out = module(*_tensors(args), **_tensors(kwargs))
            new_buffers = {n: live[n]._value for n in buffers}
        return _arrays(out), new_buffers

    return apply_fn, params, buffers


# ---- transforms ---------------------------------------------------------------------

def _check_argnums(args: tuple, argnums, element_message: str = "argnum must be int") \
        -> tuple:
    """torch.func's RuntimeErrors for argnums (an int or a tuple of distinct ints, each in
    range: JAX's are TypeErrors and ValueErrors, worded otherwise); the argnums as a
    tuple."""
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    for num in nums:
        if isinstance(num, bool) or not isinstance(num, int):
            raise RuntimeError(f"{element_message}, got: {type(num)}")
        if not -len(args) <= num < len(args):
            raise RuntimeError(f"Got argnum={num}, but only {len(args)} positional inputs")
    if len({num % len(args) for num in nums}) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return nums


def _check_grad_args(args: tuple, argnums) -> None:
    """torch.func.grad's RuntimeErrors for its argnums and differentiated inputs (JAX's
    are TypeErrors and ValueErrors, worded otherwise)."""
    nums = _check_argnums(args, argnums)
    for num in nums:
        for leaf in jax.tree.leaves(args[num] if isinstance(num, int) else (),
                                    is_leaf=_is_tensor):
            if isinstance(leaf, (bool, int, float, complex)):
                # (a Python number: torch's transforms take Tensors; JAX arrays are taken)
                raise ValueError(f"Thing passed to transform API must be Tensor, got "
                                 f"{type(leaf)}")
            _require_inexact(leaf)


def _require_inexact(leaf) -> None:
    """torch's error for a differentiated input of an integer or bool dtype."""
    value = leaf._value if _is_tensor(leaf) else leaf
    if hasattr(value, "dtype") and not jnp.issubdtype(value.dtype, jnp.inexact):
        raise RuntimeError("only Tensors of floating point dtype can require gradients")


def _check_scalar(out, has_aux: bool) -> None:
    """torch's errors where a function torch.func.grad differentiates returns no scalar
    (or, with has_aux, no (output, aux) pair)."""
    _aux_pair("grad_and_value(f)(*args)")(out, has_aux)
    value = out[0] if has_aux else out
    if not _is_array(value):
        raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a Tensor, "
                           f"got {type(value)}")
    if jnp.iscomplexobj(value):
        from . import _dtypes
        raise RuntimeError("grad can be implicitly created only for real scalar outputs but "
                           f"got {_dtypes.from_jax(value.dtype)}")
    if has_aux:
        for leaf in jax.tree.leaves(out[1]):
            if not _is_array(leaf):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
    if jnp.ndim(value) != 0:
        raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                           f"scalar Tensor, got tensor with {jnp.ndim(value)} dims. "
                           "Maybe you wanted to use the vjp or jacrev APIs instead?")


def _is_array(x) -> bool:
    """A tensor's value as the function over arrays returns it (_wrap)."""
    return isinstance(x, (jax.Array, jax.core.Tracer))


def _only_tensors(transform: str) -> Callable:
    """_aux_pair's check, and torch's error where the output is not all tensors (a
    Python number)."""
    pair = _aux_pair(transform)

    def check(out, has_aux: bool) -> None:
        pair(out, has_aux)
        for leaf in jax.tree.leaves(out[0] if has_aux else out):
            if not _is_array(leaf):
                raise RuntimeError(f"{transform}: expected f(*primals) to return only "
                                   f"tensors, got unsupported type {type(leaf)}")
    return check


def _aux_pair(transform: str) -> Callable:
    """A check(output, has_aux) for _with_writes: torch's error where a has_aux function
    returns no (output, aux) pair (`transform`: how torch's message names the call)."""
    def check(out, has_aux: bool) -> None:
        if has_aux and not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(f"{transform}: output of function f should be a tuple: "
                               "(output, aux) if has_aux is True")
    return check


_JVP = "jvp(f, primals, tangents)"


def _with_writes(func: Callable, args: tuple, seen: dict, has_aux: bool, reverse: tuple,
                 check: Callable | None = None) -> Callable:
    """func as a has_aux function over arrays for a grad-type jax transform: (output,
    (aux or None, writes)), where writes are func's in-place writes into the arguments
    (their primal values, which jax gives back as aux; see write_back). `reverse`: the
    argument positions differentiated in reverse mode (see _wrap); `check(output)` runs
    on the output first."""
    fn = _wrap(func, seen=seen, args_like=args, with_writes=True, reverse=reverse)

    def split(*a, **kw):
        out, writes = fn(*a, **kw)
        if check is not None:
            check(out, has_aux)
        return (out[0], (out[1], writes)) if has_aux else (out, (None, writes))
    return split


def _positions(argnums, n: int) -> tuple:
    """argnums (an int or a sequence, negative counting from the end) as positions."""
    nums = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    return tuple(num % n for num in nums)


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """d func / d args[argnums] for a func returning a scalar (torch.func.grad).

    PyTorch parity: with Tensors in, the gradient is part of the eager graph when what it
    was computed from needs grad (an input that requires grad, a closed-over Module's
    parameters), so a gradient penalty built on it can be `.backward()`ed
    (_func_graph.py). As torch's, in-place writes inside func into the other arguments
    reach the caller's tensors, and those into a differentiated argument or a tensor
    func did not get or make raise (_func_frames).
    """
    def g(*args, **kwargs):
        _check_grad_args(args, argnums)

        def core(a, kw):
            seen = {}
            fn = _with_writes(func, args, seen, has_aux, _positions(argnums, len(args)),
                              _check_scalar)
            out, (aux, writes) = jax.grad(fn, argnums=argnums, has_aux=True)(*a, **kw)
            out = jax.tree.map(_conj, out)      # (torch's complex gradient: see _conj)
            write_back(args, writes)
            template = _skeleton(_selected(args, argnums))
            return _reorder((template, seen["out"][1]), (out, aux)) if has_aux else \
                _reorder(template, out)
        return _func_graph.call("Grad", (_freeze(argnums), has_aux), func, core, args,
                                kwargs)
    return g


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """(gradient, value) of a scalar func; with has_aux, (gradient, (value, aux)).
    Part of the eager graph as `grad`'s result is; in-place writes as in `grad`."""
    def g(*args, **kwargs):
        _check_grad_args(args, argnums)

        def core(a, kw):
            seen = {}
            fn = _with_writes(func, args, seen, has_aux, _positions(argnums, len(args)),
                              _check_scalar)
            (value, (aux, writes)), grads = jax.value_and_grad(
                fn, argnums=argnums, has_aux=True)(*a, **kw)
            write_back(args, writes)
            grads = jax.tree.map(_conj, grads)
            return (_reorder(_skeleton(_selected(args, argnums)), grads),
                    _reorder(seen["out"], (value, aux) if has_aux else value))
        return _func_graph.call("GradAndValue", (_freeze(argnums), has_aux), func, core,
                                args, kwargs)
    return g


def vjp(func: Callable, *primals, has_aux: bool = False):
    """(output, vjp_fn) where vjp_fn(cotangents) gives one cotangent per primal.

    PyTorch parity: the output, and vjp_fn's results, are part of the eager graph when what
    they were computed from needs grad (_func_graph.py)."""
    pullbacks = []

    every = tuple(range(len(primals)))     # (every primal is differentiated)
    for leaf in jax.tree.leaves(primals, is_leaf=_is_tensor):
        _require_inexact(leaf)
    check = _only_tensors("vjp(f, *primals)")

    def checked(*a, **kw):
        out = func(*a, **kw)
        check(jax.tree.map(lambda x: x._value if _is_tensor(x) else x, out,
                           is_leaf=_is_tensor), has_aux)
        return out

    def core(a, kw):
        seen = {}
        res = jax.vjp(_wrap(checked, seen=seen, args_like=primals, reverse=every), *a,
                      has_aux=has_aux)
        pullbacks.append(res[1])
        return _reorder(seen["out"], (res[0], res[2]) if has_aux else res[0])
    out = _func_graph.call("Vjp", has_aux, func, core, primals, {})
    like = _tensor_inputs(primals)
    # Whether the output is in the graph; if not, neither is vjp_fn's result, and the
    # pullback of this run serves it.
    recorded = like and any(_is_tensor(t) and t._node is not None
                            for t in jax.tree.leaves(out, is_leaf=_is_tensor))


    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        # (torch passes the two flags on to its backward; every call here can run again
        # and is part of the graph when its inputs need grad)
        del retain_graph, create_graph
        cotangents = _checked_cotangents(out[0] if has_aux else out, cotangents)
        if not recorded:
            return _result(_reorder(_skeleton(primals),
                                    _torch_pullback(pullbacks[0], _arrays(cotangents))), like)

        def pull(a, kw):
            pullback = jax.vjp(_wrap(func, args_like=primals, reverse=every), *a[0],
                               has_aux=has_aux)[1]
            return _reorder(_skeleton(primals), _torch_pullback(pullback, a[1]))
        return _func_graph.call("VjpFn", has_aux, func, pull, (primals, cotangents), {})
    if has_aux:
        return out[0], vjp_fn, out[1]
    return out, vjp_fn


def _spec(tree) -> str:
    """A pytree's structure as torch prints it in errors: `*` for a leaf, `(*, *)`."""
    if isinstance(tree, tuple):
        inner = ", ".join(map(_spec, tree))
        return f"({inner},)" if len(tree) == 1 else f"({inner})"
    if isinstance(tree, list):
        return "[" + ", ".join(map(_spec, tree)) + "]"
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k!r}: {_spec(v)}" for k, v in tree.items()) + "}"
    return "*"


def _checked_cotangents(out, cotangents):
    """torch.func.vjp's checks of the cotangents given to vjp_fn against the outputs: the
    same structure, each leaf of its output's shape (torch's RuntimeErrors; JAX's were
    ValueErrors), and cast to its output's dtype (torch takes an integer cotangent)."""
    out_leaves, out_tree = jax.tree.flatten(out, is_leaf=_is_tensor)
    ct_leaves, ct_tree = jax.tree.flatten(cotangents, is_leaf=_is_tensor)
    if ct_tree != out_tree:
        raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree "
                           f"structure of outputs to the function. cotangents: "
                           f"{_spec(cotangents)}, primal output: {_spec(out)}")
    fixed = []
    for i, (o, c) in enumerate(zip(out_leaves, ct_leaves)):
        o_value = o._value if _is_tensor(o) else o
        c_value = c._value if _is_tensor(c) else c
        if jnp.shape(c_value) != jnp.shape(o_value):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of "
                f"{_size(jnp.shape(c_value))} and output[{i}] has a shape of "
                f"{_size(jnp.shape(o_value))}.")
        if jnp.result_type(c_value) != jnp.result_type(o_value):
            c_value = jnp.asarray(c_value).astype(jnp.result_type(o_value))
            c = Tensor._make(c_value) if _is_tensor(c) else c_value
        fixed.append(c)
    return jax.tree.unflatten(ct_tree, fixed)


def _size(shape) -> str:
    return repr(Size(shape))


def _torch_pullback(pullback, cotangents):
    """A JAX pullback with PyTorch's complex convention: complex cotangents are conjugated
    on the way in and the results on the way out (autograd/_engine.py's `_conj`)."""
    return jax.tree.map(_conj, pullback(jax.tree.map(_conj, cotangents)))


def jvp(func: Callable, primals, tangents, *, has_aux: bool = False):
    """(output, jvp_out): the forward-mode derivative along `tangents`. Part of the eager
    graph as `grad`'s result is. PyTorch parity: in-place writes inside func into the
    primals reach the caller's tensors (their primal values), and those into tensors func
    did not get or make raise, as torch's."""
    _check_jvp_args(primals, tangents)

    def core(a, kw):
        seen = {}
        fn = _with_writes(func, primals, seen, has_aux, (), _only_tensors(_JVP))
        out, tangent, (aux, writes) = jax.jvp(fn, tuple(a[0]), tuple(a[1]), has_aux=True)
        # (an integer output's tangent: JAX's float0, torch's integer zeros)
        tangent = jax.tree.map(lambda t, o: jnp.zeros(o.shape, o.dtype)
                               if t.dtype == jax.dtypes.float0 else t, tangent, out)
        write_back(primals, writes)
        s = seen["out"]
        return _reorder((s[0], s[0], s[1]) if has_aux else (s, s),
                        (out, tangent, aux) if has_aux else (out, tangent))
    return _func_graph.call("Jvp", has_aux, func, core, (tuple(primals), tuple(tangents)),
                            {})


def _check_jvp_args(primals, tangents) -> None:
    """torch.func.jvp's RuntimeErrors for its primals and tangents (JAX's are TypeErrors
    and ValueErrors, worded otherwise, or none: a Tensor of primals was unpacked)."""
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    same = isinstance(tangents, tuple) and len(tangents) == len(primals) and all(
        jax.tree.structure(p, is_leaf=_is_tensor) == jax.tree.structure(t, is_leaf=_is_tensor)
        for p, t in zip(primals, tangents))
    if not same:
        raise RuntimeError(f"{_JVP}: Expected primals and tangents to have the same python "
                           "structure. For example, if primals is a tuple of 3 tensors, "
                           "tangents also must be. Got primals with structure "
                           f"{jax.tree.structure(primals, is_leaf=_is_tensor)} and tangents "
                           f"with structure {jax.tree.structure(tangents, is_leaf=_is_tensor)}")
    if not any(_is_tensor(x) for x in jax.tree.leaves(primals, is_leaf=_is_tensor)):
        raise RuntimeError(f"{_JVP}: Expected primals to contain at least one Tensor.")
    for p, t in zip(jax.tree.leaves(primals, is_leaf=_is_tensor),
                    jax.tree.leaves(tangents, is_leaf=_is_tensor)):
        if _is_tensor(p) and _is_tensor(t) and tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}.")


def _jacobian_order(out_skeleton, in_skeleton):
    """The key order of a Jacobian: the output's containers, each leaf holding the
    differentiated input's (jax gives both with sorted dict keys)."""
    if out_skeleton is None:
        return in_skeleton
    if isinstance(out_skeleton, dict):
        return {k: _jacobian_order(v, in_skeleton) for k, v in out_skeleton.items()}
    return [_jacobian_order(v, in_skeleton) for v in out_skeleton]


def _jacobian_core(jax_transform, func, args, argnums, has_aux, depth=1,
                   reverse: bool = True, transform: str = "vjp(f, *primals)"):
    """core() of jacrev/jacfwd/hessian: the transform's result in the caller's key order
    (`depth`: how many times the input's structure nests in the output's; `reverse`:
    whether it differentiates in reverse mode, see _wrap), func's in-place writes into
    the arguments written back."""
    name = "jacrev" if reverse and depth == 1 else "jacfwd"     # (hessian: jacfwd outside)
    _require_real(name, "inputs", _selected(args, argnums))

    def real_out(*a, **kw):
        out = func(*a, **kw)
        _require_real(name, "outputs", out[0] if has_aux else out)
        return out

    def core(a, kw):
        seen = {}
        fn = _with_writes(real_out, args, seen, has_aux,
                          _positions(argnums, len(args)) if reverse else (),
                          _aux_pair(transform))
        out, (aux, writes) = jax_transform(fn, argnums=argnums, has_aux=True)(*a)
        write_back(args, writes)
        if has_aux:
            out = (out, aux)
        order = seen["out"][0] if has_aux else seen["out"]
        for _ in range(depth):
            order = _jacobian_order(order, _skeleton(_selected(args, argnums)))
        return _reorder((order, seen["out"][1]) if has_aux else order, out)
    return core


def _require_real(name: str, what: str, tree) -> None:
    """torch.func's Jacobians refuse complex tensors among the differentiated inputs and
    the outputs (JAX's jacrev/jacfwd would take some and conjugate others)."""
    for i, leaf in enumerate(jax.tree.leaves(tree, is_leaf=_is_tensor)):
        value = leaf._value if _is_tensor(leaf) else leaf
        if jnp.iscomplexobj(value):
            # (torch's message says "input idx" for outputs too)
            raise RuntimeError(f"{name}: Expected all {what} to be real but received "
                               f"complex tensor at flattened input idx: {i}")


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False, chunk_size=None,
           _preallocate_and_copy: bool = False) -> Callable:
    """The Jacobian by reverse mode (torch.func.jacrev). PyTorch parity: chunk_size, which
    bounds torch's vmap over output rows, is accepted and has no effect (JAX computes the
    rows in one program). Part of the eager graph as `grad`'s result is."""
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    def j(*args):
        _check_argnums(args, argnums, "argnums must be int or Tuple[int, ...]")
        core = _jacobian_core(jax.jacrev, func, args, argnums, has_aux)
        return _func_graph.call("Jacrev", (_freeze(argnums), has_aux), func, core, args, {})
    return j


def jacfwd(func: Callable, argnums=0, has_aux: bool = False,
           randomness: str = "error") -> Callable:
    """The Jacobian by forward mode (torch.func.jacfwd), part of the eager graph as
    `grad`'s result is. randomness, as vmap's over the basis: 'error' (the default) raises
    on a random op inside, 'same' draws once for every column. PyTorch-parity note:
    'different' (a draw per column) raises NotImplementedError on a random op."""
    from ._func_vmap import _no_random, check_randomness
    check_randomness(randomness)

    def drawing(*a, **kw):
        if randomness == "same":
            return func(*a, **kw)
        with _no_random(None if randomness == "error" else NotImplementedError(
                "functorch_like: jacfwd(randomness='different') with a random op inside is "
                "not supported (one draw per column); use randomness='same', or draw "
                "outside the function")):
            return func(*a, **kw)

    def j(*args):
        _check_argnums(args, argnums, "argnums must be int or Tuple[int, ...]")
        core = _jacobian_core(jax.jacfwd, drawing, args, argnums, has_aux, reverse=False,
                              transform=_JVP)
        return _func_graph.call("Jacfwd", (_freeze(argnums), has_aux), func, core, args, {})
    return j


def hessian(func: Callable, argnums=0) -> Callable:
    """The Hessian (torch.func.hessian), part of the eager graph as `grad`'s result is."""
    def h(*args):
        _check_argnums(args, argnums, "argnums must be int or Tuple[int, ...]")
        core = _jacobian_core(jax.hessian, func, args, argnums, False, depth=2)
        return _func_graph.call("Hessian", _freeze(argnums), func, core, args, {})
    return h
