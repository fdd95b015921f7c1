"""functorch_like.compile: a whole PyTorch-style training step as one XLA program.

The first call discovers the state the step touches (Modules, Optimizers, LR schedulers and
Tensors among the arguments, in the closure, in the globals it names and in a bound
method's object, also inside dicts, lists and plain objects held there; and the modules'
tensor attributes) and flattens it once into "slots" (`_compile_state.StepState`):
parameter and buffer values, gradients, optimizer state entries (one step counter per group where
its parameters step together), the hyperparameters as one packed vector and the global RNG
key as raw data. Each call then checks the guard, reads the slots, runs the compiled
program, and writes the new values back, donating the old buffers. The program is traced
once per guard: the training flags of the modules, which tensors require grad, the
optimizers' structural options, the slot layout, the global modes (grad mode, autocast,
default dtype), the modules' plain attributes, the plain values the step reads as globals
or closure variables (or under a key or attribute name it uses, in the dicts and objects
it reaches), the hooks, and the non-tensor arguments; jax.jit adds one more per new input
shape/dtype.

Tensor arguments are inputs; one that requires grad is a leaf of the step's graph, and
the gradient the step computes for it is added to its .grad after the call, as in eager
code (a separate program from calls where it does not require grad). A step that neither
reads nor changes any .grad leaves the gradients alone; one that also writes no state (an
evaluation) neither donates nor outputs it. A forward whose result needs grad runs as one
recorded op, so eager backward() differentiates through it (`_compile_forward`);
`compile(module)` returns an OptimizedModule (`_compile_module`).

The common call (tensor arguments only, nothing changed since the last call) skips the
guard and the reads: after dispatching a call, while the device runs it, Python records
the state as that call left it (`_compile_state.Snapshot`), and the next call only checks
that every watched attribute and entry still holds the same object.

A tensor attribute that the step rebinds (a cache a forward keeps, weight_norm's hook) holds
the new value after each call, in the same tensor object from the second call on.

While tracing, tensors hold tracers: Python that needs a value (`.item()`, `print`,
`if loss > 0:`) raises `UntraceableError`. `scheduler.step()` called inside the step is
recorded, not traced, and replayed in Python after every call, so learning rates follow
the schedule while entering the program as values (no recompilation).
"""

from __future__ import annotations

import functools
import operator
import types
import weakref
from typing import Callable

import jax
import jax.extend.core

from . import _random, _trace_state
from ._compile_args import (check_containers_unchanged, check_objects_unchanged,
                            data_objects, distinct_inputs, is_grad_leaf,
                            number_inputs, own_tensors, rebuild_arguments,
                            set_argument_grads, shared_storage,
                            split_args, write_arguments)
from ._compile_discover import GradsOutsideParams, Unreached, discoverer
from ._compile_forward import call_differentiable
from ._compile_numbers import (NUMBER, PinNumbers, dynamic_enabled,
                               number_only_outputs)
from ._compile_python import Effects, Watch, is_tensor
from ._compile_reach import as_dicts, in_order, is_argument_leaf, is_state_object
from ._compile_schedulers import HostRead, PreRead, SchedulerRecorder, host_read
from ._compile_state import Snapshot, StepState, distinct
from ._tensor import Tensor
from ._trace_state import UntraceableError
from ._writes import WRITES
from .nn.modules.module import Module

# A tensor argument that requires grad or is part of a graph (PyTorch's requires_grad).
_needs_grad = operator.attrgetter("requires_grad")
_aval = operator.attrgetter("aval")     # an array's shape, dtype and weak type
_array = operator.attrgetter("_value")

_trace_count = 0

# Every compiled function, for reset_compiled (torch.compiler.reset()).
_ALL: "weakref.WeakSet[CompiledFunction]" = weakref.WeakSet()


def reset_compiled() -> None:
    """Forgets every compiled function's programs and state (see CompiledFunction)."""
    for compiled in list(_ALL):
        compiled._reset()


def _recompile_limit() -> int:
    """Programs one compiled function may trace for its guards (jax.jit's shapes aside)
    before it runs eagerly instead: torch._dynamo.config.recompile_limit (8)."""
    from ._dynamo.config import config
    return config.recompile_limit


def compile_count() -> int:
    """How many times functorch_like.compile has traced (= compiled) a step."""
    return _trace_count


class _Program:
    """One traced step: its jitted function, the Python side effects to replay, whether
    `.grad` enters and leaves it, and how to rebuild its Python result."""

    __slots__ = ("jitted", "actions", "with_grads", "out_treedef", "consts", "state_guard",
                 "n_tensor_args", "differentiable", "pure", "io", "shapes", "touches_grads",
                 "writes_state", "effects", "none_grads", "fresh_grads", "mutated_args",
                 "split", "run",
                 "avals", "held", "grads_none", "pre_reads", "numbers", "freed_nodes",
                 "traces")

    def __init__(self, state_guard: tuple, n_tensor_args: int | None, avals: list):
        self.actions: list[Callable] = []
        self.with_grads = True
        # False for a step that neither reads nor changes any .grad (a forward, an
        # evaluation): then the gradients stay as they are, None included.
        self.touches_grads = True
        # False for one that writes no parameter, buffer or optimizer state either (an
        # evaluation): then they are neither donated nor output, only read.
        self.writes_state = True
        # Positions of the result's leaves that need grad when the step runs no backward
        # itself (a compiled forward): then calls record one node (_compile_forward).
        self.differentiable: tuple = ()
        self.pure = None        # that case's jitted program, without donation
        self.io = None          # (input treedef, output treedef, number of state outputs)
        self.shapes: set = set()
        # What the step changes in Python objects that is redone after every call
        # (_compile_python); the program outputs the values it binds.
        self.effects = Effects([], [])
        self.none_grads: tuple = ()     # the parameters whose .grad the step leaves None
        self.fresh_grads: tuple = ()    # ... and those whose .grad it makes anew
        self.mutated_args: tuple = ()   # the tensor arguments it changes in place
        self.held = False       # whether it returns state or argument tensors themselves
        # The numbers it returns as they were when a call began (PreRead): read at the
        # start of each call's write-back.
        self.pre_reads: tuple = ()
        # (written, read-only) positions among the state's values when the program writes
        # some and only reads others: then only the written ones are donated (a frozen
        # backbone's weights, a constant attribute stay the caller's arrays).
        self.split: tuple | None = None
        self.run = None             # the traced Python function, unjitted
        self.state_guard = state_guard      # the StepState.guard() it was traced for
        self.n_tensor_args = n_tensor_args  # when its arguments are that many tensors only
        # The shapes and dtypes of the array inputs it was traced for: one program per
        # signature, as the Python of the trace (what it returns, which arguments it
        # changes) may depend on them; never one jax.jit retraced for another shape.
        self.avals = avals
        # The leaf positions of the float arguments it takes as inputs (_compile_numbers).
        self.numbers: frozenset = frozenset()
        # Per result leaf, for a step that ran backward itself: the grad_fn of a result
        # that had one in the trace (`return loss`), as a node whose graph is freed, as
        # torch's is after backward (it prints, requires grad, refuses a second backward).
        self.freed_nodes: tuple = ()
        self.traces = 0     # how many times jax traced it (a call that did recompiled)

    def aliasing_breaks(self, own: list, state_index: dict) -> bool:
        """Whether this program would miss, for these own tensor arguments, a write that
        shows through shared storage eagerly (shared_storage): between two of them when it
        changes an argument in place, between one and the state when it changes either."""
        if not (self.mutated_args or self.writes_state):
            return False
        among, with_state = shared_storage(own, state_index)
        return (among and bool(self.mutated_args)) or with_state

    def _arguments(self, inputs: tuple) -> tuple:
        """The jitted program's arguments for a call's inputs (values, grads, optimizer
        state, hyperparameters, key, arguments): with a split, the written values first
        and the read-only ones last."""
        if self.split is None:
            return inputs
        written, read = self.split
        values = inputs[0]
        return ([values[i] for i in written], *inputs[1:], [values[i] for i in read])

    def dispatch(self, inputs: tuple) -> tuple:
        """Runs the program on a call's inputs; its state values come back as a full
        list."""
        if self.split is None:
            return self.jitted(*inputs)
        (out, *state_out), *rest = self.jitted(*self._arguments(inputs))
        full = list(inputs[0])
        for i, v in zip(self.split[0], out):
            full[i] = v
        return ((full, *state_out), *rest)

    def lower(self, inputs: tuple):
        """jax's Lowered for these inputs."""
        return self.jitted.lower(*self._arguments(inputs))

    def result(self, arrays: list, tensors: list | None = None, state=None, own=()):
        """The step's Python result from its output arrays (or, for a differentiable call,
        from the Tensors already made for them); state tensors and argument tensors it
        returns are those objects (`state`, and `own`: the call's own tensor arguments)."""
        consts = self.consts
        if self.held:
            consts = [c.get(state, own) if type(c) in (_Held, _HeldView) else c
                      for c in consts]
        elif tensors is None and consts == (None,) and self.out_treedef.num_leaves == 1 \
                and self.out_treedef.num_nodes == 1:
            # (the usual `return loss`)
            return Tensor._make(arrays[0], False, self.freed_nodes[0]) if self.freed_nodes \
                else Tensor._make(arrays[0])
        if tensors is None:
            nodes = self.freed_nodes or (None,) * len(arrays)
            tensors = [None if a is None else Tensor._make(a, False, n)
                       for a, n in zip(arrays, nodes)]
        return as_dicts(jax.tree.unflatten(self.out_treedef, [
            t if c is None else t._value.item() if c is _NUMBER_OUT else
            c.get() if isinstance(c, HostRead) else c
            for t, c in zip(tensors, consts)]))


# A result leaf that is a number computed in the program (Program.result reads it).
_NUMBER_OUT = object()

# What jax raises where Python asks a traced array (a tensor's, or a param group's number)
# for its value: np.asarray, bool(), int(), math functions.
_CONCRETE_VALUE_ERRORS = (jax.errors.ConcretizationTypeError,
                          jax.errors.TracerIntegerConversionError,
                          jax.errors.TracerArrayConversionError)


def _set_requires_grad(flags: list) -> None:
    """What a compiled step does to its state tensors' requires_grad (a GAN's step that
    freezes or unfreezes its discriminator), after each call."""
    for t, flag in flags:
        t.requires_grad = flag


def _concrete_value_needed(e: Exception) -> UntraceableError:
    first = str(e).strip().split("\n")[0]
    return UntraceableError(
        f"functorch_like.compile: the step asked for the value of a traced array ({first}). "
        "Inside a compiled function, tensors and the optimizers' numbers (param_groups' "
        "lr, betas, ...) are traced: their values exist only when the program runs, while "
        "the step's Python runs once, to record it. Move this Python outside the compiled "
        "function (return the value and use it on the result), or use tensor ops such as "
        "torch.where instead of Python control flow on values.")


class _Held:
    """A result leaf that is a state tensor or a tensor argument itself (`return
    model.weight`, `x.add_(1); return x`): returned as that object, as eagerly, holding
    its value after the call; or a detached alias of a state tensor (`return
    model.weight.detach()`, a state_dict()'s values): a new alias of it, which later
    calls' updates show in, as eagerly."""

    __slots__ = ("kind", "index")

    def __init__(self, kind: str, index: int):
        self.kind, self.index = kind, index

    def get(self, state, own: list):
        if self.kind == "state":
            return state.tensors[self.index]
        if self.kind == "state_alias":
            return state.tensors[self.index].detach()
        if self.kind == "holder":                   # (an optimizer state tensor)
            return state.holders[self.index]
        return own[self.index]


class _HeldView:
    """A result leaf that is a view (`m.weight.detach()[0]`, `x[:2]` of an argument) of a
    _Held tensor: made afresh from that tensor after each call, by the same chain of view
    ops, so that it shares its storage, as eagerly (a copy went stale)."""

    __slots__ = ("root", "chain")

    def __init__(self, root: _Held, chain: tuple):
        self.root, self.chain = root, chain

    def get(self, state, own: list):
        from ._tensor_views import _view_value, mark_view
        from .autograd._grad_mode import no_grad
        t = self.root.get(state, own)
        with no_grad():         # (as the trace made it: a view with no grad_fn)
            for kind, info, multi, shape, detached in self.chain:
                view = _view_value(t, (t, kind, info, multi),
                                   types.SimpleNamespace(shape=shape))
                if view.__dict__.get("_view_of", (None,))[0] is not t:
                    mark_view(view, t, kind, info, multi)       # (a dtype view)
                if detached:
                    view.__dict__["_detached_view"] = True
                t = view
        return t


def _held_view(x, held_of) -> "_HeldView | None":
    """The _HeldView of a result tensor that is a view, outside autograd, of a tensor
    `held_of` maps to a _Held (or None)."""
    chain = []
    while isinstance(x, Tensor) and x._node is None and not x._requires_grad:
        spec = x.__dict__.get("_view_of")
        if spec is None:
            return None
        chain.append((spec[1], spec[2], spec[3], tuple(x.shape),
                      "_detached_view" in x.__dict__))
        x = spec[0]
        root = held_of(x)
        if root is not None:
            return _HeldView(root, tuple(reversed(chain)))
    return None


def _freed_node(name: str):
    """A grad_fn named `name` whose graph is freed (see _Program.freed_nodes)."""
    from .autograd._node import node_class
    node = node_class(name)(None, (), (), name, False)
    node.freed = True
    return node


def _state_alias(x, state):
    """The state index of the state tensor `x` is a detached alias of (`.detach()`,
    `.data`) at the end of a trace, else None."""
    group = x._aliases if isinstance(x, Tensor) else None
    if group is None or x._node is not None:
        return None
    for ref in group._members:
        t = ref()
        if t is not None and t is not x and t._value is x._value and \
                id(t) in state.tensor_index:
            return state.tensor_index[id(t)]
    return None


class CompiledFunction:
    """The callable that `functorch_like.compile(fn)` returns."""

    def __init__(self, fn: Callable, *, donate: bool = True, keep_grads: bool = False,
                 dynamic: bool | None = None):
        # (a Module's __dict__ is its state, not metadata to copy onto the wrapper)
        functools.update_wrapper(self, fn, updated=() if isinstance(fn, Module) else
                                 functools.WRAPPER_UPDATES)
        self.fn = fn
        self.donate = donate
        self.keep_grads = keep_grads
        # torch.compile's `dynamic`: True makes float arguments inputs of the program
        # (_compile_numbers); None and False compile each value in.
        self.dynamic = dynamic
        self._reset()
        # A method compiled in its class body: one compiled function per instance, bound to
        # it (__get__), so that the instance's models and optimizers are found as state.
        self._bound: dict[int, tuple] = {}
        _ALL.add(self)

    def _reset(self) -> None:
        """No programs, no state: the next call traces afresh."""
        self._states: dict[tuple, StepState] = {}
        self._programs: dict[tuple, _Program] = {}
        # The guards traced for, input shapes aside (the recompile limit counts these: a
        # new batch shape is one more program but not one more guard).
        self._guards: set = set()
        # The last call's (number of tensor arguments, state, state guard, program), for
        # the common call with tensor arguments only: then the argument part of the guard
        # is known and only the state's guard is checked.
        self._last = None
        # The state as the last call left it, when the next call with as many tensor
        # arguments can reuse that call's program and outputs as they are (Snapshot).
        self._snapshot: Snapshot | None = None
        self._eager = False         # past the recompile limit: the function runs as it is
        # Leaf positions of the float arguments that must stay constants even with
        # dynamic=True (_compile_numbers).
        self._pinned: frozenset = frozenset()

    def __get__(self, obj, objtype=None):
        """`@torch.compile` on a method in a class body: `obj.method` is compiled for obj
        (its attributes are state and watched, as for `torch.compile(obj.method)`)."""
        if obj is None:
            return self
        entry = self._bound.get(id(obj))
        if entry is None or entry[0]() is not obj:
            compiled = type(self)(types.MethodType(self.fn, obj), donate=self.donate,
                                  keep_grads=self.keep_grads, dynamic=self.dynamic)
            key = id(obj)
            try:
                ref = weakref.ref(obj, lambda _, bound=self._bound: bound.pop(key, None))
            except TypeError:           # (an object without weak references: kept alive)
                ref = (lambda o: lambda: o)(obj)
            self._bound[key] = entry = (ref, compiled)
        return entry[1]

    def __deepcopy__(self, memo):
        """A copy compiles afresh for the copied function (and the objects it reaches):
        programs and state slots belong to the original's objects."""
        import copy
        return type(self)(copy.deepcopy(self.fn, memo), donate=self.donate,
                          keep_grads=self.keep_grads, dynamic=self.dynamic)

    def _give_up(self) -> None:
        """At the recompile limit: warn once, as torch._dynamo does, and run the function
        eagerly from now on (its numbers stay right; its programs are freed)."""
        import warnings
        name = getattr(self.fn, "__qualname__", type(self.fn).__name__)
        warnings.warn(
            f"functorch_like.compile: {name!r} hit the recompile limit "
            f"({_recompile_limit()}, torch._dynamo.config.recompile_limit) and runs eagerly "
            "from now on. A guard changed on every call: typically a Python number "
            "argument that differs between calls (an int such as a step index, or a float "
            "the step needs as a Python value: each value is compiled in), or a global "
            "or closure variable the function reads that is rebound between calls (a new "
            "tensor, or a number that changes, such as a step counter); pass such a value "
            "as a tensor argument instead (torch.tensor(w)).", UserWarning,
            stacklevel=5)
        self._reset()
        self._eager = True

    def _state(self, leaves) -> StepState:
        key = tuple(id(x) for x in leaves if is_state_object(x))
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = StepState(
                [x for x in leaves if is_state_object(x)], self.fn)
        return state

    def _lookup(self, args, kwargs) -> tuple:
        """(program, state, dynamic inputs) for a call, tracing a new program if needed."""
        last = self._last
        if last is not None and not kwargs and len(args) == last[0] and all(
                isinstance(a, Tensor) and not a.requires_grad for a in args):
            state, values = last[1], [a._value for a in args]
            program = last[3]
            if state.guard() == last[2] and list(map(_aval, values)) == program.avals \
                    and distinct_inputs(args, state) and (
                        not program.with_grads or program.grads_none == state.grads_none()):
                if program.aliasing_breaks(args, state.tensor_index):
                    return None, state, values          # (this call runs eagerly)
                return program, state, values
        leaves, treedef = jax.tree.flatten(in_order((args, kwargs)), is_leaf=is_argument_leaf)
        state = self._state(leaves)
        dynamic, static, _ = split_args(leaves, state.tensor_index, self._floats_in(leaves))
        avals = list(map(_aval, dynamic))
        signature = tuple(avals)
        try:
            guard = (static, treedef, state.guard())
            program = self._find((*guard, signature), state)
        except TypeError:
            raise TypeError("functorch_like.compile: non-tensor arguments must be hashable "
                            "(they are part of the compiled program)") from None
        if program is None:
            state.refresh()     # something changed: new parameters, groups or state?
            while True:
                dynamic, static, _ = split_args(leaves, state.tensor_index,
                                                self._floats_in(leaves))
                avals = list(map(_aval, dynamic))
                signature = tuple(avals)
                guard = (static, treedef, state.guard())
                program = self._find((*guard, signature), state)
                if program is not None:
                    break
                if guard not in self._guards and len(self._guards) >= _recompile_limit():
                    return self._give_up(), state, dynamic
                tensors_only = not kwargs and all(s is None for s in static) and len(
                    static) == len(args)
                try:
                    program = self._build(state, treedef, static, leaves, dynamic, guard[2],
                                          len(args) if tensors_only else None, avals)
                except GradsOutsideParams as made:
                    if all(id(t) in state.made_params for t in made.tensors):
                        raise RuntimeError("functorch_like.compile: internal error: a "
                                           "parameter's gradient left the trace") from None
                    state.made_params.update(map(id, made.tensors))
                    state.refresh()
                    continue
                except Unreached as found:
                    # State the search by name missed: it is state from now on, and the
                    # step is traced again.
                    if any(x is found.obj for x in state.found_objects):
                        raise UntraceableError(
                            f"functorch_like.compile: the step uses {found.what()} that "
                            "it cannot follow as state; pass it to the compiled function "
                            "as an argument") from None
                    state.found_objects.append(found.obj)
                    state.refresh()
                    continue
                except Exception:
                    # Float arguments traced as tensors where Python needed their value
                    # (or returned as results, or refused as tensors by an op): constants
                    # from now on, and traced again (an error not due to them recurs
                    # there).
                    numbers = frozenset(i for i, s in enumerate(static) if s == NUMBER)
                    if not numbers:
                        raise
                    self._pinned = self._pinned | numbers
                    continue
                self._guards.add(guard)
                key = (*guard, signature)
                self._programs[key if key not in self._programs else
                               (*key, program.grads_none)] = program
                break
        if program.n_tensor_args is not None:
            self._last = (len(args), state, guard[2], program)
        if program.aliasing_breaks(own_tensors(leaves, guard[0]), state.tensor_index):
            # Arguments that share storage with each other or with the state, where the
            # program writes: eagerly, for this call, the writes show through as in torch.
            return None, state, dynamic
        return program, state, dynamic

    def _floats_in(self, leaves: list) -> frozenset:
        """The leaf positions of the float arguments that are program inputs: with
        dynamic=True, every float not pinned (_compile_numbers); else none."""
        if not (self.dynamic and dynamic_enabled()):
            return frozenset()
        return frozenset(i for i, x in enumerate(leaves) if type(x) is float) - self._pinned

    def _find(self, key: tuple, state: StepState):
        """The program for a guard and input signature; one that takes the gradients
        also for the pattern of None .grads it was traced for."""
        program = self._programs.get(key)
        if program is not None and program.with_grads:
            pattern = state.grads_none()
            if program.grads_none != pattern:
                program = self._programs.get((*key, pattern))
        return program

    def _inputs(self, state: StepState, with_grads: bool, dynamic: list) -> tuple:
        values, grads, opt_values, hps, key = state.read(with_grads)
        # The last call's outputs, read back untouched, are distinct buffers (jit never
        # returns one buffer twice): then the id scan of `distinct` is not needed.
        outputs = state.last_outputs
        if self.donate and not (grads is None and outputs is not None
                                and all(map(operator.is_, values, outputs[0]))
                                and all(map(operator.is_, opt_values, outputs[1]))):
            if grads is None:
                values, opt_values = distinct(values, opt_values)
            else:
                values, grads, opt_values = distinct(values, grads, opt_values)
        return values, grads, opt_values, hps, key, dynamic

    def lower(self, *args, **kwargs):
        """jax's Lowered for the step's program on these arguments (e.g. for
        `.compile().memory_analysis()` or `.as_text()`); runs nothing."""
        program, state, dynamic = self._lookup(args, kwargs)
        if program is None:
            raise RuntimeError("functorch_like.compile: this call runs eagerly (the function "
                               "hit the recompile limit, or its tensor arguments share "
                               "storage with each other or with the state it changes); "
                               "there is no program to lower")
        return program.lower(self._inputs(state, program.with_grads, dynamic))

    def __call__(self, *args, **kwargs):
        snapshot = self._snapshot
        # The common call of a training loop: nothing counted was written since the last
        # call left its snapshot. (Never inside a trace, whose start counts a write, nor
        # past the recompile limit, which leaves no snapshot.) All it checks before
        # dispatch is Snapshot.admits, which on a device's step is most of what a call
        # adds to a hand-written jitted one.
        if snapshot is not None and snapshot.writes == WRITES.count and not kwargs \
                and (values := snapshot.admits(args)) is not None:
            self._snapshot = None
            program = snapshot.program
            traces = program.traces     # (cheaper than asking jax for its cache size)
            outputs = program.jitted(*snapshot.inputs, values) if program.split is None \
                else program.dispatch((*snapshot.inputs, values))
            return self._finish(program, snapshot.state, snapshot, outputs,
                                program.traces != traces, args, kwargs)
        if _trace_state.state.compiling or self._eager:
            # Inside another compiled step (inlined there), or past the recompile limit.
            return self.fn(*args, **kwargs)
        program, state, inputs, snapshot = self._prepare(args, kwargs)
        if program is None:     # (the recompile limit, or arguments sharing storage)
            return self.fn(*args, **kwargs)
        if program.differentiable:
            outputs, tensors, traced = call_differentiable(program, state, inputs, args,
                                                           kwargs)
            return self._finish(program, state, None, outputs, traced, args, kwargs, tensors)
        jitted = program.jitted
        cached = jitted._cache_size()
        outputs = jitted(*inputs) if program.split is None else program.dispatch(inputs)
        # (a changed cache size: this call traced and compiled a new program)
        return self._finish(program, state, snapshot, outputs,
                            jitted._cache_size() != cached, args, kwargs)

    def _prepare(self, args, kwargs) -> tuple:
        """What a call does before dispatch: (program, state, inputs, the snapshot it
        started from or None)."""
        snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None and not kwargs and (values := snapshot.admits(args)) \
                is not None:
            return snapshot.program, snapshot.state, (*snapshot.inputs, values), snapshot
        program, state, dynamic = self._lookup(args, kwargs)
        if program is None:
            return None, state, None, None
        return program, state, self._inputs(state, program.with_grads, dynamic), None

    def _finish(self, program: _Program, state: StepState, snapshot: Snapshot | None,
                outputs: tuple, traced: bool, args, kwargs, tensors: list | None = None):
        """What a call does after dispatch, while the device runs the step: writes the
        outputs back, replays the recorded side effects, takes the next call's snapshot
        and returns the step's Python result (made of `tensors` where given)."""
        global _trace_count
        if traced:
            _trace_count += 1
        if program.pre_reads:
            for read in program.pre_reads:
                read.capture()
        (values, grads, opt_values, key), arrays, arg_grads, action_values, rebound, \
            mutated = outputs
        state.write(values, grads, opt_values, key, publish_values=True,
                    clear_grads=program.touches_grads, fresh_grads=program.fresh_grads)
        if grads is not None and True in program.none_grads:
            for p, none in zip(state.params, program.none_grads):
                if none:
                    p._grad = None
        if program.effects:
            program.effects.apply(rebound)
            if program.effects.rebinds:
                state.refresh()         # the tensors bound are state from the next call on
        if values is not None:
            state.last_outputs = (values, opt_values)
        own = ()
        if arg_grads or mutated or program.held:
            # (the caller's tensor arguments that are the program's own inputs)
            leaves = jax.tree.leaves(in_order((args, kwargs)), is_leaf=is_argument_leaf)
            own = own_tensors(leaves, split_args(leaves, state.tensor_index)[1])
            if arg_grads:
                set_argument_grads(own, arg_grads)
            if mutated:
                write_arguments(own, program.mutated_args, mutated)
        action_values = iter(action_values)
        for action in program.actions:  # recorded Python side effects: scheduler.step()
            action(action_values)
        if snapshot is not None and program is snapshot.program and not (
                traced or program.actions or program.effects):
            # Nothing but this call's outputs changed since the snapshot was checked.
            if values is None:                  # (a program that writes no state)
                values, opt_values = snapshot.inputs[0], snapshot.inputs[2]
            self._snapshot = Snapshot(state, program, (
                values, None, opt_values, snapshot.inputs[3],
                snapshot.inputs[4] if key is None else key), snapshot)
        else:
            self._snapshot = self._take_snapshot(program, state)
        return program.result(arrays, tensors, state, own)

    @staticmethod
    def _take_snapshot(program: _Program, state: StepState) -> Snapshot | None:
        """The snapshot the next call may start from, or None where the state as left
        needs the full path (another program, or inputs that are not this call's distinct
        outputs)."""
        if program.n_tensor_args is None or program.with_grads or program.differentiable \
                or state.tensor_hps:
            return None
        if state.guard() != program.state_guard:    # (also repacks changed hyperparameters)
            return None
        values, _, opt_values, hps, key = state.read(False)
        outputs = state.last_outputs
        if program.writes_state and (outputs is None or not (
                all(map(operator.is_, values, outputs[0]))
                and all(map(operator.is_, opt_values, outputs[1])))):
            return None                 # (donated inputs must be distinct buffers)
        return Snapshot(state, program, (values, None, opt_values, hps, key))

    def _build(self, state: StepState, treedef, static, leaves, dynamic, state_guard,
               n_tensor_args, avals: list) -> _Program:
        fn = self.fn
        program = _Program(state_guard, n_tensor_args, avals)
        program.numbers = frozenset(i for i, s in enumerate(static) if s == NUMBER)
        grads_none = program.grads_none = state.grads_none()
        discovering = [True]
        untouched, writes, written = [False], [True], [()]
        cleared: set = set()    # (the tensors whose .grad the trace set to None)

        def run(values, grads, opt_values, hps, key, dynamic):
            program.traces += 1
            program.actions.clear()            # a retrace records the side effects anew
            saved = state.snapshot()
            watch = None
            saved_static = [opt._static_groups for opt in state.optimizers]
            recorder = _trace_state.state.scheduler_recorder
            scheduling = SchedulerRecorder(state.schedulers, program.actions)
            _trace_state.state.scheduler_recorder = scheduling
            _trace_state.state.compiling = True
            # (a counted write: no snapshot holds unchecked inside a trace, where a
            # compiled function's call is inlined, never dispatched: __call__)
            WRITES.count += 1
            discover = _trace_state.state.discover
            _trace_state.state.discover = discoverer(state)
            outer_cleared = _trace_state.state.cleared
            cleared.clear()
            _trace_state.state.cleared = cleared
            try:
                for opt in state.optimizers:
                    # (a tensor lr as its number: the structure never depends on it)
                    opt._static_groups = [
                        {k: float(v._value) if k != "params" and isinstance(v, Tensor)
                         and v.ndim == 0 else v for k, v in g.items()}
                        for g in opt.param_groups]
                state.write(values, grads, opt_values, key)
                if grads is not None and not discovering[0]:
                    # A .grad that was None is None in the trace too (its input is zeros
                    # only to keep the program's inputs one structure): an optimizer then
                    # skips that parameter, as eagerly. (The first trace, which finds out
                    # whether the step reads the gradients, keeps the zeros: accumulating
                    # into them shows as a read.)
                    for p, none in zip(state.params, grads_none):
                        if none:
                            p._grad = None
                incoming = [p._grad for p in state.params]
                incoming_values = [None if g is None else g._value for g in incoming]
                hp_inputs = state.unpack_hps(hps)
                for (group, name), v in zip(state.hp_slots, hp_inputs):
                    group[name] = v
                _trace_state.state.hp_inputs = {
                    (id(group), name): v for (group, name), v in zip(state.hp_slots, hp_inputs)}
                # What the step changes in Python objects (the optimizers' groups too: a
                # warmup that sets lr) is put back after the trace, and redone after every
                # call (_compile_python).
                watch = Watch(state.traced_containers + [
                    (g, f"{type(opt).__name__}.param_groups[{i}]", "group")
                    for opt in state.optimizers for i, g in enumerate(opt.param_groups)] + [
                    # (a generator passed in: a draw from it is refused, not leaked)
                    (vars(g), "passed as an argument", "generator") for g in leaves
                    if isinstance(g, _random.Generator)
                    and g is not _random.default_generator],
                    state.randoms, state.rebound)
                rebuilt = rebuild_arguments(static, leaves, dynamic, state)
                own = own_tensors(rebuilt, static)
                arg_tensors = [(t, t._value) for t in own]
                grad_args = [t for t, s in zip(rebuilt, static) if is_grad_leaf(s)]
                grads_in = [t._grad for t in grad_args]
                args, kwargs = as_dicts(jax.tree.unflatten(treedef, rebuilt))
                objects = data_objects((args, kwargs))
                try:
                    result = fn(*args, **kwargs)
                except _CONCRETE_VALUE_ERRORS as e:
                    raise _concrete_value_needed(e) from e
                given = state.gradients_given(saved)
                if given:
                    raise GradsOutsideParams(given)
                flags = state.requires_grad_changes(saved)
                if flags:
                    # (the trace's changes are undone with the rest: done after each call)
                    scheduling.after_each_call(functools.partial(_set_requires_grad, flags))
                scheduling.restore_groups()
                check_objects_unchanged(objects)
                check_containers_unchanged(args, kwargs, treedef, rebuilt)
                # Tensor arguments the step changed in place (`x.mul_(s)`; one that requires
                # grad only under no_grad, else the op raised as eagerly): their new values
                # leave the program and go to the caller's tensors, as in eager code.
                program.mutated_args = tuple(i for i, (t, v) in enumerate(arg_tensors)
                                             if t._value is not v)
                mutated = [arg_tensors[i][0]._value for i in program.mutated_args]
                # (the .grad of each that requires grad, as the step left it: given to
                # the caller's tensor after the call)
                arg_grads = [None if t._grad is None else t._grad._value for t in grad_args]
                grads_changed = any(t._grad is not g or (g is not None and g._value is not v)
                                    for t, g, v in zip(grad_args, grads_in, [
                                        None if g is None else g._value for g in grads_in]))
                if any(t._grad is not None for t, s in zip(rebuilt, static) if s == "graph"):
                    raise RuntimeError(
                        "functorch_like.compile: the step ran backward() through a tensor "
                        "argument that is part of a graph outside it; the gradient cannot "
                        "continue into that graph from a compiled step. Compile the forward "
                        "only (model = torch.compile(model)) and call backward() outside, "
                        "or pass the argument detached.")
                program.effects, rebound = watch.effects(
                    state.tensors, lambda x: host_read(x, state.hp_slots, hp_inputs))
                # "untouched": no .grad replaced or updated in place (no backward, no
                # zero_grad).
                untouched[0] = all(p._grad is g and (g is None or g._value is v)
                                   for p, g, v in zip(state.params, incoming, incoming_values))
                ran_backward = not untouched[0] or grads_changed
                # Gradients the step leaves as None (zero_grad at its end) stay None.
                program.none_grads = tuple(p._grad is None for p in state.params)
                # ... and those it made anew (zero_grad to None, then backward): a new
                # .grad object on every call too, not the last one's overwritten
                program.fresh_grads = tuple(p._grad is not None and p._grad is not g
                                            for p, g in zip(state.params, incoming))
                new = state.read()
                opt_out = state.read_opt_outputs()
                # Whether the step writes any state (parameters, buffers, optimizer state):
                # a forward that does not gains nothing from donating its inputs.
                writes[0] = not (all(map(operator.is_, new[0], values))
                                 and all(map(operator.is_, opt_out, opt_values)))
                written[0] = tuple(i for i, (n, v) in enumerate(zip(new[0], values))
                                   if n is not v)
                out_leaves, out_treedef = jax.tree.flatten(in_order(result), is_leaf=is_tensor)
                # (numbers it returns as it read them from a param group or a scheduler
                # are read on the host on every call, as eager code returns them)
                out_leaves = [x if isinstance(x, Tensor) else
                              host_read(x, state.hp_slots, hp_inputs) for x in out_leaves]
                # (state tensors and tensor arguments returned are returned themselves)
                own_ids = {id(t): i for i, t in enumerate(own)}
                out_leaves = [_Held("state", state.tensor_index[id(x)])
                              if id(x) in state.tensor_index else
                              _Held("arg", own_ids[id(x)]) if id(x) in own_ids else x
                              for x in out_leaves]
                out_leaves = [x if type(x) is _Held or (i := _state_alias(x, state)) is None
                              else _Held("state_alias", i) for x in out_leaves]
                holder_ids = {id(t): k for k, t in enumerate(state.holders)}
                out_leaves = [_Held("holder", holder_ids[id(x)]) if id(x) in holder_ids
                              else x for x in out_leaves]

                def held_of(t):
                    if id(t) in state.tensor_index:
                        return _Held("state", state.tensor_index[id(t)])
                    if id(t) in own_ids:
                        return _Held("arg", own_ids[id(t)])
                    i = _state_alias(t, state)
                    return None if i is None else _Held("state_alias", i)
                out_leaves = [x if type(x) is _Held or (v := _held_view(x, held_of)) is None
                              else v for x in out_leaves]
                program.held = any(type(x) in (_Held, _HeldView) for x in out_leaves)
                program.differentiable = () if ran_backward else tuple(
                    j for j, x in enumerate(out_leaves)
                    if isinstance(x, Tensor) and (x._requires_grad or x._node is not None))
                if ran_backward and any(isinstance(x, Tensor) and x._node is not None
                                        for x in out_leaves):
                    program.freed_nodes = tuple(
                        _freed_node(x._node._name)
                        if isinstance(x, Tensor) and x._node is not None else None
                        for x in out_leaves)
                # (a number computed from a param group's traced numbers, `lr * 2`, is a
                # Python number for the caller, as eagerly: read from its output array)
                numbers = [isinstance(x, jax.core.Tracer) for x in out_leaves]
                out_leaves = [x._value if isinstance(x, Tensor) else x for x in out_leaves]
                is_array = [isinstance(x, (jax.Array, jax.core.Tracer)) for x in out_leaves]
                program.out_treedef = out_treedef
                program.consts = tuple(_NUMBER_OUT if n else None if a else x
                                       for a, n, x in zip(is_array, numbers, out_leaves))
                program.pre_reads = tuple(x for x in program.consts if type(x) is PreRead)
                arrays = [x if a else None for a, x in zip(is_array, out_leaves)]
                grads_out = new[1] if program.with_grads else None
                # The tensors the recorded scheduler steps were given (a loss for
                # ReduceLROnPlateau) leave the program, for their replay.
                action_values = [v for action in program.actions for v in action.take_traced()]
                # A step that draws nothing leaves the key as it came: it does not leave the
                # program (no copy of it in XLA, no output buffer, nothing to write back).
                key_out = None if new[4] is key else new[4]
                if not program.writes_state:
                    return ((None, grads_out, None, key_out), arrays, arg_grads,
                            action_values, rebound, mutated)
                return ((new[0], grads_out, opt_out, key_out), arrays, arg_grads,
                        action_values, rebound, mutated)
            finally:
                _trace_state.state.compiling = False
                _trace_state.state.discover = discover
                _trace_state.state.cleared = outer_cleared
                _trace_state.state.hp_inputs = None
                scheduling.restore_groups()
                if watch is not None:
                    watch.put_back()
                _trace_state.state.scheduler_recorder = recorder
                for opt, sg in zip(state.optimizers, saved_static):
                    opt._static_groups = sg
                state.restore(saved)

        # The RNG key is not donated: 8 bytes, and get_rng_state() may hand it out.
        donate = (0, 1, 2) if self.donate else ()
        # keep_unused: a dead .grad input (zero_grad inside) must still arrive, donated, so
        # XLA can write the new gradients into its buffer.
        program.run = run
        program.jitted = jax.jit(run, donate_argnums=donate, keep_unused=True)
        # A trace without compiling tells whether the step reads the gradients it is given
        # (not when it makes them afresh, zero_grad before backward: then .grad neither
        # enters nor leaves the program), and whether it is a forward whose result needs
        # grad.
        inputs = self._inputs(state, True, dynamic)
        # (through another function object: jax would reuse this trace for the program's
        # own, which must see a None .grad as None)
        closed, out_shape = jax.make_jaxpr(lambda *a: run(*a), return_shape=True)(*inputs)
        jaxpr = closed.jaxpr
        discovering[0] = False
        # (a number the step returns, binds or gives a scheduler that is computed from
        # dynamic float arguments alone is a float for the caller: they become constants)
        if program.numbers and number_only_outputs(
                closed, len(jax.tree.leaves(inputs[:5])), number_inputs(static), out_shape,
                (1, 3, 4)):
            raise PinNumbers
        # Lists the step appends to hold its results: a later refresh does not look into
        # them for state (kept here by id, with the list, so that the id stays its own).
        state.sinks.update((id(lst), lst) for lst, _ in program.effects.appends)
        start = len(inputs[0])
        grad_vars = set(map(id, jaxpr.invars[start:start + len(inputs[1])]))
        used = {id(v) for e in jaxpr.eqns for v in e.invars}
        uses_grads = not grad_vars.isdisjoint(used)
        reads_grads = uses_grads or any(id(v) in grad_vars for v in jaxpr.outvars)
        # Whether it leaves gradients it does not use itself (forward and backward, the
        # optimizer stepping outside): those are its result, written back as eagerly.
        leaves_grads = any(
            isinstance(v, jax.extend.core.Var) and id(v) not in used and not none
            for v, none in zip(jaxpr.outvars[start:start + len(inputs[1])],
                               program.none_grads))
        # Whether it set every .grad to None itself (zero_grad()), so that none it leaves
        # matters to its next call; zero_grad(set_to_none=False) keeps the tensors, and
        # an optimizer steps a parameter whose .grad is zeros (not None) on the next call.
        leaves_grads = leaves_grads or not all(id(p) in cleared for p in state.params)
        # (a step that changes no .grad but uses them, optimizer.step() alone, reads them)
        if untouched[0] and not uses_grads:
            program.with_grads = program.touches_grads = False
            if not writes[0]:
                # An evaluation: its inputs stay valid (a state_dict taken before it, too)
                # and are not copied to outputs.
                program.writes_state = False
                program.jitted = jax.jit(run, keep_unused=True)
        elif not self.keep_grads:
            program.with_grads = reads_grads or leaves_grads
        donate = (0, 1, 2)
        if self.keep_grads and program.with_grads and any(program.fresh_grads):
            # New .grad tensors on every call (zero_grad to None, then backward): the last
            # call's, which the caller may hold, keep their buffers (not donated)
            donate = (0, 2)
            if program.writes_state and self.donate:
                program.jitted = jax.jit(run, donate_argnums=donate, keep_unused=True)
        if program.writes_state and self.donate and len(written[0]) < len(inputs[0]):
            program.split = _split_donation(program, run, written[0], len(inputs[0]), donate)
        return program


def _split_donation(program: _Program, run: Callable, written: tuple, n: int,
                    donate: tuple = (0, 1, 2)) -> tuple:
    """Makes the program take the state values it writes and those it only reads as two
    arguments, donating the first only (with the others of `donate`); returns (written,
    read-only) positions."""
    read = tuple(i for i in range(n) if i not in set(written))

    def run_split(values_w, grads, opt_values, hps, key, dynamic, values_r):
        values = [None] * n
        for i, v in zip(written, values_w):
            values[i] = v
        for i, v in zip(read, values_r):
            values[i] = v
        (out, *state_out), *rest = run(values, grads, opt_values, hps, key, dynamic)
        return ([out[i] for i in written], *state_out), *rest

    program.jitted = jax.jit(run_split, donate_argnums=donate, keep_unused=True)
    return written, read


def compile(fn: Callable | None = None, *, fullgraph: bool = True, dynamic=None,
            backend=None, mode=None, options=None, disable: bool = False, donate: bool = True,
            keep_grads: bool = False):
    """Compiles a PyTorch-style step into one XLA program (usable as `@compile` or
    `@compile(...)`); PyTorch's other keyword arguments (fullgraph, backend, mode,
    options) are accepted and ignored.

    Args:
      fn: the step (its Modules/Optimizers/schedulers are found automatically), or a
        Module: `torch.compile(model)` returns an OptimizedModule wrapping it, as PyTorch.
        A function whose result needs grad and that runs no backward itself (a compiled
        forward) keeps the result's graph to the parameters and tensor arguments, so an
        eager `loss.backward()` later differentiates through it.
      donate: donate the previous parameter/state buffers so they are updated in place
        (default). With donation, arrays taken from the model before a call (e.g. an old
        `state_dict()` not yet saved) are invalidated by it; pass donate=False or clone them.
      dynamic: True makes every float argument an input of the program (one program for
        all its values) where the step uses it only in tensor math; a float the step
        needs as a Python value (control flow, math functions, a number it returns, an
        op that refuses a tensor there) is compiled in. None (the default) and False
        compile each value in, one program per value. PyTorch-parity notes: torch's
        default makes a changing number dynamic on its own (a SymFloat that stays a
        Python double); here the stand-in is a 0-d float32 tensor, so arithmetic on it
        is float32 (`1 - 0.9999999` is 19% off), an op with a number overload and a
        tensor overload takes the tensor one (`torch.normal(0.0, s, size=...)` ignores
        size), and `isinstance(w, float)` is False: hence opt-in. Int arguments and
        input shapes are always specialized.
      keep_grads: PyTorch parity note: a step that clears the gradients itself (calls
        `zero_grad()` before `backward()`) and uses them (`optimizer.step()`) leaves `.grad`
        as None afterwards, instead of holding that step's gradients, so that it needs no
        gradient buffers beyond a hand-written JAX step. keep_grads=True writes them back as
        PyTorch does. Steps that accumulate into existing gradients, and steps that leave
        gradients they do not use (forward and backward, with the optimizer stepping
        outside), always write `.grad`.

    PyTorch parity note: the step's Python runs when it is traced, so a Python value it
    returns is the trace's, unless it is an argument's, a guarded global's, a param group's
    number or one of a scheduler's get_last_lr(): a scheduler's `last_epoch` returned from
    inside the step keeps its first value. Return tensors, or read such values after the
    call.
    """
    if fn is None:
        return lambda f: compile(f, donate=donate, disable=disable, keep_grads=keep_grads,
                                 dynamic=dynamic)
    if disable or getattr(fn, "_torchdynamo_disable", False):   # (torch.compiler.disable)
        return fn
    compiled = CompiledFunction(fn, donate=donate, keep_grads=keep_grads, dynamic=dynamic)
    if isinstance(fn, Module):
        from ._compile_module import OptimizedModule
        return OptimizedModule(fn, compiled)
    return compiled
