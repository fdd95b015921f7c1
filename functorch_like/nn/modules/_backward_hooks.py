"""A Module's full backward hooks (`register_full_backward_hook`,
`register_full_backward_pre_hook`), as torch's BackwardHook sets them up.

A call wraps the module's positional tensor inputs that require grad, and its output
tensors, each set in one identity node ("BackwardHookFunctionBackward"). The engine gives
such a node's hook the gradients of all its outputs at once (autograd/_engine.py,
`Node.group_hook`). On the output side the pre-hooks see and may replace grad_output; on
the input side the full hooks see grad_input and grad_output and may replace grad_input.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import jax.numpy as jnp

from ..._tensor import Tensor, apply

_NAME = "BackwardHookFunctionBackward"

# The global full backward hooks (torch.nn.modules.module's): every module's call runs
# them before its own.
_global_backward_hooks: OrderedDict = OrderedDict()
_global_backward_pre_hooks: OrderedDict = OrderedDict()


def register_module_full_backward_hook(hook):
    """A full backward hook for every module, run before each module's own: hook(module,
    grad_input, grad_output) -> None or a new grad_input."""
    from ...utils.hooks import add_hook
    return add_hook(_global_backward_hooks, hook, False)


def register_module_full_backward_pre_hook(hook):
    """A full backward pre-hook for every module, run before each module's own:
    hook(module, grad_output) -> None or a new grad_output."""
    from ...utils.hooks import add_hook
    return add_hook(_global_backward_pre_hooks, hook, False)


def backward_hook_for(module) -> "BackwardHook | None":
    """The BackwardHook of one call of `module`, or None when no full backward hook (the
    global ones, then its own) is registered."""
    hooks = module.__dict__.get("_backward_hooks")
    pre = module.__dict__.get("_backward_pre_hooks")
    if not (hooks or pre or _global_backward_hooks or _global_backward_pre_hooks):
        return None
    return BackwardHook(module, [*_global_backward_hooks.values(), *(hooks or {}).values()],
                        [*_global_backward_pre_hooks.values(), *(pre or {}).values()])
_NO_INPUT_GRAD = (
    "Full backward hook is firing when gradients are computed with respect to module "
    "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
    "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
    "details.")


def _identity(*xs):
    return tuple(xs)


def _needs_grad(x) -> bool:
    return isinstance(x, Tensor) and (x._requires_grad or x._node is not None)


class BackwardHook:
    """One module call's backward hooks: wraps its inputs (`setup_inputs`) and outputs
    (`setup_outputs`) and runs the hooks when their gradients arrive."""

    def __init__(self, module, hooks: list, pre_hooks: list):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.n_args = 0
        self.input_slots: list[int] = []    # the positional arguments wrapped
        self.input_shapes: list = []        # (shape, dtype) of every positional tensor
        self.grad_output: tuple | None = None
        self.called = True      # False: the module's output was no Tensor or tuple

    def setup_inputs(self, args: tuple) -> tuple:
        """The positional arguments, those that require grad through one identity node."""
        self.n_args = len(args)
        self.input_shapes = [(a.shape, a._value.dtype) if isinstance(a, Tensor) else None
                             for a in args]
        self.input_slots = [i for i, a in enumerate(args) if _needs_grad(a)]
        if not self.input_slots or not self.hooks:
            return args
        wrapped = apply(_identity, _NAME, *[args[i] for i in self.input_slots])
        wrapped[0]._node.group_hook = self._on_inputs
        args = list(args)
        for i, t in zip(self.input_slots, wrapped):
            args[i] = t
        return tuple(args)

    def setup_outputs(self, result):
        """The result, its top-level tensors that require grad through one identity node
        (a tensor, or the tensors of a tuple, as torch). Another output (a dict, a list):
        torch warns, and calls none of the module's backward hooks."""
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn("For backward hooks to be called, module output should be a Tensor "
                          f"or a tuple of Tensors but received {type(result)}", stacklevel=4)
            self.called = False
            return result
        is_tuple = isinstance(result, tuple)
        items = result if is_tuple else (result,)
        slots = [i for i, x in enumerate(items) if _needs_grad(x)]
        if not slots:
            return result
        self.output_slots, self.n_outputs = slots, len(items)
        wrapped = apply(_identity, _NAME, *[items[i] for i in slots])
        wrapped[0]._node.group_hook = self._on_outputs
        items = list(items)
        for i, t in zip(slots, wrapped):
            items[i] = t
        return tuple(items) if is_tuple else items[0]

    def _on_outputs(self, grads: list) -> list:
        grad_output = [None] * self.n_outputs
        for i, g in zip(self.output_slots, grads):
            grad_output[i] = None if g is None else Tensor._make(g)
        grad_output = tuple(grad_output)
        for hook in self.pre_hooks:
            out = hook(self.module, grad_output)
            if out is not None:
                grad_output = _replaced(grad_output, out, "pre hook", "grad_output")
        self.grad_output = grad_output
        if self.hooks and not self.input_slots:
            # Nothing below this module wants a gradient: torch fires the hooks now.
            warnings.warn(_NO_INPUT_GRAD, UserWarning, stacklevel=2)
            for hook in self.hooks:
                hook(self.module, (None,) * self.n_args, grad_output)
        return [None if grad_output[i] is None else grad_output[i]._value
                for i in self.output_slots]

    def _on_inputs(self, grads: list) -> list:
        # A positional tensor that needs no grad, or that no gradient reached, gets zeros,
        # as torch's (a non-tensor None).
        grad_input = [None if s is None else Tensor._make(jnp.zeros(*s))
                      for s in self.input_shapes]
        for i, g in zip(self.input_slots, grads):
            if g is not None:
                grad_input[i] = Tensor._make(g)
        grad_input = tuple(grad_input)
        for hook in self.hooks if self.called else ():
            out = hook(self.module, grad_input, self.grad_output)
            if out is not None:
                grad_input = _replaced(grad_input, out, "hook", "grad_input")
        return [None if grad_input[i] is None else grad_input[i]._value
                for i in self.input_slots]


def _replaced(old: tuple, new, kind: str, what: str) -> tuple:
    """A hook's returned gradients, with torch's checks of their number, size and type."""
    if len(new) != len(old):
        raise RuntimeError(f"Backward {kind} returned an invalid number of {what}, got "
                           f"{len(new)}, but expected {len(old)}")
    out = []
    for o, n in zip(old, new):
        if n is not None and o is not None:
            if tuple(n.shape) != tuple(o.shape):
                raise RuntimeError("hook 'hook' has changed the size of value")
            if n._value.dtype != o._value.dtype:
                raise RuntimeError(f"hook 'hook' has changed the type of value (was "
                                   f"{o.type()} got {n.type()})")
        out.append(n)
    return tuple(out)
