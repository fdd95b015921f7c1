"""torch.func's rules for in-place writes inside a grad-type transform's function (grad,
grad_and_value, vjp, jacrev, hessian, jvp, jacfwd).

torch wraps a transform's inputs at a new level; a tensor not wrapped there is
"captured". Its rules, kept here:
- an in-place op on a captured tensor (a closed-over buffer, a Module's BatchNorm
  statistics not passed in) raises, whatever the value written: here the write would
  otherwise leave a JAX tracer in the tensor, or silently update it once per trace;
- an in-place op on a reverse-mode differentiated input raises autograd's leaf errors, as
  the input is a leaf that requires grad at that level;
- an in-place op on any other input (an argument not in argnums, a jvp primal) writes
  through to the caller's tensor (`_func_bridge.write_back`), with the primal value.
Tensors made inside the function may be written freely.

A transform's run is a `Frame` (`_grad_state.frame`, the innermost one); every tensor
made while one is active records its serial (`Tensor._init`, `_born`). A tensor is made
inside frame F when its serial is F's or a later (inner) frame's.
"""

from __future__ import annotations

import contextlib
import itertools
import re

from .autograd import _errors
from .autograd._grad_mode import _state as _grad_state

_serials = itertools.count(1)

# In-place ops whose aten overload torch names with a suffix in its captured-write error.
_TENSOR_OVERLOAD = frozenset(("add_", "sub_", "subtract_", "mul_", "multiply_", "div_",
                              "divide_", "true_divide_"))
_SCALAR_OVERLOAD = frozenset(("fill_", "masked_fill_", "lerp_"))


# Python's in-place operators, as the aten ops torch runs for them.
_DUNDERS = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_",
            "__itruediv__": "div_", "__ifloordiv__": "floor_divide_",
            "__imod__": "remainder_", "__ipow__": "pow_"}


def _aten(op: str, args: tuple) -> str:
    """torch's aten name of an in-place method (`__iadd__` is add_.Tensor)."""
    op = _DUNDERS.get(op, op)
    if op in _TENSOR_OVERLOAD:
        return f"aten::{op}.Tensor"
    if op in _SCALAR_OVERLOAD and args and isinstance(args[-1], (bool, int, float)):
        return f"aten::{op}.Scalar"
    return f"aten::{op}"


def inplace_name(node_name: str) -> str:
    """The in-place method of an op named by its grad_fn (`LeakyReluBackward0` ->
    `leaky_relu_`), for the error of a write through a shared path (F.relu(x,
    inplace=True), x.normal_())."""
    stem = re.sub(r"Backward\d*$", "", node_name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower() + "_"


class Frame:
    """One run of a grad-type transform's function: its serial and its reverse-mode
    differentiated inputs (by id; kept alive by the run)."""

    __slots__ = ("serial", "leaves", "traces", "outer")

    def __init__(self, outer: "Frame | None" = None):
        self.serial = next(_serials)
        self.leaves: dict[int, object] = {}
        # The jax traces of those inputs' values (a grad's linearize trace): a tensor whose
        # value is a tracer of one requires grad at that level (`differentiated`).
        self.traces: list = []
        self.outer = outer

    def differentiate(self, tensors) -> None:
        """Marks `tensors` as the reverse-mode differentiated inputs of this run."""
        for t in tensors:
            self.leaves[id(t)] = t
            trace = getattr(t._v, "_trace", None)
            if trace is not None and not any(trace is x for x in self.traces):
                self.traces.append(trace)

    def _made_here(self, t) -> bool:
        return t.__dict__.get("_born", 0) >= self.serial

    def check(self, t, op: str = "copy_", args: tuple = (), setitem: bool = False) -> None:
        """Raises torch's error for an in-place `op` on `t` that this frame refuses
        (`setitem`: an index assignment, a write into a view of t)."""
        view = t.__dict__.get("_view_of")
        base = view[0] if view is not None else None
        if not self._made_here(t) or (base is not None and not self._made_here(base)):
            raise RuntimeError(
                "During a grad (vjp, jvp, grad, etc) transform, the function provided "
                f"attempted to call in-place operation ({_aten(op, args)}) that would mutate "
                "a captured Tensor. This is not supported; please rewrite the function being "
                "transformed to explicitly accept the mutated Tensor(s) as inputs.")
        if base is not None and id(base) in self.leaves:
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
        if id(t) in self.leaves:
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE if setitem
                               else _errors.LEAF_INPLACE)


@contextlib.contextmanager
def frame():
    """Runs the block as a transform's function: yields its Frame, whose `leaves` the
    caller fills with the differentiated inputs' tensors."""
    outer = _grad_state.frame
    new = Frame(outer)
    _grad_state.frame = new
    try:
        yield new
    finally:
        _grad_state.frame = outer


def differentiated(value) -> bool:
    """Whether an array is a tracer of a reverse-mode transform's level that is running
    (a torch.func.grad's input, or a value computed from it at that level): torch's
    tensor there requires grad. A value at an inner vmap or jvp level (a tracer of that
    level's trace) does not, as torch's wrapper there does not."""
    trace = getattr(value, "_trace", None)
    if trace is None:
        return False
    f = _grad_state.frame
    while f is not None:
        if any(trace is x for x in f.traces):
            return True
        f = f.outer
    return False


def check_write(t, op: str = "copy_", args: tuple = (), setitem: bool = False) -> None:
    """The innermost frame's check of an in-place write into `t`; none outside transforms."""
    current = _grad_state.frame
    if current is not None:
        current.check(t, op, args, setitem)
