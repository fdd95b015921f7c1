"""Python float arguments of a compiled step as inputs of its program:
`functorch_like.compile(fn, dynamic=True)`. Without it (the default, and dynamic=False)
each value is compiled in, one program per value, as before.

With dynamic=True the trace sees each float argument as a 0-d float32 tensor holding the
call's value, and later values reuse that program. Where the trace cannot use a tensor
in the number's place, the position is pinned (a guarded constant for good, one program
per value, up to the recompile limit): Python that needs its value (`if w > 0.5:`,
`math.exp(w)`, `range`, a shape), an op that refuses a tensor there (any error in the
trace), or a result computed from such numbers alone (`return loss, w`: the caller gets
the float, not a tensor).

PyTorch-parity notes (why it is opt-in): torch.compile makes a changing number dynamic
by itself, as a SymFloat that stays a Python double. Here arithmetic on the stand-in is
float32 (`1 - d` for an EMA decay d = 0.9999999 is 19% off), an op with a number and a
tensor overload takes the tensor one (`torch.normal(0.0, s, size=...)` draws one value),
validations of concrete values are skipped (a quantile q out of range), and
`isinstance(w, float)` is False. Int arguments stay specialized (an int used as an index
or a shape needs a concrete value); under 64-bit mode floats stay specialized as well.
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
