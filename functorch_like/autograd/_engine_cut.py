"""Backward through a graph with eager custom autograd.Function calls, in compiled pieces.

A custom Function's backward is the user's Python, run on its call's ctx when backward
comes, as torch's engine runs it (reading globals, attributes and RNG state as they are
then). The rest of the graph keeps its compiled programs: the graph is cut at the custom
nodes, whose outputs enter as leaves holding the values their forward computed. Each piece
is one jitted vjp of the cut graph toward the cotangents pending at that point (cached by
structure, as the engine's programs); the custom nodes run in between, latest first, once
every cotangent of their outputs has arrived.

Gradients here are in torch's convention (the engine's programs conjugate complex
cotangents on the way in and out of JAX); the user's backward sees them as it does inside
a traced custom_vjp, in JAX's.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero


def cut_vjp(nodes, steps, root_specs, leaf_vals, consts, cot_vals) -> list:
    """The leaves' gradients (arrays, in `leaf_vals`' order; None for a leaf no gradient
    reaches, one a custom backward gave None) of the graph `steps` (the engine's (fn,
    static, input specs, multi) per node, inputs before users) for the cotangents
    `cot_vals` of its `root_specs`."""
    from ._engine import Program, _conj, _programs
    from .function import _run_backward

    custom = [i for i, node in enumerate(nodes) if node.traced is not None]
    is_custom = set(custom)
    vals, consts = list(leaf_vals), list(consts)
    cut: dict[tuple, tuple] = {}        # (custom node, output) -> its spec in the pieces
    for i in custom:
        saved = dict(steps[i][1])["saved"]
        outs = saved.values if isinstance(saved.values, tuple) else (saved.values,)
        for k, v in enumerate(outs):
            if jnp.issubdtype(v.dtype, jnp.inexact):
                cut[(i, k)] = ("l", len(vals), 0)
                vals.append(v)
            else:                       # (no gradient: a constant of the pieces)
                cut[(i, k)] = ("c", len(consts), 0)
                consts.append(v)
    new_pos: dict[int, int] = {}

    def remap(spec):
        kind, a, b = spec
        if kind != "n":
            return spec
        return cut[(a, b)] if a in is_custom else ("n", new_pos[a], b)

    pieces = []
    for i, (fn, static, specs, multi) in enumerate(steps):
        if i not in is_custom:
            new_pos[i] = len(pieces)
            pieces.append((fn, static, tuple(map(remap, specs)), multi))
    pieces = tuple(pieces)

    grads: list = [None] * len(vals)
    pending: dict[tuple, object] = {}

    def inject(spec, c):
        kind, a, _ = spec = remap(spec)
        if kind == "l":
            grads[a] = c if grads[a] is None else grads[a] + c
        elif kind == "n":
            pending[spec] = c if spec not in pending else pending[spec] + c

    def flush():
        if not pending:
            return
        roots = tuple(pending)
        key = (pieces, roots, (), len(vals), len(consts), (), ())     # (run_backward's form)
        program = _programs.get(key)
        if program is None:
            program = _programs[key] = Program(pieces, roots, ())
        leaf_grads, _ = program.vjp(vals, consts, [], [pending[r] for r in roots])
        for a in _leaves_reached(pieces, roots):
            g = leaf_grads[a]
            grads[a] = g if grads[a] is None else grads[a] + g
        pending.clear()

    for spec, c in zip(root_specs, cot_vals):
        inject(spec, c)
    for i in reversed(custom):
        flush()
        saved = dict(steps[i][1])["saved"]
        cts, reached = [], False
        for k, (shape, dtype) in enumerate(saved.out_avals):
            kind, a, _ = cut[(i, k)]
            if kind == "l" and grads[a] is not None:
                cts.append(_conj(grads[a]))
                reached = True
            else:
                cts.append(SymbolicZero(jax.core.ShapedArray(shape, dtype)))
        if not reached:
            continue                    # no gradient reaches it: its backward does not run
        in_cots = _run_backward(saved.meta, saved.ctx, tuple(cts), saved.out_avals,
                                saved.in_avals)
        for spec, c in zip(steps[i][2], in_cots):
            if c is not None:
                inject(spec, _conj(c))
    flush()
    return grads[:len(leaf_vals)]


def _leaves_reached(pieces, roots) -> set:
    """The leaf positions the roots' values depend on (the others' gradients are zero)."""
    seen, leaves = set(), set()
    stack = list(roots)
    while stack:
        kind, a, _ = stack.pop()
        if kind == "l":
            leaves.add(a)
        elif kind == "n" and a not in seen:
            seen.add(a)
            stack.extend(pieces[a][2])
    return leaves
