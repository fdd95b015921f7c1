"""torch.autograd.forward_ad: dual tensors for forward-mode AD, computed by `jax.jvp`.

Inside `dual_level()`, `make_dual(primal, tangent)` gives a tensor carrying a tangent (in
its `__dict__`, under `_KEY`, tagged with the level it belongs to). Every op goes through
`_tensor.apply`, which runs the op as usual (reverse-mode recording included) and, while a
level is active, calls `push_tangents`: where any input carries a tangent of this level,
the output's tangent is `jax.jvp` of the op's pure function (zero tangents for the other
inputs). `unpack_dual(out)` reads it back.

    import functorch_like.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, v)
        jvp = fwAD.unpack_dual(f(dual)).tangent      # J_f(x) @ v
"""

from __future__ import annotations

import contextlib
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]


class _Level:
    """One entry into a dual level. Tangents are tagged with it, so that exiting the level
    drops them all at once (a later level with the same number is a different _Level)."""

    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


# The active level, or None: `_tensor.apply` tests this on every op (one attribute read),
# so forward mode costs nothing outside `dual_level()`. Global, as torch's levels are.
active: _Level | None = None

_KEY = "_fw_tangent"           # tensor.__dict__[_KEY] = (level, tangent array)

NESTED = "Nested forward mode AD is not supported at the moment"


class UnpackedDualTensor(NamedTuple):
    """What `unpack_dual` returns: the primal and the tangent (None when there is none)."""
    primal: object
    tangent: object


def enter_dual_level() -> int:
    """Enters a dual level (levels do not nest, as in torch).

    Returns:
      The new level's index (0).
    """
    global active
    if active is not None:
        raise RuntimeError(NESTED)
    active = _Level(0)
    return active.index


def exit_dual_level(*, level: int | None = None) -> None:
    """Exits the dual level `level` (the current one by default): every tangent made in it
    is gone afterwards (`unpack_dual` gives None)."""
    global active
    current = -1 if active is None else active.index
    if level is None:
        level = current
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    if level != current:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    active = None


@contextlib.contextmanager
def dual_level():
    """Context manager for forward AD: `make_dual` and the ops on dual tensors run
    inside it; tangents are dropped when it exits.

    Yields:
      The level's index (0).
    """
    level = enter_dual_level()
    try:
        yield level
    finally:
        exit_dual_level(level=level)


def make_dual(tensor, tangent, *, level: int | None = None):
    """A tensor with `tensor`'s value (and its place in the reverse-mode graph) carrying
    `tangent`, for forward AD.

    Args:
      tensor: the primal, a floating point or complex Tensor of shape S.
      tangent: its tangent, a floating point or complex Tensor of shape S.
      level: the dual level (default: the current one).
    Returns:
      The dual Tensor, shape S.

    PyTorch parity: torch's dual tensor is a view of `tensor` (in-place ops on one change
    the other); here it is a copy. A tangent of another floating dtype is cast to the
    primal's (torch keeps its dtype), as `jax.jvp` needs them to match. The tangent is
    not differentiable in reverse mode (torch records its graph).
    """
    from .._tensor import _identity, apply
    if level is None:
        level = -1 if active is None else active.index
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if active is None:
        raise RuntimeError("Trying to access a forward AD level with an invalid index. This "
                           "index was either not created or is already deleted.")
    if level != active.index:
        raise RuntimeError("Invalid level given to _make_dual")
    lvl = active
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}.")
    if _tangent(tensor, lvl) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {lvl.index} is not supported.")
    dual = apply(_identity, "ViewBackward0", tensor)
    dual.__dict__[_KEY] = (lvl, jnp.asarray(tangent._value, tensor._value.dtype))
    return dual


def unpack_dual(tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """Splits a dual tensor into its primal and its tangent at `level`.

    Args:
      tensor: a Tensor of shape S, dual or not.
      level: the dual level (default: the current one).
    Returns:
      `UnpackedDualTensor(primal, tangent)`: the primal (shape S, in the reverse-mode graph
      as `tensor` is, without a tangent) and the tangent (shape S, outside the graph), or
      None where no tangent flows to `tensor` (or no level is active: then `primal` is
      `tensor` itself).

    PyTorch parity: torch's tangent is in the reverse-mode graph where it depends on
    tensors requiring grad (forward-over-reverse); here it is a constant.
    """
    from .._tensor import Tensor, _identity, apply
    if level is None:
        level = -1 if active is None else active.index
    if active is None or level != active.index:
        if level >= 0 and _KEY in tensor.__dict__:
            raise RuntimeError("Invalid level given to _fw_primal")
        return UnpackedDualTensor(tensor, None)     # (no level, or one with no tangents)
    tangent = _tangent(tensor, active)
    primal = apply(_identity, "AliasBackward0", tensor)
    primal.__dict__.pop(_KEY, None)
    return UnpackedDualTensor(primal, None if tangent is None else Tensor._make(tangent))


def has_tangent(tensor) -> bool:
    """Whether `tensor` carries a tangent of the active level."""
    return active is not None and _tangent(tensor, active) is not None


def _tangent(tensor, level):
    entry = tensor.__dict__.get(_KEY)
    if entry is None or entry[0] is not level:
        return None
    return entry[1]


# ---- the dispatch hook (called by _tensor.apply and Tensor._set) ----------------------

def push_tangents(fn, args, vals, static: dict, result) -> None:
    """Gives `result` (the Tensor or tuple of Tensors of `fn(*vals, **static)`) the
    tangents of `jax.jvp(fn)` when any Tensor in `args` carries one of the active level.

    Inputs without a tangent (and non-Tensor inputs) are held fixed: a zero tangent.
    Outputs of integer or bool dtype get none.
    """
    from .._tensor import Tensor
    level = active
    diff, tangents = [], []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            t = _tangent(a, level)
            if t is not None:
                diff.append(i)
                tangents.append(t)
    if not diff:
        return
    outs = result if isinstance(result, tuple) else (result,)
    out_tangents = _jvp(fn, vals, static, tuple(diff), tuple(tangents))
    if not isinstance(out_tangents, tuple):
        out_tangents = (out_tangents,)
    for o, t in zip(outs, out_tangents):
        if jnp.issubdtype(o._value.dtype, jnp.inexact):
            o.__dict__[_KEY] = (level, t)


def set_tangent(target, result) -> None:
    """An in-place op made `target` take `result`'s value: it takes its tangent too (a
    zero one where `result` has none but `target` had one, as torch's `copy_`)."""
    level = active
    t = _tangent(result, level)
    if t is None and _tangent(target, level) is None:
        return
    # (a view, or a tensor viewed, shares values with others whose tangents the write
    # would have to update too)
    views = target.__dict__.get("_views") or ()
    if target.__dict__.get("_view_of") is not None or target._aliases is not None or \
            any(ref() is not None for ref in views):
        raise NotImplementedError(
            "functorch_like: forward AD does not support an in-place op on a tensor that "
            "shares its values (a view, a tensor with live views, a .data/detach() alias) "
            "when a tangent is involved; use the out-of-place op")
    if t is None:
        t = jnp.zeros_like(result._value)
    target.__dict__[_KEY] = (level, t.astype(target._value.dtype))


def _tangents_of(vals, tangents, *, fn, static, diff):
    def partial(*diff_vals):
        full = list(vals)
        for i, v in zip(diff, diff_vals):
            full[i] = v
        return fn(*full, **static)

    return jax.jvp(partial, tuple(vals[i] for i in diff), tangents)[1]


# One jitted jvp per (op, static arguments, differentiated positions), as _tensor._run_op
# keeps one jitted program per op; an op that needs concrete values runs unjitted.
_programs: dict = {}
_variants: dict = {}
_UNJITTABLE = object()
_MAX_VARIANTS = 16


def _jvp(fn, vals, static, diff, tangents):
    from .._tensor import _NEEDS_VALUES
    eager = functools.partial(_tangents_of, fn=fn, static=static, diff=diff)
    try:
        key = (fn, tuple(sorted(static.items())), diff)
        program = _programs.get(key)
    except TypeError:                      # unhashable static arguments
        return eager(vals, tangents)
    if program is _UNJITTABLE or any(isinstance(v, jax.core.Tracer) for v in vals):
        return eager(vals, tangents)
    if program is None:
        if _variants.get(fn, 0) >= _MAX_VARIANTS:
            return eager(vals, tangents)
        _variants[fn] = _variants.get(fn, 0) + 1
        program = _programs[key] = jax.jit(eager)
    try:
        return program(vals, tangents)
    except (*_NEEDS_VALUES, TypeError):
        _programs[key] = _UNJITTABLE
        return eager(vals, tangents)
