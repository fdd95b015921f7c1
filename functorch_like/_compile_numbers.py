"""Python float arguments of a compiled step that change between calls: program inputs
from the first change on, as torch.compile's automatic dynamic shapes make them
(its first program specializes on the value, the next one takes it as an input).

A float argument is a guarded constant on the first trace. When a call misses only
because some float arguments differ from a program's (a loss weight, a temperature or a
KL factor annealed over training), those positions become dynamic: the trace sees each as
a 0-d float32 tensor holding the call's value, and later values reuse that program.

Where the trace cannot use a tensor in the number's place, the position is pinned (a
guarded constant for good, one program per value as before, up to the recompile limit):
Python that needs its value (`if w > 0.5:`, `math.exp(w)`, `range`, a shape), or a result
that is computed from such numbers alone (`return loss, w`: the caller gets the float, not
a tensor). PyTorch-parity notes: int arguments stay specialized (torch makes them dynamic
too; here an int used as an index or a shape would need a concrete value); under 64-bit
mode floats stay specialized as well; Python arithmetic on the number inside the step is
done in float32 (torch's SymFloat keeps doubles): results may differ in the last bit.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

# The static entry of a dynamic float argument (its value is a program input).
NUMBER = "number"


class PinNumbers(Exception):
    """Raised by a trace whose dynamic float arguments cannot be traced as tensors: they
    are pinned (specialized) and the step is traced again."""


def dynamic_enabled() -> bool:
    """Float arguments become dynamic only where a float32 stand-in is what a Python
    float computes as (64-bit mode off)."""
    return not jax.config.jax_enable_x64


def as_input(value: float):
    """The program input for a dynamic float argument."""
    return jnp.asarray(value, jnp.float32)


def changed_floats(guards, static: tuple, treedef, state_guard) -> set:
    """Leaf positions where this call's float arguments differ from those of a program
    traced with every other guard equal (empty when there is no such program)."""
    for g_static, g_treedef, g_state in guards:
        if g_treedef != treedef or g_state != state_guard or len(g_static) != len(static):
            continue
        diff = {i for i, (a, b) in enumerate(zip(g_static, static)) if a != b}
        if diff and all(_is_float(g_static[i]) and _is_float(static[i]) for i in diff):
            return diff
    return set()


def _is_float(entry) -> bool:
    return type(entry) is tuple and len(entry) == 2 and entry[0] is float


def number_only_outputs(closed, n_inputs_before: int, number_inputs: list,
                        out_shape, checked: tuple) -> bool:
    """Whether any output in the `checked` parts of the program's output tuple is
    computed from dynamic float inputs and nothing else the program takes (a number the
    step returns, binds or hands to a scheduler, which the caller expects as a float).

    `number_inputs` are the positions of the float inputs among the program's dynamic
    inputs, which come after `n_inputs_before` other input leaves."""
    jaxpr = closed.jaxpr
    floats = {id(jaxpr.invars[n_inputs_before + i]) for i in number_inputs}
    # For each variable: (depends on a float input, depends on another input)
    dep = {id(v): (id(v) in floats, id(v) not in floats) for v in jaxpr.invars}
    for eqn in jaxpr.eqns:
        ins = [dep.get(id(v), (False, False)) for v in eqn.invars
               if isinstance(v, jax.extend.core.Var)]
        flag = (any(d[0] for d in ins), any(d[1] for d in ins))
        for v in eqn.outvars:
            dep[id(v)] = flag
    counts = [len(jax.tree.leaves(part)) for part in out_shape]
    starts = [sum(counts[:i]) for i in range(len(counts))]
    for part in checked:
        for v in jaxpr.outvars[starts[part]:starts[part] + counts[part]]:
            if not isinstance(v, jax.extend.core.Var):
                continue
            on_number, on_other = dep.get(id(v), (False, False))
            if on_number and not on_other:
                return True
    return False
