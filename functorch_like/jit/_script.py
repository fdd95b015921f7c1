"""torch.jit.script / trace and the TorchScript decorators, as eager pass-throughs.

There is no TorchScript compiler here: a "scripted" or "traced" object runs the same
Python code it was given, so values and gradients are exactly those of the original.
For speed, compile a whole training step with `functorch_like.compile`.
"""

from __future__ import annotations

import functools
import inspect
import typing
import warnings
from typing import Any, Callable

from ..nn.modules.module import Module

__all__ = ["Attribute", "Final", "ScriptFunction", "ScriptModule", "annotate", "export",
           "freeze", "ignore", "interface", "is_scripting", "is_tracing",
           "optimize_for_inference", "script", "script_if_tracing", "script_method",
           "trace", "trace_module", "unused"]

# TorchScript's `Final[T]` class-attribute annotation is `typing.Final` in PyTorch too.
Final = typing.Final


class ScriptModule(Module):
    """Base class for the old `class M(torch.jit.ScriptModule)` style: a plain Module.

    PyTorch parity: `script(module)` returns the module itself, not an instance of this
    class, so `isinstance(script(m), ScriptModule)` is False here (True in PyTorch).
    """


class ScriptFunction:
    """Type of what `script(fn)`/`trace(fn)` return: the function, wrapped.

    Calling it calls the original (same values, same autograd graph). It keeps the
    original's `__name__`, `__doc__` and `__wrapped__`, and has PyTorch's `.name`.

    PyTorch parity: there is no `.graph`/`.code`/`.save()`; TorchScript's type checks do
    not run, so code TorchScript would reject (unannotated non-Tensor args, dynamic
    Python) still runs here.
    """

    def __init__(self, fn: Callable):
        functools.update_wrapper(self, fn)
        self.name = getattr(fn, "__name__", type(fn).__name__)

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<ScriptFunction {self.name}>"


def _deprecated(name: str, instead: str = "switch to `torch.compile` or `torch.export`"):
    # PyTorch 2.13 warns on every TorchScript entry point; same category and text.
    warnings.warn(f"`torch.jit.{name}` is deprecated. Please {instead}.", DeprecationWarning,
                  stacklevel=3)


def _wrap(obj, what: str):
    if isinstance(obj, Module):
        return obj
    if isinstance(obj, ScriptFunction):
        return obj
    if inspect.isclass(obj):
        # PyTorch compiles a TorchScript class; here the class is already usable as is.
        if obj.__module__ == "builtins":
            raise TypeError(f"{obj} is a built-in class")
        return obj
    if not callable(obj):
        if type(obj).__module__ == "builtins":       # PyTorch's text for script(3)
            raise TypeError(f"{type(obj)} is a built-in class")
        raise RuntimeError(f"{what} expects a callable or an nn.Module, got {type(obj)}")
    return ScriptFunction(obj)


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """Returns something that computes what `obj` computes.

    Args:
        obj: an nn.Module (returned as is), a function (wrapped in a ScriptFunction that
            keeps its name and docstring) or a class (returned as is).

    PyTorch parity: nothing is compiled and TorchScript's type checking does not run, so
    scripting never fails on Python TorchScript does not support; a module is returned
    itself (its repr is the module's, not `RecursiveScriptModule(original_name=...)`).
    """
    del optimize, _frames_up, _rcb, example_inputs
    _deprecated("script")
    return _wrap(obj, "script")


def _as_args(example_inputs) -> tuple:
    return example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True,
          check_inputs=None, check_tolerance: float = 1e-5, strict: bool = True,
          _force_outplace: bool = False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs: bool = True):
    """Runs `func` once on `example_inputs` (as tracing does) and returns it.

    Args:
        func: an nn.Module (returned as is) or a function (wrapped in a ScriptFunction).
        example_inputs: a tuple of arguments, or one Tensor.

    PyTorch parity: the result is not specialised to the example's shapes or control
    flow: it keeps running the Python code. PyTorch runs the function again to check the
    trace (`check_trace=True`), so a BatchNorm in training mode counts more batches there
    than the single recording call here.
    """
    del optimize, check_trace, check_inputs, check_tolerance, strict, _force_outplace
    del _module_class, _compilation_unit, _store_inputs
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_kwarg_inputs or example_inputs must be provided")
    _deprecated("trace")
    if isinstance(func, Module):      # PyTorch traces a module through trace_module
        _deprecated("trace_method")
    wrapped = _wrap(func, "trace")
    from ..autograd._grad_mode import no_grad
    with no_grad():       # the recording call; its graph would be discarded anyway
        if example_kwarg_inputs is not None:
            func(**example_kwarg_inputs)
        else:
            func(*_as_args(example_inputs))
    return wrapped


def trace_module(mod: Module, inputs: dict, **kwargs):
    """`trace` for named methods: runs `getattr(mod, name)(*args)` for each entry and
    returns `mod`."""
    del kwargs
    _deprecated("trace_method")
    from ..autograd._grad_mode import no_grad
    with no_grad():
        for name, args in inputs.items():
            getattr(mod, name)(*_as_args(args))
    return mod


# ---- decorators: TorchScript compilation hints, meaningless in eager mode -----------------

def ignore(drop=False, **kwargs):
    """`@ignore` or `@ignore(drop=...)`: leaves the function as Python (here, always)."""
    if callable(drop):
        return drop
    if drop:
        warnings.warn("ignore(True) has been deprecated. TorchScript will now drop the "
                      "function call on compilation. Use torch.jit.unused now. {}",
                      category=FutureWarning, stacklevel=2)
    del kwargs
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    """Marks a function TorchScript should not compile; returns it unchanged."""
    return fn


def export(fn: Callable) -> Callable:
    """Marks a method as a TorchScript entry point; returns it unchanged."""
    return fn


def script_method(fn: Callable) -> Callable:
    """The old ScriptModule method decorator; returns the method unchanged."""
    _deprecated("script_method")
    return fn


def script_if_tracing(fn: Callable) -> Callable:
    """Scripts `fn` only when tracing, which never happens here: returns it unchanged."""
    return fn


def interface(obj):
    """Declares a TorchScript interface type; returns the class unchanged."""
    _deprecated("interface", "use `torch.compile` instead")
    return obj


def is_scripting() -> bool:
    """Always False: code never runs under the TorchScript compiler here."""
    return False


def is_tracing() -> bool:
    """Always False: `trace` records nothing, so no code runs "while tracing"."""
    return False


def annotate(the_type: Any, the_value: Any) -> Any:
    """TorchScript's type hint for a value (`annotate(List[int], [])`); returns the value."""
    del the_type
    return the_value


class Attribute(typing.NamedTuple):
    """`Attribute(value, type)`: a typed module attribute for TorchScript (a NamedTuple,
    as PyTorch's)."""

    value: Any
    type: Any


def freeze(mod: Module, preserved_attrs=None, optimize_numerics: bool = True) -> Module:
    """Returns `mod` (nothing to inline without a graph); it must be in eval mode.

    PyTorch parity: PyTorch also rejects a plain nn.Module (not scripted); since `script`
    returns the module itself here, any Module is accepted.
    """
    del preserved_attrs, optimize_numerics
    _deprecated("freeze", "use `torch.compile` instead")
    if not isinstance(mod, Module):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use "
                           "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval "
                           "mode. Please call .eval() on your module before freezing.")
    return mod


def optimize_for_inference(mod: Module, other_methods=None) -> Module:
    """Puts `mod` in eval mode and returns it (PyTorch freezes it, then fuses ops).

    PyTorch parity: warns with PyTorch's DeprecationWarning; no ops are fused here.
    """
    del other_methods
    warnings.warn("`torch.jit.optimize_for_inference` is deprecated. Please use "
                  "`torch.compile` instead.", DeprecationWarning, stacklevel=2)
    if not isinstance(mod, Module):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please "
                           "use torch.jit.script or torch.jit.trace to script your "
                           "'nn.Module'.")
    return freeze(mod.eval())
