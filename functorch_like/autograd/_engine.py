"""Backward = `jax.vjp` of the recorded graph, replayed as one pure, compiled program.

`run_backward` walks the graph from the roots to the leaves, turns it into a `Program`
(the ops in topological order and where each input comes from) and calls the program's
compiled vjp with the leaves' and constants' current values. Programs are cached by the
graph's structure (ops, static arguments, wiring); JAX's jit cache handles shapes and
dtypes, so a loop whose graph repeats compiles once. Gradients with respect to
intermediate tensors (retain_grad, autograd.grad of a non-leaf) are taken by adding a zero
"probe" to that intermediate and differentiating with respect to the probe.
"""

from __future__ import annotations

from typing import Any, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

from .._warn_once import warn_once
from ..pure._errors import ConcreteValuesNeeded, ValueDependentError
from . import _errors
from .._tensor_views import _write_through, refresh_views
from ._grad_deps import inputs_read, outputs_needing_grad
from ._grad_mode import no_grad
from ._node import Node
from .anomaly_mode import is_anomaly_enabled

# What traced code raises where it needs concrete values (TracerBoolConversionError is a
# ConcretizationTypeError; ValueDependentError: nonzero, a mask read, ... on tracers).
_NEEDS_VALUES = (ConcreteValuesNeeded, jax.errors.ConcretizationTypeError,
                 jax.errors.TracerIntegerConversionError,
                 jax.errors.TracerArrayConversionError, ValueDependentError)

_programs: dict[tuple, "Program"] = {}
_trace_count = 0


def compile_count() -> int:
    """How many times a backward program has been traced (= compiled) so far."""
    return _trace_count


class Program:
    """A recorded graph's structure as a pure function, and its compiled vjp."""

    def __init__(self, steps: tuple, roots: tuple, probes: tuple, hooked: tuple = (),
                 grouped: tuple = ()):
        self.steps = steps      # ((fn, static, input_specs, multi), ...)
        self.roots = roots      # output specs
        self.probes = probes    # ((step, index), ...)
        self.hooked = hooked    # ((step, index), ...) outputs with Tensor hooks
        # Steps whose node has a group hook (a Module's backward hooks); in `hooks`, their
        # callbacks follow the Tensor hooks' tuples.
        self.grouped = grouped
        self.jitted = jax.jit(self._vjp)
        self.eager = False

    def forward(self, leaves, consts, probe_vals, hooks=None):
        env: list[tuple] = []
        probe_at = {spec: k for k, spec in enumerate(self.probes)}
        hook_at = {spec: k for k, spec in enumerate(self.hooked)} if hooks else {}
        group_at = ({pos: len(self.hooked) + k for k, pos in enumerate(self.grouped)}
                    if hooks else {})

        def resolve(spec):
            kind, a, b = spec
            if kind == "n":
                return env[a][b]
            return leaves[a] if kind == "l" else consts[a]

        for pos, (fn, static, specs, multi) in enumerate(self.steps):
            out = fn(*[resolve(s) for s in specs], **dict(static))
            outs = tuple(out) if multi else (out,)
            if probe_at:
                outs = tuple(o + probe_vals[probe_at[(pos, i)]] if (pos, i) in probe_at else o
                             for i, o in enumerate(outs))
            if pos in group_at:
                # (wrapped first: its backward runs after the outputs' Tensor hooks)
                outs = _group_hooked(outs, hooks[group_at[pos]])
            if hook_at:
                # After the probe: a retained gradient is the one the hooks returned.
                outs = tuple(_hooked(o, hooks[hook_at[(pos, i)]]) if (pos, i) in hook_at
                             else o for i, o in enumerate(outs))
            env.append(outs)
        return [resolve(r) for r in self.roots]

    def _vjp(self, leaves, consts, probe_vals, cotangents):
        global _trace_count
        _trace_count += 1   # runs once per trace, i.e. once per compilation
        _, pullback = jax.vjp(lambda lv, pv: self.forward(lv, consts, pv), leaves, probe_vals)
        return _torch_pullback(pullback, cotangents)

    def vjp(self, leaves, consts, probe_vals, cotangents):
        """The compiled vjp. A graph whose Python needs concrete values (a custom
        autograd.Function whose forward or backward calls `.item()`, branches on a value,
        or uses an op with a value-dependent shape such as `nonzero`) runs unjitted from
        then on, as it would in PyTorch.

        Any TypeError of the traced run also gets the unjitted try (a library op may say
        "needs values" with a plain TypeError, or a user's forward may return something
        only a trace cannot use): a TypeError that is the user's mistake raises again
        there, from the eager run, and leaves the program jitted."""
        if self.eager:
            return self.hooked_vjp(leaves, consts, probe_vals, cotangents, ())
        try:
            return self.jitted(leaves, consts, probe_vals, cotangents)
        except (*_NEEDS_VALUES, TypeError):
            pass            # (outside the except block: an eager error chains to nothing)
        out = self.hooked_vjp(leaves, consts, probe_vals, cotangents, ())
        self.eager = True
        return out

    def hooked_vjp(self, leaves, consts, probe_vals, cotangents, hooks):
        """The vjp with Python hooks on intermediate gradients, evaluated eagerly (not
        jitted) so that each hook sees a concrete gradient, as in PyTorch."""
        _, pullback = jax.vjp(lambda lv, pv: self.forward(lv, consts, pv, hooks), leaves,
                              probe_vals)
        return _torch_pullback(pullback, cotangents)


def _conj(x):
    """PyTorch's gradient of a complex tensor is the conjugate of JAX's cotangent (PyTorch
    dL/dx + i dL/dy, JAX dL/dx - i dL/dy): complex cotangents are conjugated on the way into
    and out of JAX's vjp, and around hooks on intermediate gradients."""
    return jnp.conj(x) if x is not None and jnp.iscomplexobj(x) else x


def _torch_pullback(pullback, cotangents):
    return jax.tree.map(_conj, pullback(jax.tree.map(_conj, cotangents)))


def _hooked(x, hooks):
    """Identity whose backward passes the cotangent through `hooks` (Tensor hooks)."""
    @jax.custom_vjp
    def identity(v):
        return v

    def fwd(v):
        return v, None

    def bwd(_, ct):
        return (_conj(run_hooks(hooks, _conj(ct))),)
    identity.defvjp(fwd, bwd)
    return identity(x)


def _group_hooked(xs: tuple, callback) -> tuple:
    """Identity of a node's outputs whose backward passes all their cotangents at once
    through `callback` (None for an output no gradient reached)."""
    avals = [(jnp.shape(x), jnp.result_type(x)) for x in xs]

    @jax.custom_vjp
    def identity(*v):
        return v

    def fwd(*v):
        return tuple(p.value for p in v), None

    def bwd(_, cts):
        grads = [None if isinstance(c, SymbolicZero) else _conj(c) for c in cts]
        out = callback(grads)
        return tuple(jnp.zeros(shape, dtype) if g is None else _conj(g)
                     for g, (shape, dtype) in zip(out, avals))
    identity.defvjp(fwd, bwd, symbolic_zeros=True)
    return identity(*xs)


def run_hooks(hooks, grad):
    """Calls each hook on the gradient (an array); a returned Tensor replaces it, with
    PyTorch's checks of its size and type. A hook that returns None may have changed the
    gradient in place (`g.clamp_(...)`), as torch's hooks may: its value goes on."""
    from .._tensor import Tensor
    for hook in hooks:
        t = Tensor._make(grad)
        out = hook(t)
        if out is None:
            grad = t._value
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if tuple(out.shape) != tuple(t.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if out._value.dtype != grad.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"{t.type()} got {out.type()})")
        grad = out._value
    return grad


def _replay_vjp(*flat, program, n_leaves, n_consts, n_probes, hooks=()):
    """The gradient computation itself as a recordable op (for create_graph=True)."""
    leaves = list(flat[:n_leaves])
    consts = list(flat[n_leaves:n_leaves + n_consts])
    probes = list(flat[n_leaves + n_consts:n_leaves + n_consts + n_probes])
    cots = list(flat[n_leaves + n_consts + n_probes:])
    if hooks:
        leaf_grads, probe_grads = program.hooked_vjp(leaves, consts, probes, cots, hooks)
    else:
        leaf_grads, probe_grads = program.vjp(leaves, consts, probes, cots)
    return tuple(leaf_grads) + tuple(probe_grads)


def _drop_constant_grads(program, outs, flat, n_leaves, n_consts, n_probes) -> tuple:
    """create_graph's gradients that read nothing requiring grad, detached (torch records
    them with no grad_fn: `grad(x.sum() * 2, x, create_graph=True)` is a constant)."""
    from .._tensor import Tensor

    def value(v):
        return v._value if isinstance(v, Tensor) else v

    def needs(v):
        return isinstance(v, Tensor) and (v.requires_grad or v._node is not None)

    parts = (flat[:n_leaves], flat[n_leaves:n_leaves + n_consts],
             flat[n_leaves + n_consts:n_leaves + n_consts + n_probes],
             flat[n_leaves + n_consts + n_probes:])
    args = tuple([value(v) for v in part] for part in parts)
    requires = jax.tree.leaves(tuple([needs(v) for v in part] for part in parts))
    if len(requires) != len(jax.tree.leaves(args)):
        return outs         # (a None or non-array constant: keep every output recorded)
    _unlink_unread(outs, flat, inputs_read(program, args))
    depends = outputs_needing_grad(program, args, requires)
    if depends is None or len(depends) != len(outs):
        return outs
    return tuple(o if d else o.detach() for o, d in zip(outs, depends))


def _unlink_unread(outs, flat, read) -> None:
    """Turns the replay node's inputs that no gradient reads into constants: a later
    backward through the gradients then leaves those tensors' `.grad` None, as torch's
    (`b` of `(x ** 2).sum() + b.sum()` is not in the graph of its gradient for x)."""
    node = next((o._node for o in outs if o._node is not None), None)
    if node is not None and read is not None and len(read) == len(node.inputs):
        node.unlink(read, flat)


def _collect(root_nodes: Sequence[Node]) -> list[Node]:
    """Nodes reachable from the roots, inputs before users (iterative DFS)."""
    order, seen = [], set()
    stack = [(n, False) for n in reversed(root_nodes)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        node.check_not_freed()
        stack.append((node, True))
        for inp in reversed(node.inputs):
            if isinstance(inp, tuple) and id(inp[0]) not in seen:
                stack.append((inp[0], False))
    return order


def _static_key(static):
    try:
        hash(static)
        return static
    except TypeError:
        return ("unhashable", id(static))


def run_backward(roots: Sequence[Any], grad_roots: Sequence[Any], *, inputs=None,
                 retain_graph: bool, create_graph: bool, accumulate: bool,
                 allow_unused: bool = False):
    """See _run_backward. Grad mode is create_graph throughout, as torch's engine sets
    it: hooks and custom backwards run without recording (a post-accumulate hook may
    update its parameter in place), and create_graph records even under no_grad."""
    from ._grad_mode import set_grad_enabled
    with set_grad_enabled(bool(create_graph)):
        return _run_backward(roots, grad_roots, inputs=inputs, retain_graph=retain_graph,
                             create_graph=create_graph, accumulate=accumulate,
                             allow_unused=allow_unused)


def _run_backward(roots: Sequence[Any], grad_roots: Sequence[Any], *, inputs=None,
                  retain_graph: bool, create_graph: bool, accumulate: bool,
                  allow_unused: bool = False):
    """Differentiates `roots` (Tensors) with cotangents `grad_roots` (Tensors).

    accumulate=True (Tensor.backward): adds into `.grad` of every leaf reached (or of
    `inputs`); returns None.
    accumulate=False (autograd.grad): returns the gradients for `inputs`, leaving the
    leaves' `.grad` alone.
    Either way, retained intermediates (`retain_grad()`) that the gradient flows through
    get their `.grad`, as PyTorch's retain_grad hooks fire whenever their node runs.
    """
    from .._tensor import Tensor

    if accumulate and create_graph:
        warn_once(_errors.CREATE_GRAPH_CYCLE)
    root_nodes = [r._node for r in roots if r._node is not None]
    nodes = _collect(root_nodes)
    pos = {id(n): i for i, n in enumerate(nodes)}
    # One replay input per (leaf, array) pair: a leaf updated in place between two uses
    # is two inputs of the program, whose gradients are summed into the one leaf.
    leaves: list[Tensor] = []
    leaf_vals: list[Any] = []
    leaf_pos: dict[tuple[int, int], int] = {}
    consts: list[Any] = []
    steps = []

    def leaf_spec(t, value):
        key = (id(t), id(value))
        if key not in leaf_pos:
            leaf_pos[key] = len(leaves)
            leaves.append(t)
            leaf_vals.append(value)
        return ("l", leaf_pos[key], 0)

    # Custom autograd.Functions run the user's backward on their saved ctx, in Python (as
    # torch, it reads the Python state of the moment): such a graph's program runs
    # unjitted and is not kept. A double backward traces their forward instead.
    saved_ctx = not create_graph and any(node.traced is not None for node in nodes)
    for node in nodes:
        fn, static = (node.traced if create_graph and node.traced is not None
                      else (node.fn, node.static))
        specs = []
        for inp, value in zip(node.inputs, node.leaf_values):
            if isinstance(inp, tuple):
                specs.append(("n", pos[id(inp[0])], inp[1]))
            elif isinstance(inp, Tensor):
                specs.append(leaf_spec(inp, inp._value if value is None else value))
            else:
                specs.append(("c", len(consts), 0))
                consts.append(inp)
        steps.append((fn, _static_key(static), tuple(specs), node.multi))

    root_specs = []
    for r in roots:
        root_specs.append(("n", pos[id(r._node)], r._out) if r._node is not None
                          else leaf_spec(r, r._value))

    # Where gradients are wanted: leaves, and zero probes added to intermediate outputs
    # (step, output index): non-leaf `inputs`, and retained tensors whose node runs.
    wanted_ids = None if inputs is None else {id(t) for t in inputs}
    probed: dict[tuple[int, int], Any] = {}     # probe spec -> a tensor it stands for
    for t in inputs or ():
        if t._node is not None and id(t._node) in pos:
            probed[(pos[id(t._node)], t._out)] = t
    runs = _nodes_that_run(nodes, pos, wanted_ids, set(probed))
    retained: list[tuple[Any, tuple[int, int]]] = []
    for i, node in enumerate(nodes):
        for index, ref in (node.retained or {}).items():
            t = ref()
            if t is None or t._node is not node or t._out != index:
                continue            # gone, or rebound by an in-place op
            if runs[i] or (i, index) in probed:
                retained.append((t, (i, index)))
                probed.setdefault((i, index), t)
    probes = sorted(probed)
    probe_at = {spec: k for k, spec in enumerate(probes)}
    # Tensor hooks on intermediate outputs that the gradient flows through.
    hook_table = {(i, index): tuple(table.values()) for i, node in enumerate(nodes)
                  for index, table in (node.hooks or {}).items() if table and runs[i]}
    hooked = tuple(sorted(hook_table))
    hooks = tuple(hook_table[spec] for spec in hooked)
    # Module backward hooks, on the nodes that run.
    grouped = tuple(i for i, node in enumerate(nodes)
                    if node.group_hook is not None and runs[i])
    group_hooks = {i: nodes[i].group_hook for i in grouped}

    key = (tuple(steps), tuple(root_specs), tuple(probes), len(leaves), len(consts), hooked,
           grouped)
    program = None if saved_ctx else _programs.get(key)
    if program is None:
        program = Program(tuple(steps), tuple(root_specs), tuple(probes), hooked, grouped)
        if saved_ctx:
            program.eager = True
        else:
            _programs[key] = program
    hooks += tuple(group_hooks.values())

    probe_vals = [jnp.zeros_like(probed[spec]._value) for spec in probes]
    cot_vals = [g._value.astype(r._value.dtype) for g, r in zip(grad_roots, roots)]

    if create_graph:
        from .._tensor import apply
        # Leaves enter as Tensors, so the gradient is itself differentiable w.r.t. them; a
        # leaf updated since the forward enters as its saved array (a constant).
        flat = [t if v is t._value else v for t, v in zip(leaves, leaf_vals)]
        flat += [*consts, *probe_vals, *grad_roots]
        outs = apply(_replay_vjp, "ReplayBackward0", *flat, program=program,
                     n_leaves=len(leaves), n_consts=len(consts), n_probes=len(probes),
                     hooks=hooks)
        outs = outs if isinstance(outs, tuple) else (outs,)
        if not hooks:
            outs = _drop_constant_grads(program, outs, flat, len(leaves), len(consts),
                                        len(probes))
        leaf_grads, probe_grads = outs[:len(leaves)], outs[len(leaves):]
    elif all(node.tape is not None for node in nodes) or is_anomaly_enabled():
        tapes = ([node.tape for node in nodes] if all(node.tape is not None for node in nodes)
                 else _linearize_steps(steps, leaf_vals, consts, probes, probe_vals))
        lg, pg = _tape_vjp(nodes, steps, root_specs, probes, leaf_vals, cot_vals,
                           dict(zip(hooked, hooks)), tapes,
                           _check_nan if is_anomaly_enabled() else None, group_hooks)
        leaf_grads = [Tensor._make(g) for g in lg]
        probe_grads = [Tensor._make(g) for g in pg]
    elif hooks:
        lg, pg = program.hooked_vjp(leaf_vals, consts, probe_vals, cot_vals, hooks)
        leaf_grads = [Tensor._make(g) for g in lg]
        probe_grads = [Tensor._make(g) for g in pg]
    elif saved_ctx and not probes:
        # (with probes, hooks or anomaly mode the whole graph runs unjitted, as `program`)
        from ._engine_cut import cut_vjp
        lg = cut_vjp(nodes, steps, root_specs, leaf_vals, consts, cot_vals)
        leaf_grads, probe_grads = [None if g is None else Tensor._make(g) for g in lg], []
    else:
        lg, pg = program.vjp(leaf_vals, consts, probe_vals, cot_vals)
        leaf_grads = [Tensor._make(g) for g in lg]
        probe_grads = [Tensor._make(g) for g in pg]

    if not retain_graph:
        for node in nodes:
            node.free()

    by_leaf: dict[int, Any] = {}
    for t, g in zip(leaves, leaf_grads):
        if g is not None:       # (None: no gradient reached it, as torch's undefined one)
            by_leaf[id(t)] = g if id(t) not in by_leaf else by_leaf[id(t)] + g
    for t in leaves:            # a leaf's hooks see its whole gradient, once
        table = t.__dict__.get("_grad_hooks")
        if table and id(t) in by_leaf and (wanted_ids is None or id(t) in wanted_ids):
            g = by_leaf[id(t)]
            by_leaf[id(t)] = type(g)._make(run_hooks(tuple(table.values()), g._value))
    for t, spec in retained:
        _accumulate(t, probe_grads[probe_at[spec]], create_graph)

    if accumulate:
        done = {id(t) for t, _ in retained}     # a retained input already has its grad
        for t in leaves:
            if id(t) not in done and id(t) in by_leaf and (wanted_ids is None
                                                           or id(t) in wanted_ids):
                done.add(id(t))
                _accumulate(t, by_leaf[id(t)], create_graph)
                for hook in list(t.__dict__.get("_post_accumulate_hooks", {}).values()):
                    hook(t)
        for t in inputs or ():      # non-leaf inputs (backward(inputs=[h]))
            spec = (pos.get(id(t._node)), t._out)
            if t._node is not None and spec in probe_at and id(t) not in done:
                done.add(id(t))
                _accumulate(t, probe_grads[probe_at[spec]], create_graph)
        return None

    results = []
    for i, t in enumerate(inputs):
        if t._node is None:
            g = by_leaf.get(id(t))
        else:
            spec = (pos.get(id(t._node)), t._out)
            g = probe_grads[probe_at[spec]] if spec in probe_at else None
        if g is None and not allow_unused:
            raise RuntimeError(_errors.unused_input(i))
        results.append(g)
    return tuple(results)


def _tape_vjp(nodes, steps, root_specs, probes, leaf_vals, cot_vals, hooks, tapes,
              check=None, group_hooks=None):
    """Reverse accumulation through per-node vjps (`tapes`): recorded while tracing
    (compile mode: the forward ran once, as traced; nothing is replayed), or linearized
    node by node in anomaly mode. `hooks`: {(step, output): Tensor hooks}, applied to that
    output's gradient before it flows on. `check(node, input cotangents)`: anomaly mode's
    test of each node's result. `group_hooks`: {step: a Module's backward hooks}, given
    all of that node's output gradients at once (after their Tensor hooks)."""
    cots: dict[tuple, Any] = {}

    def add(spec, c):
        key = (spec[0], spec[1], spec[2])
        cots[key] = c if key not in cots else cots[key] + c

    for spec, c in zip(root_specs, cot_vals):
        add(spec, _conj(c))
    probe_at = {spec: k for k, spec in enumerate(probes)}
    probe_grads: list[Any] = [None] * len(probes)
    for i in range(len(nodes) - 1, -1, -1):
        vjp_fn, diff, avals = tapes[i]
        outs, flowing = [], False
        for k, (shape, dtype) in enumerate(avals):
            c = cots.pop(("n", i, k), None)
            if c is not None:
                flowing = True
                if hooks and (i, k) in hooks:
                    c = _conj(run_hooks(hooks[(i, k)], _conj(c)))
            outs.append(c)
        if flowing and group_hooks and i in group_hooks:
            outs = [None if g is None else _conj(g)
                    for g in group_hooks[i]([None if c is None else _conj(c) for c in outs])]
        for k, (shape, dtype) in enumerate(avals):
            if outs[k] is None:
                outs[k] = (jnp.zeros(shape, dtype) if jnp.issubdtype(dtype, jnp.inexact)
                           else np.zeros(shape, jax.dtypes.float0))
            if (i, k) in probe_at:
                probe_grads[probe_at[(i, k)]] = _conj(outs[k])
        if not flowing:
            continue
        in_cots = vjp_fn(tuple(outs) if nodes[i].multi else outs[0])
        if check is not None:
            check(nodes[i], diff, in_cots)
        specs = steps[i][2]
        for j, c in zip(diff, in_cots):
            add(specs[j], c)
    leaf_grads = [cots.get(("l", k, 0), None) for k in range(len(leaf_vals))]
    leaf_grads = [jnp.zeros_like(v) if g is None else _conj(g)
                  for g, v in zip(leaf_grads, leaf_vals)]
    return leaf_grads, probe_grads


def _linearize_steps(steps, leaf_vals, consts, probes, probe_vals):
    """Per step: (vjp_fn, differentiated input positions, output avals), from running the
    recorded graph forward eagerly, one jax.vjp per op (anomaly mode)."""
    env: list[tuple] = []
    probe_at = {spec: k for k, spec in enumerate(probes)}
    tapes = []

    def resolve(spec):
        kind, a, b = spec
        if kind == "n":
            return env[a][b]
        return leaf_vals[a] if kind == "l" else consts[a]

    for pos, (fn, static, specs, multi) in enumerate(steps):
        vals = [resolve(spec) for spec in specs]
        diff = tuple(k for k, spec in enumerate(specs) if spec[0] != "c"
                     and jnp.issubdtype(jnp.result_type(vals[k]), jnp.inexact))

        def partial(*diff_vals, vals=vals, diff=diff, fn=fn, static=static):
            full = list(vals)
            for k, v in zip(diff, diff_vals):
                full[k] = v
            return fn(*full, **dict(static))

        out, vjp_fn = jax.vjp(partial, *[vals[k] for k in diff])
        outs = tuple(out) if multi else (out,)
        outs = tuple(o + probe_vals[probe_at[(pos, i)]] if (pos, i) in probe_at else o
                     for i, o in enumerate(outs))
        env.append(outs)
        tapes.append((vjp_fn, diff, tuple((o.shape, o.dtype) for o in outs)))
    return tapes


def _check_nan(node, diff, in_cots) -> None:
    from .anomaly_mode import is_anomaly_check_nan_enabled, nan_message
    if not is_anomaly_check_nan_enabled():
        return
    for k, c in zip(diff, in_cots):
        if c is None or isinstance(c, jax.core.Tracer):      # (traced: compile mode)
            continue
        if jnp.issubdtype(c.dtype, jnp.inexact) and bool(jnp.isnan(c).any()):
            raise RuntimeError(nan_message(node.name(), k))


def _nodes_that_run(nodes, pos, wanted_ids, wanted_outputs) -> list[bool]:
    """Per node (inputs before users): whether its backward runs, i.e. whether the
    gradient must flow through it to reach a wanted leaf or intermediate. Without
    `inputs`, every node runs (each was recorded because an input requires grad)."""
    from .._tensor import Tensor

    if wanted_ids is None:
        return [True] * len(nodes)
    runs = [False] * len(nodes)
    for i, node in enumerate(nodes):
        for inp in node.inputs:
            if isinstance(inp, tuple):
                j = pos[id(inp[0])]
                if runs[j] or (j, inp[1]) in wanted_outputs:
                    runs[i] = True
                    break
            elif isinstance(inp, Tensor) and id(inp) in wanted_ids:
                runs[i] = True
                break
    return runs


def _accumulate(t, g, create_graph: bool) -> None:
    if t._grad is None:
        # Without create_graph, a fresh tensor of its own: `g` may be shared by two
        # tensors (one probe), and each `.grad` is later accumulated in place.
        t._grad = g if create_graph else type(g)._make(g._value)
    elif create_graph:
        t._grad = t._grad + g
    else:
        # In place, as PyTorch: references to `t.grad` (and its aliases) see the sum.
        grad = t._grad
        grad._value = grad._value + g._value.astype(grad._value.dtype)
        grad._version += 1
        if grad._aliases is not None:
            grad._aliases.write(grad)
        # Views of the .grad see the sum, and a .grad that is itself a view (of a flat
        # gradient buffer) writes it into its base, as shared storage would.
        view = grad.__dict__.get("_view_of")
        if view is not None:
            with no_grad():
                _write_through(view, grad)
        refresh_views(grad)
