"""Which gradients of a create_graph=True backward depend on something requiring grad.

PyTorch records a gradient computed with create_graph=True only when its formula reads a
tensor that requires grad: `grad(x.sum() * 2, x, create_graph=True)` is `2 * ones`, a
constant with `grad_fn=None` and `requires_grad=False`, while the gradient of `(x * x).sum()`
reads `x` and has a grad_fn. The replayed vjp here is one recorded op over all leaves, so
each output's dependence is read off the vjp's jaxpr instead: an output depends on an
input when a chain of equations connects them (structural, as torch's is: a formula that
multiplies by zero still depends).
"""

from __future__ import annotations

from typing import Sequence

import jax
from jax.extend.core import Literal


def _sub_jaxpr(eqn):
    """The inner jaxpr of a call-like equation whose inputs and outputs map one to one
    onto the equation's (pjit, custom_jvp_call, ...), else None."""
    for value in eqn.params.values():
        inner = getattr(value, "jaxpr", value)
        if (hasattr(inner, "eqns") and len(inner.invars) == len(eqn.invars)
                and len(inner.outvars) == len(eqn.outvars)):
            return inner
    return None


def _tainted_outputs(jaxpr, tainted_in: Sequence[bool]) -> list[bool]:
    """For each output of `jaxpr`: reachable from an input marked in `tainted_in`."""
    tainted = {v for v, t in zip(jaxpr.invars, tainted_in) if t}

    def hit(v):
        return not isinstance(v, Literal) and v in tainted

    for eqn in jaxpr.eqns:
        ins = [hit(v) for v in eqn.invars]
        if not any(ins):
            continue
        inner = _sub_jaxpr(eqn)
        outs = _tainted_outputs(inner, ins) if inner is not None else [True] * len(
            eqn.outvars)
        tainted.update(v for v, t in zip(eqn.outvars, outs) if t)
    return [hit(v) for v in jaxpr.outvars]


def outputs_needing_grad(program, args: tuple, requires: Sequence[bool]) -> list[bool] | None:
    """Per output of `program.jitted(*args)` (flattened): whether it depends on a flattened
    input marked in `requires`; None when that cannot be read (a program that runs
    unjitted, or a call under an outer trace), where every output is taken to depend.

    `jitted.trace` reuses the trace of the call just made (no Python reruns, so a custom
    Function's backward does not run twice).
    """
    jaxpr = _jaxpr_of(program, args)
    if jaxpr is None or len(jaxpr.invars) != len(requires):
        return None
    return _tainted_outputs(jaxpr, requires)


def _jaxpr_of(program, args: tuple):
    """The jaxpr of `program.jitted(*args)`, or None for a program that runs unjitted or
    one whose trace fails (the callers then keep their conservative answer)."""
    if program.eager:
        return None
    try:
        return program.jitted.trace(*args).jaxpr.jaxpr
    except Exception:        # noqa: BLE001 (any failure: keep the conservative answer)
        return None


def needed_inputs(jaxpr, needed_out: Sequence[bool]) -> list[bool]:
    """For each input of `jaxpr`: whether an output marked in `needed_out` reads it
    (through a chain of equations; call-like equations are looked into)."""
    needed = {v for v, n in zip(jaxpr.outvars, needed_out) if n and not isinstance(v, Literal)}
    for eqn in reversed(jaxpr.eqns):
        outs = [v in needed for v in eqn.outvars]
        if not any(outs):
            continue
        inner = _sub_jaxpr(eqn)
        ins = needed_inputs(inner, outs) if inner is not None else [True] * len(eqn.invars)
        needed.update(v for v, n in zip(eqn.invars, ins) if n and not isinstance(v, Literal))
    return [v in needed for v in jaxpr.invars]


def inputs_read(program, args: tuple) -> list[bool] | None:
    """Per flattened input of `program.jitted(*args)`: whether any output reads it; None
    when that cannot be read (see outputs_needing_grad)."""
    jaxpr = _jaxpr_of(program, args)
    return None if jaxpr is None else needed_inputs(jaxpr, [True] * len(jaxpr.outvars))
