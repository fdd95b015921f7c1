"""A parameter whose shape or dtype changed after its optimizer state was made
(`p.data = torch.ones(4)` between two steps): torch's step then fails in the first
in-place op that meets the old state, and so does this one, with that op's error, instead
of broadcasting the state into a new shape or casting the parameter.

The rules below were read off torch 2.13 (a (3,) parameter changed to (4,), (3, 1), (1,),
and to float16):
- state and gradient do not broadcast: "The size of tensor a (<state>) must match the size
  of tensor b (<grad>) ..." (Rprop's first op is `grad.mul(prev)`: a and b swap);
- they broadcast to a shape other than the state's: the in-place state update says
  "output with shape [<state>] doesn't match the broadcast shape [...]";
- a smaller parameter: the state updates, the parameter's in-place update says it (ASGD
  passes: its parameter update does not read the state);
- another dtype only matters to the optimizers that update state with `lerp_`, whose
  kernel wants one dtype: "expected dtype float for `end` but got dtype c10::Half".
"""

from __future__ import annotations

import jax.numpy as jnp

from .._dtypes import cpp_type_name
from ..pure._errors import ShapeError
from ..pure._loss_base import broadcast_error, check_inplace


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    try:
        return tuple(jnp.broadcast_shapes(a, b))
    except ValueError:
        return None


def check_state_matches(opt, group: dict, p, entry: dict) -> None:
    """Raises torch's error when `entry` (p's state) no longer fits p's gradient."""
    try:
        _check(opt, group, p, entry)
    except ShapeError as e:       # (torch's type: a plain RuntimeError)
        raise RuntimeError(str(e)) from None


def _check(opt, group: dict, p, entry: dict) -> None:
    held = [entry[k] for k in opt._param_shaped_state_keys() if k in entry]
    held = [v for v in held if getattr(v, "ndim", 0) > 0]
    if not held:
        return
    state, grad = held[0], p.grad
    old, new = tuple(state.shape), tuple(grad.shape)
    if old != new:
        both = _broadcast(old, new)
        if both is None:
            raise broadcast_error(*((new, old) if opt._grad_meets_state_first else (old, new)))
        check_inplace(old, both)                 # the state's own in-place update
        if both != new:
            opt._param_outgrown(new, both)       # the parameter's in-place update
    if opt._lerps_state(group) and state.dtype != grad.dtype:
        raise RuntimeError(f"expected dtype {cpp_type_name(state._value.dtype)} for `end` "
                           f"but got dtype {cpp_type_name(grad._value.dtype)}")
