"""functorch_like.compile: a whole PyTorch-style training step as one XLA program.

The first call discovers the state the step touches (Modules, Optimizers, LR schedulers and
Tensors among the arguments, in the closure, in the globals it names and in a bound
method's object) and flattens it once into "slots": parameter and buffer values, gradients,
optimizer state entries, optimizer hyperparameters and the global RNG key. Each call then
reads the slots (a flat list of arrays), runs the compiled program, and writes the new
values back, donating the old buffers. The program is traced once per guard: the training
flags of the modules, which parameters require grad, the optimizers' structural options
and the non-tensor arguments; jax.jit adds one more per new input shape/dtype.

While tracing, tensors hold tracers: Python that needs a value (`.item()`, `print`,
`if loss > 0:`) raises `UntraceableError`. `scheduler.step()` called inside the step is
recorded, not traced, and replayed in Python after every call, so learning rates follow
the schedule while entering the program as values (no recompilation).
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable

import jax

from . import _random, _trace_state
from ._tensor import Tensor
from .nn.modules.module import Module
from .optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from .optim.optimizer import Optimizer

_trace_count = 0


def compile_count() -> int:
    """How many times functorch_like.compile has traced (= compiled) a step."""
    return _trace_count


def _is_state_object(x) -> bool:
    return isinstance(x, (Module, Optimizer, LRScheduler, ReduceLROnPlateau))


def _referenced_objects(fn: Callable, depth: int = 2) -> list:
    """Objects a function can reach by name: closure cells, named globals (following
    referenced Python functions `depth` levels), and a bound method's instance."""
    found, seen_fns = [], set()

    def visit(f, d):
        if id(f) in seen_fns:
            return
        seen_fns.add(id(f))
        if isinstance(f, types.MethodType):
            found.append(f.__self__)
            found.extend(vars(f.__self__).values() if hasattr(f.__self__, "__dict__") else [])
            f = f.__func__
        f = inspect.unwrap(f) if callable(f) else f
        code = getattr(f, "__code__", None)
        if code is None:
            return
        for cell in f.__closure__ or ():
            try:
                found.append(cell.cell_contents)
            except ValueError:      # an empty cell
                pass
        globs = getattr(f, "__globals__", {})
        for name in code.co_names:
            if name in globs:
                obj = globs[name]
                found.append(obj)
                if d > 0 and isinstance(obj, (types.FunctionType, types.MethodType)):
                    visit(obj, d - 1)
        for obj in list(found):
            if d > 0 and isinstance(obj, (types.FunctionType, types.MethodType)):
                visit(obj, d - 1)
    visit(fn, depth)
    return found


class _State:
    """The discovered state, flattened once into slot lists."""

    def __init__(self, objects):
        modules, optimizers, schedulers, tensors = {}, {}, {}, {}
        for obj in objects:
            if isinstance(obj, Module):
                for m in obj.modules():
                    modules.setdefault(id(m), m)
            elif isinstance(obj, Optimizer):
                optimizers.setdefault(id(obj), obj)
            elif isinstance(obj, (LRScheduler, ReduceLROnPlateau)):
                schedulers.setdefault(id(obj), obj)
                optimizers.setdefault(id(obj.optimizer), obj.optimizer)
            elif isinstance(obj, Tensor):
                tensors.setdefault(id(obj), obj)
        self.modules = list(modules.values())
        self.optimizers = list(optimizers.values())
        self.schedulers = list(schedulers.values())
        for m in self.modules:
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is not None:
                    tensors.setdefault(id(t), t)
        for opt in self.optimizers:
            for group in opt.param_groups:
                for p in group["params"]:
                    tensors.setdefault(id(p), p)
        self.tensors = list(tensors.values())
        self.params = [t for t in self.tensors if t._requires_grad]
        for opt in self.optimizers:
            opt._init_state()
        # Optimizer state entries as (dict, key) slots, in a fixed order.
        self.opt_slots = [(opt.state[p], name) for opt in self.optimizers
                          for group in opt.param_groups for p in group["params"]
                          if p in opt.state for name in sorted(opt.state[p])]
        # Numeric hyperparameters enter the program as values (lr changes never recompile).
        self._hp_cache: list = []
        self.hp_slots = [(group, name) for opt in self.optimizers for group in opt.param_groups
                         for name, value in group.items()
                         if name not in ("params", "initial_lr") and _is_number_or_pair(value)]

    def guard(self) -> tuple:
        return (tuple(m.training for m in self.modules),
                tuple(p._requires_grad for p in self.params),
                tuple(tuple(opt._static_key(g) for g in opt.param_groups)
                      for opt in self.optimizers),
                tuple(len(opt.param_groups) for opt in self.optimizers),
                len(self.opt_slots))

    def read(self, with_grads: bool = True) -> tuple:
        gen = _random.default_generator
        grads = ([p._grad._value if p._grad is not None else _zeros(p) for p in self.params]
                 if with_grads else None)
        return ([t._value for t in self.tensors], grads,
                [d[k] for d, k in self.opt_slots],
                [group[name] for group, name in self.hp_slots],
                gen._key)

    def hp_arrays(self, values: list) -> list:
        """Hyperparameters as device scalars, converted only when a value changed (a
        Python float argument would be transferred on every call)."""
        cache = self._hp_cache
        if len(cache) != len(values):
            cache[:] = [(None, None)] * len(values)
        out = []
        for i, v in enumerate(values):
            old, arr = cache[i]
            if arr is None or old != v or type(old) is not type(v):
                arr = (tuple(jax.numpy.asarray(x) for x in v) if isinstance(v, tuple)
                       else jax.numpy.asarray(v))
                cache[i] = (v, arr)
            out.append(arr)
        return out

    def write(self, values, grads, opt_values, key) -> None:
        for t, v in zip(self.tensors, values):
            t._value = v
            t._node = None
        for p, g in zip(self.params, grads if grads is not None else [None] * len(self.params)):
            if g is None:
                p._grad = None
            elif p._grad is None:
                p._grad = Tensor._make(g)
            else:
                p._grad._value = g
        for (d, k), v in zip(self.opt_slots, opt_values):
            d[k] = v
        _random.default_generator._key = key


def _zeros(p: Tensor):
    # A missing .grad enters as zeros, so the program's inputs keep one structure from the
    # first call on (accumulating into zeros is accumulating into nothing).
    return jax.numpy.zeros_like(p._value)


def _is_number_or_pair(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, tuple) and len(v) > 0 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)


def _split_args(args, kwargs):
    """Tensors become dynamic inputs; state objects and other values are static."""
    leaves, treedef = jax.tree.flatten((args, kwargs), is_leaf=lambda x: isinstance(
        x, Tensor) or _is_state_object(x))
    dynamic, static = [], []
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            dynamic.append(leaf._value)
            static.append(None)
        elif isinstance(leaf, (jax.Array,)):
            dynamic.append(leaf)
            static.append("array")
        else:
            static.append(leaf if not _is_state_object(leaf) else ("state", id(leaf)))
    return dynamic, tuple(static), treedef, leaves


class CompiledFunction:
    """The callable that `functorch_like.compile(fn)` returns."""

    def __init__(self, fn: Callable, *, donate: bool = True, keep_grads: bool = False):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.donate = donate
        self.keep_grads = keep_grads
        self._states: dict[tuple, _State] = {}
        self._programs: dict[tuple, tuple] = {}

    def _state(self, leaves, static) -> _State:
        key = tuple(s for s in static if isinstance(s, tuple) and s and s[0] == "state")
        state = self._states.get(key)
        if state is None:
            # Tensor arguments are inputs; tensors reached by name are state.
            objects = [x for x in leaves if _is_state_object(x)]
            referenced = [x for x in _referenced_objects(self.fn)
                          if _is_state_object(x) or isinstance(x, Tensor)]
            state = self._states[key] = _State(objects + referenced)
        return state

    def _entry(self, args, kwargs):
        dynamic, static, treedef, leaves = _split_args(args, kwargs)
        state = self._state(leaves, static)
        try:
            guard = (static, treedef, state.guard())
        except TypeError:
            raise TypeError("functorch_like.compile: non-tensor arguments must be hashable "
                            "(they are part of the compiled program)") from None
        entry = self._programs.get(guard)
        values, grads, opt_values, hps, key = state.read(
            with_grads=entry is None or entry[3]["with_grads"])
        hps = state.hp_arrays(hps)
        if self.donate:
            values, grads, opt_values = _distinct(values, grads or [], opt_values)
        inputs = (values, grads, opt_values, hps, key, dynamic)
        if entry is None:
            entry = self._programs[guard] = self._build(state, treedef, static, leaves, inputs)
        if not entry[3]["with_grads"]:
            inputs = (values, None) + inputs[2:]
        return entry, state, inputs

    def lower(self, *args, **kwargs):
        """jax's Lowered for the step's program on these arguments (e.g. for
        `.compile().memory_analysis()` or `.as_text()`); runs nothing."""
        (_, _, jitted, _), _, inputs = self._entry(args, kwargs)
        return jitted.lower(*inputs)

    def __call__(self, *args, **kwargs):
        (program, actions, _, _), state, inputs = self._entry(args, kwargs)
        out = program(*inputs)
        (values, grads, opt_values, key), out_leaves, out_treedef = out[0], out[1], out[2]
        state.write(values, grads, opt_values, key)
        for action in actions:        # recorded Python side effects, e.g. scheduler.step()
            action()
        return jax.tree.unflatten(out_treedef.val, [
            Tensor._make(x) if isinstance(x, jax.Array) else x for x in out_leaves])

    def _build(self, state: _State, treedef, static, leaves, inputs):
        fn = self.fn
        actions: list[Callable] = []
        out_structure = _Box()
        # with_grads: whether .grad enters and leaves the program. A step that drops the
        # incoming gradients (zero_grad inside, the usual full step) gets neither, unless
        # keep_grads: then it needs no gradient-sized buffers beyond a hand-written JAX step.
        mode = {"with_grads": True, "fresh": False}

        def run(values, grads, opt_values, hps, key, dynamic):
            actions.clear()            # a retrace records the side effects anew
            saved = state.read()
            saved_static = [opt._static_groups for opt in state.optimizers]
            patched = _record_scheduler_steps(state.schedulers, actions)
            _trace_state.state.compiling = True
            try:
                for opt in state.optimizers:
                    opt._static_groups = [dict(g) for g in opt.param_groups]
                state.write(values, grads, opt_values, key)
                incoming = [p._grad for p in state.params]
                for (group, name), v in zip(state.hp_slots, hps):
                    group[name] = v
                it = iter(dynamic)
                rebuilt = [Tensor._make(next(it)) if s is None else next(it) if s == "array"
                           else leaf for s, leaf in zip(static, leaves)]
                args, kwargs = jax.tree.unflatten(treedef, rebuilt)
                result = fn(*args, **kwargs)
                mode["fresh"] = all(p._grad is None or p._grad is not g
                                    for p, g in zip(state.params, incoming))
                new = state.read()
                out_leaves, out_treedef = jax.tree.flatten(
                    result, is_leaf=lambda x: isinstance(x, Tensor))
                out_leaves = [x._value if isinstance(x, Tensor) else x for x in out_leaves]
                arrays = [x if isinstance(x, (jax.Array, jax.core.Tracer)) else None
                          for x in out_leaves]
                consts = [None if isinstance(x, (jax.Array, jax.core.Tracer)) else x
                          for x in out_leaves]
                out_structure.val = (out_treedef, consts)
                return (new[0], new[1] if mode["with_grads"] else None, new[2], new[4]), arrays
            finally:
                _trace_state.state.compiling = False
                for sched, original in patched:
                    if original is None:
                        del sched.step        # back to the class's method (state_dict-safe)
                    else:
                        sched.step = original
                for opt, sg in zip(state.optimizers, saved_static):
                    opt._static_groups = sg
                for (group, name), v in zip(state.hp_slots, saved[3]):
                    group[name] = v
                state.write(saved[0], saved[1], saved[2], saved[4])

        donate = (0, 1, 2, 4) if self.donate else ()
        # keep_unused: a dead .grad input (zero_grad inside) must still arrive, donated, so
        # XLA can write the new gradients into its buffer.
        jitted = jax.jit(run, donate_argnums=donate, keep_unused=True)
        if not self.keep_grads:
            jax.eval_shape(run, *inputs)            # a trace without compiling: fresh?
            mode["with_grads"] = not mode["fresh"]

        def program(values, grads, opt_values, hps, key, dynamic):
            global _trace_count
            cached = jitted._cache_size()
            new_state, arrays = jitted(values, grads, opt_values, hps, key, dynamic)
            if jitted._cache_size() != cached:      # a new trace and compilation happened
                _trace_count += 1
            out_treedef, consts = out_structure.val
            leaves_out = [a if c is None else c for a, c in zip(arrays, consts)]
            return new_state, leaves_out, _Box(out_treedef)
        return program, actions, jitted, mode


def _distinct(*lists):
    """Copies arrays that occur twice among donated inputs (XLA cannot donate a buffer
    twice; fresh optimizer state can share JAX's cached zero constants)."""
    seen = set()
    out = []
    for values in lists:
        fixed = values
        for i, v in enumerate(values):
            if v is None:
                continue
            if id(v) in seen:
                if fixed is values:
                    fixed = list(values)
                fixed[i] = v.copy()
            seen.add(id(v))
        out.append(fixed)
    return out


class _Box:
    def __init__(self, val=None):
        self.val = val


def _record_scheduler_steps(schedulers, actions) -> list:
    """Inside the trace, scheduler.step() is recorded (to replay after each call)."""
    patched = []
    for sched in schedulers:
        original = sched.step
        had_own = "step" in vars(sched)      # else `step` is the class's method

        def recorder(*args, _original=original, **kwargs):
            actions.append(functools.partial(_original, *args, **kwargs))
        patched.append((sched, original if had_own else None))
        sched.step = recorder
    return patched


def compile(fn: Callable | None = None, *, fullgraph: bool = True, dynamic=None,
            backend=None, mode=None, options=None, disable: bool = False, donate: bool = True,
            keep_grads: bool = False):
    """Compiles a PyTorch-style step into one XLA program (usable as `@compile` or
    `@compile(...)`); PyTorch's keyword arguments are accepted and ignored.

    Args:
      fn: the step (its Modules/Optimizers/schedulers are found automatically).
      donate: donate the previous parameter/state buffers so they are updated in place
        (default). With donation, arrays taken from the model before a call (e.g. an old
        `state_dict()` not yet saved) are invalidated by it; pass donate=False or clone them.
      keep_grads: PyTorch parity note: a step that clears the gradients itself (calls
        `zero_grad()` before `backward()`) leaves `.grad` as None afterwards, instead of
        holding that step's gradients, so that it needs no gradient buffers beyond a
        hand-written JAX step. keep_grads=True writes them back as PyTorch does. Steps that
        accumulate into existing gradients always read and write `.grad`.
    """
    if fn is None:
        return lambda f: compile(f, donate=donate, disable=disable, keep_grads=keep_grads)
    if disable:
        return fn
    return CompiledFunction(fn, donate=donate, keep_grads=keep_grads)
