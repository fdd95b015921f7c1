"""torch.autograd.Function: custom operations whose backward the user writes.

An eager `Exp.apply(x)` runs the user's forward once and records a node holding its ctx
and outputs (`_function_saved`); backward cuts the graph there and calls the user's
backward in Python (_engine_cut). Traced (compile, transforms, a double backward), the
node's pure function is `_function_op`, which calls one `jax.custom_vjp` per Function
class (a stable identity, so the backward-program cache recognizes repeated graphs). Its
forward runs the user's `forward` on Tensors wrapping the arrays (grad disabled); its
backward runs the user's `backward` on Tensors wrapping the cotangents. The ctx's
attributes travel from one to the other as the custom_vjp's residuals: arrays (saved
tensors, tensor attributes) as residual arrays, everything else as Python data. Since the
engine differentiates a replay of the recorded graph, `create_graph=True` double backward
differentiates the user's backward with JAX, through the saved tensors' dependence on the
inputs, as PyTorch does.
"""

from __future__ import annotations

import functools
import inspect

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

from .. import _trace_state
from . import forward_ad
from .._tensor_views import mark_view
from ._dirty import dirty_outputs, rebind_dirty
from ._errors import SECOND_BACKWARD
from ._forward_mode import JVP_NEEDED, refuse_forward_mode
from ._grad_mode import is_grad_enabled, no_grad

__all__ = ["Function", "FunctionCtx", "InplaceFunction", "NestedIOFunction",
           "once_differentiable"]


class FunctionCtx:
    """The `ctx` passed to forward/setup_context and backward.

    PyTorch parity: the ctx is not the output's `grad_fn` here (grad_fn is the graph node).
    """

    def save_for_backward(self, *tensors) -> None:
        """Keeps tensors (or None) for backward, read back as `ctx.saved_tensors`."""
        from .._tensor import Tensor
        for i, t in enumerate(tensors):     # (no tensors.index: == of Tensors)
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        if getattr(self, "_fl_freed", False):
            raise RuntimeError(SECOND_BACKWARD)     # (a backward freed them, as torch's)
        return tuple(getattr(self, "to_save", ()))

    def mark_non_differentiable(self, *args) -> None:
        """Outputs that do not require grad; backward still gets (zero) gradients for them."""
        self.non_differentiable = tuple(getattr(self, "non_differentiable", ())) + args

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None instead of zeros for outputs not used."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *args) -> None:
        """Inputs that forward modified in place; forward must return them. `apply` then
        gives back the input objects themselves, holding the new values and this
        Function's grad_fn (see `_rebind_dirty`)."""
        self.dirty_tensors = tuple(getattr(self, "dirty_tensors", ())) + args

    def save_for_forward(self, *tensors) -> None:
        self.saved_for_forward = tensors


def once_differentiable(fn):
    """Marks a backward as not differentiable: a double backward through it raises
    PyTorch's "trying to differentiate twice a function that was marked with
    @once_differentiable"."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if isinstance(outputs, tuple):
            return tuple(_guard_twice(o) for o in outputs)
        return _guard_twice(outputs)
    return wrapper


def _guard_twice(t):
    from .._tensor import Tensor
    if not isinstance(t, Tensor):
        return t
    return Tensor._make(_once(t._value))


@jax.custom_vjp
def _once(x):
    return x


def _once_fwd(x):
    return x, None


def _once_bwd(_, ct):
    raise RuntimeError("trying to differentiate twice a function that was marked with "
                       "@once_differentiable")


_once.defvjp(_once_fwd, _once_bwd)


class Function(FunctionCtx):
    """Base class of custom autograd operations.

    Subclasses define `forward(ctx, *args)` (or `forward(*args)` plus
    `setup_context(ctx, inputs, output)`) and `backward(ctx, *grad_outputs)`, all static,
    and are called as `MyFn.apply(*args)`. forward takes Tensors and other values and
    returns a Tensor or a tuple of Tensors; backward returns one gradient per forward input
    (None for non-tensor inputs or inputs that need none). The output's grad_fn is named
    `<ClassName>Backward`.

    Called eagerly, as in PyTorch, forward runs once per `apply` and backward once per
    backward pass, on that call's ctx, each reading Python state (globals, attributes,
    RNG) as it is when it runs (see _engine_cut).

    PyTorch parity: inside `functorch_like.compile` or a torch.func transform, and for a
    double backward (create_graph), forward and backward are traced by JAX: they must be
    written with tensor operations, run again in the replay, and read Python state as it
    was when traced; forward-mode AD (`jvp`) and `vmap` staticmethods are not supported.
    An input that forward modifies in place must be
    marked with `ctx.mark_dirty` (and returned): the forward sees copies of the inputs, so
    an unmarked in-place change raises instead of reaching the caller's tensor (torch
    changes it), and a dirty input forward does not return keeps its old value when
    torch's error is raised (torch's has been changed). An output that is an input
    returned as it is, or a view of one, is a view of the caller's tensor, as torch's.
    """

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError(JVP_NEEDED)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs forward and records the node whose backward is the user's `backward`."""
        from .._tensor import Tensor, apply
        args = _bind_args(cls, args, kwargs)
        tensors = [a for a in args if isinstance(a, Tensor)]
        layout = tuple(_TENSOR if isinstance(a, Tensor) else _hashable(a) for a in args)
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        name = f"{cls.__name__}Backward"
        static = {"cls": cls, "layout": layout, "needs_input_grad": needs}
        try:
            if _trace_state.state.compiling or any(isinstance(t._value, jax.core.Tracer)
                                                   for t in tensors):
                # Inside compile or a transform: the forward and backward are traced.
                out = apply(_function_op, name, *tensors, **static)
            else:
                out = _apply_eagerly(cls, name, tensors, static)
        except _NoTensorOutput as e:
            return e.output
        outs = out if isinstance(out, tuple) else (out,)
        key = (cls, layout, tuple((t._value.shape, t._value.dtype) for t in tensors))
        info = _last_info.get(key)
        if info is not None and is_grad_enabled():
            outs = tuple(o.detach() if i in info.non_diff else o for i, o in enumerate(outs))
        if info is not None and info.dirty:
            outs = rebind_dirty(outs, tensors, info.dirty)
        if info is not None and info.views:
            for i, k, kind, view, multi in info.views:
                mark_view(outs[i], tensors[k], kind, view, multi)
                # (changing it in place would bypass the custom backward: torch refuses)
                outs[i].__dict__["_custom_function_view"] = (i, cls.__name__)
        if info is not None and info.others:
            it = iter(outs)
            outs = tuple(info.others[i] if i in info.others else next(it)
                         for i in range(len(outs) + len(info.others)))
        return outs if info is None or info.is_tuple else outs[0]


def _apply_eagerly(cls, name: str, tensors: list, static: dict):
    """An eager call, as torch's: the user's forward runs once, now, on the inputs'
    values, and its ctx is what backward gets; the node's backward runs the user's Python
    when backward comes (reading globals, attributes, RNG state as they are then)."""
    from .._tensor import Tensor, record_op
    meta = (cls, static["layout"], static["needs_input_grad"])
    arrays = tuple(t._value for t in tensors)
    refuse_forward_mode(cls, arrays, _has_setup_context(cls), cls.jvp is not Function.jvp)
    if forward_ad.active is not None and any(forward_ad.has_tangent(t) for t in tensors):
        # PyTorch-parity note: torch runs the Function's jvp on the tangents; here a
        # Function is refused under forward_ad, with torch's error where it has no jvp.
        raise NotImplementedError(JVP_NEEDED if cls.jvp is Function.jvp else
                                  "functorch_like: forward_ad through a custom "
                                  "autograd.Function's jvp is not supported; use "
                                  "torch.func.jvp, which runs it")
    values, ctx = _run_forward(meta, arrays)
    if not (is_grad_enabled() and any(t.requires_grad or t._node is not None
                                      for t in tensors)):
        return tuple(map(Tensor._make, values)) if isinstance(values, tuple) \
            else Tensor._make(values)
    outs = values if isinstance(values, tuple) else (values,)
    saved = _SavedCall(meta, ctx, values,
                       tuple((o.shape, o.dtype) for o in outs),
                       tuple((a.shape, a.dtype) for a in arrays))
    out = record_op(_function_saved, name, tensors, values, {"cls": cls, "saved": saved})
    (out[0] if isinstance(out, tuple) else out)._node.traced = (
        _function_op, tuple(sorted(static.items())))
    return out


class _SavedCall:
    """One eager call's forward, for its backward: the ctx and the outputs. A static
    argument of the node, compared by identity (its program is never kept)."""

    __slots__ = ("meta", "ctx", "values", "out_avals", "in_avals")

    def __init__(self, meta, ctx, values, out_avals, in_avals):
        self.meta, self.ctx, self.values = meta, ctx, values
        self.out_avals, self.in_avals = out_avals, in_avals


def _function_saved(*arrays, cls, saved):
    """The node's function in a backward replay (unjitted): the forward's outputs, as they
    were computed, with the user's backward on the saved ctx as their vjp."""
    @jax.custom_vjp
    def call(*xs):
        return saved.values

    def fwd(*primals):
        return saved.values, None

    def bwd(_, cts):
        return _run_backward(saved.meta, saved.ctx, cts, saved.out_avals, saved.in_avals)

    call.defvjp(fwd, bwd, symbolic_zeros=True)
    return call(*arrays)


class InplaceFunction(Function):
    """PyTorch's base for functions with an `inplace` flag (kept for compatibility)."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace


NestedIOFunction = Function


class _Tensor:
    """The placeholder for a tensor argument in a call's layout."""

    def __repr__(self) -> str:
        return "<tensor>"


_TENSOR = _Tensor()


class _ByIdentity:
    """An unhashable non-tensor argument, compared by identity (for the program caches)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _hashable(value):
    try:
        hash(value)
        return value
    except TypeError:
        return _ByIdentity(value)


def _bind_args(cls, args, kwargs) -> tuple:
    """Positional arguments with keywords and defaults bound, as PyTorch's apply does."""
    fn = cls.forward
    if not _has_setup_context(cls):
        args = (None, *args)        # the ctx slot
    sig = inspect.signature(fn)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    out = bound.args
    return tuple(out if _has_setup_context(cls) else out[1:])


def _has_setup_context(cls) -> bool:
    return cls.setup_context is not Function.setup_context


class _Info:
    """What a run of the user's forward tells the facade: which outputs are marked
    non-differentiable, whether forward returned a tuple, and which outputs are inputs
    marked dirty (output index -> tensor-input index)."""

    __slots__ = ("non_diff", "is_tuple", "dirty", "others", "views")

    def __init__(self, non_diff, is_tuple, dirty=(), others=None, views=()):
        self.non_diff, self.is_tuple, self.dirty = non_diff, is_tuple, tuple(dirty)
        # {position: value} of the outputs that are not Tensors (put back by apply)
        self.others = others or {}
        # ((output index, tensor-input index, view kind, info, multi), ...): the outputs
        # that are an input (not marked dirty) or a view of one
        self.views = tuple(views)


# (Function class, layout, input avals) -> _Info of the latest trace of that call: a
# jitted forward runs the user's Python only when traced.
_last_info: dict = {}


def _function_op(*arrays, cls, layout, needs_input_grad):
    """The node's pure function (module-level: a stable identity for the caches)."""
    refuse_forward_mode(cls, arrays, _has_setup_context(cls), cls.jvp is not Function.jvp)
    vjp = _custom_vjps.get(cls)
    if vjp is None:
        vjp = _custom_vjps[cls] = _make_custom_vjp(cls)
    return vjp((cls, layout, needs_input_grad), *arrays)


# One custom_vjp per Function class: a stable identity for JAX's caches.
_custom_vjps: dict = {}


def _run_forward(meta, arrays):
    """Runs the user's forward on Tensors wrapping `arrays`: (output arrays, ctx)."""
    from .._tensor import Tensor
    cls, layout, needs = meta
    it = iter(arrays)
    args = [Tensor._make(next(it)) if a is _TENSOR
            else (a.value if isinstance(a, _ByIdentity) else a) for a in layout]
    ctx = FunctionCtx()
    ctx.needs_input_grad = needs
    with no_grad():
        if _has_setup_context(cls):
            output = cls.forward(*args)
            cls.setup_context(ctx, tuple(args), output)
        else:
            output = cls.forward(ctx, *args)
    is_tuple = isinstance(output, tuple)
    outs = output if is_tuple else (output,)
    # Outputs that are not Tensors pass through as they are, as torch's (their gradient
    # in backward is None); the node has the Tensor outputs.
    others = {i: o for i, o in enumerate(outs) if not isinstance(o, Tensor)}
    if len(others) == len(outs):
        raise _NoTensorOutput(output)   # (returned as it is: nothing to differentiate)
    if others:
        ctx._fl_other_outputs = (len(outs), tuple(others))
        outs = tuple(o for o in outs if isinstance(o, Tensor))
        is_tuple = True
    marked = {id(t) for t in getattr(ctx, "non_differentiable", ())}
    non_diff = frozenset(i for i, o in enumerate(outs) if id(o) in marked)
    dirty = dirty_outputs(ctx, [a for a in args if isinstance(a, Tensor)], outs,
                          f"{cls.__name__}Backward")
    avals = tuple((tuple(a.shape), a.dtype) for a in arrays)
    views = _input_views([a for a in args if isinstance(a, Tensor)], outs, dirty)
    _last_info[(cls, layout, avals)] = _Info(non_diff, is_tuple, dirty, others, views)
    values = tuple(o._value for o in outs)
    return (values if is_tuple else values[0]), ctx


def _input_views(inputs, outs, dirty) -> tuple:
    """The outputs forward returned that are one of its inputs, or a view of one (see
    _Info.views): torch's outputs then share the caller's input's storage, as views."""
    position = {id(t): k for k, t in enumerate(inputs)}
    marked = {i for i, *_ in dirty}
    views = []
    for i, o in enumerate(outs):
        if i in marked:
            continue
        if id(o) in position:
            views.append((i, position[id(o)], "reshape", None, None))
            continue
        base, kind, info, multi = o.__dict__.get("_view_of", (None,) * 4)
        if base is not None and id(base) in position:
            views.append((i, position[id(base)], kind, info, multi))
    return tuple(views)


def _make_custom_vjp(cls):
    @functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
    def call(meta, *arrays):
        return _run_forward(meta, arrays)[0]

    def fwd(meta, *primals):
        arrays = tuple(p.value for p in primals)
        _, ctx = _run_forward(meta, arrays)
        # The output comes from the custom_vjp itself, not from this run: a differentiation
        # of this rule (compile's per-op linearization replayed under the jax.vjp of an
        # outside backward) then still meets the user's backward, not the forward's ops.
        # (XLA merges the two traced forwards.)
        out = call(meta, *arrays)
        outs = out if isinstance(out, tuple) else (out,)
        out_avals = tuple((o.shape, o.dtype) for o in outs)
        in_avals = tuple((a.shape, a.dtype) for a in arrays)
        return out, _Residual(ctx, (out_avals, in_avals))

    def bwd(meta, residual, cts):
        return _run_backward(meta, residual.ctx(), cts, *residual.avals)

    call.defvjp(fwd, bwd, symbolic_zeros=True)
    return call


class _NoTensorOutput(Exception):
    """Raised by a forward that returned no Tensor at all: apply returns its output as
    it is, as torch's."""

    def __init__(self, output):
        super().__init__()
        self.output = output


class _Residual:
    """The ctx as a custom_vjp residual: its arrays are residual leaves, the rest (and the
    structure, the input and output shapes and dtypes) Python data."""

    def __init__(self, ctx=None, avals=None):
        self.avals = avals
        if ctx is not None:
            leaves, self.treedef = jax.tree.flatten(dict(vars(ctx)))
            is_array = [isinstance(x, (jax.Array, np.ndarray)) for x in leaves]
            self.arrays = [x for x, a in zip(leaves, is_array) if a]
            self.statics = [None if a else x for x, a in zip(leaves, is_array)]

    def ctx(self) -> FunctionCtx:
        it = iter(self.arrays)
        # (None marks an array: None itself is an empty pytree, never a leaf.)
        leaves = [next(it) if s is None else s for s in self.statics]
        ctx = FunctionCtx()
        vars(ctx).update(jax.tree.unflatten(self.treedef, leaves))
        return ctx


jax.tree_util.register_pytree_node(
    _Residual,
    lambda r: (tuple(r.arrays), r), lambda r, arrays: _rebuild_residual(r, arrays))


def _rebuild_residual(template, arrays):
    r = _Residual()
    r.treedef, r.statics, r.arrays = template.treedef, template.statics, list(arrays)
    r.avals = template.avals
    return r


def _run_backward(meta, ctx, cts, out_avals, in_avals):
    """Calls the user's backward on the cotangents and checks what it returns, with
    PyTorch's errors; returns one cotangent per input array."""
    from .._tensor import Tensor
    cls, layout, _ = meta
    name = f"{cls.__name__}Backward"
    cts = cts if isinstance(cts, tuple) else (cts,)
    materialize = getattr(ctx, "materialize_grads", True)
    grads_in = []
    for ct, (shape, dtype) in zip(cts, out_avals):
        if isinstance(ct, SymbolicZero):
            grads_in.append(Tensor._make(jnp.zeros(shape, dtype)) if materialize else None)
        else:
            grads_in.append(Tensor._make(ct))
    other = getattr(ctx, "_fl_other_outputs", None)
    if other is not None:       # (None for the outputs that were not Tensors, as torch's)
        it = iter(grads_in)
        grads_in = [None if i in other[1] else next(it) for i in range(other[0])]
    with no_grad():
        result = cls.backward(ctx, *grads_in)
    result = result if isinstance(result, tuple) else (result,)
    if len(result) < len(layout) or any(g is not None for g in result[len(layout):]):
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {len(layout)}, got {len(result)})")
    out, k = [], 0
    for pos, (slot, g) in enumerate(zip(layout, result)):
        if slot is not _TENSOR:
            if g is not None:
                raise RuntimeError(f"function {name} returned a gradient different than None "
                                   f"at position {pos + 1}, but the corresponding forward "
                                   "input was not a Variable")
            continue
        shape, dtype = in_avals[k]
        k += 1      # (PyTorch's index below counts tensor inputs only)
        if g is None or not jnp.issubdtype(dtype, jnp.inexact):
            out.append(None)
            continue
        value = g._value if isinstance(g, Tensor) else jnp.asarray(g)
        out.append(_sum_to(value, shape, name, k - 1).astype(dtype))
    return tuple(out)


def _sum_to(g, shape, name, index):
    """PyTorch's validate_outputs: a gradient of a shape the input broadcasts to is summed
    back to the input's shape; any other shape is an error."""
    if tuple(g.shape) == tuple(shape):
        return g
    try:
        ok = np.broadcast_shapes(tuple(shape), tuple(g.shape)) == tuple(g.shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - "
                           f"got {list(g.shape)} but expected shape compatible with "
                           f"{list(shape)}")
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    return jnp.sum(g, axis=axes).reshape(shape)
