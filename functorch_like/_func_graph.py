"""torch.func transforms as ops of the eager autograd graph.

In PyTorch a transform composes with eager autograd: `vmap(model)(x).sum().backward()`
fills `model.weight.grad`, and a gradient taken with `func.grad` can enter a loss that is
then `.backward()`ed (a gradient penalty). Our transforms run JAX's transform over a pure
function of arrays, so their result would not reach the tensors the function used. Here a
top-level transform call whose computation involves a tensor that needs grad becomes ONE
recorded op of the eager graph:

1. The transform runs once as usual, with a `Capture` on: the dispatch point (`apply`)
   notes each Tensor an op reads that was not made during the run (a Module's parameters,
   any other tensor the function closes over), and the op sequence (functions, static and
   scalar arguments): the run's fingerprint.
2. If neither an argument nor a captured tensor needs grad, the result is returned as is.
3. Otherwise one node is recorded (`<Name>Backward0`) whose inputs are the explicit
   tensor arguments, the captured tensors and the generator's key at the start of the run,
   and whose function (`_transform_op`) re-runs the transform with the captured tensors'
   values swapped for its inputs. Backward replays it under jax.vjp, with the same key (the
   same dropout masks) and the forward's values.

The engine caches backward programs by (function, static arguments); the static argument
here is a `Spec`, equal across calls that run the same computation (the transform and its
settings, the function's code or class, the arguments' structure and the fingerprint), so a
training loop compiles its backward once. The spec also keeps the latest call's function
and captured tensors, which the replay swaps: equal specs run the same ops on tensors in the
same places, so any call's objects give the same program. Specs are interned in a bounded
table; evicting one drops the backward programs that hold it.

Nested transforms (a transform inside another's function, or with jax tracers as inputs)
run as before: the outermost transform records, and sees the inner one's ops.
"""

from __future__ import annotations

import collections
import functools
import types

import jax

from . import _random, _trace_state
from ._func_bridge import _arrays, _is_tensor, _reorder, _skeleton, _tensor_inputs, _tensors
from ._tensor import Tensor, apply, record_op
from .autograd._grad_mode import _state as _grad_state
from .autograd._grad_deps import needed_inputs
from .autograd._grad_mode import is_grad_enabled

_MAX_SPECS = 32


class _Id:
    """An object compared by identity (an unhashable static value in a spec key)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __eq__(self, other):
        return isinstance(other, _Id) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)


def _static(x):
    """A hashable stand-in for a Python value: (type, value) (2 and 2.0 differ in the
    dtypes they promote to), or the object by identity."""
    try:
        hash(x)
        return (type(x), x)
    except TypeError:
        return _Id(x)


def _unstatic(s):
    return s.obj if isinstance(s, _Id) else s[1]


def _freeze(x):
    """in_dims/argnums-like settings (lists, dicts, None, ints) as a hashable value."""
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(_freeze(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple((k, _freeze(v)) for k, v in x.items()))
    return _static(x)


def _func_key(func):
    """What identifies the user's function across calls: its code (a fresh lambda or bound
    method each step is the same function) or its class (a Module): what it computes is
    pinned down by the run's fingerprint, and its tensors are inputs."""
    if isinstance(func, types.MethodType):
        return ("method", _func_key(func.__func__))
    if isinstance(func, types.FunctionType):
        return func.__code__
    if isinstance(func, functools.partial):
        return ("partial", _func_key(func.func), _freeze(func.args),
                _freeze(dict(func.keywords)))
    return type(func)


class Capture:
    """What a transform's run reads from outside and what it runs (see the module doc).

    `see` runs in the dispatch point for each op of the run; `created` holds the ids of the
    tensors made during the run (Tensor._init), which are not captured: made again by the
    replay, they are not inputs.
    """

    __slots__ = ("created", "index", "tensors", "values", "ops", "const_index", "consts",
                 "const_marks")

    def __init__(self):
        # The tensors made in the run, by id, kept alive until it ends: a freed one's id,
        # reused by a tensor made later, would make that one "captured" or share another
        # constant's slot (flaky fingerprints, a replay reading the wrong constant).
        self.created: dict[int, Tensor] = {}
        self.index: dict[int, int] = {}
        self.tensors: list[Tensor] = []
        # Each captured tensor's value when first read: what the replay must see, even if
        # the run then updates the tensor in place (a BatchNorm buffer).
        self.values: list = []
        self.ops: list[tuple] = []
        # Tensors made in the run with concrete values (`torch.full(s, self.c)`, any
        # result of those alone): made from Python values the fingerprint cannot see, so
        # they are inputs of the node too, and the replay reads them (_Replay) instead of
        # baking the values of the call that first compiled it.
        self.const_index: dict[int, int] = {}
        self.consts: list = []
        self.const_marks: list[tuple] = []     # per op: (arg position, const index)

    def see(self, fn, args, static) -> None:
        marks, const_marks = [], []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                k = self.index.get(id(a))
                if k is None and id(a) not in self.created:
                    k = self.index[id(a)] = len(self.tensors)
                    self.tensors.append(a)
                    self.values.append(a._value)
                elif k is None and not isinstance(a._value, jax.core.Tracer):
                    j = self.const_index.get(id(a))
                    if j is None:
                        j = self.const_index[id(a)] = len(self.consts)
                        self.consts.append(a._value)
                    const_marks.append((i, j))
                    marks.append(("c", j, a._value.shape, a._value.dtype))
                    continue
                marks.append(("t", k))         # k None: a tensor made in the run
            elif isinstance(a, (jax.Array, jax.core.Tracer)):
                marks.append(("a", a.shape, a.dtype))
            else:
                marks.append(_static(a))
        self.ops.append((fn, tuple(sorted(static.items())) if static else (), tuple(marks)))
        self.const_marks.append(tuple(const_marks))

    def fingerprint(self) -> tuple:
        ops = tuple(self.ops)
        try:
            hash(ops)
            return ops
        except TypeError:                      # an unhashable static argument
            return tuple(_Id(op) if _unhashable(op) else op for op in ops)


class _Replay:
    """The capture of a replay (`_transform_op`): the run's constants (see Capture) are
    given their forward values, taken from the node's inputs, at the ops that read them."""

    __slots__ = ("created", "const_marks", "consts", "op")

    def __init__(self, const_marks: tuple, consts):
        self.created: dict[int, Tensor] = {}       # (see Capture)
        self.const_marks, self.consts, self.op = const_marks, consts, 0

    def see(self, fn, args, static) -> None:
        del fn, static
        if self.op < len(self.const_marks):
            for i, j in self.const_marks[self.op]:
                args[i]._value = self.consts[j]
        self.op += 1


def _unhashable(x) -> bool:
    try:
        hash(x)
        return False
    except TypeError:
        return True


class Spec:
    """The static argument of a recorded transform: equal for calls that run the same
    computation. Mutable, outside equality: the latest call's `core` (the transform over
    arrays) and captured `tensors`, which the replay uses, and the outputs' dependence on
    the differentiable inputs per pattern of those (`depends`)."""

    __slots__ = ("key", "plan", "n_inputs", "core", "tensors", "depends", "const_marks",
                 "__weakref__")

    def __init__(self, key, plan, n_inputs, const_marks=()):
        self.key, self.plan, self.n_inputs = key, plan, n_inputs
        # (which op arguments are the run's constants: fixed by the fingerprint)
        self.const_marks = const_marks
        self.core = None
        self.tensors: list[Tensor] = []
        self.depends: dict[tuple, tuple] = {}

    def __eq__(self, other):
        return isinstance(other, Spec) and other.key == self.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        return f"Spec({self.key[0]})"


# Interned specs, least recently used first.
_specs: collections.OrderedDict = collections.OrderedDict()


def _intern(spec: Spec) -> Spec:
    found = _specs.get(spec)
    if found is not None:
        _specs.move_to_end(found)
        return found
    _specs[spec] = spec
    if len(_specs) > _MAX_SPECS:
        old, _ = _specs.popitem(last=False)
        _forget(old)
    return spec


def _forget(spec: Spec) -> None:
    """Drops the engine's backward programs that replay `spec` (they hold its function
    and tensors)."""
    from .autograd import _engine
    for key in [k for k in _engine._programs
                if any(fn is _transform_op and static[0][1] is spec
                       for fn, static, _, _ in k[0])]:
        del _engine._programs[key]


def clear_cache() -> None:
    """Forgets every interned spec and the backward programs that replay them."""
    while _specs:
        _forget(_specs.popitem()[0])


def cache_size() -> int:
    """How many transform specs are interned now (bounded by _MAX_SPECS)."""
    return len(_specs)


def _is_array(x) -> bool:
    return isinstance(x, (jax.Array, jax.core.Tracer))


def call(name: str, settings, func, core, args: tuple, kwargs: dict):
    """Runs a transform: `core(args, kwargs)` on arrays, giving an array pytree; returns
    it as Tensors when the arguments hold Tensors, recorded as one op of the eager graph
    when it needs grad (see the module doc), and as arrays otherwise.

    Args:
      name: the op's name, e.g. "Vmap" (its grad_fn is `<VmapBackward0>`).
      settings: the transform's hashable settings (in_dims, argnums, ...).
      func: the user's function (for the spec's key).
      core: (args, kwargs) of arrays -> the outputs as an array pytree, in caller order.
    """
    like = _tensor_inputs((args, kwargs))
    leaves, treedef = jax.tree.flatten((args, kwargs), is_leaf=_is_tensor)
    if not like or not is_grad_enabled() or _grad_state.in_func or \
            _grad_state.capture is not None or (not _trace_state.state.compiling and any(
                _is_array(v) and isinstance(v, jax.core.Tracer)
                for v in (x._value if _is_tensor(x) else x for x in leaves))):
        out = core(_arrays(args), _arrays(kwargs))
        return _tensors(out) if like else out
    gen = _random.default_generator
    key = gen._key
    capture = Capture()
    _grad_state.capture = capture
    try:
        out = core(_arrays(args), _arrays(kwargs))
    finally:
        _grad_state.capture = None
    explicit = [x for x in leaves if _is_tensor(x) or _is_array(x)]
    # A captured tensor that needs no grad enters as its value when first read (a constant
    # of the node, not baked into the cached backward program).
    inputs = explicit + [t if _needs_grad(t) else v
                         for t, v in zip(capture.tensors, capture.values)] + capture.consts
    diff = tuple(_is_tensor(t) and _needs_grad(t) for t in inputs)
    flat, out_tree = jax.tree.flatten(out)
    if not any(diff) or not all(_is_array(o) for o in flat) or not flat:
        return _tensors(out)
    plan = tuple(None if _is_tensor(x) or _is_array(x) else _static(x) for x in leaves)
    spec = _intern(Spec((name, settings, _func_key(func), treedef, plan,
                         capture.fingerprint(), len(capture.tensors)), plan, len(explicit),
                        tuple(capture.const_marks)))
    spec.core, spec.tensors = core, capture.tensors
    if _trace_state.state.compiling:
        # Traced by functorch_like.compile: linearized where it is traced (apply), so the
        # step's backward chains its vjp; the run above is dead code in the program.
        outs = apply(_transform_op, name + "Backward0", *inputs, key, spec=spec)
    else:
        outs = record_op(_transform_op, name + "Backward0", (*inputs, key), tuple(flat),
                         {"spec": spec})
    outs = outs if isinstance(outs, tuple) else (outs,)
    found = spec.depends.get(diff)
    if found is None:
        found = spec.depends[diff] = _dependence(spec, [x._value if _is_tensor(x) else x
                                                        for x in inputs] + [key], diff)
    mask, read = found
    if not _trace_state.state.compiling and not all(read):
        # An input no output reads (the last bias, for a gradient with respect to the
        # input) is a constant of the node: a backward leaves its .grad None, as torch's.
        outs[0]._node.unlink(read + (True,), (*inputs, key))    # (the key, last, stays)
    # An output no differentiable input reaches does not require grad, as in torch.
    outs = [o if m else Tensor._make(o._value) for o, m in zip(outs, mask)]
    return _reorder(_skeleton(out), jax.tree.unflatten(out_tree, outs))


def _needs_grad(t) -> bool:
    return t._requires_grad or t._node is not None


def _transform_op(*arrays, spec: Spec):
    """The recorded op: the transform re-run on `arrays` (the explicit arguments, the
    captured tensors' values, the generator key of the forward), its outputs flat."""
    n_captured = len(spec.tensors)
    explicit = arrays[:spec.n_inputs]
    captured = arrays[spec.n_inputs:spec.n_inputs + n_captured]
    consts = arrays[spec.n_inputs + n_captured:-1]
    it = iter(explicit)
    leaves = [next(it) if s is None else _unstatic(s) for s in spec.plan]
    args, kwargs = jax.tree.unflatten(spec.key[3], leaves)
    gen = _random.default_generator
    saved, saved_key = [t._value for t in spec.tensors], gen._key
    outer = _grad_state.capture
    try:
        for t, v in zip(spec.tensors, captured):
            t._value = v
        gen._key = arrays[-1]
        _grad_state.capture = _Replay(spec.const_marks, consts)
        with _random.guarded():
            out = spec.core(args, kwargs)
    finally:
        _grad_state.capture = outer
        for t, v in zip(spec.tensors, saved):
            t._value = v
        gen._key = saved_key
    return tuple(jax.tree.leaves(out))


def _dependence(spec: Spec, values, diff) -> tuple:
    """(per output of the op: whether a differentiable input reaches it, per input:
    whether an output reads it), by data-flow walks of the op's jaxpr (a call into
    another program counts as reaching all its outputs unless it is a plain jit, which
    is walked)."""
    jaxpr = jax.make_jaxpr(functools.partial(_transform_op, spec=spec))(*values).jaxpr
    return (tuple(_reaches(jaxpr, list(diff) + [False])),
            tuple(needed_inputs(jaxpr, [True] * len(jaxpr.outvars))[:-1]))


def _reaches(jaxpr, mask) -> list:
    hit = {v for v, m in zip(jaxpr.invars, mask) if m}

    def reached(v):
        return not hasattr(v, "val") and v in hit     # (a Literal has .val)

    for eqn in jaxpr.eqns:
        ins = [reached(v) for v in eqn.invars]
        if not any(ins):
            continue
        sub = eqn.params.get("jaxpr")
        if eqn.primitive.name in ("pjit", "jit", "closed_call") and sub is not None:
            outs = _reaches(getattr(sub, "jaxpr", sub), ins)
        else:
            outs = [True] * len(eqn.outvars)
        hit.update(v for v, o in zip(eqn.outvars, outs) if o)
    return [reached(v) for v in jaxpr.outvars]
